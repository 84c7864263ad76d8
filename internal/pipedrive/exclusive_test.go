package pipedrive

import (
	"context"
	"slices"
	"testing"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
)

// Exclusive makes the subscription the stack's alone: a young healthy duplicate,
// which a plain registration leaves to the registration that may be making it, is
// deleted too; the stack's other subscriptions at the same URL never are.
func TestRegisterExclusiveIsTheSubscriptionsAlone(t *testing.T) {
	user, password := stackReg.Auth.User, stackReg.Auth.Password
	for _, tt := range []struct {
		name      string
		opts      RegisterOptions
		wantLeft  int // webhooks at the URL afterwards
		deleteDup bool
	}{
		{"not exclusive", RegisterOptions{}, 3, false},
		{"exclusive", RegisterOptions{Exclusive: true}, 2, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, pd, _ := newTestClient(t)
			first := pd.Add(pipedrivetest.Webhook{SubscriptionURL: stackURL, EventAction: "*", EventObject: "deal", HTTPAuthUser: &user, HTTPAuthPassword: &password})
			dup := pd.Add(pipedrivetest.Webhook{SubscriptionURL: stackURL, EventAction: "*", EventObject: "deal", HTTPAuthUser: &user, HTTPAuthPassword: &password})
			person := pd.Add(pipedrivetest.Webhook{SubscriptionURL: stackURL, EventAction: "*", EventObject: "person", HTTPAuthUser: &user, HTTPAuthPassword: &password})
			res, err := c.Register(context.Background(), stackReg, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if res.Created || res.ID != first.ID || slices.Contains(res.Deleted, dup.ID) != tt.deleteDup {
				t.Errorf("result %+v; want %d kept, %d deleted: %v", res, first.ID, dup.ID, tt.deleteDup)
			}
			hooks := stackWebhooks(pd)
			if len(hooks) != tt.wantLeft || !slices.ContainsFunc(hooks, func(w pipedrivetest.Webhook) bool { return w.ID == person.ID }) {
				t.Errorf("left %+v; want %d, the person subscription's among them", hooks, tt.wantLeft)
			}
		})
	}
}
