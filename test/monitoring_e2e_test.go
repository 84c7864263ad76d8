//go:build e2e

package test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/watchdog"
)

// checkWatchdogHeals deletes the stack's webhook at Pipedrive, as Pipedrive does
// after days of failures, and invokes the deployed watchdog: it must register the
// webhook again, and find it healthy on the next check.
func checkWatchdogHeals(t *testing.T, ctx context.Context, cfg awssdk.Config, function, url string) {
	t.Helper()
	pd := pipedriveClient(t)
	n, err := pd.DeleteWhere(ctx, func(w *pipedrive.Webhook) bool { return w.SubscriptionURL == url })
	if err != nil || len(n) != 1 {
		t.Fatalf("deleting the stack's webhook by hand: %v (deleted %v)", err, n)
	}
	for _, want := range []string{watchdog.StatusReRegistered, watchdog.StatusHealthy} {
		out, err := lambda.NewFromConfig(cfg).Invoke(ctx, &lambda.InvokeInput{FunctionName: awssdk.String(function), Payload: []byte(`{"source":"e2e"}`)})
		if err != nil {
			t.Fatalf("invoking the watchdog: %v", err)
		}
		var rs []watchdog.Report // one per subscription: the stack has one
		if out.FunctionError != nil || json.Unmarshal(out.Payload, &rs) != nil || len(rs) != 1 || rs[0].Status != want {
			t.Fatalf("watchdog answered %s (error %v); want status %s", out.Payload, awssdk.ToString(out.FunctionError), want)
		}
	}
	checkRegistered(t, ctx, url)
}

// checkMetricFilters runs each deployed metric filter of a log group through
// CloudWatch's own TestMetricFilter over the records the stack wrote there, and
// compares what it matches with the offline evaluator the other tests trust.
func checkMetricFilters(t *testing.T, ctx context.Context, cfg awssdk.Config, group string) {
	t.Helper()
	c := cloudwatchlogs.NewFromConfig(cfg)
	filters, err := c.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: awssdk.String(group)})
	if err != nil {
		t.Fatal(err)
	}
	if len(filters.MetricFilters) == 0 {
		t.Fatalf("no metric filters on %s", group)
	}
	events, err := c.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: awssdk.String(group), Limit: awssdk.Int32(50)})
	if err != nil {
		t.Fatal(err)
	}
	var messages []string
	var records []map[string]any
	for _, e := range events.Events {
		msg := awssdk.ToString(e.Message)
		dec := json.NewDecoder(strings.NewReader(msg))
		dec.UseNumber()
		var rec map[string]any
		if dec.Decode(&rec) == nil {
			messages, records = append(messages, msg), append(records, rec)
		}
	}
	for _, f := range filters.MetricFilters {
		res, err := c.TestMetricFilter(ctx, &cloudwatchlogs.TestMetricFilterInput{FilterPattern: f.FilterPattern, LogEventMessages: messages})
		if err != nil {
			t.Errorf("%s: %v", awssdk.ToString(f.FilterName), err)
			continue
		}
		p, err := parseFilterPattern(awssdk.ToString(f.FilterPattern))
		if err != nil {
			t.Error(err)
			continue
		}
		offline := 0
		for _, r := range records {
			if p.matches(r) {
				offline++
			}
		}
		if len(res.Matches) != offline {
			t.Errorf("%s matches %d of %d records in CloudWatch, %d offline", awssdk.ToString(f.FilterName), len(res.Matches), len(records), offline)
		}
	}
}
