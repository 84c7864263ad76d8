package reconcile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/receiver"
)

// InsightsAPI is the part of the CloudWatch Logs client the Insights log uses.
type InsightsAPI interface {
	StartQuery(ctx context.Context, in *cloudwatchlogs.StartQueryInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.StartQueryOutput, error)
	GetQueryResults(ctx context.Context, in *cloudwatchlogs.GetQueryResultsInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.GetQueryResultsOutput, error)
}

// InsightsQuery selects the records reconciliation reads: deliveries and earlier
// reconciliations' records, the fields it matches by.
var InsightsQuery = `fields msg, source, webhook.entity, webhook.entity_id, webhook.action, webhook.timestamp, webhook.dedup_key
| filter msg = "` + receiver.MsgDelivery + `" or msg = "` + MsgMissed + `"
| limit 10000`

// insightsLimit is the most rows one Insights query returns.
const insightsLimit = 10000

// InsightsLog reads the audit log with CloudWatch Logs Insights over the
// receiver's log group.
type InsightsLog struct {
	Client InsightsAPI
	Group  string
	// Poll is the first wait between polls of a running query (default 500 ms),
	// doubled up to 5 s.
	Poll time.Duration
}

// Records runs the query over [from, to), splitting a range whose answer is
// full (10,000 rows) in halves, down to ranges of a minute.
func (l *InsightsLog) Records(ctx context.Context, from, to time.Time) ([]Record, error) {
	rows, full, err := l.query(ctx, from, to)
	if err != nil {
		return nil, err
	}
	if !full {
		return rows, nil
	}
	if to.Sub(from) <= time.Minute {
		return nil, fmt.Errorf("logs insights: more than %d records in the minute from %s: the log cannot be read whole", insightsLimit, from.UTC().Format(time.RFC3339))
	}
	mid := from.Add(to.Sub(from) / 2).Truncate(time.Second)
	a, err := l.Records(ctx, from, mid)
	if err != nil {
		return nil, err
	}
	b, err := l.Records(ctx, mid, to)
	if err != nil {
		return nil, err
	}
	return append(a, b...), nil
}

// query runs one query; full says its answer may have been cut at the limit.
func (l *InsightsLog) query(ctx context.Context, from, to time.Time) (_ []Record, full bool, _ error) {
	// StartQuery's range is whole seconds, both ends included.
	start, err := l.Client.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{LogGroupName: aws.String(l.Group),
		StartTime: aws.Int64(from.Unix()), EndTime: aws.Int64(to.Add(-time.Nanosecond).Unix()),
		QueryString: aws.String(InsightsQuery), Limit: aws.Int32(insightsLimit)})
	if err != nil {
		return nil, false, fmt.Errorf("logs insights: start a query of %s: %w", l.Group, err)
	}
	wait := l.Poll
	if wait <= 0 {
		wait = 500 * time.Millisecond
	}
	for {
		select {
		case <-ctx.Done():
			return nil, false, fmt.Errorf("logs insights: the query of %s did not finish in time: %w", l.Group, ctx.Err())
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
		out, err := l.Client.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: start.QueryId})
		if err != nil {
			return nil, false, fmt.Errorf("logs insights: results of the query of %s: %w", l.Group, err)
		}
		switch out.Status {
		case cwtypes.QueryStatusComplete:
			return rowsToRecords(out.Results), len(out.Results) >= insightsLimit, nil
		case cwtypes.QueryStatusScheduled, cwtypes.QueryStatusRunning, "":
			continue
		default:
			return nil, false, fmt.Errorf("logs insights: the query of %s ended %s", l.Group, out.Status)
		}
	}
}

func rowsToRecords(rows [][]cwtypes.ResultField) []Record {
	out := make([]Record, 0, len(rows))
	for _, row := range rows {
		var r Record
		var ts string
		for _, f := range row {
			v := aws.ToString(f.Value)
			switch aws.ToString(f.Field) {
			case "msg":
				r.Msg = v
			case "source":
				r.Source = v
			case "webhook.entity":
				r.Entity = v
			case "webhook.entity_id":
				r.EntityID = v
			case "webhook.action":
				r.Action = v
			case "webhook.timestamp":
				ts = v
			case "webhook.dedup_key":
				r.DedupKey = v
			}
		}
		if ts != "" {
			t, err := time.Parse(time.RFC3339Nano, ts)
			if err != nil {
				continue // not a record we wrote or the receiver did
			}
			r.Time = t.UTC()
		}
		if r.Entity != "" && r.EntityID != "" {
			out = append(out, r)
		}
	}
	return out
}

