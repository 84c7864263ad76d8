package registration

import (
	"encoding/json"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/webhook"
)

// TerraformFile is where the registration module reads what it checks a
// subscription against at plan time, relative to the repository's root.
const TerraformFile = "terraform/modules/webhook-registration/event-objects.json"

// terraformRules is what the registration module needs to refuse, at plan time,
// what Validate refuses: the defaults, the actions and their v2 spelling, each
// version's objects, and the most subscriptions a stack may hold.
type terraformRules struct {
	Comment          string              `json:"comment"`
	Defaults         Subscription        `json:"defaults"`
	MaxSubscriptions int                 `json:"max_subscriptions"`
	Actions          map[string]string   `json:"actions"`
	Objects          map[string][]string `json:"objects"`
}

// Terraform is the content of TerraformFile, generated from this package and
// internal/pipedrive: the one list of objects per version, written where Terraform
// can read it.
func Terraform() ([]byte, error) {
	actions := map[string]string{}
	for _, a := range pipedrive.EventActions {
		actions[a] = a
	}
	for v1 := range webhook.V1Actions {
		actions[v1] = pipedrive.V2Action(v1)
	}
	b, err := json.MarshalIndent(terraformRules{
		Comment:          "Generated from internal/pipedrive and internal/registration by `go test ./internal/registration -run TestTerraformFile -update`: edit those, not this file.",
		Defaults:         Subscription{}.Defaults(),
		MaxSubscriptions: MaxSubscriptions,
		Actions:          actions,
		Objects:          pipedrive.EventObjects,
	}, "", "  ")
	return append(b, '\n'), err
}
