package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/cli"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/reconcile"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/watchdog"
)

// The scheduled reconciliation rides along with each check, after it (and after
// the sender ranges), when RECONCILE_LOG_GROUP is set. Its whole wiring is here:
// main.go calls reconcileAfterCheck once per check.
const reconcileEnvironment = `
Reconciliation (after each check, when RECONCILE_LOG_GROUP is set; README: Reconciliation):
  RECONCILE_LOG_GROUP          the receiver's log group: read with Logs Insights; the records
                               of missed changes are put into its RECONCILE_STREAM
  RECONCILE_STREAM             default reconciliation
  RECONCILE_CURSOR_PARAMETER   SSM String parameter holding the cursor (required)
  RECONCILE_LAG                how far behind now a window ends (default 10m: Pipedrive's
                               retries, 3, 30 and 150 s after a failure, land first)
  RECONCILE_INTERVAL           the first window's length (default 1h); later windows start
                               where the last complete one ended
  RECONCILE_BUDGET             tokens a day; else RECONCILE_BUDGET_SHARE (default 0.05) of
                               30,000 x RECONCILE_PLAN_MULTIPLIER (1) x RECONCILE_SEATS (1)
  RECONCILE_OBJECTS, RECONCILE_ACTIONS
                               what to reconcile, comma-separated (default: the registration's
                               subscriptions, each object with its own action)
  RECONCILE_MAX_PAGES          list pages a run reads at most (default 50)
  AWS_ENDPOINT_URL_CLOUDWATCH_LOGS
                               the AWS SDK's endpoint override for CloudWatch Logs
`

// reconciler is the scheduled reconciliation's configuration, read once.
type reconciler struct {
	cfg                   reconcile.Config // without API and Records, made per run
	token                 func(context.Context) (string, error)
	apiURL, group, stream string
	logs                  *cloudwatchlogs.Client
	log                   *slog.Logger
}

var (
	reconcilerOnce sync.Once
	reconcilerSet  *reconciler
	reconcilerErr  error
)

// reconcileAfterCheck runs one scheduled reconciliation when it is configured.
// A configuration error is reported as a failed run's summary, in the
// watchdog's own log: the check itself is never held up by it.
func reconcileAfterCheck(ctx context.Context, getenv func(string) string, logger *slog.Logger, check watchdog.Config) {
	reconcilerOnce.Do(func() { reconcilerSet, reconcilerErr = reconcilerFromEnv(getenv, logger, check) })
	switch {
	case reconcilerErr != nil:
		logger.LogAttrs(ctx, slog.LevelError, reconcile.MsgSummary, slog.String("source", reconcile.Source),
			slog.String("status", reconcile.StatusFailed), slog.String("reason", reconcilerErr.Error()))
	case reconcilerSet != nil:
		reconcilerSet.run(ctx)
	}
}

