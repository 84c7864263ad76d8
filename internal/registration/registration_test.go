package registration

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/repo"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/webhook"
)

const stackURL = "https://abc123.execute-api.eu-central-1.amazonaws.com/webhooks/pipedrive"

func TestParseDefaults(t *testing.T) {
	s, err := Parse([]byte(`{"url":"` + stackURL + `"}`))
	if err != nil {
		t.Fatal(err)
	}
	want := Stack{
		URL: stackURL, Name: "pipedrive-webhooks",
		Subscriptions: []Subscription{{EventObject: "deal", EventAction: "*", Version: "2.0"}},
		AuthVersion:   1, TokenParameter: "/dissertation-editor/pipedrive/api-token", APIURL: "https://api.pipedrive.com/v1",
	}
	if fmt.Sprint(s) != fmt.Sprint(want) {
		t.Errorf("defaults:\n got %+v\nwant %+v", s, want)
	}
	// A subscription's empty fields take their defaults one by one.
	s, err = Parse([]byte(`{"url":"` + stackURL + `","subscriptions":[{"event_object":"person"},{"event_action":"create"},{"event_object":"activityType","version":"1.0"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	wantSubs := []Subscription{{"person", "*", "2.0"}, {"deal", "create", "2.0"}, {"activityType", "*", "1.0"}}
	if !slices.Equal(s.Subscriptions, wantSubs) {
		t.Errorf("subscriptions %+v, want %+v", s.Subscriptions, wantSubs)
	}
}

// What Terraform's jsonencode writes for the module's value, every field set.
const terraformJSON = `{"api_url":"https://api.pipedrive.com/v1","auth_parameter":"/pipedrive-webhooks-sandbox/webhook-auth","auth_version":2,` +
	`"name":"pipedrive-webhooks-sandbox","region":"eu-central-1","subscriptions":[{"event_action":"*","event_object":"deal","version":"2.0"},` +
	`{"event_action":"*","event_object":"person","version":"2.0"}],"token_parameter":"/pipedrive-webhooks-sandbox/api-token",` +
	`"url":"` + stackURL + `","user_id":12345}`

func TestParseTerraformsValue(t *testing.T) {
	s, err := Parse([]byte(terraformJSON))
	if err != nil {
		t.Fatal(err)
	}
	regs := s.Registrations()
	if len(regs) != 2 || regs[1].EventObject != "person" || regs[1].URL != stackURL || regs[1].Name != "pipedrive-webhooks-sandbox" ||
		regs[1].UserID != 12345 || regs[0].EventObject != "deal" || s.AuthVersion != 2 || s.Region != "eu-central-1" {
		t.Errorf("%+v → %+v", s, regs)
	}
	// Terraform writes null for an optional attribute left out: a default too.
	s, err = Parse([]byte(`{"url":"` + stackURL + `","subscriptions":[{"event_object":"lead","event_action":null,"version":null}],"region":null}`))
	if err != nil || s.Subscriptions[0] != (Subscription{"lead", "*", "2.0"}) {
		t.Errorf("nulls: %+v, %v", s, err)
	}
}

func TestParseRefuses(t *testing.T) {
	sub := func(subs ...string) string {
		return `{"url":"` + stackURL + `","subscriptions":[` + strings.Join(subs, ",") + `]}`
	}
	var many []string
	for _, o := range pipedrive.EventObjects[webhook.V2][:16] {
		many = append(many, `{"event_object":"`+o+`","event_action":"create"}`)
	}
	for _, o := range pipedrive.EventObjects[webhook.V1][:5] {
		many = append(many, `{"event_object":"`+o+`","version":"1.0"}`)
	}
	tests := []struct {
		name, json string
		want       []string // every one in the error
	}{
		{"not JSON", `{"url":`, []string{"not a registration's JSON"}},
		{"an unknown key", `{"url":"` + stackURL + `","event_object":"deal"}`, []string{`unknown field "event_object"`}},
		{"an unknown key in a subscription", sub(`{"object":"deal"}`), []string{`unknown field "object"`}},
		{"two values", `{"url":"` + stackURL + `"} {}`, []string{"more after"}},
		{"a number for a string", `{"url":1}`, []string{"not a registration's JSON"}},
		{"no URL", `{}`, []string{"url: no URL"}},
		{"http elsewhere", `{"url":"http://example.com/hook"}`, []string{"https URLs (http only to localhost"}},
		{"a relative URL", `{"url":"/webhooks/pipedrive"}`, []string{"not an absolute http(s) URL"}},
		{"credentials in the URL", `{"url":"https://u:p@example.com/hook"}`, []string{"must not carry credentials"}},
		{"a quote in the URL", `{"url":"https://example.com/ho'ok"}`, []string{"a quote"}},
		{"an object the version does not offer", sub(`{"event_object":"project","version":"1.0"}`),
			[]string{`subscriptions[0] (*.project (v1.0))`, `event object "project" is delivered by v2 webhooks only: use version 2.0`}},
		{"a v1-only object in v2", sub(`{"event_object":"activityType"}`), []string{`subscriptions[0]`, `v1 webhooks only`}},
		{"lead in v1", sub(`{"event_object":"lead","version":"1.0"}`), []string{`"lead" is delivered by v2 webhooks only`}},
		{"an unknown object", sub(`{"event_object":"deals"}`), []string{`event object "deals": version 2.0 offers activity, board, deal`}},
		{"an unknown action", sub(`{"event_action":"merge.deal"}`), []string{`event action "merge.deal"`}},
		{"an unknown version", sub(`{"version":"3.0"}`), []string{`version "3.0"`}},
		{"*.* and *.deal", sub(`{"event_object":"*"}`, `{"event_object":"deal"}`),
			[]string{"subscriptions[1] (*.deal (v2.0)) overlaps subscriptions[0] (*.* (v2.0))"}},
		{"*.deal and change.deal", sub(`{"event_object":"deal","event_action":"*"}`, `{"event_object":"deal","event_action":"change"}`),
			[]string{"subscriptions[1] (change.deal (v2.0)) overlaps subscriptions[0]"}},
		{"create.* and create.person", sub(`{"event_object":"*","event_action":"create"}`, `{"event_object":"person","event_action":"create"}`),
			[]string{"subscriptions[1] (create.person (v2.0)) overlaps subscriptions[0] (create.* (v2.0))"}},
		{"v1's spelling overlaps v2's", sub(`{"event_action":"updated","version":"1.0"}`, `{"event_action":"change","version":"1.0"}`),
			[]string{"subscriptions[1] (change.deal (v1.0)) overlaps subscriptions[0] (updated.deal (v1.0))"}},
		{"the same twice", sub(`{}`, `{"event_object":"person"}`, `{"event_object":"deal","event_action":"*","version":"2.0"}`),
			[]string{"subscriptions[2] (*.deal (v2.0)) overlaps subscriptions[0] (*.deal (v2.0))"}},
		{"21 subscriptions", sub(many...), []string{"subscriptions: 21; at most 20 (Pipedrive allows 40 webhooks per user"}},
		{"a bad parameter", `{"url":"` + stackURL + `","auth_parameter":"/x y"}`, []string{`auth_parameter "/x y"`}},
		{"a bad region", `{"url":"` + stackURL + `","region":"Frankfurt"}`, []string{`region "Frankfurt"`}},
		{"a bad API URL", `{"url":"` + stackURL + `","api_url":"api.pipedrive.com"}`, []string{"api_url"}},
		{"a negative user", `{"url":"` + stackURL + `","user_id":-1}`, []string{"user_id -1"}},
		{"a negative auth version", `{"url":"` + stackURL + `","auth_version":-1}`, []string{"auth_version -1"}},
		{"a name on two lines", `{"url":"` + stackURL + `","name":"a\nb"}`, []string{"name:"}},
		{"every problem at once", `{"url":"ftp://x","region":"x","subscriptions":[{"event_object":"deals"}]}`,
			[]string{"url:", "region", `event object "deals"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.json))
			if err == nil {
				t.Fatalf("Parse(%s) succeeded", tt.json)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("%v does not wrap ErrInvalid", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q, want it to say %q", err, w)
				}
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	var twenty []string
	for _, o := range pipedrive.EventObjects[webhook.V2][:16] {
		twenty = append(twenty, `{"event_object":"`+o+`"}`)
	}
	for _, o := range pipedrive.EventObjects[webhook.V1][:4] {
		twenty = append(twenty, `{"event_object":"`+o+`","version":"1.0"}`)
	}
	for name, subs := range map[string]string{
		"deals and people":            `{"event_object":"deal"},{"event_object":"person"}`,
		"everything":                  `{"event_object":"*"}`,
		"one object's actions apart":  `{"event_action":"create"},{"event_action":"change"},{"event_action":"deleted","version":"2.0"}`,
		"one object in two versions":  `{"event_object":"deal"},{"event_object":"deal","version":"1.0"}`,
		"every v2 object, one by one": strings.Join(twenty[:16], ","),
		"20, the most":                strings.Join(twenty, ","),
		"v1's spellings":              `{"event_action":"added","version":"1.0"},{"event_action":"merged","version":"1.0","event_object":"person"}`,
		"the new v2 objects":          `{"event_object":"project"},{"event_object":"task"},{"event_object":"deal_product"},{"event_object":"deal_installment"},{"event_object":"board"},{"event_object":"phase"}`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse([]byte(`{"url":"` + stackURL + `","subscriptions":[` + subs + `]}`)); err != nil {
				t.Error(err)
			}
		})
	}
	for _, u := range []string{"http://127.0.0.1:8080/webhooks/pipedrive", "http://localhost/x", "http://[::1]:1/x"} {
		if _, err := Parse([]byte(`{"url":"` + u + `"}`)); err != nil {
			t.Errorf("%s (this machine, for tests): %v", u, err)
		}
	}
}

