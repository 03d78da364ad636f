#!/bin/sh
# Check that the strategies table in docs/migrators.md says what the
# strategies' scenarios expect.  The table follows a line
# "<!-- strategies: DIR -->": its header names a strategy per column, each
# row a story (`STORY`), and each cell lists, joined by "; ", the outcome
# expectations of DIR/STRATEGY/STORY.scn in order (the `expect USERS
# OUTCOME ...` and `expect stranded=N` lines, without `expect`, comments
# and `not` lines).  Every scenario under DIR must have its cell.
# Usage: strategytable.sh [DOC]
set -u
doc=${1:-docs/migrators.md}
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
# The table as lines "STRATEGY<TAB>STORY<TAB>CELL".
awk -F'|' '
    /^<!-- strategies: .* -->$/ { dir = $0; sub(/^<!-- strategies: /, "", dir); sub(/ -->$/, "", dir); print dir > "/dev/stderr"; want = 1; next }
    want && /^\|/ {
        if (!head) { for (i = 3; i < NF; i++) { s = $i; gsub(/[ `]/, "", s); col[i] = s }; head = 1; next }
        if ($2 ~ /^-+$/ || $2 ~ /^ *-/) next
        story = $2; gsub(/[ `]/, "", story)
        for (i = 3; i < NF; i++) { c = $i; sub(/^ +/, "", c); sub(/ +$/, "", c); print col[i] "\t" story "\t" c }
        next
    }
    want && head && !/^\|/ { want = 0 }
' "$doc" > "$tmp/table" 2> "$tmp/dir"
dir=$(cat "$tmp/dir")
[ -n "$dir" ] || { echo "$doc: no <!-- strategies: DIR --> table"; exit 1; }
fail=0; cells=0
while IFS="$(printf '\t')" read -r strat story cell; do
    cells=$((cells + 1))
    f="$dir/$strat/$story.scn"
    if [ ! -f "$f" ]; then echo "$doc: table cell $strat/$story: no $f"; fail=1; continue; fi
    got=$(sed -n 's/[[:space:]]*#.*$//; /^expect dc /d; /^expect converged/d; / not /d; s/^expect //p' "$f" |
          awk 'BEGIN { ORS = "" } { print (NR > 1 ? "; " : "") $0 }')
    if [ "$got" != "$cell" ]; then
        printf '%s: table cell %s/%s says\n  %s\nbut %s expects\n  %s\n' "$doc" "$strat" "$story" "$cell" "$f" "$got"
        fail=1
    fi
    echo "$f" >> "$tmp/seen"
done < "$tmp/table"
for f in "$dir"/*/*.scn; do
    grep -qxF "$f" "$tmp/seen" 2>/dev/null || { echo "$doc: $f has no cell in the strategies table"; fail=1; }
done
[ $fail -eq 0 ] && echo "strategies table: $cells cells match $dir"
exit $fail
