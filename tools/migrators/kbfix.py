#!/usr/bin/env python3
"""A process migrator that applies KB 842101's fix by itself.

    wizard server=EX1 dc=DC1 migrator=exec:tools/migrators/kbfix.py

It is the wizard (wizard.py) with a journal kept across the runs of one simulation: the
accounts it created, and the users whose mailbox a completed pass filled. On a rerun
it does what the KB tells an administrator to do, without one:

  1. delete, through the run's DC, every account it created for a user whose mailbox
     was not completed (a cancelled run's accounts, whose mailboxes may have been
     initialized by mail or a logon since);
  2. wait until Active Directory replication has carried the deletions everywhere,
     judged only from what `repadmin /showutdvec` shows (the dir.replstate request):
     every DC's up-to-dateness vector must reach the run DC's own USN after the
     deletes; it polls every POLL_MS of virtual time, for at most WAIT_LIMIT_MS;
  3. migrate those users again: the wizard finds no account, creates new ones with new
     mailbox GUIDs, and clones into the new, uninitialized mailboxes.

Users completed in an earlier run are left alone. Standard library only.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from migsimproc import Migrator, ok  # noqa: E402
from wizard import DONE, Wizard  # noqa: E402

POLL_MS = 15000
WAIT_LIMIT_MS = 3600 * 1000


class KbFix(Wizard):
    def __init__(self):
        super().__init__()
        self.created = {}       # user -> (objectGUID, DC) of the account this migrator created
        self.completed = set()  # users whose mailbox a completed pass filled

    def on_created(self, wu):
        self.created[wu.name] = (wu.account, self.dc)

    def on_pass_done(self, wu):
        self.completed.add(wu.name)

    def migrate(self, run):
        if run["rerun"]:
            todo = [u for u in run["users"] if u not in self.completed]
            stale = [u for u in todo if u in self.created]
            if stale:
                self.delete(stale, run["dc"])
            run = dict(run, users=todo)
        super().migrate(run)

    def delete(self, users, dc):
        self.p.log("rerun: deleting the %d account%s an unfinished run created, through %s" % (
            len(users), "" if len(users) == 1 else "s", dc))
        for u in users:
            obj, _ = self.created.pop(u)
            r = self.p.call("dir.delete", dc=dc, object=obj)
            if not ok(r):
                self.p.log("%s: the account %s was not deleted: %s" % (u, obj, r["code"]), u)
        self.wait_replicated(dc)

    def utd(self, state, origin):
        for e in state["utd"]:
            if e["dc"] == origin:
                return e["usn"]
        return 0

    def wait_replicated(self, origin):
        """Poll every DC's up-to-dateness vector until it holds origin's changes up to now."""
        target = self.utd(self.p.call("dir.replstate", dc=origin), origin)
        start = self.p.now
        for dc in self.p.init["dcs"]:
            while self.utd(self.p.call("dir.replstate", dc=dc), origin) < target:
                if self.p.now - start >= WAIT_LIMIT_MS:
                    self.p.log("%s has not replicated the deletions after %d s: migrating anyway" % (
                        dc, WAIT_LIMIT_MS // 1000))
                    return
                self.p.call("sleep", duration_ms=POLL_MS)
        self.p.log("every DC shows the deletions (%s USN %d) after %d s" % (
            origin, target, (self.p.now - start) // 1000))


if __name__ == "__main__":
    Migrator(KbFix()).serve()
