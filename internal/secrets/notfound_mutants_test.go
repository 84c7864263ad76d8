package secrets

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
)

// TestIsNotFound: SSM's ParameterNotFound, however wrapped, is "not found"; any
// other API error, or an error that is not SSM's, is not (mutant: `ErrorCode() ==
// "ParameterNotFound"` negated; secrets' own tests never called IsNotFound).
func TestIsNotFound(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		want bool
	}{
		{"ParameterNotFound", &types.ParameterNotFound{Message: new("no such parameter")}, true},
		{"wrapped", fmt.Errorf("read /pipedrive-webhooks/token: %w", &types.ParameterNotFound{}), true},
		{"generic API error", &smithy.GenericAPIError{Code: "ParameterNotFound"}, true},
		{"access denied", &smithy.GenericAPIError{Code: "AccessDeniedException"}, false},
		{"throttled", &smithy.GenericAPIError{Code: "ThrottlingException"}, false},
		{"not an API error", errors.New("ParameterNotFound"), false},
		{"nil", nil, false},
	} {
		if got := IsNotFound(tt.err); got != tt.want {
			t.Errorf("%s: IsNotFound(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}
