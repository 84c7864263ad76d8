#!/usr/bin/env bash
# Offline checks of everything under terraform/: formatting, tflint, tfsec, the
# terraform-docs tables, `validate` and `tofu test` of every module and root,
# `validate` of every module's examples, and the AWS schema check. The AWS provider
# comes from ../shared/tools' schema-only stand-in when that folder exists (the
# project's own machines, which cannot download it); elsewhere `init` downloads the
# real provider.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
shared_tools="$root/../shared/tools/aws-schema"

# A TF_CLI_CONFIG_FILE naming a missing file only makes OpenTofu warn on every call.
if [ -n "${TF_CLI_CONFIG_FILE:-}" ] && [ ! -f "$TF_CLI_CONFIG_FILE" ]; then unset TF_CLI_CONFIG_FILE; fi
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1

step() { printf '==> %s\n' "$*"; }
# tool NAME: the path of a pinned tool, built from tools/NAME/go.mod on first use.
tool() {
  go tool -n -modfile="$root/tools/$1/go.mod" "$1"
}

step "building the pinned tools (first run: several minutes)"
tofu=$(tool tofu)
tflint=$(tool tflint)
tfsec=$(tool tfsec)
tfdocs=$(tool terraform-docs)

with_provider=()
if [ -x "$shared_tools/with-aws-schema" ]; then
  with_provider=("$shared_tools/with-aws-schema")
  step "AWS provider: the schema-only stand-in from ../shared/tools (offline)"
else
  step "AWS provider: downloaded by init (no ../shared/tools here)"
  # One download for every module and root, and for the next run.
  export TF_PLUGIN_CACHE_DIR="${TF_PLUGIN_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pipedrive-webhooks/terraform-plugins}"
  mkdir -p "$TF_PLUGIN_CACHE_DIR"
fi

step "tofu fmt"
"$tofu" fmt -check -recursive -diff terraform

step "tflint"
"$tflint" --chdir=terraform --recursive --config="$root/terraform/.tflint.hcl" --format=compact

step "tfsec (no HIGH or CRITICAL finding without an inline justification)"
# --ignore-hcl-errors skips only files tfsec's parser cannot read: the ephemeral.tf
# files (ephemeral blocks postdate tfsec); validate and tflint cover those.
"$tfsec" terraform --no-color --concise-output --minimum-severity HIGH --ignore-hcl-errors --format default

step "terraform-docs tables up to date (make docs rewrites them)"
for dir in terraform/modules/* terraform/environments/* terraform/bootstrap; do
  "$tfdocs" -c terraform/.terraform-docs.yml --output-check "$dir" >/dev/null ||
    { echo "$dir/README.md is out of date: run make docs" >&2; exit 1; }
done

# runs DIR: the test runs of DIR's tests/*.tftest.hcl, one "file: run" a line.
runs() {
  local f
  for f in "$1"/tests/*.tftest.hcl; do
    sed -n 's/^run "\([^"]*\)".*/\1/p' "$f" | sed "s|^|${f#"$1"/}: |"
  done
}
total_runs=0 tofu_runs=0 tf_runs=0 not_run=()
# Every module's examples (terraform-aws-modules' examples/NAME), validated by each engine.
mapfile -t examples < <(compgen -G "terraform/modules/*/examples/*/main.tf" | xargs -n1 dirname)
for dir in terraform/modules/*; do
  compgen -G "$dir/examples/*/main.tf" >/dev/null || { echo "$dir has no examples/NAME/main.tf: every module shows how it is called" >&2; exit 1; }
done
# passed OUTPUT: the N of the test summary line "Success! N passed, 0 failed."
passed() { sed -n 's/^Success! \([0-9]*\) passed.*/\1/p' <<<"$1" | tail -n 1; }

