// Command reconcile asks Pipedrive what changed in a window of time and records,
// in the audit log, every change no webhook delivery recorded (package
// internal/reconcile). By hand after a cut-over or an outage, or once with an
// early --since for a first baseline:
//
//	go run ./scripts/reconcile --since 2026-11-30T08:00:00Z --log dist/audit.jsonl
//	go run ./scripts/reconcile --since 24h --log-group /aws/lambda/pipedrive-webhooks --region eu-central-1
//
// --log reads a local JSON-lines log (make run's output, saved) and appends the
// records to it; --log-group reads the receiver's log group with Logs Insights
// and puts the records into its "reconciliation" stream. The API token comes
// from PIPEDRIVE_API_TOKEN or the SSM SecureString named by --token-parameter,
// never from a flag; nothing printed carries it.
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/awsconfig"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/cli"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/reconcile"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/registration"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets"
)

func main() { cli.Main("reconcile", run) }

// Seams for tests: the AWS configuration and the clock.
var (
	// loadAWSConfig returns the AWS configuration for region ("" for the SDK's choice).
	loadAWSConfig = loadAWS
	now           = time.Now
)

// DefaultTokenParameter is where the seed keeps the Pipedrive API token.
const DefaultTokenParameter = "/dissertation-editor/pipedrive/api-token"

func loadAWS(ctx context.Context, region string) (aws.Config, error) {
	cfg, err := awsconfig.LoadWithCredentials(ctx, region)
	if errors.Is(err, awsconfig.ErrNoCredentials) {
		return aws.Config{}, fmt.Errorf("%w (AWS_PROFILE, …)", err)
	}
	return cfg, err
}

type flags struct {
	since, until, lag              string
	logFile, logGroup, stream      string
	objects, actions               string
	budget                         int
	share, multiplier              float64
	seats                          int
	cursorFile, cursorParameter    string
	tokenParameter, region, apiURL string
	pageSize, maxPages             int
	noChangelog                    bool
	deadline, timeout              time.Duration
}

