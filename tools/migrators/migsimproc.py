"""The process side of migsim's JSON Lines protocol (docs/migrators.md, "JSON protocol").

A process migrator reads migsim's messages on stdin and writes its own on stdout, one
JSON object per line, strictly in turn: migsim sends `init` (answered `init_ok`), then,
for each `migrate` step, `migrate`; the migrator answers with requests until it says
`done`. Every message carries `type` and `msg_id` (each side counts its own from 1),
and every message but `migrate` names the message it answers in `in_reply_to`, as in
Maelstrom. migsim's replies carry the virtual time (`time`, in milliseconds).

Migrator(handler).serve() runs that loop: handler(proc, migrate) is called for each
`migrate` message and makes its requests with proc.call(TYPE, **fields), which returns
the reply (a dict: `TYPE_ok`, or `error` with `code` and `text`). A reply `cancelled`
(the operator cancelled the run) raises Cancelled: finish, and return from the handler.

Standard library only. Nothing here reads the clock or draws random numbers: a
migrator stays deterministic as long as it does neither.
"""
import json
import sys


class Cancelled(Exception):
    """The run was cancelled: `reply` is the `error` reply, `request` the type it answered."""

    def __init__(self, reply, request):
        super().__init__("cancelled")
        self.reply = reply
        self.request = request


class Migrator:
    def __init__(self, handler, stdin=None, stdout=None):
        self.handler = handler
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.msg_id = 0
        self.last = None      # migsim's last message
        self.init = None      # the init message: dcs, servers, timings
        self.now = 0          # virtual time of migsim's last message, ms

    def _send(self, body):
        self.msg_id += 1
        body["msg_id"] = self.msg_id
        body["in_reply_to"] = self.last["msg_id"]
        self.stdout.write(json.dumps(body, separators=(",", ":")) + "\n")
        self.stdout.flush()

    def _receive(self):
        line = self.stdin.readline()
        if not line:
            return None
        msg = json.loads(line)
        self.last = msg
        self.now = msg["time"]
        return msg

    def call(self, type_, **fields):
        """Make one request; return migsim's reply. Raises Cancelled on a `cancelled` error."""
        body = {"type": type_}
        body.update(fields)
        self._send(body)
        reply = self._receive()
        if reply is None:
            sys.exit(0)
        if reply["type"] == "error" and reply["code"] == "cancelled":
            raise Cancelled(reply, type_)
        return reply

    def log(self, text, user=None):
        """A narrative line (takes no virtual time)."""
        if user is None:
            self.call("log", text=text)
        else:
            self.call("log", text=text, user=user)

    def serve(self):
        """Answer init, then each migrate step, until migsim closes stdin."""
        msg = self._receive()
        if msg is None:
            return
        self.init = msg
        self._send({"type": "init_ok"})
        while True:
            msg = self._receive()
            if msg is None:
                return
            self.handler(self, msg)
            self._send({"type": "done"})


def ok(reply):
    """Whether a reply is a success (`TYPE_ok`)."""
    return reply["type"] != "error"
