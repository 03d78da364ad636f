#!/usr/bin/env python3
"""The Exchange Migration Wizard's logic (migsim's builtin:wizard2003) as a process migrator.

    migsim run FILE.scn --migrator exec:'python3 tools/migrators/wizard.py'

It makes the same requests, in the same order and with the same fields, as the built-in
wizard (model/migration/wizard.c), so every scenario reaches the same outcomes; its
narrative is its own `log` lines (which take no virtual time). The rules, in short:

Stage 1, one slot of account_time per selected user: match the source user's X500
address, else its primary SMTP address, among live accounts on the run's DC; a match has
its blanks filled (mailbox-enabled if need be, mail, proxyAddresses), no match gets a new
disabled account. The user is associated with that account and mailbox, which, with
`protect`, is marked so mail bounces until a pass has filled it.

Stage 2, per user in order: log on to the mailbox. Logon failed (event 13003): retry
every retry_interval until retry_window after the first failure, then skip. Else clone
when the mailbox does not exist, merge when it does, copying `batch` items per request.

Across runs it remembers the mailboxes a completed pass filled: they are not protected
again. Standard library only.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from migsimproc import Cancelled, Migrator, ok  # noqa: E402

PENDING, READY, NOACCOUNT, INPASS, DONE, SKIPPED, CANCELLED = range(7)

STATE_WORDS = {
    DONE: "completed",
    SKIPPED: "skipped: event 13003, could not log on to the target mailbox",
    NOACCOUNT: "failed: no target account",
    CANCELLED: "cancelled during the copy",
}


class User:
    def __init__(self, name):
        self.name = name
        self.state = PENDING
        self.smtp = self.x500 = ""
        self.nitems = 0
        self.account = self.mbx = None
        self.merge = False
        self.passed = False
        self.copied = self.skipped = self.replaced = self.failed = 0


class Wizard:
    def __init__(self):
        self.filled = set()   # mailboxes a completed pass filled, across runs
        self.p = None

    # ---- hooks for migrators built on this one ----

    def on_created(self, wu):
        """An account was created for wu (wu.account, wu.mbx)."""

    def on_pass_done(self, wu):
        """wu's mailbox was filled by a completed pass."""

    # ---- a run ----

    def __call__(self, proc, run):
        self.p = proc
        init = proc.init
        self.account_time = init["account_time_ms"]
        self.retry_interval = init["retry_interval_ms"]
        self.retry_window = init["retry_window_ms"]
        self.batch = init["batch"] if init["batch"] > 0 else 100
        self.server_dc = {s["name"]: s["dc"] for s in init["servers"]}
        self.migrate(run)

    def migrate(self, run):
        self.run = run
        self.dc, self.server, self.protect = run["dc"], run["server"], run["protect"]
        self.users = [User(name) for name in run["users"]]
        self.cur = None
        self.cancelled = False
        n = len(self.users)
        self.p.log("run %d: %d user%s, accounts matched or created on %s, mailboxes to %s, clone mode%s" % (
            run["run"], n, "" if n == 1 else "s", self.dc, self.server,
            ", protect (mail to unfilled mailboxes bounces)" if self.protect else ""))
        try:
            if self.users:
                self.stage1()
                self.stage2()
        except Cancelled as c:
            self.cancelled = True
            wu = self.cur
            if wu is not None and wu.state == INPASS:
                wu.state = CANCELLED
                if c.request == "store.copy":   # the batch in flight wrote its rows
                    self.count(wu, c.reply)
        self.closing_log()

    # ---- stage 1 ----

    def stage1(self):
        for wu in self.users:
            self.cur = wu
            slot_end = self.p.now + self.account_time
            self.account(wu)
            if self.p.now < slot_end:
                self.p.call("sleep", duration_ms=slot_end - self.p.now)

    def account(self, wu):
        src = self.p.call("source.mailbox", user=wu.name)
        wu.smtp, wu.x500, wu.nitems = src["smtp"], src["x500"], src["items"]
        r = self.p.call("dir.search", dc=self.dc, by="x500", key=wu.x500)
        if not ok(r) and r["code"] == "unavailable":
            return self.unreachable(wu)
        if ok(r) and r["entries"]:
            return self.matched(wu, r["entries"], "X500 address")
        r = self.p.call("dir.search", dc=self.dc, by="smtp", key="SMTP:" + wu.smtp)
        if not ok(r) and r["code"] == "unavailable":
            return self.unreachable(wu)
        if ok(r) and r["entries"]:
            return self.matched(wu, r["entries"], "SMTP address")
        r = self.p.call("dir.add", dc=self.dc, user=wu.name)
        if not ok(r):
            why = "the DC is failed" if r["code"] == "unavailable" else "the name is taken"
            wu.state = NOACCOUNT
            self.p.log("%s: no match on %s, and CN=%s cannot be created in OU=Migrated there: %s" % (
                wu.name, self.dc, wu.name, why), wu.name)
            return
        wu.account, wu.mbx, wu.state = r["object"], r["mailbox"], READY
        self.on_created(wu)
        self.p.log("%s: no match on %s: created disabled account %s, mailbox GUID %s" % (
            wu.name, self.dc, r["dn"], wu.mbx), wu.name)
        self.associate(wu)

    def unreachable(self, wu):
        """The run's DC is failed: it answers no search, so no account is matched or made."""
        wu.state = NOACCOUNT
        self.p.log("%s: %s cannot answer a search (the DC is failed): no account matched or created" % (
            wu.name, self.dc), wu.name)

    def matched(self, wu, entries, by):
        e = entries[0]
        wu.account, wu.mbx = e["object"], e["mailbox"]
        proxies = list(e["proxies"][:30])
        filled = []
        if e["mailbox"] is None or e["home_server"] is None or e["legacy_dn"] is None:
            r = self.p.call("dir.mailbox_enable", dc=self.dc, object=wu.account, user=wu.name, server=self.server)
            if not ok(r):
                return self.cannot_update(wu)
            filled += [w for w, blank in (("mailbox-enabled it", e["mailbox"] is None),
                                          ("homeMDB", e["home_server"] is None),
                                          ("legacyExchangeDN", e["legacy_dn"] is None)) if blank]
            wu.mbx = r["mailbox"]
        if e["mail"] is None:
            if not ok(self.p.call("dir.modify", dc=self.dc, object=wu.account, attr="mail", values=[wu.smtp])):
                return self.cannot_update(wu)
            filled.append("mail")
        # proxyAddresses is multi-valued: add what is missing, keep the rest.
        lower = [p.lower() for p in proxies]
        smtp = ("smtp" if any(p.startswith("SMTP:") for p in proxies) else "SMTP") + ":" + wu.smtp
        added = False
        for want in (smtp, wu.x500):
            if want.lower() not in lower:
                proxies.append(want)
                lower.append(want.lower())
                added = True
        if added:
            r = self.p.call("dir.modify", dc=self.dc, object=wu.account, attr="proxyAddresses", values=proxies)
            if not ok(r):
                return self.cannot_update(wu)
            filled.append("proxyAddresses")
        wu.state = READY
        self.p.log("%s: matched %s on %s by %s%s%s; mailbox GUID %s" % (
            wu.name, e["dn"], self.dc, by, " (first of several, by GUID)" if len(entries) > 1 else "",
            "; filled: " + ", ".join(filled) if filled else "", wu.mbx), wu.name)
        self.associate(wu)

    def cannot_update(self, wu):
        wu.state = NOACCOUNT
        self.p.log("%s: cannot update the matched account on %s" % (wu.name, self.dc), wu.name)

    def associate(self, wu):
        self.p.call("store.associate", user=wu.name, object=wu.account, mailbox=wu.mbx, server=self.server)
        if self.protect and wu.mbx not in self.filled:
            self.p.call("store.protect", mailbox=wu.mbx, on=True)

    # ---- stage 2 ----

    def stage2(self):
        self.p.log("run %d stage 2: copying mailbox data to %s (logons checked on %s)" % (
            self.run["run"], self.server, self.server_dc[self.server]))
        for wu in self.users:
            self.cur = wu
            if wu.state != NOACCOUNT and self.logon(wu):
                self.copy(wu)
            self.p.call("mailbox.done", user=wu.name)
        self.p.log("run %d finished" % self.run["run"])

    def logon(self, wu):
        """Log on (retrying on 13003), then prepare the pass; True when there is one to copy."""
        first_fail, attempts = None, 0
        while True:
            r = self.p.call("store.logon", server=self.server, mailbox=wu.mbx, user=wu.name)
            if ok(r):
                break
            if r["code"] not in ("logon_failed", "unavailable"):   # unavailable: the store's DC is failed
                raise RuntimeError("unexpected reply %s to store.logon" % r["code"])
            if first_fail is None:
                first_fail = r["time"]
                self.p.log("%s: event 13003 (MSExchangeMig), failed to log on to the target mailbox %s on %s; "
                           "retrying" % (wu.name, wu.mbx, self.server), wu.name)
            n = attempts + 1
            if n * self.retry_interval > self.retry_window:
                wu.state = SKIPPED
                self.p.log("%s: still no logon after %d retries (event 13003): mailbox skipped as failed" % (
                    wu.name, attempts), wu.name)
                return False
            attempts = n
            self.p.call("sleep", duration_ms=max(0, first_fail + n * self.retry_interval - self.p.now))
        if attempts:
            self.p.log("%s: logon to mailbox %s on %s succeeded at retry %d" % (
                wu.name, wu.mbx, self.server, attempts), wu.name)
        wu.passed, wu.merge = True, r["exists"]
        wu.copied = wu.skipped = wu.replaced = wu.failed = 0
        if wu.merge:
            self.p.log("%s: clone mode not possible, mailbox initialized: switching to merge mode (mailbox %s on %s, "
                       "initialized by %s)" % (wu.name, wu.mbx, self.server, r["initialized_by"]), wu.name)
        mode = "merge" if wu.merge else "clone"
        r = self.p.call("store.prepare", server=self.server, mailbox=wu.mbx, user=wu.name, mode=mode)
        if not ok(r):
            wu.state = SKIPPED
            self.p.log("%s: the store on %s refused mailbox %s" % (wu.name, self.server, wu.mbx), wu.name)
            return False
        if not wu.merge:
            self.p.log("%s: logged on to mailbox %s on %s: not initialized, clone mode (folder IDs kept)" % (
                wu.name, wu.mbx, self.server), wu.name)
        wu.state = INPASS
        return True

    def count(self, wu, reply):
        for k in ("copied", "skipped", "replaced", "failed"):
            setattr(wu, k, getattr(wu, k) + reply.get(k, 0))

    def copy(self, wu):
        mode = "merge" if wu.merge else "clone"
        first = 0
        while first < wu.nitems:
            n = min(self.batch, wu.nitems - first)
            r = self.p.call("store.copy", server=self.server, mailbox=wu.mbx, user=wu.name, mode=mode,
                            first=first, count=n)
            first += n
            self.count(wu, r)
        wu.state = DONE
        self.p.log("%s: %s finished: %d copied, %d skipped, %d replaced, %d failed" % (
            wu.name, mode, wu.copied, wu.skipped, wu.replaced, wu.failed), wu.name)
        self.filled.add(wu.mbx)
        self.on_pass_done(wu)
        if self.protect:
            self.p.call("store.protect", mailbox=wu.mbx, on=False)

    # ---- the closing log ----

    def closing_log(self):
        run = self.run["run"]
        self.p.log("run %d log (%s):" % (run, "cancelled" if self.cancelled else "finished"))
        errors, warnings = False, self.cancelled
        tally = {}
        for wu in self.users:
            errors |= wu.state in (SKIPPED, NOACCOUNT) or wu.failed > 0
            warnings |= wu.merge
            tally[wu.state] = tally.get(wu.state, 0) + 1
            word = STATE_WORDS.get(wu.state, "not processed")
            if wu.passed:
                self.p.log("  %-8s %-5s copied=%d skipped=%d replaced=%d failed=%d  %s" % (
                    wu.name, "merge" if wu.merge else "clone", wu.copied, wu.skipped, wu.replaced, wu.failed,
                    word), wu.name)
            else:
                self.p.log("  %-8s -      %s" % (wu.name, word), wu.name)
        status = 2 if errors else 1 if warnings else 0
        idle = len(self.users) - sum(tally.get(s, 0) for s in (DONE, SKIPPED, NOACCOUNT, CANCELLED))
        self.p.log("run %d exit status %d (%s): %d completed, %d skipped, %d failed, %d cancelled, %d not processed" % (
            run, status, ("success", "warnings", "errors")[status], tally.get(DONE, 0), tally.get(SKIPPED, 0),
            tally.get(NOACCOUNT, 0), tally.get(CANCELLED, 0), idle))


if __name__ == "__main__":
    Migrator(Wizard()).serve()