// parseTime reads --since and --until: RFC 3339, a date (midnight UTC), or a
// duration before now ("24h").
func parseTime(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now.Add(-d).Truncate(time.Second), nil
	}
	for _, layout := range []string{time.RFC3339, time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q: want an RFC 3339 time (2026-11-30T08:00:00Z), a date (2026-11-30) or a duration before now (24h)", s)
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	var f flags
	fs.StringVar(&f.since, "since", "", "start of the window: RFC 3339, a date, or a duration before now such as 24h (required)")
	fs.StringVar(&f.until, "until", "", "end of the window, excluded (default now less --lag)")
	fs.StringVar(&f.lag, "lag", "10m", "with no --until, how far behind now the window ends: Pipedrive retries a delivery for about 3 minutes")
	fs.StringVar(&f.logFile, "log", "", "local audit log: the receiver's JSON lines (make run's output); the records are appended to it")
	fs.StringVar(&f.logGroup, "log-group", "", "the receiver's CloudWatch log group: read with Logs Insights, the records put into --stream")
	fs.StringVar(&f.stream, "stream", reconcile.DefaultStream, "with --log-group, the log stream the records go to")
	fs.StringVar(&f.objects, "objects", "", "the objects the webhooks deliver, comma-separated, or * (default: WEBHOOK_REGISTRATION's subscriptions, else deal)")
	fs.StringVar(&f.actions, "actions", "", "their actions: create, change, delete or * (default: WEBHOOK_REGISTRATION's subscriptions, else *)")
	fs.IntVar(&f.budget, "budget", 0, "tokens this reconciliation may spend a day (UTC); 0 for --budget-share of the daily budget")
	fs.Float64Var(&f.share, "budget-share", 0.1, "share of the company's daily token budget (30,000 x --plan-multiplier x --seats) to spend")
	fs.Float64Var(&f.multiplier, "plan-multiplier", 1, "the Pipedrive plan's token multiplier")
	fs.IntVar(&f.seats, "seats", 1, "the company's paid seats")
	fs.StringVar(&f.cursorFile, "cursor", "", "file to keep the cursor in, so that a stopped run resumes (default: the --log file's name + .cursor.json)")
	fs.StringVar(&f.cursorParameter, "cursor-parameter", "", "SSM parameter to keep the cursor in instead (the scheduled reconciliation's: share it only on purpose)")
	fs.StringVar(&f.tokenParameter, "token-parameter", DefaultTokenParameter, "SSM SecureString `name` holding the Pipedrive API token, read when PIPEDRIVE_API_TOKEN is not set")
	fs.StringVar(&f.region, "region", cmp.Or(getenv("AWS_REGION"), getenv("AWS_DEFAULT_REGION")), "AWS region (default $AWS_REGION)")
	fs.StringVar(&f.apiURL, "api-url", getenv("PIPEDRIVE_API_URL"), "Pipedrive's API v1 base URL (default $PIPEDRIVE_API_URL, else "+pipedrive.DefaultAPIURL+")")
	fs.IntVar(&f.pageSize, "page-size", pipedrive.MaxPageSize, "items per list page")
	fs.IntVar(&f.maxPages, "max-pages", 200, "list pages one run reads at most; the next run resumes")
	fs.BoolVar(&f.noChangelog, "no-changelog", false, "do not read a missed entity's changelog (its changed fields)")
	fs.DurationVar(&f.deadline, "deadline", 10*time.Minute, "the run stops, resumably, this long after it starts")
	fs.DurationVar(&f.timeout, "timeout", 30*time.Second, "timeout of each request to Pipedrive")
	if err := cli.Parse(fs, args[1:], stdout, stderr); err != nil {
		return err
	}
	window, err := f.window(now().UTC())
	if err != nil {
		return usage(stderr, err)
	}
	switch {
	case fs.NArg() > 0:
		return usage(stderr, fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	case (f.logFile == "") == (f.logGroup == ""):
		return usage(stderr, errors.New("give one of --log FILE (a local audit log) and --log-group NAME (the receiver's CloudWatch log group)"))
	case f.budget < 0, f.share <= 0 || f.share > 1, f.multiplier <= 0, f.seats <= 0:
		return usage(stderr, errors.New("--budget must be >= 0, --budget-share in (0, 1], --plan-multiplier and --seats positive"))
	case f.pageSize <= 0 || f.pageSize > pipedrive.MaxPageSize, f.maxPages <= 0, f.deadline <= 0, f.timeout <= 0:
		return usage(stderr, fmt.Errorf("--page-size must be 1 to %d; --max-pages, --deadline and --timeout positive", pipedrive.MaxPageSize))
	}
	limit := f.budget
	if limit == 0 {
		limit = int(float64(reconcile.DailyBudget(f.multiplier, f.seats)) * f.share)
	}
	ctx, cancel := context.WithTimeout(ctx, f.deadline)
	defer cancel()

	redact := new(secrets.Redactor)
	var awsCfg *aws.Config
	needAWS := func() (aws.Config, error) {
		if awsCfg == nil {
			c, err := loadAWSConfig(ctx, f.region)
			if err != nil {
				return aws.Config{}, err
			}
			awsCfg = &c
		}
		return *awsCfg, nil
	}
	token := getenv("PIPEDRIVE_API_TOKEN")
	if token == "" {
		c, err := needAWS()
		if err != nil {
			return fmt.Errorf("no Pipedrive API token: set PIPEDRIVE_API_TOKEN, or give AWS credentials to read SSM parameter %s (--token-parameter): %w", f.tokenParameter, err)
		}
		p := &secrets.Parameter{Client: ssm.NewFromConfig(c), Name: f.tokenParameter, Timeout: 5 * time.Second, Attempts: 3}
		if token, err = p.Value(ctx); err != nil {
			return fmt.Errorf("read the Pipedrive API token from %s: %w", f.tokenParameter, err)
		}
	}
	api, err := pipedrive.NewClient(pipedrive.Config{BaseURL: f.apiURL, Token: token, Timeout: f.timeout, Redactor: redact,
		Progress: func(line string) { fmt.Fprintln(stderr, line) }})
	if err != nil {
		return err
	}
	cfg := reconcile.Config{API: api, Objects: split(cmp.Or(f.objects, "deal")), Actions: split(cmp.Or(f.actions, "*")), Window: window,
		DailyLimit: limit, PageSize: f.pageSize, MaxPages: f.maxPages, Changelog: !f.noChangelog}
	if raw := getenv("WEBHOOK_REGISTRATION"); raw != "" && f.objects == "" && f.actions == "" {
		// The stack's webhooks, as make reconcile passes them: a change none of
		// them would have delivered is not missed.
		stack, err := registration.Parse([]byte(raw))
		if err != nil {
			return usage(stderr, fmt.Errorf("WEBHOOK_REGISTRATION: %w", err))
		}
		for _, sub := range stack.Subscriptions {
			cfg.Subscriptions = append(cfg.Subscriptions, reconcile.Subscription{Object: sub.EventObject, Action: sub.EventAction})
		}
	}
	if f.logFile != "" {
		out, err := os.OpenFile(f.logFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return err
		}
		defer out.Close()
		cfg.Log, cfg.Records = &reconcile.FileLog{Path: f.logFile}, out
		cfg.Store = reconcile.FileStore{Path: cmp.Or(f.cursorFile, f.logFile+".cursor.json")}
	} else {
		c, err := needAWS()
		if err != nil {
			return err
		}
		logs := cloudwatchlogs.NewFromConfig(c)
		cfg.Log = &reconcile.InsightsLog{Client: logs, Group: f.logGroup}
		cfg.Records = &reconcile.CloudWatchWriter{Client: logs, Group: f.logGroup, Stream: f.stream}
		if f.cursorFile != "" {
			cfg.Store = reconcile.FileStore{Path: f.cursorFile}
		}
	}
	if f.cursorParameter != "" {
		c, err := needAWS()
		if err != nil {
			return err
		}
		cfg.Store = reconcile.SSMStore{Client: ssm.NewFromConfig(c), Name: f.cursorParameter}
	}
	sum := reconcile.Run(ctx, cfg)
	line, _ := json.Marshal(summaryJSON(sum))
	fmt.Fprintln(stdout, redact.Redact(string(line)))
	switch sum.Status {
	case reconcile.StatusFailed:
		return errors.New(redact.Redact(sum.Reason))
	case reconcile.StatusStopped:
		fmt.Fprintf(stderr, "stopped (%s) at %s: run the same command again to resume\n", sum.Reason, sum.StoppedAt)
	}
	return nil
}

// usage reports a command line the program cannot take.
func usage(stderr io.Writer, err error) error {
	fmt.Fprintln(stderr, err)
	return &cli.UsageError{Err: err}
}

func (f flags) window(now time.Time) (reconcile.Window, error) {
	if f.since == "" {
		return reconcile.Window{}, errors.New("--since is required: the start of the window (a first baseline: a date long ago)")
	}
	since, err := parseTime(f.since, now)
	if err != nil {
		return reconcile.Window{}, fmt.Errorf("--since %w", err)
	}
	lag, err := time.ParseDuration(f.lag)
	if err != nil || lag < 0 {
		return reconcile.Window{}, fmt.Errorf("--lag %q: want a duration such as 10m", f.lag)
	}
	until := now.Add(-lag).Truncate(time.Second)
	if f.until != "" {
		if until, err = parseTime(f.until, now); err != nil {
			return reconcile.Window{}, fmt.Errorf("--until %w", err)
		}
	}
	if !until.After(since) {
		return reconcile.Window{}, fmt.Errorf("the window is empty: --since %s is not before its end %s", since.Format(time.RFC3339), until.Format(time.RFC3339))
	}
	return reconcile.Window{Since: since, Until: until}, nil
}

func split(s string) []string {
	var out []string
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// summaryJSON is the summary as the command prints it.
func summaryJSON(s reconcile.Summary) map[string]any {
	m := map[string]any{"status": s.Status, "since": s.Window.Since.Format(time.RFC3339), "until": s.Window.Until.Format(time.RFC3339),
		"resumed": s.Resumed, "checked": s.Checked, "delivered": s.Delivered, "missed": s.Missed, "already_recorded": s.Recorded,
		"tokens_spent": s.TokensSpent, "tokens_today": s.TokensToday, "token_limit": s.TokenLimit}
	if s.Reason != "" {
		m["reason"] = s.Reason
	}
	if s.StoppedAt != "" {
		m["stopped_at"] = s.StoppedAt
	}
	if len(s.Unchecked) > 0 {
		m["unchecked_objects"] = s.Unchecked
	}
	return m
}
