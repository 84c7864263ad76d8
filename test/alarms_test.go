package test

import (
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/repo"
)

// stackAlarm is an alarm on one of the stack's own metrics, as main.tf defines it.
type stackAlarm struct {
	name, metric string
	dimensions   map[string]string
}

var (
	// An alarm entry: `name = {` … `namespace = local.namespace, metric = "M", dimensions = { … }`.
	alarmEntry  = regexp.MustCompile(`(?m)^\s*([a-z0-9-]+) = \{\n(?:[^\n{]*\n)*?\s*namespace\s*=\s*local\.namespace,\s*metric\s*=\s*"([A-Za-z]+)",\s*dimensions\s*=\s*\{([^}]*)\}`)
	alarmDimKV  = regexp.MustCompile(`([A-Za-z]+)\s*=\s*"([^"]*)"`)
	ownNsMetric = regexp.MustCompile(`namespace\s*=\s*local\.namespace,\s*metric\s*=`)
)

// stackAlarms reads, from the monitoring module's main.tf, every alarm on the
// stack's own namespace with the dimension values it watches, as literals.
func stackAlarms(t *testing.T) []stackAlarm {
	t.Helper()
	src, err := os.ReadFile(repo.Path(monitoringDir, "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	var alarms []stackAlarm
	for _, m := range alarmEntry.FindAllStringSubmatch(string(src), -1) {
		a := stackAlarm{name: m[1], metric: m[2], dimensions: map[string]string{}}
		if rest := alarmDimKV.ReplaceAllString(m[3], ""); strings.Trim(rest, " ,\n") != "" {
			t.Fatalf("alarm %s: dimensions %q are not literal strings: the test cannot know what it watches", a.name, m[3])
		}
		for _, kv := range alarmDimKV.FindAllStringSubmatch(m[3], -1) {
			a.dimensions[kv[1]] = kv[2]
		}
		alarms = append(alarms, a)
	}
	if n := len(ownNsMetric.FindAllString(string(src), -1)); n != len(alarms) || n == 0 {
		t.Fatalf("main.tf has %d alarms on local.namespace, the test read %d: the pattern needs updating", n, len(alarms))
	}
	return alarms
}

// TestAlarmsWatchSeriesTheCodeEmits ties the alarms to the code: every alarm on the
// stack's own metrics watches a series (metric name and exact dimension values,
// read from main.tf) that the metric filters of metrics.json produce from the
// records the code writes. The alarms' Status values are literals in main.tf, and
// the metric test took its expectation from the code's own constants, so renaming a
// status in Go (tried: StatusReRegistered = "re-registered") or a typo in an alarm
// (tried: Status = "unheathy") left every test green while the alarm watched a
// series that never exists. Both now fail here.
func TestAlarmsWatchSeriesTheCodeEmits(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the bootstrap")
	}
	records := map[string][]map[string]any{
		"receiver": append(receiverRecords(t), coldStartRecords(t)...),
		"access":   accessRecords(t),
		"watchdog": append(watchdogRecords(t), senderRangeRecords(t)...),
	}
	records["receiver"] = append(records["receiver"], senderCheckRecords(t)...)
	records["receiver"] = append(records["receiver"], reconcileRecords(t)...)
	// The series the code emits: "Metric" plus "Dim=value" pairs, sorted.
	emitted := map[string]bool{}
	for group, metrics := range loadMetrics(t) {
		for name, def := range metrics {
			p, err := parseFilterPattern(def.Pattern)
			if err != nil {
				t.Fatal(err)
			}
			for _, rec := range records[group] {
				if !p.matches(rec) {
					continue
				}
				dims := map[string]string{}
				for d, field := range def.Dimensions {
					if v, ok := dimensionValue(rec, field); ok {
						dims[d] = v
					}
				}
				emitted[series(name, dims)] = true
			}
		}
	}
	alarms := stackAlarms(t)
	watched := map[string]bool{}
	for _, a := range alarms {
		watched[a.name] = true
		if s := series(a.metric, a.dimensions); !emitted[s] {
			t.Errorf("alarm %s watches %s, which the code never emits; emitted: %v", a.name, s, slices.Sorted(maps.Keys(emitted)))
		}
	}
	// The watchdog's alarms are among them: one per status a person must act on.
	for _, name := range []string{"watchdog-unhealthy", "watchdog-reregistered", "watchdog-blind"} {
		if !watched[name] {
			t.Errorf("alarm %s not found in main.tf", name)
		}
	}
}

func series(metric string, dims map[string]string) string {
	parts := []string{metric}
	for _, k := range slices.Sorted(maps.Keys(dims)) {
		parts = append(parts, k+"="+dims[k])
	}
	return strings.Join(parts, " ")
}
