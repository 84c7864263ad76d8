#!/usr/bin/env bash
# Builds every pinned tool (tools/*/go.mod) into Go's cache, side by side: on a new
# machine this is most of a first `make test`, and parallel builds overlap their
# downloads and single-threaded links. Later runs find them cached in a second.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
pids=() names=()
for mod in tools/*/go.mod; do
  name=$(basename "$(dirname "$mod")")
  go tool -n -modfile="$mod" "$name" >/dev/null 2>"${TMPDIR:-/tmp}/build-tool-$name.log" &
  pids+=($!) names+=("$name")
done
failed=0
for i in "${!pids[@]}"; do
  if ! wait "${pids[$i]}"; then
    echo "building ${names[$i]} failed:" >&2
    cat "${TMPDIR:-/tmp}/build-tool-${names[$i]}.log" >&2
    failed=1
  fi
done
[ "$failed" = 0 ] || exit 1
echo "pinned tools ready (${names[*]}) in $((SECONDS - start)) s"
