// Package perf holds the receiver's benchmarks as functions, so that `go test -bench`
// and the `make bench` report (scripts/bench) run the very same code, and the
// paired measurement make bench judges its ratios by. It does not import testing:
// the Go benchmarks that wrap these functions are in its tests.
package perf

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/jsonlog"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/lambdalocal"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/receiver"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/secrets"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/senders"
)

// Fixture is the payload every benchmark uses: the v2 deal change.
const Fixture = "v2/deal-change"

var creds = secrets.Static{User: "pipedrive", Password: "benchmark-password"}

// Body returns the fixture's bytes, as Pipedrive would send them.
// The fixture file is indented for people to read; Pipedrive sends its payloads
// on one line, so the benchmarks send it compacted.
func Body() ([]byte, error) {
	f, err := pipedrivetest.GetFixture(Fixture)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	err = json.Compact(&b, f.Body)
	return b.Bytes(), err
}

// ranges is a stored list of Pipedrive's sender ranges that holds the Lambda
// event's sourceIp.
var ranges = senders.List{Prefixes: []netip.Prefix{netip.MustParsePrefix("185.166.140.0/22"), netip.MustParsePrefix("2a03:6b40::/32")}}.Encode()

// Handler is the receiver as deployed (basic auth on, the sender check in its
// default monitor mode), logging to io.Discard.
func Handler() http.Handler {
	check := &senders.Checker{Mode: senders.Monitor, Load: func(context.Context) (string, error) { return ranges, nil }}
	return receiver.New(slog.New(jsonlog.NewHandler(io.Discard, nil)), receiver.Config{Credentials: creds, Senders: check})
}

// Authorization is the header value the handler accepts.
func Authorization() string {
	r, _ := http.NewRequest(http.MethodPost, "/", nil)
	r.SetBasicAuth(creds.User, creds.Password)
	return r.Header.Get("Authorization")
}

// LambdaEvent is the API Gateway HTTP API event that carries the fixture.
func LambdaEvent() (events.APIGatewayV2HTTPRequest, error) {
	body, err := Body()
	if err != nil {
		return events.APIGatewayV2HTTPRequest{}, err
	}
	return lambdalocal.GatewayEvent(body, Authorization(), false)
}

// NewLambdaPath returns the whole Lambda path for one event as a function: API
// Gateway v2 event → httpadapter → mux → auth → decode → log record → response.
func NewLambdaPath() (func() error, error) {
	ev, err := LambdaEvent()
	if err != nil {
		return nil, err
	}
	adapter := httpadapter.NewV2(Handler())
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "bench"})
	return func() error {
		resp, err := adapter.ProxyWithContext(ctx, ev)
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("status %d: %s", resp.StatusCode, resp.Body)
		}
		return err
	}, nil
}

// NewUnmarshalBaseline returns the least any receiver does as a function:
// json.Unmarshal of the same body into map[string]any.
func NewUnmarshalBaseline() (func() error, error) {
	body, err := Body()
	if err != nil {
		return nil, err
	}
	return func() error {
		var v map[string]any
		return json.Unmarshal(body, &v)
	}, nil
}
