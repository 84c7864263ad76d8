package test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/repo"
)

// maskProne are the receiver's record fields whose values are Pipedrive's own
// content, free text a person typed, and so may hold the names, e-mail addresses,
// phone numbers and postal addresses the audit log's data protection policy masks
// (webhook-receiver's mask_personal_data): the whole payload, a deal's title
// (Pipedrive names deals after their person: "Jane Doe - Dissertation Editing"),
// the excerpt of a rejected body, and an error that may quote it.
var maskProne = []string{"payload", "webhook.title", "excerpt", "error"}

// personalKeys are the payload keys whose values are personal data in Pipedrive's
// webhooks (persons, organizations, users, deal titles).
var personalKeys = regexp.MustCompile(`^(name|first_name|last_name|person_name|owner_name|org_name|email|emails|cc_email|phone|phones|address|formatted_address|title)$`)

// TestMonitoringReadsNoMaskedField: with the masking on, CloudWatch Logs masks
// personal data at every egress, the metric filters and Logs Insights included. What
// the stack counts, alarms on and shows must not depend on it, so every field that
// a metric filter (its pattern and its dimensions), a saved query or a dashboard
// widget reads in the receiver's log group is an id, an action, a kind, a status, a
// number: none of maskProne, and, in the records the code writes for every fixture,
// never a value that a fixture carries under a personal key. (Dashboard metric
// widgets and alarms read the filters' metrics; log widgets must be saved queries.)
//
// Fails on the code before it: the saved query deals-that-changed-stage read
// webhook.title, which holds "Jane Doe - Dissertation Editing".
func TestMonitoringReadsNoMaskedField(t *testing.T) {
	reads := map[string][]string{} // field → what reads it
	field := regexp.MustCompile(`\$\.([A-Za-z0-9_.]+)`)
	for name, def := range loadMetrics(t)["receiver"] {
		for _, m := range field.FindAllStringSubmatch(def.Pattern, -1) {
			reads[m[1]] = append(reads[m[1]], "metric filter "+name)
		}
		for dim, src := range def.Dimensions {
			reads[strings.TrimPrefix(src, "$.")] = append(reads[strings.TrimPrefix(src, "$.")], "metric "+name+" dimension "+dim)
		}
	}
	saved := map[string]bool{}
	files, _ := filepath.Glob(repo.Path(monitoringDir, "queries", "*", "*.txt"))
	for _, f := range files {
		key := strings.TrimSuffix(filepath.Base(f), ".txt")
		saved["query_"+strings.ReplaceAll(key, "-", "_")] = true
		if filepath.Base(filepath.Dir(f)) != "receiver" {
			continue // the watchdog's log group has no personal data and no policy
		}
		q, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, fl := range insightsFields(string(q)) {
			reads[fl] = append(reads[fl], "saved query "+key)
		}
	}
	if len(reads) == 0 {
		t.Fatal("found nothing that reads the receiver's log group")
	}
	widgetQuery := regexp.MustCompile(`"query"\s*:\s*([^,}]+)`)
	for _, tmpl := range []string{"dashboard.json.tftpl", "dashboard-watchdog.json.tftpl"} {
		raw, err := os.ReadFile(repo.Path(monitoringDir, tmpl))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range widgetQuery.FindAllStringSubmatch(string(raw), -1) {
			ref := strings.TrimSpace(m[1])
			if !strings.HasPrefix(ref, "${") || !saved[strings.Trim(ref, "${}")] {
				t.Errorf("%s: a log widget's query is %s, not a saved query (which this test reads)", tmpl, ref)
			}
		}
	}

	for f, by := range reads {
		for _, p := range maskProne {
			if f == p || strings.HasPrefix(f, p+".") {
				t.Errorf("%v reads %s, which can hold personal data the policy masks", by, f)
			}
		}
	}

	personal := personalValues(t)
	if len(personal) < 10 {
		t.Fatalf("found only %d personal values in the fixtures: %q", len(personal), personal)
	}
	reported := map[string]bool{}
	for _, rec := range receiverRecords(t) {
		for f, by := range reads {
			if strings.HasPrefix(f, "@") {
				continue // CloudWatch's own fields (@timestamp, @message is not read)
			}
			v, ok := lookup(rec, strings.Split(f, "."))
			if !ok {
				continue
			}
			s := fmt.Sprint(v)
			if b, err := json.Marshal(v); err == nil {
				s = string(b)
			}
			for _, p := range personal {
				if strings.Contains(s, p) && !reported[f+"\x00"+p] {
					reported[f+"\x00"+p] = true
					t.Errorf("%v reads %s, which holds %q from a fixture (personal data the policy masks)", by, f, p)
				}
			}
		}
	}
}

