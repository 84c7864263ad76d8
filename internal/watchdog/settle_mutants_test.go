package watchdog

import (
	"context"
	"net/http"
	"testing"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
)

// TestDefaultSettleFindsALateCreate: with no Settle configured, a create whose
// answer was lost is looked for again a second later, found, and not created a
// second time (mutant: the 20*time.Second default as 20/time.Second, no settle at
// all, which creates again at once and leaves two webhooks).
func TestDefaultSettleFindsALateCreate(t *testing.T) {
	w := newWorld(t)
	w.cfg.Settle = 0
	w.pd.SetListLag(1)
	w.pd.Inject("POST /webhooks", pipedrivetest.Fault{Status: http.StatusBadGateway, Apply: true})
	reports := Check(context.Background(), w.cfg)
	if len(reports) != 1 {
		t.Fatalf("%d reports, want 1", len(reports))
	}
	r := reports[0]
	hooks := w.stackWebhooks()
	if r.Status != StatusReRegistered || w.creates() != 1 || len(hooks) != 1 || r.Webhook == nil || r.Webhook.ID != hooks[0].ID {
		t.Errorf("report %+v after %d creates, webhooks %+v; want the one create found", r, w.creates(), hooks)
	}
}
