// Package test holds the end-to-end suite (build tag e2e: it deploys to AWS) and
// the offline integration tests. The checks the suite makes on what it sees live in
// this file, without AWS, so that they are unit-tested.
package test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/webhook"
)

// CheckReceived checks the receiver's answer to an authenticated delivery.
func CheckReceived(status int, body string) error {
	if status != 200 || strings.TrimSpace(body) != `{"received":true}` {
		return fmt.Errorf(`got %d %q, want 200 {"received":true}`, status, body)
	}
	return nil
}

// Expectation is what the log record of one delivered fixture must say.
type Expectation struct {
	Fixture string
	Fields  map[string]any // webhook.* fields, as JSON values
}

// Expect derives the expectation for a fixture from the receiver's own decoder:
// the suite checks that the deployed function logs what the code under test says.
func Expect(f pipedrivetest.Fixture) (Expectation, error) {
	e, err := webhook.Decode(f.Body)
	if err != nil {
		return Expectation{}, fmt.Errorf("%s: %w", f.Name, err)
	}
	return Expectation{Fixture: f.Name, Fields: map[string]any{
		"version":   e.Version,
		"action":    e.Action,
		"entity":    e.Entity,
		"entity_id": e.EntityID,
		"dedup_key": e.DedupKey,
		"attempt":   float64(e.Attempt),
	}}, nil
}

// DedupKey is the key the record is found by.
func (x Expectation) DedupKey() string { return x.Fields["dedup_key"].(string) }

// MatchRecords finds the records of x among log lines (JSON, one per line, as
// CloudWatch returns the function's messages) and checks them: at least one, every
// one an INFO "pipedrive webhook" record with the expected fields and a request id.
func MatchRecords(lines []string, x Expectation) (int, error) {
	found := 0
	for _, line := range lines {
		var rec struct {
			Level     string         `json:"level"`
			Msg       string         `json:"msg"`
			RequestID string         `json:"request_id"`
			Webhook   map[string]any `json:"webhook"`
			Payload   map[string]any `json:"payload"`
		}
		if json.Unmarshal([]byte(line), &rec) != nil || rec.Webhook["dedup_key"] != x.DedupKey() {
			continue
		}
		found++
		if rec.Level != "INFO" || rec.Msg != "pipedrive webhook" || rec.RequestID == "" || rec.Payload == nil {
			return found, fmt.Errorf("%s: record %s lacks level, msg, request_id or payload", x.Fixture, line)
		}
		for k, want := range x.Fields {
			if got := rec.Webhook[k]; got != want {
				return found, fmt.Errorf("%s: webhook.%s = %v, want %v", x.Fixture, k, got, want)
			}
		}
	}
	if found == 0 {
		return 0, fmt.Errorf("%s: no log record with dedup_key %s", x.Fixture, x.DedupKey())
	}
	return found, nil
}

// policyDocument is an IAM policy as IAM returns it.
type policyDocument struct {
	Statement []struct {
		Effect   string
		Action   stringOrList
		Resource stringOrList
	}
}

type stringOrList []string

func (s *stringOrList) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*s = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*s = many
	return nil
}

// CheckSSMAccess checks an IAM policy document (JSON, or URL-encoded JSON as IAM's
// GetRolePolicy returns it) grants SSM actions on exactly the allowed parameter ARNs
// and nothing but ssm:GetParameter.
func CheckSSMAccess(document string, allowed []string) error {
	if decoded, err := url.QueryUnescape(document); err == nil {
		document = decoded
	}
	var doc policyDocument
	if err := json.Unmarshal([]byte(document), &doc); err != nil {
		return fmt.Errorf("the policy is not JSON: %w", err)
	}
	var granted []string
	for _, st := range doc.Statement {
		if st.Effect != "Allow" {
			continue
		}
		ssm := slices.ContainsFunc(st.Action, func(a string) bool { return strings.HasPrefix(a, "ssm:") || a == "*" })
		if !ssm {
			continue
		}
		for _, a := range st.Action {
			if a != "ssm:GetParameter" {
				return fmt.Errorf("the role may %s; it needs only ssm:GetParameter", a)
			}
		}
		for _, r := range st.Resource {
			if strings.Contains(r, "*") || !slices.Contains(allowed, r) {
				return fmt.Errorf("the role may read %s; it may read only %v", r, allowed)
			}
			granted = append(granted, r)
		}
	}
	if len(granted) == 0 {
		return errors.New("the role may read no SSM parameter: the function could not read its credentials")
	}
	return nil
}