func TestOverlap(t *testing.T) {
	s := func(o, a, v string) Subscription { return Subscription{o, a, v} }
	for _, tt := range []struct {
		a, b Subscription
		want bool
	}{
		{s("*", "*", "2.0"), s("deal", "create", "2.0"), true},
		{s("*", "create", "2.0"), s("deal", "change", "2.0"), false},
		{s("deal", "*", "2.0"), s("deal", "delete", "2.0"), true},
		{s("deal", "*", "2.0"), s("person", "*", "2.0"), false},
		{s("deal", "*", "2.0"), s("deal", "*", "1.0"), false},
		{s("deal", "added", "1.0"), s("deal", "create", "1.0"), true},
		{s("deal", "merged", "1.0"), s("deal", "updated", "1.0"), true},
		{s("deal", "create", "2.0"), s("deal", "change", "2.0"), false},
	} {
		if got := Overlap(tt.a, tt.b); got != tt.want {
			t.Errorf("Overlap(%s, %s) = %v", tt.a, tt.b, got)
		}
		if got := Overlap(tt.b, tt.a); got != tt.want {
			t.Errorf("Overlap(%s, %s) = %v", tt.b, tt.a, got)
		}
	}
}

func TestKey(t *testing.T) {
	for sub, want := range map[Subscription]string{
		{"deal", "*", "2.0"}:       "2.0/deal/*",
		{"person", "added", "1.0"}: "1.0/person/create",
		{"*", "change", "2.0"}:     "2.0/*/change",
	} {
		if got := sub.Key(); got != want {
			t.Errorf("%s.Key() = %q, want %q", sub, got, want)
		}
	}
}

