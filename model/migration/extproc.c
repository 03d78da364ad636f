/*
** A migrator that is a process speaking JSON Lines (extproc.h,
** docs/migrators.md "JSON protocol").
**
** The process is `/bin/sh -c COMMAND`, started when the engine opens the
** migrator, in a process group of its own, with its standard input and
** output on pipes and its standard error in an unlinked temporary file (read
** only to quote its tail in an error).  Every other descriptor is closed in
** the child.  One process serves the whole run.
**
** The conversation is strict ping-pong, one JSON object per line each way.
** Every message has a `type` and a `msg_id` (each side counts its own from
** 1, strictly increasing); every message but `migrate` answers the other
** side's last message and names it in `in_reply_to`.  migsim speaks first
** (`init`, answered `init_ok`); each `migrate` step sends `migrate`; the
** process answers with a request (`dir.search`, ...); migsim answers that
** with `TYPE_ok` or `error` carrying the virtual `time`, and so on until the
** process says `done`.  The requests are migrator.h's operations, with users,
** DCs and servers by name and GUIDs as strings.  `log` is answered here, at
** once (a migrator.log record, no engine request): a line of narrative takes
** no virtual time and schedules nothing, so logging never changes a run.
**
** Everything the process writes is untrusted: a line is at most
** EXTPROC_MAX_LINE bytes, must parse (jansson), and every field is checked
** for presence, JSON type and meaning (a DC, server or user that exists, a
** GUID that parses, a known attribute or mode); an unknown field is an error
** too, so a misspelt optional field never silently means its default.  Any
** breach, an early exit, output while it is not the process's turn, or no
** answer within the wall-clock limit (the watchdog: the only clock read
** here, and it never changes the output, it only stops a stuck process)
** ends the run: next() returns -1 with one line naming the command, the
** last request and the tail of the process's standard error.
**
** SIGPIPE never kills migsim: it is blocked from open() to close() (not
** around each write: a signal-mask call per message would double the cost
** of a round trip), and one left pending by a write into a closed pipe is
** consumed; the write's EPIPE says what happened (for migsim's own output
** too, which the command then reports as a failed write).  close() closes
** the process's input, gives it a moment to exit, then kills its process
** group.
**
** Every message, both ways, is a quiet migrator.message record (direction,
** type, msg_id, in_reply_to, body), the source of --db's migrator_messages.
*/
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "migration/extproc.h"

#define MAX_VALUES 32          /* dir.modify values */
#define MAX_LOGS 100000        /* log lines in a row: more is a process stuck in a loop */
#define TAIL_LINES 5           /* stderr lines quoted in an error */
#define TAIL_CHARS 160
#define CLOSE_GRACE_MS 2000    /* how long close() waits for the process to exit by itself */
#define MAX_SLEEP_MS ((int64_t)3650 * 24 * 3600 * 1000)

typedef struct extproc {
    const migEnv *env;
    const char *cmd;
    pid_t pid;                 /* 0 once reaped */
    int to_fd, from_fd;        /* the process's stdin (we write), its stdout (we read) */
    FILE *errf;                /* its stderr */
    int64_t timeout_ms;
    char *buf;                 /* bytes read from its stdout and not yet taken */
    char *out;                 /* migsim's message being sent, its newline included */
    size_t outcap;
    size_t len;
    int eof;
    int64_t sent_id;           /* msg_id of migsim's last message */
    int64_t got_id;            /* the process's last msg_id */
    char last[96];             /* the last request, for errors */
    int started, failed;
    migOp op;                  /* the last request's op */
    json_t *req;               /* the last request: its strings back the migRequest */
    const char *values[MAX_VALUES];
    int oom;                   /* building a message ran out of memory */
    sigset_t oldmask;          /* the signal mask before open blocked SIGPIPE */
} extproc;

/* ---- the process --------------------------------------------------- */

