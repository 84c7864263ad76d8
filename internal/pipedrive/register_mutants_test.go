package pipedrive

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
)

// The tests in this file kill mutants that gremlins (make mutate) found alive in
// Register, oneLine and Webhook's checks: each names the mutations it catches.

// TestOneLineAtItsLength: a text of exactly n bytes is kept whole, one byte more is
// cut (mutant: len(s) <= n as <, which indexes s[n] past the end).
func TestOneLineAtItsLength(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"abcd", 4, "abcd"},
		{"abcde", 4, "abcd…"},
		{"a  b\nc", 5, "a b c"},
	} {
		if got := oneLine(tc.s, tc.n); got != tc.want {
			t.Errorf("oneLine(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}

// TestWebhookChecks: the auth-user and removal checks (mutants: HTTPAuthUser == nil
// negated, *RemoveTime != "" negated, authUser == "" negated in Problem).
func TestWebhookChecks(t *testing.T) {
	user, empty, when := "pipedrive", "", "2026-01-02T03:04:05Z"
	for _, tc := range []struct {
		name        string
		w           Webhook
		authUser    string
		hasAuth     bool
		removed     bool
		wantProblem string
	}{
		{"healthy, no auth", Webhook{IsActive: true}, "", false, false, ""},
		{"healthy, with auth", Webhook{IsActive: true, HTTPAuthUser: &user}, "pipedrive", true, false, ""},
		{"empty remove_time", Webhook{IsActive: true, RemoveTime: &empty}, "", false, false, ""},
		{"removed", Webhook{IsActive: true, RemoveTime: &when}, "", false, true, "removed by Pipedrive"},
		{"auth, none asked", Webhook{IsActive: true, HTTPAuthUser: &user}, "", true, false, "registered with basic auth; this registration has none"},
		{"no auth, one asked", Webhook{IsActive: true}, "pipedrive", false, false, `registered with basic-auth user "", not "pipedrive"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.w.HasBasicAuth(); got != tc.hasAuth {
				t.Errorf("HasBasicAuth() = %v, want %v", got, tc.hasAuth)
			}
			if got := tc.w.Removed(); got != tc.removed {
				t.Errorf("Removed() = %v, want %v", got, tc.removed)
			}
			if got := tc.w.Problem(tc.authUser); got != tc.wantProblem {
				t.Errorf("Problem(%q) = %q, want %q", tc.authUser, got, tc.wantProblem)
			}
		})
	}
}

// TestRegisterRetireList: the webhooks named in Retire go, each once, and neither
// the kept webhook nor one not named (mutants: w.ID == res.ID negated,
// slices.Contains(opts.Retire, w.ID) negated, id != res.ID negated,
// !slices.Contains(ids, id) negated, len(retire)+len(opts.Retire) as -, which
// makes a negative capacity).
func TestRegisterRetireList(t *testing.T) {
	c, pd, _ := newTestClient(t)
	user := "pipedrive"
	keep := pd.Add(pipedrivetest.Webhook{SubscriptionURL: stackURL, EventAction: "*", EventObject: "deal", HTTPAuthUser: &user})
	old := pd.Add(pipedrivetest.Webhook{SubscriptionURL: "https://old.example.com/hook", EventAction: "*", EventObject: "deal"})
	bystander := pd.Add(pipedrivetest.Webhook{SubscriptionURL: "https://other.example.com/hook", EventAction: "*", EventObject: "deal"})
	const gone = 987654
	res, err := c.Register(context.Background(), stackReg, RegisterOptions{Retire: []int64{keep.ID, old.ID, gone, old.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Created || res.ID != keep.ID || !slices.Equal(res.Deleted, []int64{old.ID, gone}) {
		t.Errorf("result %+v; want %d kept and %d, %d deleted", res, keep.ID, old.ID, gone)
	}
	var left []int64
	for _, w := range pd.Webhooks() {
		left = append(left, w.ID)
	}
	slices.Sort(left)
	if !slices.Equal(left, []int64{keep.ID, bystander.ID}) {
		t.Errorf("left %v; want %d and %d", left, keep.ID, bystander.ID)
	}
}

// TestRegisterInFlightMatches: of two healthy young matches, a registration keeps
// the oldest and leaves the other to the registration that may be between its
// create and its deletes; once both have settled it keeps the newest and deletes
// the other (mutants: w.Problem(...) == "" negated and w.ID != mine negated in
// the retire filter, !added.IsZero() negated in inFlight, w.ID < oldestYoung
// negated in survivor). Rotating over a healthy match says nothing of a problem
// (mutant: p != "" negated).
func TestRegisterInFlightMatches(t *testing.T) {
	user := "pipedrive"
	match := pipedrivetest.Webhook{SubscriptionURL: stackURL, EventAction: "*", EventObject: "deal", HTTPAuthUser: &user}
	t.Run("young", func(t *testing.T) {
		c, pd, said := newTestClient(t)
		first, second := pd.Add(match), pd.Add(match)
		res, err := c.Register(context.Background(), stackReg, RegisterOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Created || res.ID != first.ID || len(res.Deleted) != 0 || len(stackWebhooks(pd)) != 2 {
			t.Errorf("result %+v, webhooks %d; want %d kept and %d left alone", res, len(stackWebhooks(pd)), first.ID, second.ID)
		}
		if !strings.Contains(said.String(), "leaving it to that one") {
			t.Errorf("said %q", said)
		}
	})
	t.Run("settled", func(t *testing.T) {
		c, pd, _ := newTestClient(t)
		c.InFlight = 0
		first, second := pd.Add(match), pd.Add(match)
		res, err := c.Register(context.Background(), stackReg, RegisterOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if res.Created || res.ID != second.ID || !slices.Equal(res.Deleted, []int64{first.ID}) || len(stackWebhooks(pd)) != 1 {
			t.Errorf("result %+v; want %d kept and %d deleted", res, second.ID, first.ID)
		}
	})
	t.Run("rotate over a healthy one", func(t *testing.T) {
		c, pd, said := newTestClient(t)
		old := pd.Add(match)
		res, err := c.Register(context.Background(), stackReg, RegisterOptions{Rotate: true})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Created || !slices.Equal(res.Deleted, []int64{old.ID}) || strings.Contains(said.String(), "matches but is") {
			t.Errorf("result %+v, said %q", res, said)
		}
	})
}
