# pipedrive-webhooks — every command a developer or CI needs. `make` lists them.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

GO       ?= go
DIST     := dist
ZIP      := $(DIST)/receiver.zip
# A pinned tool, built from the Go module proxy on first use and cached by Go:
# $(call tool,tofu) runs tools/tofu/go.mod's OpenTofu.
tool = $(GO) tool -modfile=tools/$(1)/go.mod $(1)

FUZZTIME ?= 10s
ENV      ?= sandbox
TF_DIR   := terraform/environments/$(ENV)
# `terraform` or `tofu` for plan/apply/destroy; defaults to terraform when installed,
# else the pinned OpenTofu.
TF       ?= $(shell command -v terraform >/dev/null 2>&1 && echo terraform || echo "$(GO) tool -modfile=tools/tofu/go.mod tofu")

.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: run
run: ## Run the receiver on 127.0.0.1:8080 (ADDR or LISTEN_ADDR=host:port), no AWS needed
	@mkdir -p $(DIST)
	@test -x $(DIST)/receiver-local || echo "==> compiling the receiver (the first time takes a minute)"
	@$(GO) build -o $(DIST)/receiver-local ./lambda/receiver
	@# exec: the receiver is make's own child, so signalling make (Ctrl-C, kill) stops it.
	exec $(DIST)/receiver-local $(if $(ADDR),-addr $(ADDR))

.PHONY: send
send: ## Post payloads to a running make run (FILE=… or all of testdata/pipedrive); prints each answer
	$(if $(ADDR),LISTEN_ADDR=$(ADDR)) $(GO) run ./scripts/send $(FILE)

.PHONY: invoke
invoke: ## Run the bootstrap under AWS's Lambda Runtime Interface Emulator with EVENT=payload.json (like serverless invoke local)
	$(GO) run ./scripts/invoke $(EVENT)

.PHONY: build
build: ## Build the Lambda zips (linux/arm64 bootstrap) into dist/receiver.zip and dist/watchdog.zip, and dist/pipedrive-webhook and dist/ssm-secret
	@mkdir -p $(DIST)/watchdog
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -tags lambda.norpc -trimpath -buildvcs=false \
		-ldflags='-s -w -buildid=' -o $(DIST)/bootstrap ./lambda/receiver
	$(GO) run ./scripts/lambda-zip -o $(ZIP) $(DIST)/bootstrap
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -tags lambda.norpc -trimpath -buildvcs=false \
		-ldflags='-s -w -buildid=' -o $(DIST)/watchdog/bootstrap ./lambda/watchdog
	$(GO) run ./scripts/lambda-zip -o $(DIST)/watchdog.zip $(DIST)/watchdog/bootstrap
	$(GO) build -trimpath -o $(DIST)/pipedrive-webhook ./scripts/pipedrive-webhook
	$(GO) build -trimpath -o $(DIST)/ssm-secret ./scripts/ssm-secret

.PHONY: test
test: tools vet lint build terraform-check actionlint fuzz go-test ## Everything CI checks, offline
	@# terraform-check's summary names the Terraform test runs one engine did not run.
	@echo "make test: all checks passed$$(cat $(DIST)/terraform-check.summary 2>/dev/null || true)"

.PHONY: tools
tools: ## Build the pinned tools (tools/*/go.mod) in parallel; the first time takes ~10 minutes
	@echo "==> pinned tools (the first build on a machine takes several minutes)"
	@scripts/build-tools.sh

.PHONY: vet
vet: ## go vet, including the tagged end-to-end suite
	$(GO) vet ./...
	$(GO) vet -tags e2e ./test/...

.PHONY: lint
lint: ## golangci-lint (pinned; the first run builds it, a few minutes)
	@echo "==> golangci-lint"
	$(call tool,golangci-lint) run ./...

.PHONY: go-test
go-test: ## Unit and integration tests with the race detector
	$(GO) test -race -count=1 ./...

