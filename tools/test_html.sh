#!/bin/sh
# The timeline picture checked in a real browser: migsim renders the KB
# reproduction's page (--html), headless Chromium loads it, and the DOM it
# dumps must show the picture whole and the script run without error:
#
#   - the page's script ran to its end (data-ready="1" on <body>) and
#     window.onerror recorded nothing (no data-errors);
#   - one lane per DC and per server the trace names, and one each for the
#     migrator, smtp and the administrator;
#   - one arrow per replication pull (repl.pull.start records in --trace);
#   - the user picker: the page opened at #user=user3 highlights user3's
#     marks and table row and dims the others;
#   - hover and picker driven as a person would: a probe page holds the
#     timeline in a frame, sends a mouseover to the cancel mark and a change
#     to the picker, and writes what the page did into its own <body>.
#
# It saves a screenshot of the page in OUTDIR and, given a third argument,
# copies it there too (`make figures`: docs/img/reproduce-timeline.png).
#
# usage: tools/test_html.sh MIGSIM OUTDIR [PNG]
set -u
bin=$1
out=$2
figure=${3:-}
scn=scenarios/kb842101/reproduce.scn
browser=${CHROMIUM:-chromium}

fail() {
    echo "test_html: FAIL: $*" >&2
    exit 1
}

command -v "$browser" >/dev/null 2>&1 || fail "$browser not found (make deps installs Debian's chromium)"
mkdir -p "$out" || fail "cannot create $out"
abs=$(cd "$out" && pwd)
page=$abs/reproduce.html

"$bin" run "$scn" --quiet --html "$page" --trace "$abs/reproduce.jsonl" >/dev/null
rc=$?
[ $rc -le 1 ] || fail "migsim run $scn --html exited $rc"

# Chromium, headless, with a profile of its own (other runs may share the machine).
chrome() {
    timeout 180 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --user-data-dir="$abs/chromium-profile" --virtual-time-budget=5000 "$@" 2>/dev/null
}

count() {   # count PATTERN FILE: how many times the fixed string occurs
    grep -o -F -- "$1" "$2" | wc -l | tr -d ' '
}

