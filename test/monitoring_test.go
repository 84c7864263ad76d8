package test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/jsonlog"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/lambdalocal"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/lambdatest"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/logtest"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/receiver"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/repo"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/senders"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/watchdog"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/webhook"
)

const monitoringDir = "terraform/modules/webhook-monitoring"

type metricDef struct {
	Description string
	Pattern     string
	Dimensions  map[string]string
}

// loadMetrics reads metrics.json, which Terraform turns into the metric filters:
// log group ("receiver", "access", "watchdog") → metric name → definition.
func loadMetrics(t *testing.T) map[string]map[string]metricDef {
	t.Helper()
	raw, err := os.ReadFile(repo.Path(monitoringDir, "metrics.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]map[string]metricDef
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

const (
	monUser     = "pipedrive"
	monPassword = "monitoring-test-password-1b2c"
)

type panicReader struct{}

func (panicReader) Read([]byte) (int, error) { panic("a reader that fails in an unexpected way") }

// receiverRecords are what the receiver writes, through the handler Lambda uses,
// for every fixture, a malformed body, two refused requests and a panic.
func receiverRecords(t *testing.T) []map[string]any {
	t.Helper()
	logs := &logtest.Buffer{}
	h := receiver.New(slog.New(jsonlog.NewHandler(logs, nil)), receiver.Config{Credentials: secrets.Static{User: monUser, Password: monPassword}})
	post := func(body io.Reader, user, password string) {
		req := httptest.NewRequest(http.MethodPost, "/webhooks/pipedrive", body)
		if user != "" {
			req.SetBasicAuth(user, password)
		}
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	fixtures, err := pipedrivetest.Fixtures()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fixtures {
		post(bytes.NewReader(f.Body), monUser, monPassword)
	}
	post(strings.NewReader("{oops"), monUser, monPassword)
	post(strings.NewReader("{}"), "", "")
	post(strings.NewReader("{}"), monUser, "wrong")
	post(panicReader{}, monUser, monPassword)
	return logs.Records(t)
}

// coldStartRecords are what the built bootstrap writes when Lambda starts it.
func coldStartRecords(t *testing.T) []map[string]any {
	t.Helper()
	bin := lambdatest.BuildBootstrap(t, "./lambda/receiver")
	rt := lambdalocal.NewRuntime()
	defer rt.Close()
	cmd := exec.Command(bin)
	cmd.Env = []string{"AWS_LAMBDA_RUNTIME_API=" + rt.Addr(), "WEBHOOK_AUTH_USER=" + monUser, "WEBHOOK_AUTH_PASSWORD=" + monPassword, "HOME=" + t.TempDir()}
	out := &logtest.Buffer{}
	cmd.Stdout = out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	select {
	case <-rt.FirstNext:
	case <-time.After(20 * time.Second):
		t.Fatal("the bootstrap never asked for an invocation")
	}
	out.WaitFor(t, `"msg":"receiver started"`)
	return out.Records(t)
}

// accessRecords are what API Gateway writes with the stage's access log format,
// for a delivery answered 200 and one the stage throttled.
func accessRecords(t *testing.T) []map[string]any {
	t.Helper()
	format, err := os.ReadFile(repo.Path("terraform", "modules", "webhook-receiver", "access-log-format.json"))
	if err != nil {
		t.Fatal(err)
	}
	var recs []map[string]any
	for _, status := range []string{"200", "429"} {
		line := regexp.MustCompile(`\$context\.[A-Za-z.]+`).ReplaceAllStringFunc(string(format), func(v string) string {
			if v == "$context.status" {
				return status
			}
			return "-"
		})
		dec := json.NewDecoder(strings.NewReader(line))
		dec.UseNumber()
		var rec map[string]any
		if err := dec.Decode(&rec); err != nil {
			t.Fatalf("the access log format is not JSON once rendered: %v", err)
		}
		recs = append(recs, rec)
	}
	return recs
}

// watchdogRecords are what the watchdog writes for each status: a missing webhook
// registered again, then healthy, then banned, then Pipedrive down.
func watchdogRecords(t *testing.T) []map[string]any {
	t.Helper()
	const token = "0123456789abcdef0123456789abcdef01234567"
	pd, err := pipedrivetest.NewServer(token)
	if err != nil {
		t.Fatal(err)
	}
	defer pd.Close()
	logs := &logtest.Buffer{}
	cfg := watchdog.Config{
		Registrations: []pipedrive.Registration{{Name: "pdw-test", Subscription: pipedrive.Subscription{
			URL: "https://abc123.execute-api.us-east-1.amazonaws.com/webhooks/pipedrive", EventAction: "*", EventObject: "deal", Version: webhook.V2}}},
		Token: func(context.Context) (string, error) { return token, nil },
		Credentials: func(context.Context) (secrets.Credentials, error) {
			return secrets.Credentials{User: monUser, Password: monPassword}, nil
		},
		APIURL: pd.APIURL(), Timeout: time.Second, Settle: 100 * time.Millisecond,
		Backoff: func(int) time.Duration { return time.Millisecond },
		Logger:  slog.New(jsonlog.NewHandler(logs, nil)),
	}
	ctx := context.Background()
	watchdog.Check(ctx, cfg)
	watchdog.Check(ctx, cfg)
	// A settled duplicate (a day old): the check deletes it, and says so at WARN.
	authUser := monUser
	pd.Add(pipedrivetest.Webhook{SubscriptionURL: cfg.Registrations[0].URL, EventAction: "*", EventObject: "deal", HTTPAuthUser: &authUser,
		AddTime: time.Now().Add(-24 * time.Hour).UTC().Format("2006-01-02T15:04:05.000Z")})
	watchdog.Check(ctx, cfg)
	pd.SetActive(pd.Webhooks()[0].ID, false, 0)
	watchdog.Check(ctx, cfg)
	pd.Inject("GET /webhooks", pipedrivetest.Fault{Status: 503}, pipedrivetest.Fault{Status: 503}, pipedrivetest.Fault{Status: 503}, pipedrivetest.Fault{Status: 503})
	watchdog.Check(ctx, cfg)
	return logs.Records(t)
}

// senderCheckRecords are what the receiver writes, through the Lambda adapter, for
// a delivery from inside Pipedrive's ranges and one from outside, in monitor mode.
func senderCheckRecords(t *testing.T) []map[string]any {
	t.Helper()
	logs := &logtest.Buffer{}
	stored := senders.List{Prefixes: []netip.Prefix{netip.MustParsePrefix("185.166.140.0/22")}}.Encode()
	checker := &senders.Checker{Mode: senders.Monitor, Load: func(context.Context) (string, error) { return stored, nil }}
	h := receiver.New(slog.New(jsonlog.NewHandler(logs, nil)), receiver.Config{Senders: checker})
	deal, _ := pipedrivetest.GetFixture("v2/deal-change")
	for _, source := range []string{"185.166.142.10", "203.0.113.7"} {
		ev, err := lambdalocal.GatewayEvent(deal.Body, "", false)
		if err != nil {
			t.Fatal(err)
		}
		ev.RequestContext.HTTP.SourceIP = source
		if _, err := httpadapter.NewV2(h).ProxyWithContext(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	var out []map[string]any
	for _, r := range logs.Records(t) {
		if r["msg"] != "pipedrive webhook" { // the deliveries are counted in receiverRecords
			out = append(out, r)
		}
	}
	return out
}

// memRanges is a senders.Store in memory.
type memRanges struct{ list senders.List }

func (m *memRanges) Load(context.Context) (senders.List, error) { return m.list, nil }
func (m *memRanges) Save(_ context.Context, l senders.List) error {
	m.list = l
	return nil
}

// senderRangeRecords are what the watchdog writes for a refresh that stores a list,
// one refused, and one that fails when the list is over a week old.
func senderRangeRecords(t *testing.T) []map[string]any {
	t.Helper()
	body := "185.166.140.0/22\n"
	pub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if body == "" {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		_, _ = w.Write([]byte(body))
	}))
	defer pub.Close()
	logs := &logtest.Buffer{}
	store := &memRanges{}
	k := senders.NewKeeper(store, pub.URL, pub.Client(), slog.New(jsonlog.NewHandler(logs, nil)))
	now := time.Now()
	k.Now = func() time.Time { return now }
	k.Run(context.Background()) // refreshed
	now = now.Add(7 * time.Hour)
	body = "<html>"
	k.Run(context.Background()) // rejected
	now = now.Add(8 * 24 * time.Hour)
	body = ""
	k.Run(context.Background()) // failed, stale
	return logs.Records(t)
}

// TestMetricsComeFromTheRecordsTheCodeWrites runs each metric filter of
// metrics.json over the records the code writes (and API Gateway, with the
// stage's format): each metric counts exactly the records it names, and every
// record it counts carries its dimensions.
func TestMetricsComeFromTheRecordsTheCodeWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the bootstrap")
	}
	fixtures, _ := pipedrivetest.Fixtures()
	retried, entities := 0, map[string]bool{}
	for _, f := range fixtures {
		e, err := webhook.Decode(f.Body)
		if err != nil {
			t.Fatal(err)
		}
		if e.Attempt > 1 {
			retried++
		}
		entities[e.Entity+"/"+e.Action] = true
	}
	records := map[string][]map[string]any{
		"receiver": append(receiverRecords(t), coldStartRecords(t)...),
		"access":   accessRecords(t),
		"watchdog": append(watchdogRecords(t), senderRangeRecords(t)...),
	}
	records["receiver"] = append(records["receiver"], senderCheckRecords(t)...)
	want := map[string]struct {
		count  int
		values []string // the dimension values seen, sorted, "a/b" for two dimensions
	}{
		"Events":               {len(fixtures), slices.Sorted(maps.Keys(entities))},
		"RetriedDeliveries":    {retried, nil},
		"RejectedBodies":       {1, []string{webhook.KindInvalidJSON}},
		"UnauthorizedRequests": {2, nil},
		"UnauthorizedByReason": {2, []string{"missing_credentials", "wrong_credentials"}},
		"ReceiverErrors":       {1, nil},
		"ColdStarts":           {1, nil},
		"ThrottledRequests":    {1, nil},
		// Literals, as the alarms and the README name them: not the code's constants.
		"WatchdogChecks":                {5, []string{"healthy", "reregistered", "unhealthy", "unknown"}},
		"DeliveriesOutsideSenderRanges": {1, nil},
		"SenderRangeRefreshes":          {3, []string{"failed", "refreshed", "rejected"}},
		"SenderRangesStale":             {1, nil},
		"WatchdogDeletions":             {1, nil},
	}
	seen := map[string]bool{}
	for group, metrics := range loadMetrics(t) {
		if records[group] == nil {
			t.Errorf("metrics.json names a log group %q the test has no records of", group)
		}
		for name, def := range metrics {
			seen[name] = true
			t.Run(name, func(t *testing.T) {
				p, err := parseFilterPattern(def.Pattern)
				if err != nil {
					t.Fatal(err)
				}
				dims := slices.Sorted(maps.Keys(def.Dimensions))
				// Dimension values in the order Entity/Action reads: by field name, reversed.
				slices.Reverse(dims)
				count, values := 0, map[string]bool{}
				for _, rec := range records[group] {
					if !p.matches(rec) {
						continue
					}
					count++
					var parts []string
					for _, d := range dims {
						v, ok := dimensionValue(rec, def.Dimensions[d])
						if !ok {
							t.Errorf("a record counted by %s lacks its dimension %s (%s), so CloudWatch would drop it: %v", name, d, def.Dimensions[d], rec)
						}
						parts = append(parts, v)
					}
					if len(parts) > 0 {
						values[strings.Join(parts, "/")] = true
					}
				}
				w, ok := want[name]
				if !ok {
					t.Fatalf("no expectation for %s: add one", name)
				}
				if count != w.count || !slices.Equal(slices.Sorted(maps.Keys(values)), w.values) {
					t.Errorf("%s counted %d records with dimensions %v; want %d with %v", name, count, slices.Sorted(maps.Keys(values)), w.count, w.values)
				}
			})
		}
	}
	for name := range want {
		if !seen[name] {
			t.Errorf("metric %s is expected but not in metrics.json", name)
		}
	}
}

func TestFilterPatternParser(t *testing.T) {
	rec := map[string]any{"msg": "pipedrive webhook", "webhook": map[string]any{"attempt": json.Number("2"), "entity": "deal"}, "status": "429", "stale": true, "bulk": "true"}
	for _, tt := range []struct {
		pattern string
		want    bool
	}{
		{`{ $.msg = "pipedrive webhook" }`, true},
		{`{ $.msg = "pipedrive webhook" && $.webhook.attempt > 1 }`, true},
		{`{ $.webhook.attempt >= 3 }`, false},
		{`{ $.webhook.entity != "deal" }`, false},
		{`{ $.status = 429 }`, false}, // a number does not match a string
		{`{ $.missing = "x" }`, false},
		{`{ $.stale IS TRUE }`, true},
		{`{ $.stale IS FALSE }`, false},
		{`{ $.bulk IS TRUE }`, false}, // a string is no boolean
		{`{ $.missing IS FALSE }`, false},
	} {
		p, err := parseFilterPattern(tt.pattern)
		if err != nil || p.matches(rec) != tt.want {
			t.Errorf("%s: %v, matches %v, want %v", tt.pattern, err, err == nil && p.matches(rec), tt.want)
		}
	}
	for _, bad := range []string{`{ $.stale IS true }`, `{ $.stale IS NULL }`, `$.msg = "x"`, `{ $.msg = "x" || $.a = "y" }`, `{ $.msg > "x" }`, `{ msg = "x" }`, `{ $.msg = "x*" }`} {
		if _, err := parseFilterPattern(bad); err == nil {
			t.Errorf("%s: parsed, want an error", bad)
		}
	}
}

// TestDashboardShowsOnlyProducedMetrics renders the dashboard's templates as
// Terraform does and checks every metric a widget shows: the stack's own by
// name and dimensions against metrics.json, AWS's by namespace, name and the
// stack's own resources. Its log widgets run the saved queries on the right groups.
func TestDashboardShowsOnlyProducedMetrics(t *testing.T) {
	const ns = "PipedriveWebhooks/pdw-test"
	produced := map[string][]string{} // the stack's metrics → sorted dimension names
	for _, metrics := range loadMetrics(t) {
		for name, def := range metrics {
			produced[name] = slices.Sorted(maps.Keys(def.Dimensions))
		}
	}
	aws := map[string]struct {
		metrics []string
		dims    map[string][]string // dimension name → the stack's values
	}{
		"AWS/Lambda": {[]string{"Errors", "Throttles", "Duration", "Invocations", "ConcurrentExecutions"},
			map[string][]string{"FunctionName": {"pdw-test", "pdw-test-watchdog"}}},
		"AWS/ApiGateway": {[]string{"Count", "4xx", "5xx", "Latency", "IntegrationLatency"},
			map[string][]string{"ApiId": {"abc123"}, "Stage": {"$default"}}},
	}
	queries := map[string]string{}
	files, _ := filepath.Glob(repo.Path(monitoringDir, "queries", "*", "*.txt"))
	vars := map[string]string{
		"name": "pdw-test", "region": "us-east-1", "namespace": ns, "function_name": "pdw-test", "api_id": "abc123",
		"stage": "$default", "timeout_ms": "5000", "alarm_arns": `["arn:aws:cloudwatch:us-east-1:123456789012:alarm:pdw-test-api-5xx"]`,
		"watchdog_function_name": "pdw-test-watchdog", "watchdog_period": "900",
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		key := strings.TrimSuffix(filepath.Base(f), ".txt")
		group := map[string]string{"receiver": "/aws/lambda/pdw-test", "watchdog": "/aws/lambda/pdw-test-watchdog"}[filepath.Base(filepath.Dir(f))]
		if group == "" {
			t.Fatalf("%s: queries/ holds a folder per log group, receiver or watchdog", f)
		}
		queries[key] = "SOURCE '" + group + "' | " + strings.TrimSpace(string(b))
		q, _ := json.Marshal(queries[key])
		vars["query_"+strings.ReplaceAll(key, "-", "_")] = string(q)
	}
	placeholder := regexp.MustCompile(`\$\{([a-z_]+)\}`)
	search := regexp.MustCompile(`^SEARCH\('\{"([^"]+)",([A-Za-z,]+)\} MetricName="([A-Za-z]+)"', 'Sum', [0-9]+\)$`)
	shownQueries := map[string]bool{}
	for _, tmpl := range []string{"dashboard.json.tftpl", "dashboard-watchdog.json.tftpl"} {
		raw, err := os.ReadFile(repo.Path(monitoringDir, tmpl))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte("%{")) {
			t.Fatalf("%s: template directives are not rendered by this test; keep to ${name}", tmpl)
		}
		rendered := placeholder.ReplaceAllStringFunc(string(raw), func(m string) string {
			v, ok := vars[m[2:len(m)-1]]
			if !ok {
				t.Errorf("%s: unknown template variable %s", tmpl, m)
			}
			return v
		})
		var widgets []struct {
			Type       string
			Properties struct {
				Metrics [][]any
				Query   string
			}
		}
		if err := json.Unmarshal([]byte(rendered), &widgets); err != nil {
			t.Fatalf("%s does not render to JSON: %v", tmpl, err)
		}
		for _, w := range widgets {
			if w.Type == "log" {
				if !slices.Contains(slices.Collect(maps.Values(queries)), w.Properties.Query) {
					t.Errorf("%s: a log widget's query is not a saved query on its log group: %q", tmpl, w.Properties.Query)
				}
				shownQueries[w.Properties.Query] = true
			}
			for _, m := range w.Properties.Metrics {
				if expr, ok := m[0].(map[string]any); ok {
					s := search.FindStringSubmatch(expr["expression"].(string))
					if s == nil {
						t.Errorf("%s: an expression this test cannot read: %v", tmpl, expr["expression"])
						continue
					}
					dims := strings.Split(s[2], ",")
					slices.Sort(dims)
					if got, ok := produced[s[3]]; s[1] != ns || !ok || !slices.Equal(got, dims) {
						t.Errorf("%s: SEARCH for %s %s with dimensions %v, which the stack does not produce", tmpl, s[1], s[3], dims)
					}
					continue
				}
				var parts []string
				for _, p := range m {
					if s, ok := p.(string); ok {
						parts = append(parts, s)
					}
				}
				namespace, name, dims := parts[0], parts[1], map[string]string{}
				for i := 2; i+1 < len(parts); i += 2 {
					dims[parts[i]] = parts[i+1]
				}
				switch a, isAWS := aws[namespace]; {
				case namespace == ns:
					if got, ok := produced[name]; !ok || !slices.Equal(got, slices.Sorted(maps.Keys(dims))) {
						t.Errorf("%s: %s %v is not a metric the stack produces", tmpl, name, dims)
					}
				case isAWS:
					if !slices.Contains(a.metrics, name) || !slices.Equal(slices.Sorted(maps.Keys(dims)), slices.Sorted(maps.Keys(a.dims))) {
						t.Errorf("%s: %s %s %v is not one of AWS's metrics of the stack", tmpl, namespace, name, dims)
					}
					for k, v := range dims {
						if !slices.Contains(a.dims[k], v) {
							t.Errorf("%s: %s %s is about %s=%s, not one of the stack's resources", tmpl, namespace, name, k, v)
						}
					}
				default:
					t.Errorf("%s: metric %v in namespace %q, which nothing of the stack writes to", tmpl, m, namespace)
				}
			}
		}
	}
	if len(shownQueries) != len(queries) {
		t.Errorf("the dashboard shows %d of the %d saved queries", len(shownQueries), len(queries))
	}
}

// TestREADMEQueriesAreTheSavedOnes: the Logs Insights queries README shows are the
// ones the stack saves and shows on the dashboard.
func TestREADMEQueriesAreTheSavedOnes(t *testing.T) {
	readme, err := os.ReadFile(repo.Path("README.md"))
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(repo.Path(monitoringDir, "queries", "*", "*.txt"))
	if len(files) == 0 {
		t.Fatal("no saved queries")
	}
	for _, f := range files {
		q, _ := os.ReadFile(f)
		if !bytes.Contains(readme, []byte("```\n"+strings.TrimSpace(string(q))+"\n```")) {
			t.Errorf("README does not show the saved query %s as it is", filepath.Base(f))
		}
	}
}

// TestREADMERunbookCoversEveryAlarm: every alarm the monitoring module defines has
// its line in README's runbook, which its description points to.
func TestREADMERunbookCoversEveryAlarm(t *testing.T) {
	tf, err := os.ReadFile(repo.Path(monitoringDir, "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(repo.Path("README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, ops, ok := strings.Cut(string(readme), "## Operations: alarms, the dashboard and the watchdog")
	if !ok {
		t.Fatal("README has no Operations section for the alarms")
	}
	ops, _, _ = strings.Cut(ops, "\n## ")
	alarms := regexp.MustCompile(`(?m)^    ([a-z0-9-]+) = \{$`).FindAllStringSubmatch(string(tf), -1)
	if len(alarms) < 10 {
		t.Fatalf("found %d alarms in %s/main.tf; the pattern no longer reads it", len(alarms), monitoringDir)
	}
	for _, a := range alarms {
		if !strings.Contains(ops, "`"+a[1]+"`") {
			t.Errorf("alarm %s has no line in README's runbook", a[1])
		}
	}
}
