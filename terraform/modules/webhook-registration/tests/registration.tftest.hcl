# The registration module with a list of subscriptions: which registrations each
# apply creates, keeps and destroys, and what plan refuses. The tool is `true`:
# these runs check Terraform's side; test/registration_test.go runs the real tool
# against a local Pipedrive. Each run that compares with an earlier one gets its
# ids as a variable (before): OpenTofu evaluates run references in variables,
# not in every assertion.

variables {
  webhook_url          = "https://abc123.execute-api.eu-central-1.amazonaws.com/webhooks/pipedrive"
  auth_parameter_name  = "/pdw-test/webhook-auth"
  token_parameter_name = "/pdw-test/api-token"
  aws_region           = "eu-central-1"
  tool_command         = "true"
}

run "defaults" {
  command = plan

  assert {
    condition     = sort(keys(terraform_data.webhook)) == tolist(["2.0/deal/*"]) && length(terraform_data.url) == 1
    error_message = "The seed's subscription is one registration, keyed 2.0/deal/*."
  }
  assert {
    condition = jsondecode(output.registration_json) == {
      url     = var.webhook_url, name = "pipedrive-webhooks", subscriptions = [{ event_object = "deal", event_action = "*", version = "2.0" }],
      user_id = 0, auth_parameter = "/pdw-test/webhook-auth", auth_version = 1, token_parameter = "/pdw-test/api-token",
      region  = "eu-central-1", api_url = "https://api.pipedrive.com/v1"
    }
    error_message = "registration_json is the Go type's value, every field by its JSON key; the options left out take Go's defaults (event-objects.json)."
  }
  assert {
    condition     = terraform_data.webhook["2.0/deal/*"].input.registration == output.registration_json
    error_message = "With one subscription, the tool gets the very JSON the watchdog gets."
  }
  assert {
    condition     = !strcontains(output.registration_json, "password") && !strcontains(jsonencode([for r in terraform_data.webhook : r.input]), "password")
    error_message = "Nothing secret reaches the inputs."
  }
}

run "left_out_attributes_take_the_defaults" {
  command = plan

  variables {
    webhook = { subscriptions = [{ event_object = "person" }, { event_action = "added", version = "1.0" }, {}] }
  }

  assert {
    condition     = sort(keys(terraform_data.webhook)) == tolist(["1.0/deal/create", "2.0/deal/*", "2.0/person/*"])
    error_message = "Defaults come from event-objects.json (Go's), and v1's added is keyed as create."
  }
  assert {
    condition     = jsondecode(terraform_data.webhook["1.0/deal/create"].input.registration).subscriptions == [{ event_object = "deal", event_action = "added", version = "1.0" }]
    error_message = "Each registration carries its own subscription only, as written."
  }
}

run "apply_two" {
  variables {
    webhook = { subscriptions = [{ event_object = "deal" }, { event_object = "person" }] }
  }

  assert {
    condition     = sort(keys(output.webhook_resources)) == tolist(["2.0/deal/*", "2.0/person/*"])
    error_message = "Two subscriptions, two registrations."
  }
  assert {
    condition     = length(jsondecode(output.registration_json).subscriptions) == 2
    error_message = "The watchdog gets both subscriptions."
  }
}

run "add_one" {
  variables {
    before  = run.apply_two.webhook_resources
    webhook = { subscriptions = [{ event_object = "deal" }, { event_object = "person" }, { event_object = "organization", event_action = "create" }] }
  }

  assert {
    condition     = sort(keys(output.webhook_resources)) == tolist(["2.0/deal/*", "2.0/organization/create", "2.0/person/*"])
    error_message = "A third subscription, a third registration."
  }
  assert {
    condition     = output.webhook_resources["2.0/deal/*"] == var.before["2.0/deal/*"] && output.webhook_resources["2.0/person/*"] == var.before["2.0/person/*"]
    error_message = "Adding a subscription must leave the others' registrations as they were."
  }
}