.PHONY: fuzz
fuzz: ## Short fuzz runs of every parser (FUZZTIME=10s each)
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) ./internal/webhook
	$(GO) test -run '^$$' -fuzz '^FuzzPermittedUserCount$$' -fuzztime $(FUZZTIME) ./internal/webhook
	$(GO) test -run '^$$' -fuzz '^FuzzScanPayload$$' -fuzztime $(FUZZTIME) ./internal/webhook
	$(GO) test -run '^$$' -fuzz '^FuzzScalarsReadAsText$$' -fuzztime $(FUZZTIME) ./internal/webhook
	$(GO) test -run '^$$' -fuzz '^FuzzWebhook$$' -fuzztime $(FUZZTIME) ./internal/receiver
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./internal/senders
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./internal/registration
	$(GO) test -run '^$$' -fuzz '^FuzzSameBytesAsSlog$$' -fuzztime $(FUZZTIME) ./internal/jsonlog
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeItem$$' -fuzztime $(FUZZTIME) ./internal/pipedrive
	$(GO) test -run '^$$' -fuzz '^FuzzParseLine$$' -fuzztime $(FUZZTIME) ./internal/reconcile

.PHONY: terraform-check
terraform-check: build ## Terraform offline checks: fmt, tflint, tfsec, docs, validate, tofu test, schema
	scripts/terraform-check.sh