var update = flag.Bool("update", false, "rewrite "+TerraformFile+" from the Go lists")

// TestTerraformFile fails when the file Terraform checks subscriptions against
// differs from what the Go lists make of it: run with -update after changing them.
func TestTerraformFile(t *testing.T) {
	want, err := Terraform()
	if err != nil {
		t.Fatal(err)
	}
	path := repo.Path(TerraformFile)
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil { // #nosec G306 -- a committed source file
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("%s is not what the Go lists make (go test ./internal/registration -run TestTerraformFile -update):\n got %s\nwant %s", TerraformFile, got, want)
	}
	for _, w := range []string{`"2.0": [`, `"project"`, `"activityType"`, `"merged": "change"`, `"max_subscriptions": 20`, `"event_object": "deal"`} {
		if !strings.Contains(string(want), w) {
			t.Errorf("the file lacks %s:\n%s", w, want)
		}
	}
}

// FuzzParse: whatever the bytes, Parse returns a valid stack or an ErrInvalid, and
// a stack it returns survives a round trip through its JSON unchanged.
func FuzzParse(f *testing.F) {
	f.Add([]byte(terraformJSON))
	f.Add([]byte(`{"url":"` + stackURL + `"}`))
	f.Add([]byte(`{"url":"http://127.0.0.1:1/x","subscriptions":[{"event_object":"*","event_action":"merged","version":"1.0"}]}`))
	f.Add([]byte(`{"url":"` + stackURL + `","subscriptions":[{"event_object":"*"},{"event_object":"deal"}]}`))
	f.Add([]byte(`{"url":null,"subscriptions":null,"user_id":1e3}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		if verr := s.Validate(); verr != nil {
			t.Fatalf("Parse returned an invalid stack: %v", verr)
		}
		if len(s.Registrations()) != len(s.Subscriptions) || len(s.Subscriptions) == 0 || len(s.Subscriptions) > MaxSubscriptions {
			t.Fatalf("%d subscriptions, %d registrations", len(s.Subscriptions), len(s.Registrations()))
		}
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		again, err := Parse(b)
		if err != nil || fmt.Sprint(again) != fmt.Sprint(s) {
			t.Fatalf("round trip: %+v, %v; want %+v", again, err, s)
		}
	})
}

// TestOptions: the webhook variable's options are the fields not wired by the
// module, with Go's defaults; the wired ones (the stack's URL, parameters and
// region) are not a person's to set. Tagging Name terraform:"wired", or leaving
// the tag off Region, fails it.
func TestOptions(t *testing.T) {
	got, err := json.Marshal(Options())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"api_url":"https://api.pipedrive.com/v1","name":"pipedrive-webhooks",` +
		`"subscriptions":[{"event_object":"deal","event_action":"*","version":"2.0"}],"user_id":0}`
	if string(got) != want {
		t.Errorf("Options() = %s\nwant %s", got, want)
	}
}