for dir in terraform/modules/* terraform/environments/* terraform/bootstrap; do
  step "init + validate $dir"
  "${with_provider[@]}" "$tofu" -chdir="$dir" init -backend=false -input=false -no-color >/dev/null
  "${with_provider[@]}" "$tofu" -chdir="$dir" validate -no-color
  if compgen -G "$dir/tests/*.tftest.hcl" >/dev/null; then
    step "tofu test $dir"
    out=$("${with_provider[@]}" "$tofu" -chdir="$dir" test -no-color 2>&1) || { printf '%s\n' "$out"; exit 1; }
    printf '%s\n' "$out" | tail -n 1
    n=$(runs "$dir" | wc -l)
    total_runs=$((total_runs + n)) tofu_runs=$((tofu_runs + $(passed "$out")))
  fi
done
for dir in "${examples[@]}"; do
  step "init + validate $dir"
  "${with_provider[@]}" "$tofu" -chdir="$dir" init -backend=false -input=false -no-color >/dev/null
  "${with_provider[@]}" "$tofu" -chdir="$dir" validate -no-color
done

# Terraform too, where it is installed: the modules claim Terraform >= 1.11 as well.
if command -v terraform >/dev/null 2>&1; then
  tf_version=$(terraform version -json 2>/dev/null | sed -n 's/.*"terraform_version": *"\([^"]*\)".*/\1/p')
  export TF_DATA_DIR_BASE="${TMPDIR:-/tmp}/pipedrive-webhooks-terraform.$$"
  trap 'rm -rf "$TF_DATA_DIR_BASE"' EXIT
  for dir in terraform/modules/* terraform/environments/* terraform/bootstrap; do
    step "terraform $tf_version: init + validate $dir"
    export TF_DATA_DIR="$TF_DATA_DIR_BASE/${dir//\//_}"
    "${with_provider[@]}" terraform -chdir="$dir" init -backend=false -input=false -no-color >/dev/null
    "${with_provider[@]}" terraform -chdir="$dir" validate -no-color
    if compgen -G "$dir/tests/*.tftest.hcl" >/dev/null; then
      step "terraform $tf_version: test $dir"
      if ! out=$("${with_provider[@]}" terraform -chdir="$dir" test -no-color 2>&1); then
        if grep -q "ephemeral resource types in mock providers" <<<"$out"; then
          # Terraform's mock providers cannot mock ephemeral resources (1.11); OpenTofu's
          # can. Every run of the folder is then left out: counted, and named below.
          mapfile -t skipped < <(runs "$dir")
          echo "NOT RUN with terraform $tf_version: ${#skipped[@]} runs (its mock providers have no ephemeral resources; tofu test above ran them)"
          for r in "${skipped[@]}"; do not_run+=("$dir/$r"); done
        else
          printf '%s\n' "$out"
          exit 1
        fi
      else
        printf '%s\n' "$out" | tail -n 1
        tf_runs=$((tf_runs + $(passed "$out")))
      fi
    fi
  done
  for dir in "${examples[@]}"; do
    step "terraform $tf_version: init + validate $dir"
    export TF_DATA_DIR="$TF_DATA_DIR_BASE/${dir//\//_}"
    "${with_provider[@]}" terraform -chdir="$dir" init -backend=false -input=false -no-color >/dev/null
    "${with_provider[@]}" terraform -chdir="$dir" validate -no-color
  done
  unset TF_DATA_DIR
else
  step "no terraform binary: checked with OpenTofu only"
fi

if [ -d "$shared_tools" ]; then
  step "tf-schema-check"
  go -C "$shared_tools" run ./cmd/tf-schema-check "$root/terraform"
fi
if [ "$tofu_runs" != "$total_runs" ]; then
  echo "tofu test passed $tofu_runs of $total_runs runs" >&2
  exit 1
fi
# What make test's last line adds: the runs one engine did not run.
summary="$root/dist/terraform-check.summary"
mkdir -p "$root/dist"
: >"$summary"
if [ -n "${tf_version:-}" ]; then
  if [ "${#not_run[@]}" -gt 0 ]; then
    printf '; %d of %d Terraform test runs NOT RUN with terraform %s (tofu ran them)' "${#not_run[@]}" "$total_runs" "$tf_version" >"$summary"
    step "NOT RUN with terraform $tf_version: ${#not_run[@]} of $total_runs test runs (tofu ran them)"
    printf '    %s\n' "${not_run[@]}"
  fi
  step "terraform checks passed: tofu test $tofu_runs of $total_runs runs; terraform $tf_version test $tf_runs run, ${#not_run[@]} NOT RUN"
else
  printf '; %d Terraform test runs NOT RUN with terraform (not installed; tofu ran them)' "$total_runs" >"$summary"
  step "terraform checks passed: tofu test $tofu_runs of $total_runs runs; terraform not installed, its runs NOT RUN"
fi