run "remove_one" {
  variables {
    before  = run.add_one.webhook_resources
    webhook = { subscriptions = [{ event_object = "deal" }, { event_object = "organization", event_action = "create" }] }
  }

  assert {
    condition     = sort(keys(output.webhook_resources)) == tolist(["2.0/deal/*", "2.0/organization/create"])
    error_message = "The removed subscription's registration is destroyed."
  }
  assert {
    condition     = output.webhook_resources["2.0/deal/*"] == var.before["2.0/deal/*"] && output.webhook_resources["2.0/organization/create"] == var.before["2.0/organization/create"]
    error_message = "Removing a subscription must leave the others' registrations as they were."
  }
}

run "rotate" {
  variables {
    before       = run.remove_one.webhook_resources
    webhook      = { subscriptions = [{ event_object = "deal" }, { event_object = "organization", event_action = "create" }] }
    auth_version = 2
  }

  assert {
    condition     = output.webhook_resources["2.0/deal/*"] != var.before["2.0/deal/*"] && output.webhook_resources["2.0/organization/create"] != var.before["2.0/organization/create"]
    error_message = "New credentials register every subscription anew."
  }
  assert {
    condition     = jsondecode(output.registration_json).auth_version == 2 && length(output.webhook_resources) == 2
    error_message = "The rotation keeps the list."
  }
}

run "disabled" {
  command = plan

  variables {
    enabled = false
  }

  assert {
    condition     = length(terraform_data.webhook) == 0 && length(terraform_data.url) == 0 && output.registration == null
    error_message = "enabled = false registers nothing."
  }
}

run "refuses_star_star_beside_star_deal" {
  command = plan

  variables {
    webhook = { subscriptions = [{ event_object = "*" }, { event_object = "deal" }] }
  }

  expect_failures = [terraform_data.url]
}

run "refuses_star_deal_beside_change_deal" {
  command = plan

  variables {
    webhook = { subscriptions = [{ event_object = "deal", event_action = "*" }, { event_object = "deal", event_action = "change" }] }
  }

  expect_failures = [terraform_data.url]
}

run "refuses_create_star_beside_create_person" {
  command = plan

  variables {
    webhook = { subscriptions = [{ event_object = "person", event_action = "create" }, { event_object = "*", event_action = "create" }] }
  }

  expect_failures = [terraform_data.url]
}

run "refuses_v1_spelling_beside_v2_spelling" {
  command = plan

  variables {
    webhook = { subscriptions = [{ event_action = "updated", version = "1.0" }, { event_action = "change", version = "1.0" }] }
  }

  expect_failures = [terraform_data.url]
}

run "refuses_the_same_subscription_twice" {
  command = plan

  variables {
    webhook = { subscriptions = [{ event_object = "deal" }, { event_object = "deal", event_action = "*", version = "2.0" }] }
  }

  expect_failures = [terraform_data.url]
}

run "accepts_one_object_in_both_versions_and_apart_actions" {
  command = plan

  variables {
    webhook = { subscriptions = [{ event_object = "deal" }, { event_object = "deal", version = "1.0" }, { event_object = "person", event_action = "create", version = "1.0" }, { event_object = "person", event_action = "delete" }] }
  }

  assert {
    condition     = length(terraform_data.webhook) == 4
    error_message = "Different versions, and different actions, do not overlap."
  }
}

run "refuses_an_object_v1_does_not_offer" {
  command = plan

  variables {
    webhook = { subscriptions = [{ event_object = "project", version = "1.0" }] }
  }

  expect_failures = [terraform_data.url]
}

run "refuses_an_object_v2_does_not_offer" {
  command = plan

  variables {
    webhook = { subscriptions = [{ event_object = "activityType" }] }
  }

  expect_failures = [terraform_data.url]
}

run "refuses_an_unknown_object" {
  command = plan

  variables {
    webhook = { subscriptions = [{ event_object = "deals" }] }
  }

  expect_failures = [terraform_data.url]
}

run "refuses_an_unknown_action_or_version" {
  command = plan

  variables {
    webhook = { subscriptions = [{ event_action = "merge" }, { event_object = "person", version = "3.0" }] }
  }

  expect_failures = [terraform_data.url]
}

run "accepts_every_new_v2_object" {
  command = plan

  variables {
    webhook = { subscriptions = [for o in ["project", "task", "board", "phase", "deal_product", "deal_installment", "lead", "pipeline", "stage"] : { event_object = o }] }
  }

  assert {
    condition     = length(terraform_data.webhook) == 9
    error_message = "v2 offers the objects Pipedrive added in 2026."
  }
}

