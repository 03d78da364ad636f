#!/bin/sh
# Check that the narrative the docs quote is what migsim really prints.
# In docs/*.md, a line "<!-- narrative: PATH [--seed N] -->" right before a
# fenced code block marks the block as a quote of `migsim run PATH`.  Every
# non-empty line of the block must appear, in order, as a whole line of the
# output; a line "..." elides any number of lines.  A block after
# "<!-- scenario: passes -->" must be a scenario that passes.  Then: no file
# of the repository mentions a file outside it or cites the rulebook other
# than as docs/semantics.md, and README's Documentation section lists every
# docs/*.md, and the strategies table of docs/migrators.md matches
# scenarios/strategies (tools/strategytable.sh).  Usage: doccheck.sh MIGSIM
set -u
bin=${1:?usage: doccheck.sh MIGSIM}
fail=0; blocks=0
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
for doc in docs/*.md; do
    [ -f "$doc" ] || continue
    # Split the doc into one file per quoted block: tmp/N.args and tmp/N.quote.
    awk -v dir="$tmp" -v doc="$doc" '
        /^<!-- narrative: .* -->$/ { args = $0; sub(/^<!-- narrative: /, "", args); sub(/ -->$/, "", args); want = 1; next }
        want && /^```/ { n++; f = dir "/" n; print args > (f ".args"); print doc ":" NR > (f ".where"); inblock = 1; want = 0; next }
        inblock && /^```/ { inblock = 0; close(f ".quote"); next }
        inblock { print > (f ".quote") }
        { if (!/^[[:space:]]*$/) want = 0 }
    ' "$doc"
    for a in "$tmp"/*.args; do
        [ -f "$a" ] || continue
        base=${a%.args}
        blocks=$((blocks + 1))
        where=$(cat "$base.where")
        # shellcheck disable=SC2046
        "$bin" run $(cat "$a") > "$base.out" 2>&1
        awk -v out="$base.out" -v where="$where" '
            BEGIN { n = 0; while ((getline l < out) > 0) lines[++n] = l; pos = 1 }
            /^[[:space:]]*$/ || /^\.\.\.$/ { next }
            {
                found = 0
                for (i = pos; i <= n; i++) if (lines[i] == $0) { found = 1; pos = i + 1; break }
                if (!found) { printf "%s: quoted line not in the output (or out of order):\n  %s\n", where, $0; bad = 1 }
            }
            END { exit bad }
        ' "$base.quote" || fail=1
        [ -f "$base.quote" ] || { echo "$where: empty quote"; fail=1; }
        rm -f "$base".*
    done
done
# A fenced block right after "<!-- scenario: passes -->" (README.md, docs/*.md)
# is a whole scenario that must run and pass.
examples=0
for doc in README.md docs/*.md; do
    [ -f "$doc" ] || continue
    awk -v dir="$tmp" '
        /^<!-- scenario: passes -->$/ { want = 1; next }
        want && /^```/ { n++; f = dir "/ex" n ".scn"; inblock = 1; want = 0; next }
        inblock && /^```/ { inblock = 0; close(f); next }
        inblock { print > f }
        { if (!/^[[:space:]]*$/) want = 0 }
    ' "$doc"
    for f in "$tmp"/ex*.scn; do
        [ -f "$f" ] || continue
        examples=$((examples + 1))
        if ! out=$("$bin" run --quiet "$f" 2>&1); then
            echo "$doc: example scenario does not pass:"; echo "$out" | sed 's/^/  /'; fail=1
        fi
        rm -f "$f"
    done
done
# The repository stands alone: no file may mention a file outside it, and
# the one rulebook is docs/semantics.md.  check_mentions FILE... prints every
# line that names the directory beside the repository or cites the rulebook
# by any other path, and fails if there is one.  The patterns are spelled so
# that this script does not match itself.
outside='\.\./shared'
rulebook='semantics\.md'
check_mentions() {
    grep -nIE "$outside" "$@" /dev/null | sed 's/^/mentions a directory outside the repository: /'
    grep -noIE ".{0,5}$rulebook" "$@" /dev/null | grep -vE ":docs/$rulebook\$" |
        sed 's/^/cites the rulebook by another path than the one in docs: /'
    ! { grep -qIE "$outside" "$@" /dev/null ||
        grep -ohIE ".{0,5}$rulebook" "$@" /dev/null | grep -qvE "^docs/$rulebook\$"; }
}
# The check itself must catch what it is for (a check that never fails
# proves nothing): one bad file of each kind, and a good one.
printf 'see ..%sshared/reference/x\n' '/' > "$tmp/bad1"
printf 'as the rules say (semantics%smd)\n' '.' > "$tmp/bad2"
printf 'the rules: docs/semantics%smd and docs/model-directory.md\n' '.' > "$tmp/good"
for f in bad1 bad2; do
    if check_mentions "$tmp/$f" > /dev/null; then echo "doccheck: the mention check misses $f"; fail=1; fi
done
check_mentions "$tmp/good" > /dev/null || { echo "doccheck: the mention check flags a good file"; fail=1; }
rm -f "$tmp/bad1" "$tmp/bad2" "$tmp/good"
if git rev-parse --is-inside-work-tree > /dev/null 2>&1; then
    files=$(git ls-files)
else
    files=$(find . -path ./build -prune -o -path ./.git -prune -o -type f -print)
fi
# shellcheck disable=SC2086
check_mentions $files || fail=1
# README's Documentation section lists every document in docs/.
docs_section=$(awk '/^## Documentation/ { on = 1; next } /^## / { on = 0 } on' README.md)
for doc in docs/*.md; do
    case "$docs_section" in
    *"($doc)"*) ;;
    *) echo "README.md: the Documentation section does not list $doc"; fail=1 ;;
    esac
done
# The strategies table says what the strategies' scenarios expect.
sh tools/strategytable.sh docs/migrators.md || fail=1
echo "doccheck: $blocks quoted narrative blocks and $examples example scenarios checked"
exit $fail
