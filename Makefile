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

.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: run
run: ## Run the receiver on 127.0.0.1:8080 (ADDR=host:port), no AWS needed
	$(GO) run ./lambda -addr $${ADDR:-127.0.0.1:8080}

.PHONY: build
build: ## Build the Lambda zip (linux/arm64 bootstrap) into dist/receiver.zip
	@mkdir -p $(DIST)
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -tags lambda.norpc -trimpath -buildvcs=false \
		-ldflags='-s -w -buildid=' -o $(DIST)/bootstrap ./lambda
	$(GO) run ./scripts/lambda-zip -o $(ZIP) $(DIST)/bootstrap

.PHONY: test
test: vet lint go-test fuzz build ## Everything CI checks, offline: vet, lint, tests (race), fuzz smoke, build
	@echo "make test: all checks passed"

.PHONY: vet
vet: ## go vet, including the tagged end-to-end suite
	$(GO) vet ./...

.PHONY: lint
lint: ## golangci-lint (pinned; the first run builds it, a few minutes)
	@echo "==> golangci-lint"
	$(call tool,golangci-lint) run ./...

.PHONY: go-test
go-test: ## Unit and integration tests with the race detector
	$(GO) test -race -count=1 ./...

.PHONY: fuzz
fuzz: ## Short fuzz runs of every parser (FUZZTIME=10s each)
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) ./internal/pipedrive
	$(GO) test -run '^$$' -fuzz '^FuzzWebhook$$' -fuzztime $(FUZZTIME) ./internal/receiver

.PHONY: bench
bench: ## Benchmarks of the hot path
	$(GO) test -run '^$$' -bench . -benchmem ./...

.PHONY: clean
clean: ## Remove build output
	rm -rf $(DIST)