.PHONY: docs
docs: ## Regenerate the terraform-docs tables in the module READMEs
	@for d in terraform/modules/* terraform/environments/* terraform/bootstrap; do \
		$(call tool,terraform-docs) -c terraform/.terraform-docs.yml $$d; done

.PHONY: actionlint
actionlint: ## Check the GitHub Actions workflows
	$(call tool,actionlint) -color=false

# aws-preflight: AWS credentials found the way the AWS SDK (and so Terraform's
# provider) finds them, a profile in ~/.aws included; checked before any build.
preflight = $(GO) run ./scripts/aws-preflight
# $(call output,NAME): NAME of ENV's stack output, or "deploy first".
output = $$(TF="$(TF)" $(GO) run ./scripts/stack-output $(TF_DIR) $(1))
# The registration tool as Terraform runs it: the built binary, else go run.
tool_run = scripts/pipedrive-webhook/run

# Production reads the seed's token parameter (in its region, both written in
# terraform/environments/production): before its plan and apply, check that the
# watchdog will be able to decrypt it (aws/ssm, or the key given as
# TF_VAR_api_token_kms_key_arn). Reads the parameter's description, never its value.
token_preflight = $(if $(filter production,$(ENV)),$(preflight) -region us-east-1 \
	-token-parameter /dissertation-editor/pipedrive/api-token)

.PHONY: preflight
preflight: ## AWS credentials; for ENV=production also the token parameter's KMS key (README, Production)
	@$(preflight)
	@$(token_preflight)

.PHONY: plan
plan: ## terraform plan of ENV (sandbox, production); state in S3 when ENV has backend.s3.tfbackend
	@$(preflight)
	@$(token_preflight)
	@$(MAKE) build
	TF="$(TF)" scripts/tf-init.sh $(TF_DIR)
	$(TF) -chdir=$(TF_DIR) plan -input=false

.PHONY: apply
apply: ## terraform apply of ENV: deploys the receiver and registers the webhook
	@$(preflight)
	@$(token_preflight)
	@$(MAKE) build
	TF="$(TF)" scripts/tf-init.sh $(TF_DIR)
	$(TF) -chdir=$(TF_DIR) apply -input=false

.PHONY: destroy
destroy: ## terraform destroy of ENV: deletes the webhook at Pipedrive, then the stack (no build needed)
	@$(preflight)
	TF="$(TF)" scripts/tf-init.sh $(TF_DIR)
	$(TF) -chdir=$(TF_DIR) destroy -input=false

.PHONY: output
output: ## Print one of ENV's stack outputs: NAME=webhook_url (terraform output stack shows them all)
	@test -n "$(NAME)" || { echo "make output needs NAME=…, one of the webhook-stack module's outputs (webhook_url, log_group_name, dashboard_url, …)" >&2; exit 2; }
	@TF="$(TF)" $(GO) run ./scripts/stack-output $(TF_DIR) $(NAME)

.PHONY: logs
logs: ## Tail the function's log group (needs the AWS CLI v2)
	@aws --version 2>/dev/null | grep -q '^aws-cli/2' || { echo "make logs needs the AWS CLI v2 (aws logs tail): https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html" >&2; exit 1; }
	@group=$(call output,log_group_name) && region=$(call output,region) && \
		aws logs tail "$$group" --region "$$region" --follow --format short

.PHONY: watchdog
watchdog: ## Run ENV's watchdog check now, and print its finding (needs the AWS CLI v2)
	@aws --version 2>/dev/null | grep -q '^aws-cli/2' || { echo "make watchdog needs the AWS CLI v2: https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html" >&2; exit 1; }
	@fn=$(call output,watchdog_function_name) && region=$(call output,region) && \
		aws lambda invoke --function-name "$$fn" --region "$$region" --cli-binary-format raw-in-base64-out \
			--payload '{"source":"make watchdog"}' --query FunctionError --output text /dev/stderr >/dev/null

.PHONY: webhooks
webhooks: ## List the company's webhooks at Pipedrive (token: PIPEDRIVE_API_TOKEN or ENV's parameter)
	@param=$(call output,api_token_parameter_name) && region=$(call output,region) && \
		$(tool_run) list --token-parameter "$$param" --region "$$region"

.PHONY: register
register: ## Register ENV's webhooks with Pipedrive by hand, one per subscription (Terraform does it on apply)
	@registration=$(call output,webhook_registration) && \
		WEBHOOK_REGISTRATION="$$registration" $(tool_run) register

.PHONY: reconcile
reconcile: ## Record the changes Pipedrive made that no delivery recorded: SINCE=… [UNTIL=…], LOG=file for a local log, else ENV's stack (README: Reconciliation)
	@test -n "$(SINCE)" || { echo "make reconcile needs SINCE=: 2026-11-30, 2026-11-30T08:00:00Z or 24h (and LOG=file for a local log)" >&2; exit 2; }
ifdef LOG
	$(GO) run ./scripts/reconcile --since "$(SINCE)" $(if $(UNTIL),--until "$(UNTIL)") --log "$(LOG)" $(RECONCILE_ARGS)
else
	@group=$(call output,log_group_name) && region=$(call output,region) && param=$(call output,api_token_parameter_name) && \
		registration=$(call output,webhook_registration) && WEBHOOK_REGISTRATION="$$registration" \
		$(GO) run ./scripts/reconcile --since "$(SINCE)" $(if $(UNTIL),--until "$(UNTIL)") --log-group "$$group" \
			--region "$$region" --token-parameter "$$param" $(RECONCILE_ARGS)
endif

.PHONY: e2e
e2e: ## Terratest against a real sandbox AWS account (test/README.md); tag e2e
	@$(preflight)
	@$(MAKE) build
	TF_VAR_pipedrive_api_token="$${TF_VAR_pipedrive_api_token:-$${PIPEDRIVE_API_TOKEN:-}}" \
	TERRAFORM_BINARY="$${TERRAFORM_BINARY:-$$(command -v terraform || $(GO) tool -n -modfile=tools/tofu/go.mod tofu)}" \
		$(GO) test -tags e2e -run '^TestSandbox$$' -count=1 -timeout 40m -v ./test/

.PHONY: mutate
mutate: ## Mutation testing of the core packages (pinned gremlins, 2 workers; not part of make test; README: Mutation testing)
	$(GO) run ./scripts/mutate $(MUTATE_ARGS)

.PHONY: bench
bench: ## Figures against same-run baselines, with budgets (README: Performance)
	$(GO) run ./scripts/bench

.PHONY: clean
clean: ## Remove build output
	rm -rf $(DIST)
