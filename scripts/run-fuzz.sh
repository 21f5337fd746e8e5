#!/usr/bin/env bash
# Runs every libFuzzer target of a fuzz build for a bounded time each, from
# (and adding to) its corpus in a scratch copy, so the committed corpora stay
# small. Usage: run-fuzz.sh BUILD_DIR SECONDS_PER_TARGET
set -euo pipefail
build=$1
secs=${2:-60}
src=$(cd "$(dirname "$0")/.." && pwd)
status=0
for bin in "$build"/fuzz_*; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin"); short=${name#fuzz_}
  work=$(mktemp -d)
  cp -r "$src/fuzz/corpus/$short/." "$work/" 2>/dev/null || true
  echo "== $name for ${secs}s"
  if ! "$bin" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$src/fuzz/" \
        "$work" 2>"$build/$name.log"; then
    echo "!! $name found a crash: see $build/$name.log and $src/fuzz/crash-*"
    status=1
  fi
  grep -E 'stat::number_of_executed_units|stat::average_exec_per_sec' "$build/$name.log" || true
  rm -rf "$work"
done
exit $status
