package test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/repo"
)

// Logs Insights commands (AWS, "CloudWatch Logs Insights language query syntax").
var insightsCommands = map[string]bool{
	"fields": true, "display": true, "filter": true, "filterindex": true, "stats": true, "sort": true,
	"limit": true, "dedup": true, "parse": true, "unnest": true, "unmask": true, "pattern": true,
	"diff": true, "anomaly": true, "lookup": true, "source": true,
}

// insightsCommandsOf splits a Logs Insights query into its commands at the pipes
// outside quotes and regular expressions, and returns each command's keyword.
func insightsCommandsOf(q string) []string {
	var parts []string
	var cur strings.Builder
	var quote rune
	for _, r := range q {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '"' || r == '\'' || r == '`' || r == '/':
			quote = r
		case r == '|':
			parts = append(parts, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteRune(r)
	}
	parts = append(parts, cur.String())
	var cmds []string
	for _, p := range parts {
		f := strings.Fields(p)
		if len(f) == 0 {
			cmds = append(cmds, "")
			continue
		}
		cmds = append(cmds, strings.ToLower(f[0]))
	}
	return cmds
}

// insightsProblems checks a query against the command rules AWS documents: known
// commands only; "the only query command that you can use in a query after the
// dedup command is limit" (dedup); at most two stats commands in one query
// (stats, "Use multiple stats commands in a single query").
func insightsProblems(q string) []string {
	var problems []string
	cmds := insightsCommandsOf(q)
	dedup, stats := false, 0
	for i, c := range cmds {
		switch {
		case !insightsCommands[c]:
			problems = append(problems, fmt.Sprintf("command %d (%q) is no Logs Insights command", i+1, c))
		case dedup && c != "limit":
			problems = append(problems, fmt.Sprintf("%s after dedup (only limit may follow it)", c))
		}
		switch c {
		case "dedup":
			dedup = true
		case "stats":
			stats++
		}
	}
	if stats > 2 {
		problems = append(problems, fmt.Sprintf("%d stats commands (at most two)", stats))
	}
	return problems
}

func TestInsightsRules(t *testing.T) {
	for _, tc := range []struct {
		q    string
		want int
	}{
		{`fields a | sort @timestamp desc | dedup k | limit 5`, 0},
		{`filter msg = "a | b" | stats count(*) by k`, 0},
		{`filter @message like /x|y/ | dedup k`, 0},
		{`fields a | dedup k | sort @timestamp desc`, 1},
		{`filter a | dedup k | stats count(*) | sort day desc`, 2},
		{`stats count(*) by k | stats count(*) | stats count(*)`, 1},
		{`fields a | head 5`, 1},
	} {
		if got := insightsProblems(tc.q); len(got) != tc.want {
			t.Errorf("%q: %d problems %q, want %d", tc.q, len(got), got, tc.want)
		}
	}
}

// TestShippedQueriesFollowTheInsightsRules: every Logs Insights query the project
// ships, saved (queries/*/*.txt), on the dashboard (its log widgets) or shown in
// README, keeps AWS's documented command rules. Fails on the queries before issue
// 21: deals-that-changed-stage sorted after dedup, won-deals-per-day ran stats and
// sort after it.
func TestShippedQueriesFollowTheInsightsRules(t *testing.T) {
	queries := map[string]string{}
	files, _ := filepath.Glob(repo.Path(monitoringDir, "queries", "*", "*.txt"))
	if len(files) == 0 {
		t.Fatal("no saved queries")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		queries["saved "+filepath.Base(filepath.Dir(f))+"/"+filepath.Base(f)] = string(b)
	}
	// The dashboard's log widgets: each query is a saved one, put in by Terraform as
	// SOURCE '<group>' | <query>; a literal query in a template is checked as it is.
	tmpls, _ := filepath.Glob(repo.Path(monitoringDir, "*.json.tftpl"))
	widgetQuery := regexp.MustCompile(`"query":\s*(\$\{[a-z_]+\}|"(?:[^"\\]|\\.)*")`)
	widgets := 0
	for _, f := range tmpls {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range widgetQuery.FindAllStringSubmatch(string(b), -1) {
			widgets++
			if strings.HasPrefix(m[1], "${query_") {
				name := strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(m[1], "${query_"), "}"), "_", "-")
				if len(slicesFilter(files, func(f string) bool { return filepath.Base(f) == name+".txt" })) != 1 {
					t.Errorf("%s: widget query %s is no saved query", filepath.Base(f), m[1])
				}
				continue
			}
			queries[fmt.Sprintf("%s widget query %d", filepath.Base(f), i+1)] = "SOURCE 'g' | " + strings.Trim(m[1], `"`)
		}
	}
	if widgets == 0 {
		t.Error("no log widget found in the dashboard templates; the pattern no longer reads them")
	}
	// README: every unlabelled fenced block that starts with a query command.
	readme, err := os.ReadFile(repo.Path("README.md"))
	if err != nil {
		t.Fatal(err)
	}
	shown := 0
	var block []string
	inBlock, label := false, ""
	for i, line := range strings.Split(string(readme), "\n") {
		switch {
		case !inBlock && strings.HasPrefix(line, "```"):
			inBlock, label, block = true, strings.TrimPrefix(line, "```"), nil
		case inBlock && line == "```":
			inBlock = false
			q := strings.Join(block, "\n")
			if f := strings.Fields(q); label == "" && len(f) > 0 && insightsCommands[strings.ToLower(f[0])] && strings.Contains(q, "|") {
				shown++
				queries[fmt.Sprintf("README query ending on line %d", i+1)] = q
			}
		case inBlock:
			block = append(block, line)
		}
	}
	if shown < len(files) {
		t.Errorf("README shows %d queries, fewer than the %d saved ones; the pattern no longer reads them", shown, len(files))
	}
	for name, q := range queries {
		for _, p := range insightsProblems(q) {
			t.Errorf("%s: %s", name, p)
		}
	}
}

