package receiver

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/lambdalocal"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
)

// TestThroughTheLambdaAdapter drives the handler the way the Lambda function does:
// API Gateway HTTP API events through httpadapter.NewV2(...).ProxyWithContext.
func TestThroughTheLambdaAdapter(t *testing.T) {
	deal, _ := pipedrivetest.GetFixture("v2/deal-change")
	v1, _ := pipedrivetest.GetFixture("v1/deal-updated")
	tests := []struct {
		name       string
		body       []byte
		auth       string
		base64     bool
		status     int
		wantLevel  string
		wantEntity string
	}{
		{"v2 plain body", deal.Body, basic(testUser, testPassword), false, 200, "INFO", "deal"},
		{"v2 base64 body", deal.Body, basic(testUser, testPassword), true, 200, "INFO", "deal"},
		{"v1 base64 body", v1.Body, basic(testUser, testPassword), true, 200, "INFO", "deal"},
		{"malformed base64 body", []byte(`{"meta":`), basic(testUser, testPassword), true, 200, "WARN", ""},
		{"no credentials", deal.Body, "", false, 401, "WARN", ""},
		{"wrong credentials", deal.Body, basic(testUser, "nope"), true, 401, "WARN", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(static, 0)
			ev, err := lambdalocal.GatewayEvent(tt.body, tt.auth, tt.base64)
			if err != nil {
				t.Fatal(err)
			}
			ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "c6af9ac6-7b61-11e6-9a41-93e812345678"})
			resp, err := httpadapter.NewV2(h.handler).ProxyWithContext(ctx, ev)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.status || resp.IsBase64Encoded || resp.Headers["Content-Type"] != "application/json" {
				t.Fatalf("response %+v", resp)
			}
			if tt.status == 200 && strings.TrimSpace(resp.Body) != `{"received":true}` {
				t.Errorf("body %q", resp.Body)
			}
			if tt.status == 401 && !strings.HasPrefix(resp.Headers["Www-Authenticate"], "Basic ") {
				t.Errorf("headers %v", resp.Headers)
			}
			recs := h.logs.Records(t)
			if len(recs) != 1 {
				t.Fatalf("%d records:\n%s", len(recs), h.logs)
			}
			r := recs[0]
			if r["level"] != tt.wantLevel || r["request_id"] != "JKJaXmPLvHcESHA=" || r["lambda_request_id"] != "c6af9ac6-7b61-11e6-9a41-93e812345678" {
				t.Errorf("record %v", r)
			}
			if tt.wantEntity != "" {
				if wh, _ := r["webhook"].(map[string]any); wh["entity"] != tt.wantEntity {
					t.Errorf("webhook %v", wh)
				}
			}
			if tt.status == 401 && r["remote_addr"] != "185.166.142.10" {
				t.Errorf("source ip not logged: %v", r)
			}
			assertNoSecrets(t, h.logs.String())
		})
	}
}

// TestAdapterRoutesLikeTheServer checks that paths and methods route the same way
// in Lambda as locally, through a raw event the way API Gateway's $default route
// would pass them.
func TestAdapterRoutesLikeTheServer(t *testing.T) {
	for _, tt := range []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/webhooks/pipedrive", 405},
		{http.MethodPost, "/nope", 404},
		{http.MethodGet, "/healthz", 200},
	} {
		h := newHarness(nil, 0)
		ev, _ := lambdalocal.GatewayEvent(nil, "", false)
		ev.RawPath, ev.RequestContext.HTTP.Path, ev.RequestContext.HTTP.Method = tt.path, tt.path, tt.method
		resp, err := httpadapter.NewV2(h.handler).ProxyWithContext(context.Background(), ev)
		if err != nil || resp.StatusCode != tt.status {
			t.Errorf("%s %s: %d, %v; want %d", tt.method, tt.path, resp.StatusCode, err, tt.status)
		}
	}
}

func TestGatewayEventRoundTrip(t *testing.T) {
	deal, _ := pipedrivetest.GetFixture("v2/deal-change")
	ev, err := lambdalocal.GatewayEvent(deal.Body, "", true)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(ev)
	if !bytes.Contains(raw, []byte(`"isBase64Encoded":true`)) || !bytes.Contains(raw, []byte(`"routeKey":"POST /webhooks/pipedrive"`)) {
		t.Errorf("event JSON %s", raw)
	}
}
