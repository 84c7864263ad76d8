#!/usr/bin/env bash
# tf-init.sh DIR: terraform init of the root in DIR, on shared S3 state when DIR has
# backend.s3.tfbackend (passed as the partial backend configuration), else on local
# state, said aloud (a backend_override.tf, ignored by git, selects it). Production
# never runs on local state. TF names the engine, as in the Makefile.
set -euo pipefail
dir=$1
read -r -a tf <<<"${TF:-terraform}"
override="$dir/backend_override.tf"
if [ -f "$dir/backend.s3.tfbackend" ]; then
  rm -f "$override"
  exec "${tf[@]}" -chdir="$dir" init -input=false -reconfigure -backend-config=backend.s3.tfbackend
fi
if [ "$(basename "$dir")" = production ]; then
  echo "production runs only on its shared state: $dir/backend.s3.tfbackend is missing" >&2
  exit 1
fi
echo "NOTE: $(basename "$dir") runs on LOCAL state ($dir/terraform.tfstate), shared with nobody: copy backend.s3.tfbackend.example to backend.s3.tfbackend to share it." >&2
printf '# Written by scripts/tf-init.sh: local state, as there is no backend.s3.tfbackend.\nterraform {\n  backend "local" {}\n}\n' >"$override"
exec "${tf[@]}" -chdir="$dir" init -input=false -reconfigure
