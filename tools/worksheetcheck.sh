#!/bin/sh
# Check that the lab worksheets (docs/labs/*.md) say what migsim really does.
# A worksheet is for a trainee who types its commands and compares what they
# see, so every command it shows must run and every output it quotes must be
# what the command prints.  Two kinds of marked blocks:
#
#   <!-- commands -->        the fenced block after it is a terminal session:
#                            a line "$ CMD" is a command, run with sh -c from
#                            the repository root with `migsim` on PATH; the
#                            lines after it, up to the next "$ ", are quoted
#                            output: every non-empty one must appear, in
#                            order, as a whole line of what CMD printed
#                            (stdout and stderr); "..." elides any number of
#                            lines.  A command must not fail with status 2 or
#                            more (1 is a verdict, as for `migsim check`).
#   <!-- prediction: SCN --> the fenced block after it holds `expect` lines
#                            (the trainee's prediction, as the worksheet
#                            answers it): appended to scenario SCN they must
#                            pass (`migsim check`).
#
# Usage: worksheetcheck.sh MIGSIM.  Prints one line per problem, a count at
# the end, and exits 1 when something is wrong.
set -u
bin=${1:?usage: worksheetcheck.sh MIGSIM}
case "$bin" in /*) ;; *) bin="$(pwd)/$bin" ;; esac
fail=0; commands=0; predictions=0
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/bin" && ln -s "$bin" "$tmp/bin/migsim" || exit 2

# quoted_in QUOTE OUT WHERE: every non-empty line of QUOTE is a line of OUT, in
# order ("..." elides).
quoted_in() {
    awk -v out="$2" -v where="$3" '
        BEGIN { n = 0; while ((getline l < out) > 0) lines[++n] = l; pos = 1 }
        /^[[:space:]]*$/ || /^\.\.\.$/ { next }
        {
            found = 0
            for (i = pos; i <= n; i++) if (lines[i] == $0) { found = 1; pos = i + 1; break }
            if (!found) { printf "%s: quoted line not in the output (or out of order):\n  %s\n", where, $0; bad = 1 }
        }
        END { exit bad }
    ' "$1"
}

# check_doc DOC: run DOC's commands and predictions; fails if one is wrong.
check_doc() {
    doc=$1; bad=0
    rm -f "$tmp"/c.* "$tmp"/p.*
    # Split the worksheet: tmp/c.N.M.cmd + .quote + .where for each command,
    # tmp/p.N.scn + .expect + .where for each prediction.
    awk -v dir="$tmp" -v doc="$doc" '
        /^<!-- commands -->$/ { want = "c"; next }
        /^<!-- prediction: .* -->$/ { scn = $0; sub(/^<!-- prediction: /, "", scn); sub(/ -->$/, "", scn); want = "p"; next }
        want != "" && /^```/ { n++; kind = want; want = ""; inblock = 1; m = 0
            if (kind == "p") { f = dir "/p." n; print scn > (f ".scn"); close(f ".scn"); print doc ":" NR > (f ".where"); close(f ".where"); printf "" > (f ".expect") }
            next }
        inblock && /^```/ { inblock = 0; next }
        inblock && kind == "c" && /^\$ / { m++; f = dir "/c." n "." m; c = $0; sub(/^\$ /, "", c)
            print c > (f ".cmd"); close(f ".cmd"); print doc ":" NR > (f ".where"); close(f ".where"); printf "" > (f ".quote"); next }
        inblock && kind == "c" && m > 0 { print >> (f ".quote"); close(f ".quote"); next }
        inblock && kind == "p" { print >> (f ".expect"); close(f ".expect"); next }
        { if (!/^[[:space:]]*$/) want = "" }
    ' "$doc"
    for c in $(ls "$tmp"/c.*.cmd 2>/dev/null | sort -t. -k2,2n -k3,3n); do
        base=${c%.cmd}
        where=$(cat "$base.where")
        commands=$((commands + 1))
        PATH="$tmp/bin:$PATH" sh -c "$(cat "$c")" > "$base.out" 2>&1 < /dev/null
        rc=$?
        if [ "$rc" -ge 2 ]; then
            echo "$where: command failed (status $rc): $(cat "$c")"; sed 's/^/  /' "$base.out" | tail -5; bad=1
        fi
        quoted_in "$base.quote" "$base.out" "$where" || bad=1
    done
    for p in "$tmp"/p.*.scn; do
        [ -f "$p" ] || continue
        base=${p%.scn}
        where=$(cat "$base.where")
        scn=$(cat "$p")
        predictions=$((predictions + 1))
        if [ ! -f "$scn" ]; then echo "$where: no scenario $scn"; bad=1; continue; fi
        { cat "$scn"; echo; cat "$base.expect"; } > "$tmp/predicted.scn"
        if ! out=$("$bin" check --allow-external "$tmp/predicted.scn" 2>&1); then
            echo "$where: the prediction does not hold for $scn:"; echo "$out" | sed 's/^/  /'; bad=1
        fi
    done
    return $bad
}

# The check must catch what it is for: a wrong quote, a failing command and
# a wrong prediction each fail it, and a right worksheet passes.
fence='```'
printf '<!-- commands -->\n%s\n$ migsim run scenarios/labs/01-reproduce.scn --quiet\nverdict: PASS\n%s\n' "$fence" "$fence" > "$tmp/bad1.md"
printf '<!-- commands -->\n%s\n$ migsim run no-such-file.scn\n%s\n' "$fence" "$fence" > "$tmp/bad2.md"
printf '<!-- prediction: scenarios/labs/01-reproduce.scn -->\n%s\nexpect user3 cloned\n%s\n' "$fence" "$fence" > "$tmp/bad3.md"
printf '<!-- commands -->\n%s\n$ migsim run scenarios/labs/01-reproduce.scn --quiet\n...\n  stranded items: 0\n%s\n' "$fence" "$fence" > "$tmp/good.md"
for f in bad1 bad2 bad3; do
    if check_doc "$tmp/$f.md" > /dev/null; then echo "worksheetcheck: the check misses $f"; fail=1; fi
done
check_doc "$tmp/good.md" > /dev/null || { echo "worksheetcheck: the check flags a good worksheet"; fail=1; }
commands=0; predictions=0

for doc in docs/labs/*.md; do
    [ -f "$doc" ] || continue
    check_doc "$doc" || fail=1
done
echo "worksheetcheck: $commands commands and $predictions predictions checked"
exit $fail
