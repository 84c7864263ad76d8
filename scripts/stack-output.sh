#!/usr/bin/env bash
# stack-output.sh DIR NAME: prints output NAME of the Terraform root in DIR, or says
# that the stack is not deployed yet. TF names the engine (default: terraform, else
# the pinned OpenTofu), as in the Makefile.
set -euo pipefail
dir=$1 name=$2
read -r -a tf <<<"${TF:-terraform}"
if ! value=$("${tf[@]}" -chdir="$dir" output -raw "$name" 2>/dev/null) || [ -z "$value" ] || [[ $value == *$'\n'* ]] || [[ $value == *Warning* ]]; then
  echo "$(basename "$dir") is not deployed yet (it has no output $name): deploy first, with make apply ENV=$(basename "$dir")" >&2
  exit 1
fi
printf '%s\n' "$value"