// insightsFields lists the fields a Logs Insights query reads: its identifiers,
// less keywords, functions, string literals and the names it gives with `as`.
func insightsFields(q string) []string {
	q = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'`).ReplaceAllString(q, " ")
	q = regexp.MustCompile(`(?i)(\blike|=~)\s*/(?:[^/\\]|\\.)*/`).ReplaceAllString(q, " ")
	aliases := map[string]bool{}
	as := regexp.MustCompile(`(?i)\bas\s+([A-Za-z_][A-Za-z0-9_]*)`)
	for _, m := range as.FindAllStringSubmatch(q, -1) {
		aliases[m[1]] = true
	}
	q = as.ReplaceAllString(q, " ")
	keywords := map[string]bool{
		"fields": true, "filter": true, "stats": true, "sort": true, "dedup": true, "limit": true, "display": true,
		"parse": true, "and": true, "or": true, "not": true, "in": true, "by": true, "asc": true, "desc": true,
		"like": true, "source": true, "unmask": true,
	}
	var out []string
	ident := regexp.MustCompile(`@?[A-Za-z_][A-Za-z0-9_.]*`)
	for _, loc := range ident.FindAllStringIndex(q, -1) {
		w := q[loc[0]:loc[1]]
		if loc[0] > 0 && (q[loc[0]-1] >= '0' && q[loc[0]-1] <= '9') {
			continue // a unit: 1d, 5m
		}
		if keywords[strings.ToLower(w)] || aliases[w] || strings.HasPrefix(strings.TrimLeft(q[loc[1]:], " "), "(") {
			continue
		}
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

func TestInsightsFields(t *testing.T) {
	for _, c := range []struct {
		q    string
		want []string
	}{
		{`fields @timestamp, webhook.entity_id | filter msg = "pipedrive webhook" and ispresent(webhook.stage_id)`,
			[]string{"@timestamp", "webhook.entity_id", "msg", "webhook.stage_id"}},
		{`stats count(*) as won, sum(webhook.value) as value by bin(1d) as day, webhook.currency | sort day desc`,
			[]string{"webhook.value", "webhook.currency"}},
		{`filter level in ["WARN", "ERROR"] | stats count(*) by msg, kind, reason`,
			[]string{"level", "msg", "kind", "reason"}},
		{`fields payload.data.name | filter webhook.title like /Doe/`,
			[]string{"payload.data.name", "webhook.title"}},
	} {
		if got := insightsFields(c.q); !slices.Equal(got, c.want) {
			t.Errorf("insightsFields(%q) = %q, want %q", c.q, got, c.want)
		}
	}
}

// personalValues are the strings the fixtures carry under personal keys (at any
// depth, arrays of {"value": …} included), five characters or more.
func personalValues(t *testing.T) []string {
	t.Helper()
	fixtures, err := pipedrivetest.Fixtures()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(v any, personal bool)
	walk = func(v any, personal bool) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				walk(x, personal || personalKeys.MatchString(k))
			}
		case []any:
			for _, x := range v {
				walk(x, personal)
			}
		case string:
			if personal && len(v) >= 5 && !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	for _, f := range fixtures {
		var body any
		if err := json.Unmarshal(f.Body, &body); err != nil {
			continue // the fixtures of malformed bodies
		}
		walk(body, false)
	}
	return out
}
