package perf

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

func BenchmarkLambdaPath(b *testing.B)        { loop(b, NewLambdaPath) }
func BenchmarkUnmarshalBaseline(b *testing.B) { loop(b, NewUnmarshalBaseline) }

func loop(b *testing.B, newOp func() (func() error, error)) {
	op, err := newOp()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := op(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestBenchmarksRun keeps the benchmark code working between bench runs.
func TestBenchmarksRun(t *testing.T) {
	for name, f := range map[string]func(*testing.B){"LambdaPath": BenchmarkLambdaPath, "UnmarshalBaseline": BenchmarkUnmarshalBaseline} {
		if r := testing.Benchmark(f); r.N == 0 || r.NsPerOp() <= 0 {
			t.Errorf("%s did not run: %+v", name, r)
		}
	}
}

func TestInterleaveAlternatesWhichGoesFirst(t *testing.T) {
	var order []string
	next := func(name string, v *float64) func() (float64, error) {
		return func() (float64, error) {
			order = append(order, name)
			*v++
			return *v, nil
		}
	}
	var a, b float64
	p, err := Interleave(4, next("A", &a), next("B", &b))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(order, ""), "ABBAABBA"; got != want {
		t.Errorf("order %s, want %s", got, want)
	}
	// Each pair keeps its own two rounds, whichever ran first.
	if want := []float64{1, 2, 3, 4}; !slices.Equal(p.Subject, want) || !slices.Equal(p.Baseline, want) {
		t.Errorf("pairs %+v, want both %v", p, want)
	}
}

func TestInterleaveStopsAtAnError(t *testing.T) {
	boom := errors.New("boom")
	calls := 0
	ok := func() (float64, error) { calls++; return 1, nil }
	fails := func() (float64, error) { calls++; return 0, boom }
	if _, err := Interleave(3, ok, fails); !errors.Is(err, boom) {
		t.Errorf("err %v, want %v", err, boom)
	}
	if calls != 2 {
		t.Errorf("%d rounds measured after the error, want 2", calls)
	}
	if _, err := Interleave(0, ok, ok); err == nil {
		t.Error("no rounds: want an error")
	}
}

// The point of pairing: a load that comes and goes moves both rounds of a pair, so
// the paired ratios stay put while the rates themselves swing threefold.
func TestPairedRatiosHoldThroughASwingingMachine(t *testing.T) {
	speed := []float64{1, 1, 0.4, 0.4, 1, 1, 0.5, 0.5, 1, 1, 0.3, 0.3} // the machine, round by round
	i := 0
	rate := func(cost float64) func() (float64, error) {
		return func() (float64, error) { v := speed[i] / cost; i++; return v, nil }
	}
	p, err := Interleave(6, rate(1.6), rate(1))
	if err != nil {
		t.Fatal(err)
	}
	s := Summarize(p.Ratios())
	if math.Abs(s.Median-0.625) > 1e-9 || math.Abs(s.Min-s.Max) > 1e-9 {
		t.Errorf("paired ratios %v: want all 0.625", p.Ratios())
	}
	if b := Summarize(p.Baseline); b.Max/b.Min < 3 {
		t.Errorf("baseline rates %v: the test's machine does not swing", p.Baseline)
	}
}

func TestSummarize(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name string
		in   []float64
		want Spread
	}{
		{"one", []float64{3}, Spread{N: 1, Median: 3, P25: 3, P75: 3, Min: 3, Max: 3}},
		{"odd, unsorted", []float64{5, 1, 3}, Spread{N: 3, Median: 3, P25: 2, P75: 4, Min: 1, Max: 5}},
		{"even: the middle two's mean", []float64{4, 1, 3, 2}, Spread{N: 4, Median: 2.5, P25: 1.75, P75: 3.25, Min: 1, Max: 4}},
		{"an outlier does not move it", []float64{0.6, 0.62, 0.61, 9, 0.63}, Spread{N: 5, Median: 0.62, P25: 0.61, P75: 0.63, Min: 0.6, Max: 9}},
		{"empty", nil, Spread{Median: nan, P25: nan, P75: nan, Min: nan, Max: nan}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Summarize(tc.in)
			if got.N != tc.want.N || !near(got.Median, tc.want.Median) || !near(got.P25, tc.want.P25) ||
				!near(got.P75, tc.want.P75) || !near(got.Min, tc.want.Min) || !near(got.Max, tc.want.Max) {
				t.Errorf("Summarize(%v) = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}
	in := []float64{2, 1}
	Summarize(in)
	if in[0] != 2 {
		t.Error("Summarize sorted its argument")
	}
	if got, want := Summarize([]float64{0.5, 0.7, 0.6}).Format("%.2f"), "n=3 p25=0.55 p75=0.65 min=0.50 max=0.70"; got != want {
		t.Errorf("Format = %q, want %q", got, want)
	}
}

func TestRatios(t *testing.T) {
	p := Pairs{Subject: []float64{6, 3}, Baseline: []float64{10, 4}}
	if got, want := p.Ratios(), []float64{0.6, 0.75}; !slices.Equal(got, want) {
		t.Errorf("Ratios = %v, want %v", got, want)
	}
}

func near(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) < 1e-9
}
