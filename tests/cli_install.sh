#!/usr/bin/env bash
# The install contract (foundation: headers, static and shared libduet,
# pkg-config file, CMake package config): installs the build into a scratch
# prefix and builds the README's example (examples/sim_hello.c) against it
# both ways, then runs it.
set -eu
duet=$1
build=$(cd "$(dirname "$duet")" && pwd)
src=${DUET_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
libdir=$(ls -d "$tmp/prefix"/lib* | head -n1)
test -f "$tmp/prefix/include/duet/stack.h"
test -f "$libdir/libduet.a"
ls "$libdir"/libduet.so* >/dev/null
# A sanitized build installs an instrumented library: link it the same way.
san=
grep -q '^DUET_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" && san="-fsanitize=address,undefined"
# 1. pkg-config, static.
export PKG_CONFIG_PATH=$libdir/pkgconfig
if command -v pkg-config >/dev/null; then
  cc -std=c11 -Wall -Werror $san -o "$tmp/hello_pc" "$src/examples/sim_hello.c" \
     $(pkg-config --cflags duet) "$libdir/libduet.a" -lpthread
  "$tmp/hello_pc" | grep -q "beta received"
fi
# 2. CMake find_package, shared.
mkdir -p "$tmp/proj"
cat >"$tmp/proj/CMakeLists.txt" <<CM
cmake_minimum_required(VERSION 3.18)
project(hello C)
find_package(duet REQUIRED)
add_executable(hello $src/examples/sim_hello.c)
target_link_libraries(hello PRIVATE duet::duet_shared)
CM
cmake -S "$tmp/proj" -B "$tmp/proj/b" -DCMAKE_PREFIX_PATH="$tmp/prefix" -DCMAKE_C_FLAGS="$san" \
  -DCMAKE_EXE_LINKER_FLAGS="$san" >/dev/null
cmake --build "$tmp/proj/b" >/dev/null
out=$(LD_LIBRARY_PATH=$libdir "$tmp/proj/b/hello")
echo "$out"
echo "$out" | grep -q "beta received"
echo "1 passed, 0 failed"
