#!/bin/sh
# Make sure the build dependencies are present: SQLite 3, libuuid (util-linux
# 2.31 or later, for uuid_generate_sha1), jansson (the process migrator's
# JSON), libedit (the lab's line editing), cmocka and pkg-config; python3 runs
# the example migrators' tests; chromium renders the HTML timeline in its test;
# gnuplot draws a sweep's plots; GNU parallel runs sharded sweeps.  Installs the
# Debian packages with apt-get when run as root; otherwise prints the exact
# command and fails.  With "clang" as argument it also requires clang (for the
# libFuzzer target).
set -u
pkgs=""
command -v pkg-config >/dev/null 2>&1 || pkgs="$pkgs pkg-config"
for m in "sqlite3:libsqlite3-dev" "uuid:uuid-dev" "jansson:libjansson-dev" "libedit:libedit-dev" "cmocka:libcmocka-dev"; do
    mod=${m%%:*}; deb=${m#*:}
    if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists "$mod"; then
        pkgs="$pkgs $deb"
    fi
done
if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists uuid &&
   ! pkg-config --atleast-version=2.31 uuid; then
    echo "deps: libuuid $(pkg-config --modversion uuid) lacks uuid_generate_sha1 (need util-linux 2.31 or later)" >&2
    exit 1
fi
command -v python3 >/dev/null 2>&1 || pkgs="$pkgs python3"
command -v chromium >/dev/null 2>&1 || pkgs="$pkgs chromium"
command -v gnuplot >/dev/null 2>&1 || pkgs="$pkgs gnuplot-nox"
command -v parallel >/dev/null 2>&1 || pkgs="$pkgs parallel"
command -v tmux >/dev/null 2>&1 || pkgs="$pkgs tmux"
if [ "${1:-}" = clang ]; then
    command -v clang >/dev/null 2>&1 || pkgs="$pkgs clang"
    # libFuzzer's runtime ships in libclang-rt-*-dev on Debian.
    if command -v clang >/dev/null 2>&1 &&
       ! echo 'int LLVMFuzzerTestOneInput(const char*d,unsigned long n){(void)d;(void)n;return 0;}' |
         clang -x c -fsanitize=fuzzer -o /dev/null - >/dev/null 2>&1; then
        pkgs="$pkgs libclang-rt-dev"
    fi
fi
[ -z "$pkgs" ] && exit 0
cmd="apt-get install -y --no-install-recommends$pkgs"
if [ "$(id -u)" = 0 ]; then
    echo "deps: installing$pkgs" >&2
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive $cmd -qq; } >&2 || {
        echo "deps: '$cmd' failed" >&2; exit 1; }
    exit 0
fi
echo "deps: missing$pkgs; run as root: apt-get update && $cmd" >&2
exit 1
