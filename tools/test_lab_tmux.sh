#!/bin/sh
# The lab on a real terminal: migsim lab runs in a tmux pane (a server of
# this test's own, -L), keys are sent with send-keys and the screen is read
# with capture-pane.  Checked: the prompt names the virtual time and the next
# scenario line; line editing works (a word typed wrong, the cursor moved
# left, a letter inserted); the up arrow recalls the last command; output
# shows on the screen; quit ends the lab.  Waits poll the screen with a
# generous limit, so the test does not depend on the machine's speed.
#
# Usage: test_lab_tmux.sh [MIGSIM] (default build/migsim).  Skipped, with a
# line saying so, only when tmux is not installed.
bin=${1:-build/migsim}
if ! command -v tmux >/dev/null 2>&1; then
    echo "test_lab_tmux: SKIP: tmux is not installed (tools/deps.sh installs it)"
    exit 0
fi
sock=migsim-lab-test-$$
fail() {
    echo "test_lab_tmux: FAIL: $1"
    echo "--- the screen:"
    tmux -L "$sock" capture-pane -p -t lab 2>/dev/null
    tmux -L "$sock" kill-server 2>/dev/null
    exit 1
}
# Wait (up to 60 s) until the screen holds the fixed string $1.
waitFor() {
    i=0
    while [ $i -lt 600 ]; do
        if tmux -L "$sock" capture-pane -p -t lab 2>/dev/null | grep -F -q -- "$1"; then return 0; fi
        sleep 0.1
        i=$((i + 1))
    done
    fail "never saw '$1'"
}
# Wait until the last line on the screen that is not blank is $1 (a prompt waiting for input).
waitPrompt() {
    i=0
    while [ $i -lt 600 ]; do
        last=$(tmux -L "$sock" capture-pane -p -t lab 2>/dev/null | grep -v '^ *$' | tail -n 1)
        [ "$last" = "$1" ] && return 0
        sleep 0.1
        i=$((i + 1))
    done
    fail "the last line never became '$1'"
}

tmux -L "$sock" -f /dev/null new-session -d -s lab -x 120 -y 40 \
    "TERM=xterm $bin lab scenarios/kb842101/reproduce.scn; echo lab-exit-\$?; sleep 30" ||
    fail "cannot start tmux"

waitPrompt "[t=00:00:00 next: line 14 migrate all] lab>"

tmux -L "$sock" send-keys -t lab "next" Enter
waitFor "+00:00:00.000  step     migrate all (line 14)"
waitPrompt "[t=00:00:00 next: line 15 cancel when mailboxes=2] lab>"

# Line editing: "nxt", two steps left, insert "e": the command is "next".
tmux -L "$sock" send-keys -t lab "nxt" Left Left "e" Enter
waitPrompt "[t=00:00:00 waiting: line 15 cancel when mailboxes=2] lab>"
tmux -L "$sock" capture-pane -p -t lab | grep -F -q "unknown command" && fail "the edited line was not 'next'"

# History: the up arrow recalls "next"; it runs again (the cancel settles, `wait 2m` executes).
tmux -L "$sock" send-keys -t lab Up
waitFor "waiting: line 15 cancel when mailboxes=2] lab> next"
tmux -L "$sock" send-keys -t lab Enter
waitFor "+00:00:15.000  step     wait 2m (line 16)"
waitPrompt "[t=00:00:15 next: line 17 deliver user3 count=3] lab>"

tmux -L "$sock" send-keys -t lab "why user1" Enter
waitFor "why user1 at t=00:00:15: "
waitFor "wizard.clone"

tmux -L "$sock" send-keys -t lab "back 3" Enter
waitPrompt "[t=00:00:00 next: line 14 migrate all] lab>"

tmux -L "$sock" send-keys -t lab "quit" Enter
waitFor "lab-exit-0"
tmux -L "$sock" kill-server 2>/dev/null
echo "test_lab_tmux: the prompt, line editing, history and output on a terminal: ok"