// reconcilerFromEnv reads RECONCILE_*; nil when RECONCILE_LOG_GROUP is unset. The
// token, the API's URL and the subscriptions are the check's.
func reconcilerFromEnv(getenv func(string) string, logger *slog.Logger, check watchdog.Config) (*reconciler, error) {
	group := getenv("RECONCILE_LOG_GROUP")
	if group == "" {
		return nil, nil
	}
	cursor := getenv("RECONCILE_CURSOR_PARAMETER")
	if cursor == "" {
		return nil, errors.New("RECONCILE_CURSOR_PARAMETER is not set: the SSM parameter that keeps where reconciliation is")
	}
	duration := func(key string, def time.Duration) (time.Duration, error) { return cli.EnvDuration(getenv, key, def) }
	number := func(key string, def float64) (float64, error) {
		v := getenv(key)
		if v == "" {
			return def, nil
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || f != f {
			return 0, fmt.Errorf("%s=%q: want a number >= 0", key, v)
		}
		return f, nil
	}
	lag, err1 := duration("RECONCILE_LAG", 10*time.Minute)
	interval, err2 := duration("RECONCILE_INTERVAL", time.Hour)
	budget, err3 := number("RECONCILE_BUDGET", 0)
	share, err4 := number("RECONCILE_BUDGET_SHARE", 0.05)
	multiplier, err5 := number("RECONCILE_PLAN_MULTIPLIER", 1)
	seats, err6 := number("RECONCILE_SEATS", 1)
	pages, err7 := number("RECONCILE_MAX_PAGES", 50)
	if err := errors.Join(err1, err2, err3, err4, err5, err6, err7); err != nil {
		return nil, err
	}
	limit := int(budget)
	if limit == 0 {
		if share > 1 {
			return nil, fmt.Errorf("RECONCILE_BUDGET_SHARE=%v: want a share of the daily budget, at most 1", share)
		}
		limit = int(float64(reconcile.DailyBudget(multiplier, int(seats))) * share)
	}
	if limit <= 0 || pages < 1 {
		return nil, errors.New("reconciliation has no token budget or no pages to read: check RECONCILE_BUDGET*, RECONCILE_SEATS and RECONCILE_MAX_PAGES")
	}
	logs, err := cloudWatchLogsClient(getenv)
	if err != nil {
		return nil, err
	}
	ssmClient, err := secrets.NewSSMClient(getenv)
	if err != nil {
		return nil, fmt.Errorf("reconciliation's cursor: %w", err)
	}
	r := &reconciler{
		cfg: reconcile.Config{
			Log:     &reconcile.InsightsLog{Client: logs, Group: group},
			Store:   reconcile.SSMStore{Client: ssmClient, Name: cursor},
			Objects: strings.Split(cmp.Or(getenv("RECONCILE_OBJECTS"), "deal"), ","),
			Actions: strings.Split(cmp.Or(getenv("RECONCILE_ACTIONS"), "*"), ","),
			Lag:     lag, Interval: interval, DailyLimit: limit, MaxPages: int(pages), Changelog: true,
		},
		token: check.Token, apiURL: check.APIURL, group: group,
		stream: cmp.Or(getenv("RECONCILE_STREAM"), reconcile.DefaultStream), logs: logs, log: logger,
	}
	if getenv("RECONCILE_OBJECTS") == "" && getenv("RECONCILE_ACTIONS") == "" {
		// What the webhooks deliver: a change none of them would have sent is not missed.
		for _, reg := range check.Registrations {
			r.cfg.Subscriptions = append(r.cfg.Subscriptions, reconcile.Subscription{Object: reg.EventObject, Action: reg.EventAction})
		}
	}
	return r, nil
}

// cloudWatchLogsClient is set up from the environment as the SSM client is
// (secrets.NewSSMClient): Lambda's credentials, no configuration files read.
func cloudWatchLogsClient(getenv func(string) string) (*cloudwatchlogs.Client, error) {
	region := cmp.Or(getenv("AWS_REGION"), getenv("AWS_DEFAULT_REGION"))
	id, secret := getenv("AWS_ACCESS_KEY_ID"), getenv("AWS_SECRET_ACCESS_KEY")
	if region == "" || id == "" || secret == "" {
		return nil, errors.New("reconciliation needs AWS_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (Lambda sets them)")
	}
	opts := cloudwatchlogs.Options{Region: region, Credentials: credentials.NewStaticCredentialsProvider(id, secret, getenv("AWS_SESSION_TOKEN"))}
	if endpoint := cmp.Or(getenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS"), getenv("AWS_ENDPOINT_URL")); endpoint != "" {
		opts.BaseEndpoint = aws.String(endpoint)
	}
	return cloudwatchlogs.New(opts), nil
}

// run reconciles the next window, within what is left of ctx less a margin.
func (r *reconciler) run(ctx context.Context) {
	if d, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, d.Add(-2*time.Second))
		defer cancel()
	}
	out := &reconcile.CloudWatchWriter{Client: r.logs, Group: r.group, Stream: r.stream}
	failed := func(reason string) {
		r.log.LogAttrs(ctx, slog.LevelError, reconcile.MsgSummary, slog.String("source", reconcile.Source),
			slog.String("status", reconcile.StatusFailed), slog.String("reason", reason))
	}
	token, err := r.token(ctx)
	if err != nil {
		failed("read the Pipedrive API token: " + err.Error())
		return
	}
	api, err := pipedrive.NewClient(pipedrive.Config{BaseURL: r.apiURL, Token: token})
	if err != nil {
		failed(err.Error())
		return
	}
	cfg := r.cfg
	cfg.API, cfg.Records = api, out
	sum := reconcile.Run(ctx, cfg)
	if out.Pending() > 0 {
		// The records could not be put into the receiver's group: say so here,
		// with the summary the receiver's group lacks.
		failed(fmt.Sprintf("%d records (the summary of a %s run among them) could not be put into %s:%s; the next run writes the missed changes again",
			out.Pending(), sum.Status, r.group, r.stream))
	}
}