// PutLogEventsAPI is the part of the CloudWatch Logs client the writer uses.
type PutLogEventsAPI interface {
	CreateLogStream(ctx context.Context, in *cloudwatchlogs.CreateLogStreamInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.CreateLogStreamOutput, error)
	PutLogEvents(ctx context.Context, in *cloudwatchlogs.PutLogEventsInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutLogEventsOutput, error)
}

// DefaultStream is the log stream of the receiver's group that reconciliation
// writes its records to.
const DefaultStream = "reconciliation"

// CloudWatchWriter collects JSON lines and, on Flush, puts them as events into
// a stream of the receiver's log group (Terraform creates it; created here when
// it is missing): the audit log and its gaps in one place, where the metric
// filters and queries read both.
type CloudWatchWriter struct {
	Client PutLogEventsAPI
	Group  string
	Stream string
	Now    func() time.Time

	mu      sync.Mutex
	pending []cwtypes.InputLogEvent
	created bool // a missing stream has been created (or tried)
}

// Write takes one or more JSON lines.
func (w *CloudWatchWriter) Write(p []byte) (int, error) {
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for line := range bytes.SplitSeq(bytes.TrimRight(p, "\n"), []byte("\n")) {
		if len(bytes.TrimSpace(line)) > 0 {
			w.pending = append(w.pending, cwtypes.InputLogEvent{Message: aws.String(string(line)), Timestamp: aws.Int64(now().UnixMilli())})
		}
	}
	return len(p), nil
}

// PutLogEvents' limits: events and bytes (each event's message plus 26) a call.
const (
	maxBatchEvents = 10000
	maxBatchBytes  = 1048576
)

// Flush puts every pending event; what a failed call did not put stays pending.
func (w *CloudWatchWriter) Flush(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.pending) == 0 {
		return nil
	}
	stream := w.Stream
	if stream == "" {
		stream = DefaultStream
	}
	for len(w.pending) > 0 {
		n, size := 0, 0
		for n < len(w.pending) && n < maxBatchEvents && size+len(*w.pending[n].Message)+26 <= maxBatchBytes {
			size += len(*w.pending[n].Message) + 26
			n++
		}
		n = max(n, 1)
		in := &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(w.Group), LogStreamName: aws.String(stream), LogEvents: w.pending[:n]}
		out, err := w.Client.PutLogEvents(ctx, in)
		var missing *cwtypes.ResourceNotFoundException
		if errors.As(err, &missing) && !w.created {
			// Terraform creates the stream; a run by hand against another group
			// creates it once, if it may.
			w.created = true
			_, err = w.Client.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(w.Group), LogStreamName: aws.String(stream)})
			var exists *cwtypes.ResourceAlreadyExistsException
			if err != nil && !errors.As(err, &exists) {
				return fmt.Errorf("create log stream %s in %s: %w", stream, w.Group, err)
			}
			out, err = w.Client.PutLogEvents(ctx, in)
		}
		if err != nil {
			return fmt.Errorf("put %d records into %s:%s: %w", n, w.Group, stream, err)
		}
		if r := out.RejectedLogEventsInfo; r != nil {
			return fmt.Errorf("CloudWatch Logs refused records (too old %d, too new %d, expired %d) in %s:%s",
				aws.ToInt32(r.TooOldLogEventEndIndex), aws.ToInt32(r.TooNewLogEventStartIndex), aws.ToInt32(r.ExpiredLogEventEndIndex), w.Group, stream)
		}
		w.pending = w.pending[n:]
	}
	return nil
}

// Pending is how many lines wait for a Flush.
func (w *CloudWatchWriter) Pending() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.pending)
}
