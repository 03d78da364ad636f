#!/bin/sh
# The layer check's own test: it passes on the tree, and fails on a copy of a
# small tree with an upward include, with a bare include, and with a file
# outside any layer folder.
set -u
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
expect() {   # expect STATUS DESCRIPTION
    sh "$here/layercheck.sh" "$tmp" >"$tmp.out" 2>&1
    got=$?
    if [ "$got" -ne "$1" ]; then
        echo "test_layercheck: FAIL $2 (exit $got, expected $1)"; cat "$tmp.out"; fails=$((fails + 1))
    else
        echo "test_layercheck: ok   $2"
    fi
    rm -f "$tmp.out"
}
mkdir -p "$tmp/sim/kernel" "$tmp/sim/run" "$tmp/model/directory"
printf '#include "kernel/clock.h"\n' >"$tmp/sim/kernel/clock.c"
printf '#include "kernel/clock.h"\n#include "directory/replica.h"\n' >"$tmp/model/directory/replica.c"
printf '#include "directory/replica.h"\n#include "kernel/clock.h"\n' >"$tmp/sim/run/run.c"
expect 0 "downward and same-layer includes pass"
printf '#include "run/sim.h"\n' >>"$tmp/model/directory/replica.c"
expect 1 "an upward include (directory -> run) fails"
printf '#include "kernel/clock.h"\n' >"$tmp/model/directory/replica.c"
printf '#include "clock.h"\n' >>"$tmp/sim/run/run.c"
expect 1 "a bare include fails"
printf '#include "kernel/clock.h"\n' >"$tmp/sim/run/run.c"
mkdir -p "$tmp/sim/misc" && printf '\n' >"$tmp/sim/misc/x.c"
expect 1 "a file outside any layer folder fails"
[ $fails -eq 0 ] || exit 1
