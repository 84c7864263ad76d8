package reconcile

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/receiver"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/webhook"
)

// Record is what reconciliation reads of one audit record: a delivery the
// receiver logged, or a change an earlier reconciliation recorded as missed.
type Record struct {
	Msg, Source string
	Entity      string
	EntityID    string
	Action      string
	Time        time.Time // webhook.timestamp: when the change happened
	DedupKey    string
}

// Log is what the audit log holds for a time range: the records written in
// [from, to) (by when they were written, which for a delivery is within minutes
// of its change, and for a reconciliation's record whenever it ran).
type Log interface {
	Records(ctx context.Context, from, to time.Time) ([]Record, error)
}

// ErrUnreadableLine is wrapped by ParseLine's errors.
var ErrUnreadableLine = errors.New("not an audit record")

// ParseLine reads one JSON line of the audit log. Lines that are JSON but not a
// delivery or a reconciliation record give ok false; lines that are not JSON
// objects (make run's own output, a torn last line) give an error.
func ParseLine(line []byte) (r Record, ok bool, err error) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return Record{}, false, nil
	}
	var v struct {
		Msg     string `json:"msg"`
		Source  string `json:"source"`
		Webhook struct {
			Entity    string `json:"entity"`
			EntityID  string `json:"entity_id"`
			Action    string `json:"action"`
			Timestamp string `json:"timestamp"`
			DedupKey  string `json:"dedup_key"`
		} `json:"webhook"`
	}
	if err := json.Unmarshal(line, &v); err != nil {
		return Record{}, false, fmt.Errorf("%w: %w", ErrUnreadableLine, err)
	}
	if v.Msg != receiver.MsgDelivery && v.Msg != MsgMissed {
		return Record{}, false, nil
	}
	r = Record{Msg: v.Msg, Source: v.Source, Entity: v.Webhook.Entity, EntityID: v.Webhook.EntityID,
		Action: v.Webhook.Action, DedupKey: v.Webhook.DedupKey}
	if v.Webhook.Timestamp != "" {
		t, err := time.Parse(time.RFC3339Nano, v.Webhook.Timestamp)
		if err != nil {
			return Record{}, false, fmt.Errorf("%w: webhook.timestamp %q", ErrUnreadableLine, webhook.Bound(v.Webhook.Timestamp, 40))
		}
		r.Time = t.UTC()
	}
	if r.Entity == "" || r.EntityID == "" {
		return Record{}, false, nil
	}
	return r, true, nil
}

// FileLog is a local audit log: the receiver's JSON lines (make run's output
// saved to a file), which reconciliation appends its own records to. Every
// record in it is read, whatever the range: a local log is small.
type FileLog struct {
	Path string
	// Skipped counts the lines that were not JSON objects, at the last read.
	Skipped int
}

// Records reads every delivery and reconciliation record in the file; a missing
// file is an empty log.
func (f *FileLog) Records(_ context.Context, _, _ time.Time) ([]Record, error) {
	fh, err := os.Open(f.Path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	return f.read(fh)
}

func (f *FileLog) read(rd io.Reader) ([]Record, error) {
	f.Skipped = 0
	var out []Record
	sc := bufio.NewScanner(rd)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		r, ok, err := ParseLine(sc.Bytes())
		if err != nil {
			f.Skipped++
			continue
		}
		if ok {
			out = append(out, r)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", f.Path, err)
	}
	return out, nil
}

// MatchSlack is how far after a change's update time its delivery's
// meta.timestamp may be and still be its delivery. Pipedrive stores update times
// to the second and stamps the webhook a fraction of a second later (its
// published examples: 0.3 to 1.1 s); a little more allows for clocks. A
// delivered change less than this before a missed one of the same entity would
// hide it: the cost of matching by time, as the lists give no event id.
const MatchSlack = 3 * time.Second

// index answers "was this change delivered, or recorded already?".
type index struct {
	deliveries map[string][]Record // by entity/id
	recorded   map[string]bool     // dedup keys of earlier reconciliations' records
}

func entityKey(entity, id string) string { return entity + "/" + id }

func newIndex(records []Record) *index {
	ix := &index{deliveries: map[string][]Record{}, recorded: map[string]bool{}}
	for _, r := range records {
		ix.add(r)
	}
	return ix
}

func (ix *index) add(r Record) {
	switch {
	case r.Msg == MsgMissed && r.DedupKey != "":
		ix.recorded[r.DedupKey] = true
	case r.Msg == receiver.MsgDelivery:
		k := entityKey(r.Entity, r.EntityID)
		ix.deliveries[k] = append(ix.deliveries[k], r)
	}
}

// delivered says whether a delivery of entity/id covers a change at t: for a
// delete, any delete (or v1 merge, the entity merged away); otherwise one stamped
// within [t - 1 s, t + MatchSlack].
func (ix *index) delivered(entity, id, action string, t time.Time) bool {
	for _, r := range ix.deliveries[entityKey(entity, id)] {
		if action == webhook.ActionDelete {
			if r.Action == webhook.ActionDelete || r.Action == webhook.ActionMerge {
				return true
			}
			continue
		}
		if !r.Time.IsZero() && !r.Time.Before(t.Add(-time.Second)) && !r.Time.After(t.Add(MatchSlack)) {
			return true
		}
	}
	return false
}
