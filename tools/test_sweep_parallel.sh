#!/bin/sh
# make check: a sweep sharded through GNU parallel and merged is the
# unsharded sweep, byte for byte: the database, the CSV and the table.
# docs/scale-out.md gives the same recipe over ssh hosts and Slurm.
# Usage: test_sweep_parallel.sh MIGSIM
set -eu
bin=${1:?usage: test_sweep_parallel.sh MIGSIM}
command -v parallel >/dev/null 2>&1 || { echo "GNU parallel is missing (make deps installs it)"; exit 1; }
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
scn=scenarios/kb842101/reproduce.scn
set -- --seeds 1..20 --vary WAIT=0s..3m/30s --vary JITTER=0,50
# reproduce.scn has no JITTER: the sweep runs a copy that lets one.
sed 's/^ad 2003$/ad 2003\nlet JITTER = 0\nset repl.jitter $JITTER/' "$scn" > "$tmp/r.scn"
"$bin" sweep "$tmp/r.scn" "$@" --db "$tmp/whole.sqlite" --csv "$tmp/whole.csv" > "$tmp/whole.txt"
parallel --will-cite -j 2 "$bin" sweep "$tmp/r.scn" "$@" --shard {}/4 --db "$tmp/shard{}.sqlite" '>/dev/null' ::: 1 2 3 4
"$bin" merge "$tmp/merged.sqlite" "$tmp"/shard*.sqlite --csv "$tmp/merged.csv" > "$tmp/merged.txt"
status=0
for f in sqlite csv txt; do
    cmp "$tmp/whole.$f" "$tmp/merged.$f" || status=1
done
[ "$(wc -l < "$tmp/whole.csv")" -eq 15 ] || { echo "expected 14 combinations in the CSV"; status=1; }
[ $status -eq 0 ] && echo "sweep: 4 shards through GNU parallel, merged: the same bytes as one sweep"
exit $status
