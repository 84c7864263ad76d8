package registration

import (
	"encoding/json"
	"reflect"
	"strings"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/webhook"
)

// TerraformFile is where the registration module reads what it checks a
// subscription against at plan time, relative to the repository's root.
const TerraformFile = "terraform/modules/webhook-registration/event-objects.json"

// terraformRules is what the registration module needs to refuse, at plan time,
// what Validate refuses: the options a person may set, with their defaults, the
// subscriptions' defaults, the actions and their v2 spelling, each version's
// objects, and the most subscriptions a stack may hold.
type terraformRules struct {
	Comment          string              `json:"comment"`
	Options          map[string]any      `json:"options"`
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
		Options:          Options(),
		Defaults:         Subscription{}.Defaults(),
		MaxSubscriptions: MaxSubscriptions,
		Actions:          actions,
		Objects:          pipedrive.EventObjects,
	}, "", "  ")
	return append(b, '\n'), err
}

// Options are the fields of Stack a person sets, through the webhook variable of
// the Terraform modules, each with its default: every field not tagged
// terraform:"wired", by its JSON key.
func Options() map[string]any {
	defaults := reflect.ValueOf(Stack{}.Defaults())
	options := map[string]any{}
	for _, f := range reflect.VisibleFields(defaults.Type()) {
		if f.Tag.Get("terraform") == "wired" {
			continue
		}
		key, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		options[key] = defaults.FieldByIndex(f.Index).Interface()
	}
	return options
}