func slicesFilter(s []string, keep func(string) bool) []string {
	var out []string
	for _, v := range s {
		if keep(v) {
			out = append(out, v)
		}
	}
	return out
}

// TestNothingReadsSlogsTimeKey: the records write their time as "timestamp"
// (internal/jsonlog.TimeKey, the key Lambda's log-level filter reads); no metric
// filter, query or README example uses slog's "time". Fails on README before
// issue 21, whose watchdog record showed "time".
func TestNothingReadsSlogsTimeKey(t *testing.T) {
	metrics, err := os.ReadFile(repo.Path(monitoringDir, "metrics.json"))
	if err != nil {
		t.Fatal(err)
	}
	if regexp.MustCompile(`\$\.time\b`).Match(metrics) {
		t.Error("a metric filter reads $.time")
	}
	files, _ := filepath.Glob(repo.Path(monitoringDir, "queries", "*", "*.txt"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if regexp.MustCompile(`(^|[\s,(])time\b`).Match(b) {
			t.Errorf("%s reads a field named time", filepath.Base(f))
		}
	}
	readme, err := os.ReadFile(repo.Path("README.md"))
	if err != nil {
		t.Fatal(err)
	}
	examples := regexp.MustCompile("(?s)```json\n(.*?)\n```").FindAllSubmatch(readme, -1)
	records := 0
	for _, ex := range examples {
		var rec map[string]any
		if json.Unmarshal(ex[1], &rec) != nil || rec["msg"] == nil {
			continue
		}
		records++
		if _, ok := rec["time"]; ok {
			t.Errorf("README's example record has \"time\": %s", ex[1])
		}
		if ts, _ := rec["timestamp"].(string); !rfc3339(ts) {
			t.Errorf("README's example record has no RFC 3339 \"timestamp\": %s", ex[1])
		}
	}
	if records == 0 {
		t.Error("no example record found in README")
	}
	if !strings.Contains(string(readme), "`timestamp` (RFC 3339") {
		t.Error("README's log schema does not name the timestamp key")
	}
}

func rfc3339(s string) bool {
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}
