package reconcile

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// fakeLogs is CloudWatch Logs for one group: events by time, Insights queries
// that run for two polls, and streams.
type fakeLogs struct {
	mu      sync.Mutex
	group   string
	events  []fakeEvent // what Insights finds
	queries map[string]*cloudwatchlogs.StartQueryInput
	polls   map[string]int
	streams map[string][]string
	creates int
	failPut int
}

type fakeEvent struct {
	at     time.Time
	fields map[string]string
}

func (f *fakeLogs) StartQuery(_ context.Context, in *cloudwatchlogs.StartQueryInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.StartQueryOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if aws.ToString(in.LogGroupName) != f.group {
		return nil, &cwtypes.ResourceNotFoundException{Message: aws.String("no group " + aws.ToString(in.LogGroupName))}
	}
	id := fmt.Sprint(len(f.queries) + 1)
	f.queries[id] = in
	return &cloudwatchlogs.StartQueryOutput{QueryId: aws.String(id)}, nil
}

func (f *fakeLogs) GetQueryResults(_ context.Context, in *cloudwatchlogs.GetQueryResultsInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.GetQueryResultsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := aws.ToString(in.QueryId)
	q := f.queries[id]
	if f.polls[id]++; f.polls[id] < 2 {
		return &cloudwatchlogs.GetQueryResultsOutput{Status: cwtypes.QueryStatusRunning}, nil
	}
	var rows [][]cwtypes.ResultField
	for _, e := range f.events {
		if s := e.at.Unix(); s < *q.StartTime || s > *q.EndTime {
			continue
		}
		if len(rows) == int(aws.ToInt32(q.Limit)) {
			break
		}
		var row []cwtypes.ResultField
		for k, v := range e.fields {
			row = append(row, cwtypes.ResultField{Field: aws.String(k), Value: aws.String(v)})
		}
		rows = append(rows, append(row, cwtypes.ResultField{Field: aws.String("@ptr"), Value: aws.String("x")}))
	}
	return &cloudwatchlogs.GetQueryResultsOutput{Status: cwtypes.QueryStatusComplete, Results: rows}, nil
}

func (f *fakeLogs) CreateLogStream(_ context.Context, in *cloudwatchlogs.CreateLogStreamInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.CreateLogStreamOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.creates++
	if _, ok := f.streams[aws.ToString(in.LogStreamName)]; ok {
		return nil, &cwtypes.ResourceAlreadyExistsException{Message: aws.String("exists")}
	}
	f.streams[aws.ToString(in.LogStreamName)] = nil
	return &cloudwatchlogs.CreateLogStreamOutput{}, nil
}

func (f *fakeLogs) PutLogEvents(_ context.Context, in *cloudwatchlogs.PutLogEventsInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutLogEventsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failPut > 0 {
		f.failPut--
		return nil, errors.New("service unavailable")
	}
	name := aws.ToString(in.LogStreamName)
	if _, ok := f.streams[name]; !ok || aws.ToString(in.LogGroupName) != f.group {
		return nil, &cwtypes.ResourceNotFoundException{Message: aws.String("no stream")}
	}
	size := 0
	for _, e := range in.LogEvents {
		f.streams[name] = append(f.streams[name], aws.ToString(e.Message))
		size += len(aws.ToString(e.Message)) + 26
	}
	if len(in.LogEvents) > maxBatchEvents || size > maxBatchBytes {
		return nil, fmt.Errorf("a batch of %d events, %d bytes", len(in.LogEvents), size)
	}
	return &cloudwatchlogs.PutLogEventsOutput{}, nil
}

func newFakeLogs() *fakeLogs {
	return &fakeLogs{group: "/aws/lambda/receiver", queries: map[string]*cloudwatchlogs.StartQueryInput{}, polls: map[string]int{}, streams: map[string][]string{}}
}

func TestInsightsLogPollsAndSplitsFullAnswers(t *testing.T) {
	f := newFakeLogs()
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	for i := range insightsLimit + 5 { // one more than one answer holds
		f.events = append(f.events, fakeEvent{at: t0.Add(time.Duration(i) * 100 * time.Millisecond), fields: map[string]string{
			"msg": "pipedrive webhook", "webhook.entity": "deal", "webhook.entity_id": fmt.Sprint(i),
			"webhook.action": "change", "webhook.timestamp": t0.Format(time.RFC3339Nano)}})
	}
	f.events = append(f.events, fakeEvent{at: t0.Add(time.Hour), fields: map[string]string{"msg": MsgMissed, "source": Source,
		"webhook.entity": "note", "webhook.entity_id": "1", "webhook.dedup_key": "k", "webhook.timestamp": "not a time"}})
	l := &InsightsLog{Client: f, Group: f.group, Poll: time.Millisecond}
	got, err := l.Records(context.Background(), t0, t0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != insightsLimit+5 {
		t.Errorf("%d records, want %d (the full answer split, the odd record left out)", len(got), insightsLimit+5)
	}
	for id, q := range f.queries {
		if !strings.Contains(*q.QueryString, `msg = "pipedrive webhook" or msg = "pipedrive change missed"`) || f.polls[id] != 2 {
			t.Errorf("query %s: %q, polled %d times", id, *q.QueryString, f.polls[id])
		}
	}
	if len(f.queries) < 3 {
		t.Errorf("%d queries: a full answer was not split", len(f.queries))
	}
	// A query that never ends is given up at the deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	stuck := &InsightsLog{Client: stuckInsights{f}, Group: f.group, Poll: time.Millisecond}
	if _, err := stuck.Records(ctx, t0, t0.Add(time.Hour)); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a query still running at the deadline: %v", err)
	}
}

type stuckInsights struct{ *fakeLogs }

func (stuckInsights) GetQueryResults(context.Context, *cloudwatchlogs.GetQueryResultsInput, ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.GetQueryResultsOutput, error) {
	return &cloudwatchlogs.GetQueryResultsOutput{Status: cwtypes.QueryStatusRunning}, nil
}

func TestCloudWatchWriterBatchesAndKeepsWhatFailed(t *testing.T) {
	f := newFakeLogs()
	f.streams[DefaultStream] = nil // made by an earlier run
	w := &CloudWatchWriter{Client: f, Group: f.group}
	big := strings.Repeat("x", 200<<10)
	for i := range 12 {
		fmt.Fprintf(w, `{"msg":"r%d","pad":"%s"}`+"\n", i, big)
	}
	f.failPut = 1
	if err := w.Flush(context.Background()); err == nil || w.Pending() != 12 {
		t.Fatalf("a failed put: %v, %d pending", err, w.Pending())
	}
	if err := w.Flush(context.Background()); err != nil || w.Pending() != 0 {
		t.Fatalf("the retry: %v, %d pending", err, w.Pending())
	}
	if got := len(f.streams[DefaultStream]); got != 12 || f.creates != 0 {
		t.Errorf("%d events put, %d stream creations (the stream exists)", got, f.creates)
	}
	// A missing stream is created once, then written to.
	other := &CloudWatchWriter{Client: f, Group: f.group, Stream: "by-hand"}
	fmt.Fprintln(other, `{"msg":"x"}`)
	if err := other.Flush(context.Background()); err != nil || f.creates != 1 || len(f.streams["by-hand"]) != 1 {
		t.Errorf("a missing stream: %v, %d creations, %q", err, f.creates, f.streams["by-hand"])
	}
}
