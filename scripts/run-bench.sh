#!/usr/bin/env bash
# Runs every benchmark binary (bench_*) of a CMake build directory and prints
# their JSON result lines on stdout. Usage: scripts/run-bench.sh BUILD_DIR
# (`make bench` runs it on build/). Exits non-zero if a benchmark fails or
# none is found.
set -u
build=${1:?usage: run-bench.sh BUILD_DIR}
if [ ! -d "$build" ]; then
  echo "run-bench: no build directory $build" >&2
  exit 2
fi
status=0
found=0
for bin in "$build"/bench_*; do
  [ -f "$bin" ] && [ -x "$bin" ] || continue
  found=1
  echo "run-bench: $(basename "$bin")" >&2
  if ! "$bin"; then
    echo "run-bench: $(basename "$bin") failed" >&2
    status=1
  fi
done
if [ "$found" -eq 0 ]; then
  echo "run-bench: no bench_* binaries in $build" >&2
  exit 2
fi
exit $status