run "accepts_twenty" {
  command = plan

  variables {
    webhook = { subscriptions = concat(
      [for o in ["activity", "board", "deal", "deal_installment", "deal_product", "lead", "note", "organization", "person", "phase", "pipeline", "product", "project", "stage", "task", "user"] : { event_object = o }],
      [for o in ["activity", "deal", "note", "person"] : { event_object = o, version = "1.0" }],
    ) }
  }

  assert {
    condition     = length(terraform_data.webhook) == 20
    error_message = "20 subscriptions, 40 webhooks during a rotation: Pipedrive's limit."
  }
}

run "refuses_twenty_one" {
  command = plan

  variables {
    webhook = { subscriptions = concat(
      [for o in ["activity", "board", "deal", "deal_installment", "deal_product", "lead", "note", "organization", "person", "phase", "pipeline", "product", "project", "stage", "task", "user"] : { event_object = o }],
      [for o in ["activity", "deal", "note", "person", "user"] : { event_object = o, version = "1.0" }],
    ) }
  }

  expect_failures = [terraform_data.url]
}

run "refuses_none" {
  command = plan

  variables {
    webhook = { subscriptions = [] }
  }

  expect_failures = [terraform_data.url]
}

run "options_reach_the_registration" {
  command = plan

  variables {
    webhook = { name = "pdw-test", user_id = 7, api_url = "http://127.0.0.1:8080/v1", subscriptions = null }
  }

  assert {
    condition = jsondecode(output.registration_json) == {
      url     = var.webhook_url, name = "pdw-test", subscriptions = [{ event_object = "deal", event_action = "*", version = "2.0" }],
      user_id = 7, auth_parameter = "/pdw-test/webhook-auth", auth_version = 1, token_parameter = "/pdw-test/api-token",
      region  = "eu-central-1", api_url = "http://127.0.0.1:8080/v1"
    }
    error_message = "Each option set reaches the JSON as given; a null one takes its default."
  }
  assert {
    condition     = output.webhook_name == "pdw-test" && terraform_data.url[0].input.api_url == "http://127.0.0.1:8080/v1"
    error_message = "The name and the API URL are the options'."
  }
}

# An option Go does not know would be dropped without a word by a typed object:
# the list of options comes from Go (event-objects.json), so a misspelling fails.
run "refuses_an_unknown_option" {
  command = plan

  variables {
    webhook = { subscription = [{ event_object = "person" }] }
  }

  expect_failures = [var.webhook]
}

run "refuses_an_unknown_subscription_attribute" {
  command = plan

  variables {
    webhook = { subscriptions = [{ event_objects = "person" }] }
  }

  expect_failures = [var.webhook]
}

run "refuses_a_subscription_that_is_not_an_object" {
  command = plan

  variables {
    webhook = { subscriptions = ["person"] }
  }

  expect_failures = [var.webhook]
}

run "refuses_a_fractional_user" {
  command = plan

  variables {
    webhook = { user_id = 1.5 }
  }

  expect_failures = [var.webhook]
}

run "refuses_a_name_on_two_lines" {
  command = plan

  variables {
    webhook = { name = "two\nlines" }
  }

  expect_failures = [var.webhook]
}

run "refuses_an_api_url_with_a_quote" {
  command = plan

  variables {
    webhook = { api_url = "https://api.pipedrive.com/v1'; rm -rf /" }
  }

  expect_failures = [var.webhook]
}

run "retires_the_ids_it_takes_over" {
  command = plan

  variables {
    retire_webhook_ids = [1345147, 7]
  }

  assert {
    condition     = output.registration.retire == "1345147,7" && alltrue([for r in terraform_data.webhook : r.input.retire == "1345147,7"])
    error_message = "Each registration retires the ids given, once its own webhook exists."
  }
}

run "retires_nothing_by_default" {
  command = plan

  assert {
    condition     = output.registration.retire == "" && alltrue([for r in terraform_data.webhook : r.input.retire == ""])
    error_message = "Without ids to retire, the registration retires nothing."
  }
}