chrome --dump-dom "file://$page" >"$abs/reproduce.dom" || fail "chromium could not load $page"
dom=$abs/reproduce.dom
grep -q '<body[^>]*data-ready="1"' "$dom" || fail "the page's script did not finish (no data-ready=\"1\")"
if grep -q 'data-errors=' "$dom"; then
    fail "script error: $(grep -o 'data-error="[^"]*"' "$dom")"
fi

# The lanes the trace asks for: each DC it names (dc or peer), each server.
dcs=$(grep -o -E '"(dc|peer)":"[^"]*"' "$abs/reproduce.jsonl" | sed 's/.*":"//; s/"$//' | sort -u | wc -l | tr -d ' ')
servers=$(grep -o -E '"server":"[^"]*"' "$abs/reproduce.jsonl" | sed 's/.*":"//; s/"$//' | sort -u | wc -l | tr -d ' ')
pulls=$(count '"kind":"repl.pull.start"' "$abs/reproduce.jsonl")
[ "$dcs" -ge 2 ] || fail "the reproduction names $dcs DCs, not 2 or more"
[ "$(count 'data-lane="dc"' "$dom")" = "$dcs" ] || fail "DC lanes: $(count 'data-lane="dc"' "$dom"), want $dcs"
[ "$(count 'data-lane="server"' "$dom")" = "$servers" ] || fail "server lanes: want $servers"
for l in migrator smtp admin; do
    [ "$(count "data-lane=\"$l\"" "$dom")" = 1 ] || fail "not one $l lane"
done
[ "$pulls" -ge 1 ] || fail "no replication pull in the trace"
[ "$(count 'data-pull="' "$dom")" = "$pulls" ] || fail "arrows: $(count 'data-pull="' "$dom"), want $pulls (one per pull)"
[ "$(count '<path class="hit"' "$dom")" = "$pulls" ] || fail "arrow paths: want $pulls"
for m in cancel rerun init merge start; do
    grep -q "class=\"rec mark-$m" "$dom" || fail "no $m mark"
done

# The picker, from the page's address.
chrome --dump-dom "file://$page#user=user3" >"$abs/picked.dom" || fail "chromium could not load $page#user=user3"
grep -q '<body[^>]*data-picked="user3"' "$abs/picked.dom" || fail "#user=user3 did not pick user3"
grep -q '<tr data-user="user3" class="hl">' "$abs/picked.dom" || fail "user3's outcome row is not highlighted"
grep -q '<tr data-user="user4" class="dim">' "$abs/picked.dom" || fail "user4's outcome row is not dimmed"
grep -q '<g class="rec [^"]* hl" [^>]*data-user="user3"' "$abs/picked.dom" || fail "no mark of user3 highlighted"
grep -q '<g class="rec [^"]* dim" [^>]*data-user="user4"' "$abs/picked.dom" || fail "no mark of user4 dimmed"

# Hover and picker through events, from a page holding the timeline in a frame.
cat >"$abs/probe.html" <<'EOF'
<!DOCTYPE html>
<html><body><iframe id="f" src="reproduce.html" width="1800" height="900"></iframe>
<script>
document.getElementById('f').onload = function () {
  var out = document.body;
  try {
    var d = this.contentDocument, w = this.contentWindow;
    var g = d.querySelector('g.mark-cancel'), r = g.getBoundingClientRect();
    g.firstElementChild.dispatchEvent(new w.MouseEvent('mouseover',
        {bubbles: true, clientX: r.left + 2, clientY: r.top + 2}));
    var tip = d.getElementById('tip');
    out.setAttribute('data-tip-shown', String(!tip.hidden));
    out.setAttribute('data-tip', tip.textContent.split('\n')[0]);
    var sel = d.getElementById('user');
    sel.value = 'user4';
    sel.dispatchEvent(new w.Event('change'));
    out.setAttribute('data-hl', String(d.querySelectorAll('.hl').length));
    out.setAttribute('data-hl-others', String(d.querySelectorAll('.hl:not([data-user="user4"]):not([data-users])').length));
    out.setAttribute('data-dim', String(d.querySelectorAll('.dim').length));
    out.setAttribute('data-page-errors', d.body.getAttribute('data-errors') || '0');
  } catch (e) {
    out.setAttribute('data-fail', String(e));
  }
  out.setAttribute('data-done', '1');
};
</script></body></html>
EOF
chrome --allow-file-access-from-files --dump-dom "file://$abs/probe.html" >"$abs/probe.dom" || fail "chromium could not load the probe"
body=$(grep -o '<body[^>]*>' "$abs/probe.dom")
case $body in *'data-done="1"'*) ;; *) fail "the probe did not finish: $body" ;; esac
case $body in *data-fail=*) fail "the probe failed: $body" ;; esac
case $body in *'data-tip-shown="true"'*) ;; *) fail "hovering the cancel mark showed no details: $body" ;; esac
case $body in *'data-tip="+00:00:15.000  wizard.cancel"'*) ;; *) fail "the hover details are not the cancel's: $body" ;; esac
case $body in *'data-hl-others="0"'*'data-page-errors="0"'*) ;; *) fail "the picker highlighted others, or an error: $body" ;; esac
case $body in *'data-hl="0"'*|*'data-dim="0"'*) fail "picking user4 highlighted or dimmed nothing: $body" ;; esac

# The screenshot, for a person to look at.
png=$abs/reproduce-timeline.png
rm -f "$png"
chrome --screenshot="$png" --window-size=1760,960 "file://$page" >/dev/null || fail "no screenshot"
[ -s "$png" ] && [ "$(head -c 4 "$png" | tail -c 3)" = PNG ] || fail "$png is not a PNG"
if [ -n "$figure" ]; then
    cp "$png" "$figure" || fail "cannot copy the screenshot to $figure"
fi
echo "test_html: ok ($dcs DC lanes, $servers server lanes, $pulls arrows; hover, picker, no script error; $png)"