static int64_t monoMs(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleepMs(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* In the child: close every descriptor above 2 (listed first: closing while reading the list would skip some). */
static void closeOthers(void) {
    DIR *d = opendir("/proc/self/fd");
    if (!d) {
        for (int fd = 3; fd < 4096; fd++) close(fd);
        return;
    }
    int fds[4096], self = dirfd(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < sizeof fds / sizeof fds[0]) {
        int fd = atoi(e->d_name);
        if (fd > 2 && fd != self) fds[n++] = fd;
    }
    closedir(d);
    for (size_t i = 0; i < n; i++) close(fds[i]);
}

static void childExec(const char *cmd, int in, int out, int err) {
    if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(127);
    closeOthers();
    setpgid(0, 0);
    signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
    _exit(127);
}

static int spawn(extproc *p) {
    int in[2], out[2];
    if (pipe(in) != 0) return -1;
    if (pipe(out) != 0) {
        close(in[0]);
        close(in[1]);
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) childExec(p->cmd, in[0], out[1], fileno(p->errf));
    close(in[0]);
    close(out[1]);
    if (pid < 0) {
        close(in[1]);
        close(out[0]);
        return -1;
    }
    setpgid(pid, pid);   /* also in the parent, so a kill of the group never misses */
    p->pid = pid;
    p->to_fd = in[1];
    p->from_fd = out[0];
    fcntl(p->to_fd, F_SETFD, FD_CLOEXEC);
    fcntl(p->from_fd, F_SETFD, FD_CLOEXEC);
    fcntl(p->to_fd, F_SETFL, fcntl(p->to_fd, F_GETFL) | O_NONBLOCK);
    /* Non-blocking, so checkQuiet's test for output out of turn is one read (EAGAIN: quiet), not a poll and a read. */
    fcntl(p->from_fd, F_SETFL, fcntl(p->from_fd, F_GETFL) | O_NONBLOCK);
    return 0;
}

static void killGroup(extproc *p) {
    if (p->pid > 0) kill(-p->pid, SIGKILL);
}

/* Reap the process if it has exited, waiting up to ms; 1 when reaped (*status set). */
static int reap(extproc *p, int64_t ms, int *status) {
    int64_t until = monoMs() + ms;
    for (;;) {
        pid_t r = waitpid(p->pid, status, WNOHANG);
        if (r == p->pid || (r < 0 && errno != EINTR)) {
            p->pid = 0;
            return r > 0;
        }
        if (monoMs() >= until) return 0;
        sleepMs(1);
    }
}

/* Why the process stopped talking: its exit status, once it has exited. */
static void describeExit(extproc *p, char *what, size_t whatsz) {
    int status = 0;
    if (p->pid > 0 && !reap(p, p->timeout_ms, &status)) {
        snprintf(what, whatsz, "closed its standard output but did not exit");
        return;
    }
    if (WIFEXITED(status))
        snprintf(what, whatsz, "exited early with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(what, whatsz, "was killed early by signal %d", WTERMSIG(status));
    else
        snprintf(what, whatsz, "exited early");
}

/* The last TAIL_LINES lines of the process's stderr, on one line, into out. */
static void stderrTail(extproc *p, char *out, size_t outsz) {
    char raw[4096];
    out[0] = '\0';
    int fd = fileno(p->errf);
    off_t end = lseek(fd, 0, SEEK_END);
    if (end <= 0) return;
    off_t from = end > (off_t)sizeof raw - 1 ? end - (off_t)sizeof raw + 1 : 0;
    ssize_t n = pread(fd, raw, (size_t)(end - from), from);
    if (n <= 0) return;
    while (n > 0 && (raw[n - 1] == '\n' || raw[n - 1] == '\r')) n--;
    raw[n] = '\0';
    size_t start = (size_t)n;
    for (int lines = 0; start > 0; start--)
        if (raw[start - 1] == '\n' && ++lines == TAIL_LINES) break;
    char line[sizeof raw];
    size_t k = 0;
    for (size_t i = start; i < (size_t)n; i++) {
        if (raw[i] == '\n') {
            if (k) line[k++] = ' ', line[k++] = '|', line[k++] = ' ';
            while (i + 1 < (size_t)n && raw[i + 1] == '\n') i++;
            continue;
        }
        line[k++] = (unsigned char)raw[i] < 0x20 || raw[i] == 0x7f ? '?' : raw[i];
    }
    line[k] = '\0';
    const char *show = k > TAIL_CHARS ? line + k - TAIL_CHARS : line;
    snprintf(out, outsz, "\"%s%s\"", k > TAIL_CHARS ? "..." : "", show);
}

/* A protocol error: one line into why, naming the command, the last request and the stderr tail. */
static int fail(extproc *p, char *why, size_t whysz, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int fail(extproc *p, char *why, size_t whysz, const char *fmt, ...) {
    char what[200], tail[TAIL_CHARS + 16];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    p->failed = 1;
    killGroup(p);
    stderrTail(p, tail, sizeof tail);
    size_t n = strlen(p->cmd);
    snprintf(why, whysz, "process '%.60s%s' %s; last request: %s; stderr: %s", p->cmd, n > 60 ? "..." : "", what,
             p->last, tail[0] ? tail : "(empty)");
    return -1;
}

/* ---- lines --------------------------------------------------------- */

/* A write into a closed pipe left SIGPIPE pending (it is blocked): take it, so it is never delivered. */
static void consumeSigpipe(void) {
    sigset_t pipeset;
    struct timespec zero = {0, 0};
    sigemptyset(&pipeset);
    sigaddset(&pipeset, SIGPIPE);
    while (sigtimedwait(&pipeset, NULL, &zero) == SIGPIPE) {
    }
}

/* Whether the process wrote something while it was not its turn (or exited): -1 with why set. */
static int checkQuiet(extproc *p, char *why, size_t whysz) {
    if (p->len) return fail(p, why, whysz, "wrote to stdout out of turn");
    if (p->eof) return 0;
    ssize_t n = read(p->from_fd, p->buf, EXTPROC_MAX_LINE + 1);   /* non-blocking: EAGAIN is quiet */
    if (n > 0) {
        p->len = (size_t)n;
        return fail(p, why, whysz, "wrote to stdout out of turn");
    }
    if (n == 0) {
        char what[80];
        p->eof = 1;
        describeExit(p, what, sizeof what);
        return fail(p, why, whysz, "%s", what);
    }
    return 0;
}

/*
** Write the n bytes of s (a line, its newline included) within the
** watchdog's limit (SIGPIPE is blocked while the migrator is open).  One
** write() for the whole line when the pipe has room: the process then wakes
** once per message, not once for the text and again for its newline.
*/
static int writeLine(extproc *p, const char *s, size_t n, char *why, size_t whysz) {
    size_t done = 0;
    int64_t until = monoMs() + p->timeout_ms;
    int err = 0;
    while (done < n && !err) {
        ssize_t w = write(p->to_fd, s + done, n - done);
        if (w > 0) {
            done += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && errno == EAGAIN) {
            struct pollfd pf = {p->to_fd, POLLOUT, 0};
            int64_t left = until - monoMs();
            if (left <= 0 || poll(&pf, 1, (int)left) == 0) err = ETIMEDOUT;
            continue;
        }
        err = w < 0 ? errno : EIO;
    }
    if (!err) return 0;
    if (err == EPIPE) consumeSigpipe();
    if (err == ETIMEDOUT)
        return fail(p, why, whysz, "read nothing of migsim's message within %lld ms (--migrator-timeout)",
                    (long long)p->timeout_ms);
    char what[80];
    describeExit(p, what, sizeof what);
    return fail(p, why, whysz, "%s", what);
}

/* Read the process's next line into *line (NUL-terminated, in p->buf); -1 with why set. */
static int readLine(extproc *p, char **line, char *why, size_t whysz) {
    int64_t until = monoMs() + p->timeout_ms;
    for (;;) {
        char *nl = memchr(p->buf, '\n', p->len);
        if (nl) {
            *nl = '\0';
            if ((size_t)(nl - p->buf) + 1 < p->len) return fail(p, why, whysz, "wrote to stdout out of turn");
            p->len = 0;
            *line = p->buf;
            return 0;
        }
        if (p->len > EXTPROC_MAX_LINE)
            return fail(p, why, whysz, "wrote a line longer than %d bytes", EXTPROC_MAX_LINE);
        if (p->eof) {
            char what[80];
            describeExit(p, what, sizeof what);
            return fail(p, why, whysz, "%s", what);
        }
        /* Wait within the watchdog's limit (the answer is rarely there already: poll first), then read. */
        struct pollfd pf = {p->from_fd, POLLIN, 0};
        int64_t left = until - monoMs();
        int r = left > 0 ? poll(&pf, 1, (int)left) : 0;
        if (r == 0)
            return fail(p, why, whysz, "gave no answer within %lld ms (--migrator-timeout)", (long long)p->timeout_ms);
        if (r < 0) {
            if (errno != EINTR) p->eof = 1;   /* the pipe cannot be waited on: as good as closed */
            continue;
        }
        ssize_t n = read(p->from_fd, p->buf + p->len, EXTPROC_MAX_LINE + 1 - p->len);
        if (n > 0) p->len += (size_t)n;
        else if (n == 0 || (errno != EINTR && errno != EAGAIN)) p->eof = 1;
    }
}

/* ---- records ------------------------------------------------------- */

static void record(extproc *p, const char *dir, const char *type, int64_t id, int64_t reply_to, const char *body,
                   const char *user) {
    if (!p->env->emit) return;
    char text[160];
    traceRecord r = traceNew(TR_MIG_MESSAGE, "migrator");
    r.user = user;
    traceStr(&r, "direction", dir);
    traceStr(&r, "type", type);
    if (id > 0) traceInt(&r, "msg_id", id);
    if (reply_to > 0) traceInt(&r, "in_reply_to", reply_to);
    traceStr(&r, "body", body);
    snprintf(text, sizeof text, "%s %.60s msg_id %lld", dir, type, (long long)id);
    p->env->emit(p->env->engine, &r, text);
}

/* ---- migsim's messages --------------------------------------------- */

static void put(extproc *p, json_t *o, const char *key, json_t *v) {
    if (!v || json_object_set_new(o, key, v) != 0) p->oom = 1;
}

static void append(extproc *p, json_t *a, json_t *v) {
    if (!v || json_array_append_new(a, v) != 0) p->oom = 1;
}

static json_t *guidJson(const guid *g) {
    char s[GUID_STRLEN];
    return json_string(guidFormat(g, s));
}

static json_t *strOrNull(const char *s) {
    return s ? json_string(s) : json_null();
}

static json_t *header(extproc *p, const char *type, simtime now, int reply) {
    json_t *o = json_object();
    if (!o) {
        p->oom = 1;
        return NULL;
    }
    put(p, o, "type", json_string(type));
    put(p, o, "msg_id", json_integer(++p->sent_id));
    if (reply) put(p, o, "in_reply_to", json_integer(p->got_id));
    put(p, o, "time", json_integer(now));
    return o;
}

static json_t *names(extproc *p, const char *const *v, size_t n) {
    json_t *a = json_array();
    if (!a) p->oom = 1;
    for (size_t i = 0; a && i < n; i++) append(p, a, json_string(v[i]));
    return a;
}

static json_t *folders(extproc *p, const migFolder *f, size_t n) {
    json_t *a = json_array();
    if (!a) p->oom = 1;
    for (size_t i = 0; a && i < n; i++) {
        json_t *o = json_object();
        if (!o) {
            p->oom = 1;
            break;
        }
        put(p, o, "id", json_integer(f[i].id));
        put(p, o, "path", json_string(f[i].path ? f[i].path : ""));
        put(p, o, "items", json_integer(f[i].items));
        put(p, o, "from_source", json_boolean(f[i].from_source));
        append(p, a, o);
    }
    return a;
}

static json_t *entries(extproc *p, const migReply *a) {
    json_t *v = json_array();
    if (!v) p->oom = 1;
    for (size_t i = 0; v && i < a->nentries; i++) {
        const migEntry *e = &a->entries[i];
        json_t *o = json_object();
        if (!o) {
            p->oom = 1;
            break;
        }
        put(p, o, "dn", json_string(e->dn ? e->dn : ""));
        put(p, o, "object", guidJson(&e->object));
        put(p, o, "mailbox", e->has_mailbox ? guidJson(&e->mailbox) : json_null());
        put(p, o, "home_server", strOrNull(e->home_server));
        put(p, o, "mail", strOrNull(e->mail));
        put(p, o, "legacy_dn", strOrNull(e->legacy_dn));
        put(p, o, "disabled", json_boolean(e->disabled));
        put(p, o, "proxies", names(p, e->proxies, e->nproxies));
        append(p, v, o);
    }
    return v;
}

static json_t *replState(extproc *p, const migReply *a, int utd) {
    json_t *v = json_array();
    if (!v) p->oom = 1;
    size_t n = utd ? a->nutd : a->npartners;
    for (size_t i = 0; v && i < n; i++) {
        json_t *o = json_object();
        if (!o) {
            p->oom = 1;
            break;
        }
        put(p, o, "dc", json_string(utd ? a->utd[i].dc : a->partners[i].dc));
        if (utd) put(p, o, "usn", json_integer((json_int_t)a->utd[i].usn));
        else put(p, o, "last_success", json_integer(a->partners[i].last_success));
        append(p, v, o);
    }
    return v;
}

static void copyCounts(extproc *p, json_t *o, const migReply *a) {
    put(p, o, "copied", json_integer(a->copied));
    put(p, o, "skipped", json_integer(a->skipped));
    put(p, o, "replaced", json_integer(a->replaced));
    put(p, o, "failed", json_integer(a->failed));
}

/* What the reply to the last request says, by its op. */
static void replyFields(extproc *p, json_t *o, const migReply *a) {
    switch (p->op) {
    case MIG_OP_DIR_SEARCH: put(p, o, "entries", entries(p, a)); break;
    case MIG_OP_DIR_ADD:
        put(p, o, "object", guidJson(&a->object));
        put(p, o, "mailbox", guidJson(&a->mailbox));
        put(p, o, "dn", json_string(a->dn ? a->dn : ""));
        break;
    case MIG_OP_DIR_MAILBOX_ENABLE: put(p, o, "mailbox", guidJson(&a->mailbox)); break;
    case MIG_OP_DIR_REPLSTATE:
        put(p, o, "partners", replState(p, a, 0));
        put(p, o, "utd", replState(p, a, 1));
        break;
    case MIG_OP_STORE_LOGON:
        put(p, o, "exists", json_boolean(a->exists));
        put(p, o, "initialized_by", strOrNull(a->exists && a->initialized_by ? migInitName(a->initialized_by) : NULL));
        put(p, o, "initialized_at", a->exists ? json_integer(a->initialized_at) : json_null());
        /* fall through */
    case MIG_OP_STORE_LIST:
        put(p, o, "folders", folders(p, a->folders, a->nfolders));
        put(p, o, "items", json_integer(a->items));
        break;
    case MIG_OP_STORE_PREPARE:
        put(p, o, "folders_created", json_integer(a->folders_created));
        put(p, o, "rules", json_integer(a->rules));
        break;
    case MIG_OP_STORE_COPY: copyCounts(p, o, a); break;
    case MIG_OP_STORE_MOVE_FOREIGN: put(p, o, "moved", json_integer(a->moved)); break;
    case MIG_OP_SOURCE_USERS: put(p, o, "users", names(p, a->user_names, a->nusers)); break;
    case MIG_OP_SOURCE_MAILBOX:
        put(p, o, "user", json_string(a->user_name ? a->user_name : ""));
        put(p, o, "smtp", json_string(a->smtp ? a->smtp : ""));
        put(p, o, "x500", json_string(a->x500 ? a->x500 : ""));
        put(p, o, "items", json_integer(a->items));
        put(p, o, "rules", json_integer(a->rules));
        put(p, o, "folders", folders(p, a->folders, a->nfolders));
        break;
    default: break;
    }
}

static json_t *initMessage(extproc *p) {
    const migEnv *env = p->env;
    json_t *o = header(p, "init", 0, 0);
    json_t *sv = json_array();
    if (!o || !sv) {
        json_decref(sv);
        p->oom = 1;
        return o;
    }
    for (int i = 0; i < env->nservers; i++) {
        json_t *s = json_object();
        if (!s) {
            p->oom = 1;
            break;
        }
        put(p, s, "name", json_string(env->server_names[i]));
        put(p, s, "dc", json_string(env->dc_names[env->server_dcs[i]]));
        append(p, sv, s);
    }
    put(p, o, "dcs", names(p, env->dc_names, (size_t)env->ndcs));
    put(p, o, "servers", sv);
    put(p, o, "source_users", json_integer(env->nusers));
    put(p, o, "account_time_ms", json_integer(env->account_time));
    put(p, o, "logon_time_ms", json_integer(env->logon_time));
    put(p, o, "retry_interval_ms", json_integer(env->retry_interval));
    put(p, o, "retry_window_ms", json_integer(env->retry_window));
    put(p, o, "batch", json_integer(env->batch));
    return o;
}

static json_t *migrateMessage(extproc *p, const migReply *a) {
    const migStart *s = &a->start;
    json_t *o = header(p, "migrate", a->now, 0);
    json_t *users = json_array();
    if (!o || !users) {
        json_decref(users);
        p->oom = 1;
        return o;
    }
    for (size_t i = 0; i < s->nusers; i++) append(p, users, json_string(p->env->user_names[s->users[i] - 1]));
    put(p, o, "run", json_integer(s->run));
    put(p, o, "users", users);
    put(p, o, "dc", json_string(p->env->dc_names[s->dc]));
    put(p, o, "server", json_string(p->env->server_names[s->server]));
    put(p, o, "rate", json_integer(s->rate));
    put(p, o, "protect", json_boolean(s->protect));
    put(p, o, "rerun", json_boolean(s->rerun));
    return o;
}

static json_t *replyMessage(extproc *p, const migReply *a) {
    if (a->status == MIG_OK) {
        char type[48];
        snprintf(type, sizeof type, "%s_ok", migOpName(p->op));
        json_t *o = header(p, type, a->now, 1);
        if (o) replyFields(p, o, a);
        return o;
    }
    json_t *o = header(p, "error", a->now, 1);
    if (!o) return NULL;
    put(p, o, "code", json_string(migStatusName(a->status)));
    put(p, o, "text", json_string(a->message ? a->message : migStatusName(a->status)));
    /* A copy cancelled in flight wrote its rows: say how many. */
    if (p->op == MIG_OP_STORE_COPY) copyCounts(p, o, a);
    return o;
}

/* Send o (consumed) as one line and record it. */
/* Encode o into p->out (grown as needed, kept across messages), NUL-terminated; its length, or 0 out of memory. */
static size_t encode(extproc *p, json_t *o) {
    size_t n = o && !p->oom ? json_dumpb(o, p->out, p->outcap, JSON_COMPACT) : 0;
    if (n == 0) return 0;
    if (n + 2 > p->outcap) {
        size_t cap = n + 2 > 2 * p->outcap ? n + 2 : 2 * p->outcap;
        char *b = realloc(p->out, cap);
        if (!b) return 0;
        p->out = b;
        p->outcap = cap;
        if (json_dumpb(o, p->out, p->outcap, JSON_COMPACT) != n) return 0;
    }
    p->out[n] = '\0';
    return n;
}

static int sendMessage(extproc *p, json_t *o, char *why, size_t whysz) {
    size_t n = encode(p, o);
    if (!n) {
        json_decref(o);
        return fail(p, why, whysz, "could not be sent a message: out of memory");
    }
    json_t *t = json_object_get(o, "type"), *r = json_object_get(o, "in_reply_to");
    record(p, "sent", json_string_value(t), p->sent_id, r ? json_integer_value(r) : 0, p->out, NULL);
    p->out[n] = '\n';
    int rc = checkQuiet(p, why, whysz);
    if (rc == 0) rc = writeLine(p, p->out, n + 1, why, whysz);
    json_decref(o);
    return rc;
}

/* ---- the process's messages ---------------------------------------- */

typedef enum fieldKind {
    F_DC, F_SERVER, F_USER, F_OBJECT, F_MAILBOX, F_FROM_MAILBOX, F_BY, F_KEY, F_ATTR, F_VALUES, F_MODE, F_FIRST, F_COUNT, F_ON,
    F_DURATION, F_TEXT
} fieldKind;

typedef struct fieldDef {
    const char *key;
    fieldKind kind;
    int required;
} fieldDef;

#define MAX_FIELDS 6

typedef struct opDef {
    migOp op;
    fieldDef f[MAX_FIELDS];
} opDef;

/* Every request the process may make, with its fields (docs/migrators.md). */
static const opDef ops[] = {
    {MIG_DONE, {{0}}},
    {MIG_OP_DIR_SEARCH, {{"dc", F_DC, 0}, {"by", F_BY, 1}, {"key", F_KEY, 1}}},
    {MIG_OP_DIR_ADD, {{"dc", F_DC, 0}, {"user", F_USER, 1}}},
    {MIG_OP_DIR_MODIFY, {{"dc", F_DC, 0}, {"object", F_OBJECT, 1}, {"attr", F_ATTR, 1}, {"values", F_VALUES, 1}}},
    {MIG_OP_DIR_DELETE, {{"dc", F_DC, 0}, {"object", F_OBJECT, 1}}},
    {MIG_OP_DIR_MAILBOX_ENABLE,
     {{"dc", F_DC, 0}, {"object", F_OBJECT, 1}, {"user", F_USER, 1}, {"server", F_SERVER, 0}}},
    {MIG_OP_DIR_REPLSTATE, {{"dc", F_DC, 0}}},
    {MIG_OP_STORE_LOGON, {{"server", F_SERVER, 0}, {"mailbox", F_MAILBOX, 1}, {"user", F_USER, 0}}},
    {MIG_OP_STORE_PREPARE,
     {{"server", F_SERVER, 0}, {"mailbox", F_MAILBOX, 1}, {"user", F_USER, 1}, {"mode", F_MODE, 1}}},
    {MIG_OP_STORE_COPY,
     {{"server", F_SERVER, 0}, {"mailbox", F_MAILBOX, 1}, {"user", F_USER, 1}, {"mode", F_MODE, 1},
      {"first", F_FIRST, 1}, {"count", F_COUNT, 1}}},
    {MIG_OP_STORE_LIST, {{"server", F_SERVER, 0}, {"mailbox", F_MAILBOX, 1}, {"user", F_USER, 0}}},
    {MIG_OP_STORE_PROTECT, {{"mailbox", F_MAILBOX, 1}, {"on", F_ON, 1}}},
    {MIG_OP_STORE_ASSOCIATE,
     {{"user", F_USER, 1}, {"object", F_OBJECT, 1}, {"mailbox", F_MAILBOX, 1}, {"server", F_SERVER, 0}}},
    {MIG_OP_SOURCE_USERS, {{0}}},
    {MIG_OP_SOURCE_MAILBOX, {{"user", F_USER, 1}}},
    {MIG_OP_SLEEP, {{"duration_ms", F_DURATION, 1}}},
    {MIG_OP_MAILBOX_DONE, {{"user", F_USER, 1}}},
    {MIG_OP_LOG, {{"text", F_TEXT, 1}, {"user", F_USER, 0}}},
    {MIG_OP_STORE_MOVE_FOREIGN, {{"server", F_SERVER, 0}, {"from_mailbox", F_FROM_MAILBOX, 1}, {"mailbox", F_MAILBOX, 1}}},
};

/* Every op of migrator.h is a request a process may make: a new op needs its row here. */
_Static_assert(sizeof ops / sizeof ops[0] == MIG_OP__COUNT, "extproc.c's ops table misses an op of migrator.h");

static const opDef *opByType(const char *type) {
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(type, migOpName(ops[i].op)) == 0) return &ops[i];
    return NULL;
}

static int nameIndex(const char *const *v, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (strcmp(v[i], name) == 0) return i;
    return -1;
}

static const char *const byNames[] = {"x500", "smtp", "mailbox", "dn", "guid"};

/* One field of a request into q; NULL, or what is wrong with it. */
static const char *field(extproc *p, const fieldDef *d, json_t *v, migRequest *q) {
    const migEnv *env = p->env;
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    switch (d->kind) {
    case F_DC:
        if (!s) return "expected a DC's name";
        if ((q->dc = nameIndex(env->dc_names, env->ndcs, s)) < 0) return "no DC of that name";
        return NULL;
    case F_SERVER:
        if (!s) return "expected a server's name";
        if ((q->server = nameIndex(env->server_names, env->nservers, s)) < 0) return "no server of that name";
        return NULL;
    case F_USER: {
        if (!s) return "expected a source user's name";
        int u = nameIndex(env->user_names, (int)env->nusers, s);
        if (u < 0) return "no source user of that name";
        q->user = (uint32_t)u + 1;
        return NULL;
    }
    case F_OBJECT: return s && guidParse(s, &q->object) == 0 ? NULL : "expected a GUID string";
    case F_MAILBOX: return s && guidParse(s, &q->mailbox) == 0 ? NULL : "expected a GUID string";
    case F_FROM_MAILBOX: return s && guidParse(s, &q->from_mailbox) == 0 ? NULL : "expected a GUID string";
    case F_BY:
        for (int i = 0; s && i < 5; i++)
            if (strcmp(s, byNames[i]) == 0) {
                q->by = (migSearchKey)i;
                return NULL;
            }
        return "expected x500, smtp, mailbox, dn or guid";
    case F_KEY:
    case F_ATTR:
    case F_TEXT:
        if (!s) return "expected a string";
        if (d->kind == F_TEXT) q->text = s;
        else if (d->kind == F_ATTR) q->attr = s;
        else q->key = s;
        return NULL;
    case F_VALUES:
        if (!json_is_array(v) || json_array_size(v) > MAX_VALUES) return "expected an array of at most 32 strings";
        for (size_t i = 0; i < json_array_size(v); i++) {
            p->values[i] = json_string_value(json_array_get(v, i));
            if (!p->values[i]) return "expected an array of at most 32 strings";
        }
        q->values = p->values;
        q->nvalues = json_array_size(v);
        return NULL;
    case F_MODE:
        if (s && strcmp(s, "clone") == 0) q->mode = MIG_CLONE;
        else if (s && strcmp(s, "merge") == 0) q->mode = MIG_MERGE;
        else return "expected clone or merge";
        return NULL;
    case F_FIRST:
    case F_COUNT:
        if (!json_is_integer(v) || json_integer_value(v) < 0) return "expected an integer, 0 or more";
        *(d->kind == F_FIRST ? &q->first : &q->count) = json_integer_value(v);
        return NULL;
    case F_ON:
        if (!json_is_boolean(v)) return "expected true or false";
        q->on = json_is_true(v);
        return NULL;
    case F_DURATION:
        if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > MAX_SLEEP_MS)
            return "expected milliseconds, 0 to ten years";
        q->duration = json_integer_value(v);
        return NULL;
    }
    return "unknown field";
}

static int knownKey(const opDef *d, const char *key) {
    if (strcmp(key, "type") == 0 || strcmp(key, "msg_id") == 0 || strcmp(key, "in_reply_to") == 0) return 1;
    for (int i = 0; i < MAX_FIELDS && d->f[i].key; i++)
        if (strcmp(key, d->f[i].key) == 0) return 1;
    return 0;
}

/* The request's fields into q; -1 with why set. */
static int fields(extproc *p, const opDef *d, json_t *o, migRequest *q, char *why, size_t whysz) {
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) {
        if (!knownKey(d, key)) return fail(p, why, whysz, "sent %s with an unknown field \"%.40s\"", p->last, key);
    }
    for (int i = 0; i < MAX_FIELDS && d->f[i].key; i++) {
        v = json_object_get(o, d->f[i].key);
        if (!v && d->f[i].required)
            return fail(p, why, whysz, "sent %s without its field \"%s\"", p->last, d->f[i].key);
        const char *bad = v ? field(p, &d->f[i], v, q) : NULL;
        if (bad) return fail(p, why, whysz, "sent %s with a bad field \"%s\": %s", p->last, d->f[i].key, bad);
    }
    /* A search by GUID names its object or mailbox in key. */
    if (d->op == MIG_OP_DIR_SEARCH && (q->by == MIG_BY_GUID || q->by == MIG_BY_MAILBOX) &&
        guidParse(q->key, q->by == MIG_BY_GUID ? &q->object : &q->mailbox) != 0)
        return fail(p, why, whysz, "sent %s with a bad field \"key\": expected a GUID string", p->last);
    return 0;
}

/* Parse and check a line's envelope: an object with type, msg_id and in_reply_to; -1 with why set. */
static int envelope(extproc *p, const char *line, json_t **out, const char **type, char *why, size_t whysz) {
    json_error_t je;
    json_t *o = json_loads(line, JSON_REJECT_DUPLICATES, &je);
    if (!o) return fail(p, why, whysz, "wrote malformed JSON (%.80s, column %d)", je.text, je.column);
    *out = o;
    if (!json_is_object(o)) return fail(p, why, whysz, "wrote malformed JSON (not an object)");
    json_t *t = json_object_get(o, "type"), *id = json_object_get(o, "msg_id"), *re = json_object_get(o, "in_reply_to");
    if (!json_is_string(t)) return fail(p, why, whysz, "wrote a message without a string \"type\"");
    *type = json_string_value(t);
    if (!json_is_integer(id) || json_integer_value(id) <= p->got_id)
        return fail(p, why, whysz, "wrote %.40s with a wrong msg_id (%s; expected an integer above %lld)", *type,
                    id ? "not above the last" : "missing", (long long)p->got_id);
    if (!json_is_integer(re) || json_integer_value(re) != p->sent_id)
        return fail(p, why, whysz, "wrote %.40s with a wrong in_reply_to (%s; expected %lld)", *type,
                    re ? "another message's" : "missing", (long long)p->sent_id);
    p->got_id = json_integer_value(id);
    record(p, "received", *type, p->got_id, p->sent_id, line, NULL);
    return 0;
}

/* Read one message of the process; *o is its parsed form (to free); -1 with why set. */
static int receive(extproc *p, json_t **o, const char **type, char *why, size_t whysz) {
    char *line;
    *o = NULL;
    if (readLine(p, &line, why, whysz) != 0) return -1;
    return envelope(p, line, o, type, why, whysz);
}

/* The init handshake: init, answered init_ok. */
static int handshake(extproc *p, char *why, size_t whysz) {
    json_t *o;
    const char *type;
    if (sendMessage(p, initMessage(p), why, whysz) != 0) return -1;
    int rc = receive(p, &o, &type, why, whysz);
    if (rc == 0 && strcmp(type, "init_ok") != 0)
        rc = fail(p, why, whysz, "answered init with \"%.40s\", not init_ok", type);
    json_decref(o);
    p->started = rc == 0;
    return rc;
}

/* A log request, answered here: a migrator.log record and log_ok. */
static int answerLog(extproc *p, const migRequest *q, simtime now, char *why, size_t whysz) {
    if (p->env->emit) {
        traceRecord r = traceNew(TR_MIG_LOG, "migrator");
        if (q->user) r.user = p->env->user_names[q->user - 1];
        p->env->emit(p->env->engine, &r, q->text);
    }
    return sendMessage(p, header(p, "log_ok", now, 1), why, whysz);
}

/* Read requests until one for the engine; log requests are answered on the way. */
static int nextRequest(extproc *p, simtime now, migRequest *q, char *why, size_t whysz) {
    for (int logs = 0; logs <= MAX_LOGS; logs++) {
        json_decref(p->req);
        p->req = NULL;
        const char *type;
        if (receive(p, &p->req, &type, why, whysz) != 0) return -1;
        if (strcmp(type, "error") == 0) {
            const char *text = json_string_value(json_object_get(p->req, "text"));
            return fail(p, why, whysz, "reported an error: %.80s", text ? text : "(no text)");
        }
        const opDef *d = opByType(type);
        if (!d) return fail(p, why, whysz, "wrote an unknown message type \"%.40s\"", type);
        snprintf(p->last, sizeof p->last, "%s msg_id %lld", type, (long long)p->got_id);
        memset(q, 0, sizeof *q);
        q->dc = q->server = -1;
        q->op = d->op;
        if (fields(p, d, p->req, q, why, whysz) != 0) return -1;
        if (q->op != MIG_OP_LOG) {
            p->op = q->op;
            return 0;
        }
        if (answerLog(p, q, now, why, whysz) != 0) return -1;
    }
    return fail(p, why, whysz, "logged %d lines in a row without a request", MAX_LOGS);
}

/* ---- the migrator -------------------------------------------------- */

static void *procOpen(const migEnv *env) {
    extproc *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->env = env;
    p->cmd = env->options ? env->options : "";
    p->timeout_ms = env->reply_timeout_ms > 0 ? env->reply_timeout_ms : EXTPROC_DEFAULT_TIMEOUT_MS;
    p->to_fd = p->from_fd = -1;
    snprintf(p->last, sizeof p->last, "none yet");
    p->buf = malloc(EXTPROC_MAX_LINE + 2);
    p->errf = tmpfile();
    if (!p->buf || !p->errf || !p->cmd[0] || !env->user_names || spawn(p) != 0) {
        if (p->errf) fclose(p->errf);
        free(p->buf);
        free(p);
        return NULL;
    }
    fcntl(fileno(p->errf), F_SETFL, fcntl(fileno(p->errf), F_GETFL) | O_APPEND);
    sigset_t pipeset;
    sigemptyset(&pipeset);
    sigaddset(&pipeset, SIGPIPE);
    sigprocmask(SIG_BLOCK, &pipeset, &p->oldmask);
    return p;
}

int extprocStart(void *self, char *why, size_t whysz) {
    extproc *p = self;
    if (p->failed) return fail(p, why, whysz, "failed earlier");
    return p->started ? 0 : handshake(p, why, whysz);
}

static int procNext(void *self, const migReply *a, migRequest *q, char *why, size_t whysz) {
    extproc *p = self;
    if (p->failed) return fail(p, why, whysz, "failed earlier");
    if (!p->started && handshake(p, why, whysz) != 0) return -1;
    json_t *msg = a->status == MIG_START ? migrateMessage(p, a) : replyMessage(p, a);
    if (a->status == MIG_START) snprintf(p->last, sizeof p->last, "none yet in run %d", a->start.run);
    if (sendMessage(p, msg, why, whysz) != 0) return -1;
    return nextRequest(p, a->now, q, why, whysz);
}

/* Close the process's input, let it exit (it may write its journal), then stop its group. */
static void procClose(void *self) {
    extproc *p = self;
    if (!p) return;
    if (p->to_fd >= 0) close(p->to_fd);
    int status;
    if (p->pid > 0 && !p->failed) {
        int64_t until = monoMs() + CLOSE_GRACE_MS;
        struct pollfd pf = {p->from_fd, POLLIN, 0};
        char sink[4096];
        while (!p->eof && monoMs() < until && poll(&pf, 1, (int)(until - monoMs())) > 0)
            p->eof = read(p->from_fd, sink, sizeof sink) <= 0;
        reap(p, until - monoMs() > 0 ? until - monoMs() : 0, &status);
    }
    if (p->pid > 0) {
        killGroup(p);
        while (waitpid(p->pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    if (p->from_fd >= 0) close(p->from_fd);
    consumeSigpipe();
    sigprocmask(SIG_SETMASK, &p->oldmask, NULL);
    fclose(p->errf);
    json_decref(p->req);
    free(p->buf);
    free(p->out);
    free(p);
}

static const migrator extprocDef = {MIGRATOR_ABI, "exec", "migrator", procOpen, procNext, procClose};

const migrator *extprocMigrator(void) {
    return &extprocDef;
}
