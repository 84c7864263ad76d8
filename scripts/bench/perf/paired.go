package perf

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// Pairs are the figures of rounds measured in pairs: Subject[i] and Baseline[i] were
// measured one right after the other, so that both saw the same machine.
type Pairs struct {
	Subject, Baseline []float64
}

// Interleave measures rounds pairs, alternating which of the two goes first
// (subject, baseline, baseline, subject, …: ABBA), so that a load that grows or
// fades during a pair favours neither side over the whole run.
func Interleave(rounds int, subject, baseline func() (float64, error)) (Pairs, error) {
	if rounds < 1 {
		return Pairs{}, errors.New("interleave: no rounds")
	}
	p := Pairs{Subject: make([]float64, rounds), Baseline: make([]float64, rounds)}
	for i := range rounds {
		steps := []struct {
			measure func() (float64, error)
			out     *float64
		}{{subject, &p.Subject[i]}, {baseline, &p.Baseline[i]}}
		if i%2 == 1 {
			steps[0], steps[1] = steps[1], steps[0]
		}
		for _, s := range steps {
			v, err := s.measure()
			if err != nil {
				return p, err
			}
			*s.out = v
		}
	}
	return p, nil
}

// Ratios are Subject[i] / Baseline[i], one per pair: each compares two rounds that
// saw the same machine, which is what makes their median hold from run to run
// when the rates themselves swing.
func (p Pairs) Ratios() []float64 {
	r := make([]float64, len(p.Subject))
	for i := range r {
		r[i] = p.Subject[i] / p.Baseline[i]
	}
	return r
}

// Spread describes a sample: its median, quartiles and extremes.
type Spread struct {
	N                          int
	Median, P25, P75, Min, Max float64
}

// Summarize returns xs's spread; quartiles interpolate between the sorted values
// (the median of an even count is the mean of the middle two). An empty sample
// gives NaNs.
func Summarize(xs []float64) Spread {
	s := slices.Clone(xs)
	slices.Sort(s)
	return Spread{
		N:      len(s),
		Median: quantile(s, 0.5),
		P25:    quantile(s, 0.25),
		P75:    quantile(s, 0.75),
		Min:    quantile(s, 0),
		Max:    quantile(s, 1),
	}
}

// quantile of sorted values, linear between the two nearest ranks.
func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	pos := q * float64(len(sorted)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(sorted)-1)
	return sorted[lo] + (sorted[hi]-sorted[lo])*(pos-float64(lo))
}

// Format prints the spread with verb (like "%.2f") for each value:
// "n=12 p25=0.61 p75=0.66 min=0.55 max=0.70".
func (s Spread) Format(verb string) string {
	return fmt.Sprintf("n=%d p25="+verb+" p75="+verb+" min="+verb+" max="+verb, s.N, s.P25, s.P75, s.Min, s.Max)
}
