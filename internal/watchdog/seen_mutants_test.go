package watchdog

import (
	"context"
	"testing"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
)

// TestDuplicatesReportTheKeptWebhookAsListed: when the webhook kept of two
// duplicates is the first Pipedrive lists, the report still shows it as listed,
// its last delivery included, not a bare id (mutant: `i >= 0` as `i > 0` after
// Register, which misses the first of the list; a mutant gremlins does not see,
// as it follows a function literal in its statement: make mutate's blind-spot
// pass tests it).
func TestDuplicatesReportTheKeptWebhookAsListed(t *testing.T) {
	w := newWorld(t)
	match := func(id int64) pipedrivetest.Webhook {
		return pipedrivetest.Webhook{ID: id, SubscriptionURL: url, EventAction: "*", EventObject: "deal",
			HTTPAuthUser: ptr(user), HTTPAuthPassword: ptr(password), AddTime: hoursAgo(2)}
	}
	newest := w.pd.Add(match(9000002)) // listed first: the newest, which the check keeps
	w.pd.Add(match(9000001))
	w.pd.SetActive(newest.ID, true, 200)
	reports := Check(context.Background(), w.cfg)
	if len(reports) != 1 {
		t.Fatalf("%d reports, want 1", len(reports))
	}
	r := reports[0]
	if r.Status != StatusHealthy || r.Webhook == nil || r.Webhook.ID != newest.ID || r.Webhook.LastHTTPStatus != 200 || r.Webhook.LastDeliveryTime == "" {
		t.Errorf("report %+v, webhook %+v; want %d kept, with its last delivery (200)", r, r.Webhook, newest.ID)
	}
	if hooks := w.stackWebhooks(); len(hooks) != 1 || hooks[0].ID != newest.ID {
		t.Errorf("left %+v; want only %d", hooks, newest.ID)
	}
}
