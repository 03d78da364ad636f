#!/bin/sh
# The layer check: a source file includes only headers of its own layer or a
# lower one.  The layers, lowest first (docs/architecture.md):
#
#   0 sim/kernel      time, events, random streams, GUIDs, parameters, arrays,
#                     status, atomic files, periodic work, the narrative
#   1 model/directory DCs, replicas, replication, topology, LDIF
#   2 model/exchange  source, stores, RUS, mail, administrator
#   3 model/migration the migrators (the built-in wizard)
#   4 model/judge     outcomes, read from the state
#   5 sim/scenario    the scenario language
#   6 sim/run         the runner and its steps
#   7 sim/out         the outputs: report, JSON, results DB
#   8 sim/cli         the command line
#
# Every project header is included by its layer path ("kernel/clock.h"); a
# bare "x.h" is refused too, since its layer cannot be told.  Usage:
# layercheck.sh [ROOT] (default: the current directory).  Prints one line
# per violation, FILE:LINE: ..., and exits 1 if there is any.
root=${1:-.}
rank() {
    case "$1" in
    kernel) echo 0 ;; directory) echo 1 ;; exchange) echo 2 ;; migration) echo 3 ;;
    judge) echo 4 ;; scenario) echo 5 ;; run) echo 6 ;; out) echo 7 ;; cli) echo 8 ;;
    *) echo -1 ;;
    esac
}
bad=0
files=$(cd "$root" && find sim model -name '*.[ch]' | LC_ALL=C sort)
for f in $files; do
    layer=$(echo "$f" | cut -d/ -f2)
    own=$(rank "$layer")
    if [ "$own" -lt 0 ]; then
        echo "$f: error: not in a layer folder (sim/kernel, model/directory, ...)"
        bad=1
        continue
    fi
    # "N:target" for every quoted include.
    incs=$(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$root/$f" |
           sed 's/^\([0-9]*\):.*"\([^"]*\)".*/\1:\2/')
    for inc in $incs; do
        line=${inc%%:*}
        target=${inc#*:}
        case "$target" in
        */*) tl=$(rank "${target%%/*}") ;;
        *) tl=-1 ;;
        esac
        if [ "$tl" -lt 0 ]; then
            echo "$f:$line: error: \"$target\" names no layer (include project headers as \"LAYER/name.h\")"
            bad=1
        elif [ "$tl" -gt "$own" ]; then
            echo "$f:$line: error: $layer (layer $own) includes \"$target\" from a higher layer ($tl)"
            bad=1
        fi
    done
done
[ $bad -eq 0 ] && echo "layercheck: $(echo "$files" | wc -l) files, every include points down or sideways"
exit $bad
