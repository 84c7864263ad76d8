// Command minimal is the cold-start baseline of `make bench`: the least an
// aws-lambda-go function behind API Gateway can be, built like the receiver.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		return events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: `{"received":true}`}, nil
	})
}
