/*
** The migration engine (engine.h, migrator.h): a migrator's requests carried
** out in virtual time.
**
** A run is a chain: the engine hands the migrator a reply, the migrator
** returns a request, the engine performs it and schedules its reply one
** request's duration later, and so on until MIG_DONE.  When a request acts
** on the world matters as much as how long it takes:
**
**   - reads (search, replication state, lists, the source) answer at once,
**     from the world as it is at that instant;
**   - an account write (add) is made, and answered, at once, and occupies
**     the migrator's directory session for wizard.account_time: its next
**     request waits until then; attribute writes and deletes take no time;
**   - a logon takes wizard.logon_time and is judged at its end (the store
**     looks the mailbox's account up on its DC then);
**   - a copy writes its items at the start and takes one 1/rate per item
**     copied or replaced, rounded up to the millisecond; moving delivered
**     items between mailboxes likewise, 1/rate per item moved;
**   - notes (mailbox done, log) act on nothing and take no time.
**
** Cancelling.  `cancel` answers the request in flight with
** MIG_ERR_CANCELLED at once (its completion event, from an older
** generation, then does nothing; a copy's rows were already written).  An
** armed `cancel when` is checked when the migrator asks for a logon
** (mailboxes=N: N mailboxes reported done) or a copy (items=N: N items
** copied or replaced in the run), and answers that request with
** MIG_ERR_CANCELLED instead of performing it.  Every later request of the run
** is answered the same way until the migrator says MIG_DONE.
**
** A migrator that loops without letting time pass would hang the run: more
** than ENGINE_MAX_INSTANT requests, plus ENGINE_PER_USER for each source user
** (a correct migrator may make a few zero-time requests per user at one
** instant, a rerun's checks say), at one instant stop it with an error.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "kernel/array.h"
#include "kernel/invariant.h"
#include "kernel/kernel.h"
#include "migration/engine.h"
#include "migration/extproc.h"
#include "migration/strategy.h"
#include "migration/wizard.h"

#define ENGINE_MAX_INSTANT 100000
#define ENGINE_PER_USER 16
/* The longest a request may take: ten years, the horizon of every wait. */
#define ENGINE_MAX_DURATION ((simtime)3650 * MS_PER_DAY)
#define MAX_FOUND 16
/* A migrator's text or string field, escaped, is cut at this many bytes. */
#define ENGINE_ESCAPED 2048

/* Per user: the accounts the migrator declared, the latest association. */
typedef struct engUser {
    int has_assoc;
    guid account, mailbox;
    int server;
    guid *accounts;          /* each account declared, once, in declaration order (up to MIG_MAX_ACCOUNTS) */
    size_t naccounts, capaccounts;
} engUser;

/* Scratch memory for one reply: freed when the next reply is built. */
typedef struct scratchBlock {
    struct scratchBlock *next;
    char data[];
} scratchBlock;

struct engine {
    exchange *x;
    kernel *k;
    engineConfig cfg;
    const migrator *m;
    void *self;
    migEnv env;
    const char **dc_names, **server_names, **user_names;
    int *server_dcs;

    engUser *users;          /* nusers, index user - 1 */
    guid *protected_mbx;     /* mailboxes carrying the protect mark */
    size_t nprotected, capprotected;

    /* The current (or last) run. */
    int runs, run, active, run_dc;
    uint32_t *run_users;
    size_t nrun_users;
    uint64_t gen;            /* bumped when a reply is delivered early (cancel) or the run ends */
    int cancelled;           /* the run was cancelled: every request is answered so */
    int armed;
    cancelWhen arm;
    int64_t arm_n;
    int arm_cancels;         /* the armed condition is a cancel's (1) or a wait's (0) */
    int settled;
    int64_t mailboxes_done, items, logons;
    simtime busy_until;      /* the next request waits until an account write is done */
    simtime instant;         /* requests counted at this instant */
    int64_t at_instant;
    int in_flight;           /* a request is being performed (its reply is scheduled) */

    migRequest req;          /* the request in flight */
    migReply reply;          /* the reply being built */
    scratchBlock *scratch;
};

/* ---- scratch ------------------------------------------------------- */

static void *scratchAlloc(engine *e, size_t n) {
    scratchBlock *b = malloc(sizeof *b + (n ? n : 1));
    if (!b) return NULL;
    b->next = e->scratch;
    e->scratch = b;
    memset(b->data, 0, n ? n : 1);
    return b->data;
}

static const char *scratchStr(engine *e, const char *s) {
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = scratchAlloc(e, n);
    if (d) memcpy(d, s, n);
    return d;
}

static void scratchReset(engine *e) {
    while (e->scratch) {
        scratchBlock *next = e->scratch->next;
        free(e->scratch);
        e->scratch = next;
    }
}

/* ---- names and records --------------------------------------------- */

const char *migOpName(migOp op) {
    static const char *const names[MIG_OP__COUNT] = {
        [MIG_DONE] = "done", [MIG_OP_DIR_SEARCH] = "dir.search", [MIG_OP_DIR_ADD] = "dir.add",
        [MIG_OP_DIR_MODIFY] = "dir.modify", [MIG_OP_DIR_DELETE] = "dir.delete",
        [MIG_OP_DIR_MAILBOX_ENABLE] = "dir.mailbox_enable",
        [MIG_OP_DIR_REPLSTATE] = "dir.replstate", [MIG_OP_STORE_LOGON] = "store.logon",
        [MIG_OP_STORE_PREPARE] = "store.prepare", [MIG_OP_STORE_COPY] = "store.copy",
        [MIG_OP_STORE_LIST] = "store.list", [MIG_OP_STORE_PROTECT] = "store.protect",
        [MIG_OP_STORE_ASSOCIATE] = "store.associate", [MIG_OP_SOURCE_USERS] = "source.users",
        [MIG_OP_SOURCE_MAILBOX] = "source.mailbox", [MIG_OP_SLEEP] = "sleep",
        [MIG_OP_MAILBOX_DONE] = "mailbox.done", [MIG_OP_LOG] = "log",
        [MIG_OP_STORE_MOVE_FOREIGN] = "store.move_foreign",
    };
    return (unsigned)op < MIG_OP__COUNT ? names[op] : "?";
}

const char *migStatusName(migStatus st) {
    static const char *const names[MIG__STATUS_COUNT] = {
        [MIG_OK] = "ok", [MIG_START] = "start", [MIG_ERR_NO_SUCH_OBJECT] = "no_such_object",
        [MIG_ERR_NAME_EXISTS] = "name_exists", [MIG_ERR_INITIALIZED] = "mailbox_initialized",
        [MIG_ERR_LOGON_FAILED] = "logon_failed", [MIG_ERR_UNAVAILABLE] = "unavailable",
        [MIG_ERR_CANCELLED] = "cancelled", [MIG_ERR_BAD_REQUEST] = "bad_request",
    };
    return (unsigned)st < MIG__STATUS_COUNT ? names[st] : "?";
}

/* Operations through a DC (request.dc). */
static int isDirOp(migOp op) {
    return op >= MIG_OP_DIR_SEARCH && op <= MIG_OP_DIR_REPLSTATE;
}

static const char *actorOf(const engine *e) {
    return e->m->actor ? e->m->actor : "migrator";
}

/* A record of the engine's about the run. */
static traceRecord runRecord(const engine *e, traceKind kind) {
    traceRecord r = traceNew(kind, actorOf(e));
    r.run = e->run;
    r.server = e->x->servers[e->cfg.server].name;
    return r;
}

/* The built-in strategies, all the wizard's kin (their records are the wizard's kinds). */
static int wizardKin(const engine *e) {
    return engineBuiltin(e->m->name) == e->m;
}

/* Compiled into migsim: the built-in strategies and the bridge to a process. */
static int builtIn(const engine *e) {
    return wizardKin(e) || e->m == extprocMigrator();
}

/*
** The kinds a migrator may emit through env->emit.  One that is not built in
** (a plugin, an embedding program's) may say only migrator.log: the runner's
** and the judge's kinds (step.fail, expect.fail), the world's (a pull, a
** delivery) and the engine's own (migrator.op, the cancel and active lines)
** are facts migsim states, never a migrator.  The built-in ones may use the
** migration kinds they are documented with.
*/
static int mayEmit(const engine *e, traceKind kind) {
    if (kind == TR_MIG_LOG) return 1;
    if (!builtIn(e) || kind < TR_WIZ_START || kind >= TR__COUNT) return 0;
    return kind != TR_MIG_OP && kind != TR_WIZ_CANCEL && kind != TR_WIZ_ACTIVE && kind != TR_MIG_CANCEL &&
           kind != TR_MIG_ACTIVE;
}

/*
** s with its control characters shown escaped (\n, \r, \t, else \xHH), into
** out (truncated to outsz); s itself when it has none.  A record is then one
** narrative line whatever a migrator wrote; a backslash stays as it is.
*/
static const char *escapeControls(const char *s, char *out, size_t outsz) {
    size_t n = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p && *p >= 0x20 && *p != 0x7f) p++;
    if (!*p) return s;
    for (p = (const unsigned char *)s; *p && n + 5 < outsz; p++) {
        if (*p >= 0x20 && *p != 0x7f) out[n++] = (char)*p;
        else if (*p == '\n' || *p == '\r' || *p == '\t')
            n += (size_t)snprintf(out + n, outsz - n, "\\%c", *p == '\n' ? 'n' : *p == '\r' ? 'r' : 't');
        else n += (size_t)snprintf(out + n, outsz - n, "\\x%02x", *p);
    }
    out[n] = '\0';
    return out;
}

/*
** A record from outside the engine's code (a plugin's) is checked before the
** trace sees it, as the trace's own checks abort: a kind it may not emit
** becomes a plain migrator line, fields past the last or without a key are
** dropped, control characters in string fields are escaped into esc.
*/
static void sanitize(const engine *e, traceRecord *r, char (*esc)[ENGINE_ESCAPED]) {
    if (!mayEmit(e, r->kind)) r->kind = TR_MIG_LOG;
    if (r->nfields > TRACE_MAXFIELDS) r->nfields = TRACE_MAXFIELDS;
    size_t n = 0;
    for (size_t i = 0; i < r->nfields; i++)
        if (r->f[i].key && (r->f[i].type != TF_STR || r->f[i].s)) r->f[n++] = r->f[i];
    r->nfields = n;
    for (size_t i = 0; i < n; i++)
        if (r->f[i].type == TF_STR) r->f[i].s = escapeControls(r->f[i].s, esc[i], ENGINE_ESCAPED);
}

/* env->emit: a migrator's own record, stamped with the run, actor and server. */
static void emitFor(void *obj, traceRecord *r, const char *text) {
    engine *e = obj;
    if (!kernelNarrating(e->k)) return;
    char esc[TRACE_MAXFIELDS][ENGINE_ESCAPED], line[ENGINE_ESCAPED];
    sanitize(e, r, esc);
    r->actor = actorOf(e);
    r->run = e->run;
    /* The keys may be a plugin's, gone when it unloads; the records live on. */
    r->copy_keys = 1;
    if (!r->server) r->server = e->x->servers[e->cfg.server].name;
    kernelEmit(e->k, r, "%s", escapeControls(text ? text : "", line, sizeof line));
}

/* Every request is a (quiet) record: what was asked, what came back. */
static void traceOp(engine *e, const migRequest *q, const migReply *a) {
    if (!kernelNarrating(e->k)) return;
    traceRecord r = runRecord(e, TR_MIG_OP);
    const srcUser *su = q->user ? sourceUser(&e->x->src, q->user) : NULL;
    if (su) r.user = su->name;
    if (isDirOp(q->op)) r.dc = exDcName(e->x, q->dc);
    traceStr(&r, "op", migOpName(q->op));
    traceStr(&r, "status", migStatusName(a->status));
    kernelEmit(e->k, &r, "%s: %s", migOpName(q->op), migStatusName(a->status));
}

/* ---- the exMigratorView -------------------------------------------- */

static engUser *userOf(engine *e, uint32_t user) {
    return user >= 1 && user <= e->x->src.nusers ? &e->users[user - 1] : NULL;
}

static int viewAssociation(void *obj, uint32_t user, guid *account, guid *mbx, int *server) {
    engine *e = obj;
    engUser *u = userOf(e, user);
    if (!u || !u->has_assoc) return 0;
    *account = u->account;
    *mbx = u->mailbox;
    *server = u->server;
    return 1;
}

static int cmpGuid(const void *a, const void *b) {
    return guidCompare(a, b);
}

static size_t viewAccounts(void *obj, uint32_t user, guid *out, size_t max) {
    engine *e = obj;
    engUser *u = userOf(e, user);
    if (!u) return 0;
    /* The list holds each account once (opAssociate); the caller gets them in GUID order. */
    size_t n = u->naccounts < max ? u->naccounts : max;
    if (n) memcpy(out, u->accounts, n * sizeof *out);
    qsort(out, n, sizeof *out, cmpGuid);
    return n;
}

static int viewProtected(void *obj, const guid *mbx) {
    engine *e = obj;
    for (size_t i = 0; i < e->nprotected; i++)
        if (guidCompare(&e->protected_mbx[i], mbx) == 0) return 1;
    return 0;
}

/* The built-in strategies are the wizard with decisions of their own; anything else is "the migrator". */
static const char *viewNoun(void *obj) {
    return wizardKin(obj) ? "the wizard" : "the migrator";
}

static const exMigratorView engineView = {viewAssociation, viewAccounts, viewProtected, viewNoun};

/* ---- run start and end --------------------------------------------- */

static msStatus step(engine *e);

static void endRun(engine *e) {
    e->active = 0;
    e->gen++;
    if (e->armed && (!e->cancelled || !e->arm_cancels)) {
        e->settled = -1;
        snprintf(e->k->err, sizeof e->k->err, "the migration run ended before the %s condition (%s=%lld) was met",
                 e->arm_cancels ? "cancel" : "wait", e->arm == CANCEL_ITEMS ? "items" : "mailboxes",
                 (long long)e->arm_n);
    }
    e->armed = 0;
}

/* The run is cancelled now: say so once, and answer every request so from here on. */
static void cancelRun(engine *e, const char *how) {
    if (e->cancelled) return;
    e->cancelled = 1;
    if (e->armed) e->settled = 1;
    e->armed = 0;
    traceRecord r = runRecord(e, wizardKin(e) ? TR_WIZ_CANCEL : TR_MIG_CANCEL);
    traceStr(&r, "how", how);
    traceInt(&r, "mailboxes", e->mailboxes_done);
    traceInt(&r, "items", e->items);
    kernelEmit(e->k, &r, "run %d cancelled %s: %lld mailbox%s finished, %lld items copied", e->run, how,
               (long long)e->mailboxes_done, e->mailboxes_done == 1 ? "" : "es", (long long)e->items);
}

/* A `wait when` condition holds now: the waiting script goes on, the run too. */
static void waitReached(engine *e, const char *how) {
    e->settled = 1;
    e->armed = 0;
    traceRecord r = runRecord(e, TR_WIZ_WAIT_REACHED);
    traceStr(&r, "how", how);
    traceInt(&r, "mailboxes", e->mailboxes_done);
    traceInt(&r, "items", e->items);
    kernelEmit(e->k, &r, "run %d reached the wait condition %s: %lld mailbox%s finished, %lld items copied", e->run,
               how, (long long)e->mailboxes_done, e->mailboxes_done == 1 ? "" : "es", (long long)e->items);
}

msStatus engineStart(engine *e, const uint32_t *users, size_t n, int dc) {
    if (e->active) {
        snprintf(e->k->err, sizeof e->k->err, "a migration run (run %d) is still active", e->run);
        return MS_FAIL;
    }
    uint32_t *v = malloc((n ? n : 1) * sizeof *v);
    if (!v) return MS_NOMEM;
    free(e->run_users);
    e->run_users = v;
    e->nrun_users = 0;
    for (size_t i = 0; i < n; i++)
        if (users[i] >= 1 && users[i] <= e->x->src.nusers) v[e->nrun_users++] = users[i];
    e->run = ++e->runs;
    e->run_dc = dc >= 0 ? dc : e->cfg.dc;
    e->active = 1;
    e->cancelled = e->armed = e->settled = 0;
    e->mailboxes_done = e->items = e->logons = 0;
    e->busy_until = 0;
    e->gen++;
    scratchReset(e);
    memset(&e->reply, 0, sizeof e->reply);
    e->reply.status = MIG_START;
    e->reply.now = e->k->now;
    e->reply.start = (migStart){e->run, e->run_users, e->nrun_users, e->run_dc, e->cfg.server,
                                e->cfg.rate, e->cfg.protect, e->runs > 1};
    return step(e);
}

/* ---- requests ------------------------------------------------------ */

static msStatus deliverEv(kernel *k, void *obj, int64_t gen);
static msStatus performEv(kernel *k, void *obj, int64_t gen);

/* Answer the request in flight after dur (now when 0 and not in an event). */
static msStatus replyAfter(engine *e, simtime dur) {
    if (dur < 0) dur = 0;
    if (dur > ENGINE_MAX_DURATION) dur = ENGINE_MAX_DURATION;
    e->reply.now = e->k->now + dur;
    e->in_flight = 1;
    return kernelSchedule(e->k, e->k->now + dur, deliverEv, e, (int64_t)e->gen, "migrator.reply");
}

static msStatus fail(engine *e, migStatus st, const char *msg) {
    e->reply.status = st;
    e->reply.message = msg;
    return replyAfter(e, 0);
}

static int dirOk(engine *e, int dc) {
    return dc >= 0 && dc < dirDcCount(e->x->d);
}

/* One search result entry for object g on dc. */
/* A copy of src (NULL stays NULL) in the reply's scratch; 0 when memory ran out. */
static int keepStr(engine *e, const char *src, const char **dst) {
    *dst = scratchStr(e, src);
    return !src || *dst;
}

/* One search result entry for object g on dc; MS_NOMEM leaves it unusable. */
static msStatus fillEntry(engine *e, int dc, const guid *g, migEntry *out) {
    directory *d = e->x->d;
    char dn[512];
    out->object = *g;
    if (!keepStr(e, dirDn(d, dc, g, dn, sizeof dn) ? dn : "", &out->dn)) return MS_NOMEM;
    const char *mg = dirGet(d, dc, g, A_MAILBOXGUID);
    out->has_mailbox = mg && guidParse(mg, &out->mailbox) == 0;
    const char *home = dirGet(d, dc, g, A_HOMEMDB);
    int server = home ? exServerOfHomeMdb(e->x, home) : -1;
    out->home_server = server >= 0 ? e->x->servers[server].name : NULL;
    if (!keepStr(e, dirGet(d, dc, g, A_MAIL), &out->mail) ||
        !keepStr(e, dirGet(d, dc, g, A_LEGACYEXCHANGEDN), &out->legacy_dn))
        return MS_NOMEM;
    const char *uac = dirGet(d, dc, g, A_USERACCOUNTCONTROL);
    out->disabled = uac && (atoi(uac) & 2);
    const char *vals[32];
    size_t n = dirGetAll(d, dc, g, A_PROXYADDRESSES, vals, 32);
    const char **pv = scratchAlloc(e, (n ? n : 1) * sizeof *pv);
    if (!pv) return MS_NOMEM;
    for (size_t i = 0; i < n; i++)
        if (!keepStr(e, vals[i], &pv[i])) return MS_NOMEM;
    out->proxies = pv;
    out->nproxies = n;
    return MS_OK;
}

static msStatus opSearch(engine *e, const migRequest *q) {
    directory *d = e->x->d;
    guid found[MAX_FOUND];
    size_t n = 0;
    if (!q->key && q->by != MIG_BY_GUID && q->by != MIG_BY_MAILBOX) return fail(e, MIG_ERR_BAD_REQUEST, "no key");
    switch (q->by) {
    case MIG_BY_X500:
    case MIG_BY_SMTP:
        n = dirFindByProxy(d, q->dc, q->key, found, MAX_FOUND);
        break;
    case MIG_BY_MAILBOX:
        n = dirFindByMailboxGuid(d, q->dc, &q->mailbox, found, MAX_FOUND);
        break;
    case MIG_BY_GUID:
        if (dirIsLive(d, q->dc, &q->object)) found[n++] = q->object;
        break;
    case MIG_BY_DN:
        return fail(e, MIG_ERR_BAD_REQUEST, "search by DN is not supported yet");
    }
    if (n > MAX_FOUND) n = MAX_FOUND;
    migEntry *v = scratchAlloc(e, (n ? n : 1) * sizeof *v);
    if (!v) return MS_NOMEM;
    for (size_t i = 0; i < n; i++)
        if (fillEntry(e, q->dc, &found[i], &v[i]) != MS_OK) return MS_NOMEM;
    e->reply.entries = v;
    e->reply.nentries = n;
    return replyAfter(e, 0);
}

/* A disabled, mailbox-enabled account for the user, as the wizard makes it. */
static msStatus opAdd(engine *e, const migRequest *q) {
    exchange *x = e->x;
    const srcUser *su = sourceUser(&x->src, q->user);
    if (!su) return fail(e, MIG_ERR_BAD_REQUEST, "no such source user");
    char gs[GUID_STRLEN], smtp[120], leg[200];
    guid mbx, acct;
    if (guidNext(&e->k->guids, "mailbox", &mbx) != MS_OK) kernelFault(e->k, MS_NOMEM);
    guidFormat(&mbx, gs);
    snprintf(smtp, sizeof smtp, "SMTP:%s", su->smtp);
    snprintf(leg, sizeof leg, "/o=Target/ou=First Administrative Group/cn=Recipients/cn=%s", su->name);
    const dirValue v[] = {
        {A_OBJECTCLASS, "user"},          {A_SAMACCOUNTNAME, su->name}, {A_MAIL, su->smtp},
        {A_PROXYADDRESSES, smtp},         {A_PROXYADDRESSES, su->x500}, {A_LEGACYEXCHANGEDN, leg},
        {A_MAILBOXGUID, gs},              {A_HOMEMDB, x->servers[e->cfg.server].homemdb},
        {A_USERACCOUNTCONTROL, "514"},
    };
    if (dirAdd(x->d, q->dc, C_MIGRATED, su->name, v, sizeof v / sizeof v[0], &acct) != MS_OK)
        return fail(e, MIG_ERR_NAME_EXISTS, "the name is taken");
    char dn[512];
    e->reply.object = acct;
    e->reply.mailbox = mbx;
    if (!keepStr(e, dirDn(x->d, q->dc, &acct, dn, sizeof dn) ? dn : "", &e->reply.dn)) return MS_NOMEM;
    e->busy_until = e->k->now + e->k->p.wizard_account_time;
    return replyAfter(e, 0);
}

static const struct { const char *name; dirAttr a; } attrNames[] = {
    {"mail", A_MAIL}, {"proxyAddresses", A_PROXYADDRESSES}, {"legacyExchangeDN", A_LEGACYEXCHANGEDN},
    {"msExchMailboxGuid", A_MAILBOXGUID}, {"homeMDB", A_HOMEMDB},
    {"userAccountControl", A_USERACCOUNTCONTROL}, {"description", A_DESCRIPTION},
};

static msStatus opModify(engine *e, const migRequest *q) {
    dirAttr a = A__COUNT;
    for (size_t i = 0; q->attr && i < sizeof attrNames / sizeof attrNames[0]; i++)
        if (strcasecmp(q->attr, attrNames[i].name) == 0) a = attrNames[i].a;
    if (a == A__COUNT) return fail(e, MIG_ERR_BAD_REQUEST, "an attribute migrators cannot write");
    if (!dirIsLive(e->x->d, q->dc, &q->object)) return fail(e, MIG_ERR_NO_SUCH_OBJECT, "not on that DC");
    if (q->nvalues > 32) return fail(e, MIG_ERR_BAD_REQUEST, "more than 32 values");
    if (q->nvalues && !q->values) return fail(e, MIG_ERR_BAD_REQUEST, "values missing");
    for (size_t i = 0; i < q->nvalues; i++)
        if (!q->values[i]) return fail(e, MIG_ERR_BAD_REQUEST, "a value is missing");
    /* homeMDB is named by its server: the migrator writes the server's name. */
    const char *vals[32];
    size_t n = q->nvalues;
    for (size_t i = 0; i < n; i++) {
        vals[i] = q->values[i];
        if (a == A_HOMEMDB)
            for (int s = 0; s < e->x->nservers; s++)
                if (strcmp(q->values[i], e->x->servers[s].name) == 0) vals[i] = e->x->servers[s].homemdb;
    }
    if (dirModify(e->x->d, q->dc, &q->object, a, vals, n) != MS_OK)
        return fail(e, MIG_ERR_BAD_REQUEST, "the directory refused the value");
    return replyAfter(e, 0);
}

/* Exchange's "mailbox-enable": fill what is blank, in the order a store needs it. */
static msStatus opMailboxEnable(engine *e, const migRequest *q) {
    exchange *x = e->x;
    directory *d = x->d;
    const srcUser *su = sourceUser(&x->src, q->user);
    if (!su) return fail(e, MIG_ERR_BAD_REQUEST, "no such source user");
    if (!dirIsLive(d, q->dc, &q->object)) return fail(e, MIG_ERR_NO_SUCH_OBJECT, "not on that DC");
    const char *g = dirGet(d, q->dc, &q->object, A_MAILBOXGUID);
    guid mbx;
    if (!g || guidParse(g, &mbx) != 0) {
        char gs[GUID_STRLEN];
        if (guidNext(&e->k->guids, "mailbox", &mbx) != MS_OK) kernelFault(e->k, MS_NOMEM);
        const char *v[] = {guidFormat(&mbx, gs)};
        if (dirModify(d, q->dc, &q->object, A_MAILBOXGUID, v, 1) != MS_OK) return fail(e, MIG_ERR_BAD_REQUEST, "refused");
    }
    if (!dirGet(d, q->dc, &q->object, A_HOMEMDB)) {
        const char *v[] = {x->servers[q->server].homemdb};
        if (dirModify(d, q->dc, &q->object, A_HOMEMDB, v, 1) != MS_OK) return fail(e, MIG_ERR_BAD_REQUEST, "refused");
    }
    if (!dirGet(d, q->dc, &q->object, A_LEGACYEXCHANGEDN)) {
        char leg[200];
        snprintf(leg, sizeof leg, "/o=Target/ou=First Administrative Group/cn=Recipients/cn=%s", su->name);
        const char *v[] = {leg};
        if (dirModify(d, q->dc, &q->object, A_LEGACYEXCHANGEDN, v, 1) != MS_OK)
            return fail(e, MIG_ERR_BAD_REQUEST, "refused");
    }
    e->reply.mailbox = mbx;
    return replyAfter(e, 0);
}

static msStatus opDelete(engine *e, const migRequest *q) {
    if (!dirIsLive(e->x->d, q->dc, &q->object)) return fail(e, MIG_ERR_NO_SUCH_OBJECT, "not on that DC");
    if (dirDelete(e->x->d, q->dc, &q->object) != MS_OK) return fail(e, MIG_ERR_BAD_REQUEST, "not deletable");
    return replyAfter(e, 0);
}

static msStatus opReplState(engine *e, const migRequest *q) {
    directory *d = e->x->d;
    int nd = dirDcCount(d);
    int partners[256];
    int np = dirReplPartners(d, q->dc, partners, 256);
    if (np > 256) np = 256;
    migPartner *pv = scratchAlloc(e, (size_t)(np ? np : 1) * sizeof *pv);
    migUtd *uv = scratchAlloc(e, (size_t)(nd ? nd : 1) * sizeof *uv);
    if (!pv || !uv) return MS_NOMEM;
    for (int i = 0; i < np; i++) {
        pv[i].dc = dirDcName(d, partners[i]);
        pv[i].last_success = dirLastPull(d, q->dc, partners[i]);
    }
    for (int i = 0; i < nd; i++) {
        uv[i].dc = dirDcName(d, i);
        uv[i].usn = dirUpToDate(d, q->dc, i);
    }
    e->reply.partners = pv;
    e->reply.npartners = (size_t)np;
    e->reply.utd = uv;
    e->reply.nutd = (size_t)nd;
    return replyAfter(e, 0);
}

/* The mailbox's folders as the store holds them, into the reply. */
static msStatus listFolders(engine *e, int64_t row, uint32_t user) {
    storeFolderInfo *v = NULL;
    size_t n = 0;
    if (storeFolders(&e->x->st, row, user, &v, &n) != MS_OK) return MS_NOMEM;
    migFolder *f = scratchAlloc(e, (n ? n : 1) * sizeof *f);
    if (!f) {
        free(v);
        return MS_NOMEM;
    }
    int64_t items = 0;
    for (size_t i = 0; i < n; i++) {
        f[i] = (migFolder){v[i].fid, NULL, v[i].items, v[i].from_source};
        if (!keepStr(e, v[i].path, &f[i].path)) {
            free(v);
            return MS_NOMEM;
        }
        items += v[i].items;
    }
    free(v);
    e->reply.folders = f;
    e->reply.nfolders = n;
    e->reply.items = items;
    return MS_OK;
}

static msStatus logonEnd(engine *e) {
    exchange *x = e->x;
    const migRequest *q = &e->req;
    const exServer *sv = &x->servers[q->server];
    guid owner;
    if (dirDcFailed(x->d, sv->dc)) {
        e->reply.status = MIG_ERR_UNAVAILABLE;
        e->reply.message = "the store's DC is failed: it cannot look the mailbox's account up";
        return MS_OK;
    }
    if (dirFindByMailboxGuid(x->d, sv->dc, &q->mailbox, &owner, 1) == 0) {
        e->reply.status = MIG_ERR_LOGON_FAILED;
        e->reply.message = "the store finds no live account carrying the mailbox on its DC";
        return MS_OK;
    }
    int64_t row = storeFind(&x->st, q->server, &q->mailbox);
    e->reply.exists = row != 0;
    if (!row) return MS_OK;
    simtime when = 0;
    mbxInit how = storeInitOf(&x->st, row, &when);
    e->reply.initialized_by = how == INIT_DELIVERY ? MIG_INIT_DELIVERY : how == INIT_LOGON ? MIG_INIT_LOGON : MIG_INIT_CLONE;
    e->reply.initialized_at = when;
    return listFolders(e, row, q->user);
}

static msStatus opPrepare(engine *e, const migRequest *q) {
    store *st = &e->x->st;
    kernel *k = e->k;
    int64_t row = storeFind(st, q->server, &q->mailbox);
    if (q->mode == MIG_CLONE) {
        if (row) return fail(e, MIG_ERR_INITIALIZED, "the mailbox is initialized: clone is not possible");
        if (storeCreate(st, q->server, &q->mailbox, q->user, INIT_CLONE, k->now, 0, &row) != MS_OK ||
            storeCloneFolders(st, row, q->user) != MS_OK)
            return fail(e, MIG_ERR_BAD_REQUEST, "the store refused the mailbox");
    } else {
        if (!row) return fail(e, MIG_ERR_NO_SUCH_OBJECT, "no such mailbox to merge into");
        if (storeMergeFolders(st, q->server, row, q->user, &e->reply.folders_created) != MS_OK) return MS_NOMEM;
    }
    /* The store keeps its own record of the session (what its batches do). */
    if (storeImportBegin(st, row, k->now) != MS_OK || storeCopyRules(st, row, q->user, &e->reply.rules) != MS_OK)
        return MS_NOMEM;
    return replyAfter(e, 0);
}

/* Time for n items at the run's rate, rounded up to the millisecond. */
static simtime itemsTime(const engine *e, int64_t n) {
    return (n * MS_PER_SECOND + e->cfg.rate - 1) / e->cfg.rate;
}

static msStatus opCopy(engine *e, const migRequest *q) {
    exchange *x = e->x;
    const srcUser *su = sourceUser(&x->src, q->user);
    int64_t row = storeFind(&x->st, q->server, &q->mailbox);
    if (!su || !row) return fail(e, MIG_ERR_NO_SUCH_OBJECT, "no such mailbox or user");
    if (q->first < 0 || q->count < 0 || q->first > su->nitems || q->count > su->nitems - q->first)
        return fail(e, MIG_ERR_BAD_REQUEST, "item range outside the user's items");
    int64_t lo = su->first_item + q->first, hi = lo + q->count - 1;
    mergeCounts c = {0};
    msStatus rc = MS_OK;
    if (q->count > 0)
        rc = q->mode == MIG_MERGE ? storeMergeBatch(&x->st, row, q->user, lo, hi, &c)
                                  : storeCloneBatch(&x->st, row, lo, hi, &c.copied);
    if (rc != MS_OK) c.failed += q->count - c.copied - c.skipped - c.replaced;
    e->reply.copied = c.copied;
    e->reply.skipped = c.skipped;
    e->reply.replaced = c.replaced;
    e->reply.failed = c.failed;
    e->items += c.copied + c.replaced;
    int64_t work = c.copied + c.replaced;
    return replyAfter(e, itemsTime(e, work));
}

/* Delivered mail (items that are not copies) from one mailbox into another of the server. */
static msStatus opMoveForeign(engine *e, const migRequest *q) {
    store *st = &e->x->st;
    int64_t from = storeFind(st, q->server, &q->from_mailbox), to = storeFind(st, q->server, &q->mailbox);
    if (!from || !to) return fail(e, MIG_ERR_NO_SUCH_OBJECT, "no such mailbox on that server");
    if (from == to) return fail(e, MIG_ERR_BAD_REQUEST, "the two mailboxes are one");
    msStatus rc = storeMoveForeign(st, q->server, from, to, &e->reply.moved);
    if (rc != MS_OK) return rc == MS_NOMEM ? rc : fail(e, MIG_ERR_BAD_REQUEST, "the store refused the move");
    return replyAfter(e, itemsTime(e, e->reply.moved));
}

static msStatus opProtect(engine *e, const migRequest *q) {
    size_t at = e->nprotected;
    for (size_t i = 0; i < e->nprotected; i++)
        if (guidCompare(&e->protected_mbx[i], &q->mailbox) == 0) at = i;
    if (!q->on) {
        if (at < e->nprotected) e->protected_mbx[at] = e->protected_mbx[--e->nprotected];
        return replyAfter(e, 0);
    }
    if (at == e->nprotected) {
        if (e->nprotected == e->capprotected &&
            arrayGrow(&e->protected_mbx, &e->capprotected, sizeof *e->protected_mbx, 16) != MS_OK)
            return MS_NOMEM;
        e->protected_mbx[e->nprotected++] = q->mailbox;
    }
    return replyAfter(e, 0);
}

static msStatus opAssociate(engine *e, const migRequest *q) {
    engUser *u = userOf(e, q->user);
    if (!u) return fail(e, MIG_ERR_BAD_REQUEST, "no such source user");
    size_t at = 0;
    while (at < u->naccounts && guidCompare(&u->accounts[at], &q->object) != 0) at++;
    if (at == u->naccounts) {
        if (u->naccounts >= MIG_MAX_ACCOUNTS) return fail(e, MIG_ERR_BAD_REQUEST, "too many accounts for one user");
        if (u->naccounts == u->capaccounts &&
            arrayGrow(&u->accounts, &u->capaccounts, sizeof *u->accounts, 4) != MS_OK)
            return MS_NOMEM;
        u->accounts[u->naccounts++] = q->object;
    }
    u->has_assoc = 1;
    u->account = q->object;
    u->mailbox = q->mailbox;
    u->server = q->server;
    return replyAfter(e, 0);
}

static msStatus opSourceUsers(engine *e) {
    uint32_t n = e->x->src.nusers;
    const char **v = scratchAlloc(e, (n ? n : 1) * sizeof *v);
    if (!v) return MS_NOMEM;
    for (uint32_t u = 1; u <= n; u++) v[u - 1] = sourceUser(&e->x->src, u)->name;
    e->reply.user_names = v;
    e->reply.nusers = n;
    return replyAfter(e, 0);
}

static msStatus opSourceMailbox(engine *e, const migRequest *q) {
    const srcUser *su = sourceUser(&e->x->src, q->user);
    if (!su) return fail(e, MIG_ERR_NO_SUCH_OBJECT, "no such source user");
    e->reply.user_name = su->name;
    e->reply.smtp = su->smtp;
    e->reply.x500 = su->x500;
    e->reply.items = su->nitems;
    e->reply.rules = su->nrules;
    return replyAfter(e, 0);
}

static msStatus opLog(engine *e, const migRequest *q) {
    traceRecord r = runRecord(e, TR_MIG_LOG);
    const srcUser *su = q->user ? sourceUser(&e->x->src, q->user) : NULL;
    if (su) r.user = su->name;
    kernelEmit(e->k, &r, "%s", q->text ? q->text : "");
    return replyAfter(e, 0);
}

/* The run's armed condition, checked when a logon (mailboxes=N) or a copy (items=N) is asked for. */
static int armHolds(const engine *e, migOp op) {
    if (!e->armed) return 0;
    if (e->arm == CANCEL_MAILBOXES) return op == MIG_OP_STORE_LOGON && e->mailboxes_done >= e->arm_n;
    return op == MIG_OP_STORE_COPY && e->items >= e->arm_n;
}

/* The armed condition at a mailbox boundary (a mailbox reported done). */
static int armHoldsAtBoundary(const engine *e) {
    if (!e->armed) return 0;
    return (e->arm == CANCEL_MAILBOXES ? e->mailboxes_done : e->items) >= e->arm_n;
}

static const char *armHow(const engine *e) {
    if (e->arm == CANCEL_ITEMS) return "at a batch boundary";
    return e->arm_n == 0 ? "before the first logon" : "before the next logon";
}

/* Notes act on nothing: a cancel never stops them, so a pass's end is told. */
static int isNote(migOp op) {
    return op == MIG_OP_MAILBOX_DONE || op == MIG_OP_LOG;
}

/* Operations that act for one source user: request.user must name one. */
static int needsUser(migOp op) {
    return op == MIG_OP_DIR_ADD || op == MIG_OP_DIR_MAILBOX_ENABLE || op == MIG_OP_STORE_PREPARE ||
           op == MIG_OP_STORE_COPY || op == MIG_OP_STORE_ASSOCIATE || op == MIG_OP_SOURCE_MAILBOX;
}

static msStatus perform(engine *e) {
    migRequest *q = &e->req;
    if (q->dc < 0) q->dc = e->run_dc;
    if (q->server < 0) q->server = e->cfg.server;
    if ((isDirOp(q->op) && !dirOk(e, q->dc)) ||
        q->server >= e->x->nservers)
        return fail(e, MIG_ERR_BAD_REQUEST, "no such DC or server");
    if (q->user > e->x->src.nusers || (needsUser(q->op) && q->user == 0))
        return fail(e, MIG_ERR_BAD_REQUEST, "no such source user");
    if ((q->op == MIG_OP_STORE_PREPARE || q->op == MIG_OP_STORE_COPY) && q->mode != MIG_CLONE && q->mode != MIG_MERGE)
        return fail(e, MIG_ERR_BAD_REQUEST, "mode must be clone or merge");
    if (!e->cancelled && armHolds(e, q->op)) {
        if (e->arm_cancels) cancelRun(e, armHow(e));
        else waitReached(e, armHow(e));
    }
    if (q->op == MIG_OP_STORE_LOGON) e->logons++;
    if (e->cancelled && !isNote(q->op)) return fail(e, MIG_ERR_CANCELLED, "the run was cancelled");
    /* A failed DC answers nothing, reads included. */
    if (isDirOp(q->op) && dirDcFailed(e->x->d, q->dc)) return fail(e, MIG_ERR_UNAVAILABLE, "the DC is failed");
    switch (q->op) {
    case MIG_OP_DIR_SEARCH: return opSearch(e, q);
    case MIG_OP_DIR_ADD: return opAdd(e, q);
    case MIG_OP_DIR_MODIFY: return opModify(e, q);
    case MIG_OP_DIR_DELETE: return opDelete(e, q);
    case MIG_OP_DIR_MAILBOX_ENABLE: return opMailboxEnable(e, q);
    case MIG_OP_DIR_REPLSTATE: return opReplState(e, q);
    case MIG_OP_STORE_LOGON: return replyAfter(e, e->k->p.wizard_logon_time);
    case MIG_OP_STORE_PREPARE: return opPrepare(e, q);
    case MIG_OP_STORE_COPY: return opCopy(e, q);
    case MIG_OP_STORE_LIST: {
        int64_t row = storeFind(&e->x->st, q->server, &q->mailbox);
        if (!row) return fail(e, MIG_ERR_NO_SUCH_OBJECT, "no such mailbox");
        msStatus rc = listFolders(e, row, q->user);
        return rc == MS_OK ? replyAfter(e, 0) : rc;
    }
    case MIG_OP_STORE_PROTECT: return opProtect(e, q);
    case MIG_OP_STORE_ASSOCIATE: return opAssociate(e, q);
    case MIG_OP_STORE_MOVE_FOREIGN: return opMoveForeign(e, q);
    case MIG_OP_SOURCE_USERS: return opSourceUsers(e);
    case MIG_OP_SOURCE_MAILBOX: return opSourceMailbox(e, q);
    case MIG_OP_SLEEP: return replyAfter(e, q->duration > 0 ? q->duration : 0);
    case MIG_OP_MAILBOX_DONE:
        /* A mailbox boundary: where `cancel when` stops a run whose condition
        ** now holds, and where `wait when` lets the script go on. */
        e->mailboxes_done++;
        if (!e->cancelled && armHoldsAtBoundary(e)) {
            if (!e->arm_cancels) {
                waitReached(e, "at a mailbox boundary");
                return replyAfter(e, 0);
            }
            cancelRun(e, armHow(e));
            return fail(e, MIG_ERR_CANCELLED, "the run was cancelled");
        }
        return replyAfter(e, 0);
    case MIG_OP_LOG: return opLog(e, q);
    default: return fail(e, MIG_ERR_BAD_REQUEST, "unknown operation");
    }
}

/* Hand the migrator the reply in e->reply and perform its next request. */
static msStatus step(engine *e) {
    char why[sizeof e->k->err] = "";
    if (e->k->now != e->instant) {
        e->instant = e->k->now;
        e->at_instant = 0;
    }
    int64_t limit = ENGINE_MAX_INSTANT + ENGINE_PER_USER * (int64_t)e->x->src.nusers;
    if (++e->at_instant > limit) {
        snprintf(e->k->err, sizeof e->k->err, "migrator %s: %lld requests at one instant without letting time pass",
                 e->m->name, (long long)limit);
        return MS_INPUT;
    }
    memset(&e->req, 0, sizeof e->req);
    e->req.dc = e->req.server = -1;
    if (e->m->next(e->self, &e->reply, &e->req, why, sizeof why) != 0) {
        /* The migrator itself failed (a process broke the protocol, say): not
        ** an outcome of the scenario, so the run stops with exit 2. */
        snprintf(e->k->err, sizeof e->k->err, "migrator %s: %s", e->m->name, why[0] ? why : "failed");
        /* A built-in migrator that ran out of memory says so in those words. */
        if (engineBuiltin(e->m->name) == e->m && strcmp(why, MIGRATOR_NOMEM) == 0) return MS_NOMEM;
        return MS_INPUT;
    }
    scratchReset(e);
    memset(&e->reply, 0, sizeof e->reply);
    if (e->req.op == MIG_DONE) {
        endRun(e);
        return MS_OK;
    }
    if (e->k->now < e->busy_until) {
        e->in_flight = 1;
        return kernelSchedule(e->k, e->busy_until, performEv, e, (int64_t)e->gen, "migrator.request");
    }
    return perform(e);
}

/* A request that waited for an account write to be done. */
static msStatus performEv(kernel *k, void *obj, int64_t gen) {
    engine *e = obj;
    (void)k;
    if (!e->active || (uint64_t)gen != e->gen) return MS_OK;
    e->in_flight = 0;
    return perform(e);
}

/* A reply's time has come: finish the request (a logon is judged now) and go on. */
static msStatus deliverEv(kernel *k, void *obj, int64_t gen) {
    engine *e = obj;
    (void)k;
    if (!e->active || (uint64_t)gen != e->gen) return MS_OK;
    e->in_flight = 0;
    if (e->req.op == MIG_OP_STORE_LOGON && e->reply.status == MIG_OK) {
        msStatus rc = logonEnd(e);
        if (rc != MS_OK) return rc;
    }
    e->reply.now = e->k->now;
    traceOp(e, &e->req, &e->reply);
    return step(e);
}

/* ---- steps --------------------------------------------------------- */

int engineActive(const engine *e) {
    return e && e->active;
}

int engineRunNumber(const engine *e) {
    return e ? e->run : 0;
}

/*
** Arm the condition of `cancel when` (cancels 1) or `wait when` (0); 1 when
** it already holds (in stage 2, for mailboxes=N): nothing to wait for.
*/
static int arm(engine *e, cancelWhen when, int64_t n, int cancels) {
    e->armed = 1;
    e->arm = when;
    e->arm_n = n;
    e->arm_cancels = cancels;
    e->settled = 0;
    return when == CANCEL_ITEMS ? e->items >= n : e->logons > 0 && e->mailboxes_done >= n;
}

msStatus engineWaitFor(engine *e, cancelWhen when, int64_t n) {
    if (!e) return MS_FAIL;
    if (!e->active) {
        snprintf(e->k->err, sizeof e->k->err, "wait when: no migration run is active");
        return MS_FAIL;
    }
    msAssert(when != CANCEL_NOW);
    if (arm(e, when, n, 0)) waitReached(e, "now (the condition already held)");
    return MS_OK;
}

msStatus engineCancel(engine *e, cancelWhen when, int64_t n) {
    if (!e) return MS_FAIL;
    if (!e->active) {
        snprintf(e->k->err, sizeof e->k->err, "cancel: no migration run is active");
        return MS_FAIL;
    }
    const char *how = "now";
    if (when != CANCEL_NOW) {
        if (!arm(e, when, n, 1)) return MS_OK;
        how = "now (the condition already held)";
    }
    cancelRun(e, how);
    if (!e->in_flight) return MS_OK;
    /* The request in flight is answered `cancelled` now; its own reply will find a newer generation. */
    e->gen++;
    e->in_flight = 0;
    e->reply.status = MIG_ERR_CANCELLED;
    e->reply.message = "the run was cancelled";
    e->reply.now = e->k->now;
    traceOp(e, &e->req, &e->reply);
    return step(e);
}

int engineCancelSettled(const engine *e) {
    return e ? e->settled : -1;
}

size_t engineUsers(const engine *e, uint32_t *out, size_t max) {
    size_t n = 0;
    for (uint32_t u = 1; e && u <= e->x->src.nusers; u++) {
        if (!e->users[u - 1].naccounts) continue;
        if (out && n < max) out[n] = u;
        n++;
    }
    return n;
}

void engineFinish(engine *e) {
    if (!e || !e->active) return;
    traceRecord r = runRecord(e, wizardKin(e) ? TR_WIZ_ACTIVE : TR_MIG_ACTIVE);
    traceInt(&r, "mailboxes", e->mailboxes_done);
    kernelEmit(e->k, &r, "run %d still active when the scenario ended (%lld mailboxes finished)", e->run,
               (long long)e->mailboxes_done);
}

/* ---- open and close ------------------------------------------------ */

msStatus engineOpen(exchange *x, const engineConfig *cfg, engine **out) {
    *out = NULL;
    engine *e = calloc(1, sizeof *e);
    if (!e) {
        pluginUnload(cfg->plugin);
        return MS_NOMEM;
    }
    e->x = x;
    e->k = x->k;
    e->cfg = *cfg;
    if (e->cfg.rate <= 0) e->cfg.rate = 1;
    e->m = cfg->m ? cfg->m : engineBuiltin("wizard2003");
    int nd = dirDcCount(x->d);
    e->users = calloc(x->src.nusers ? x->src.nusers : 1, sizeof *e->users);
    e->dc_names = calloc((size_t)nd + 1, sizeof *e->dc_names);
    e->server_names = calloc((size_t)x->nservers + 1, sizeof *e->server_names);
    e->server_dcs = calloc((size_t)x->nservers + 1, sizeof *e->server_dcs);
    e->user_names = calloc((size_t)x->src.nusers + 1, sizeof *e->user_names);
    if (!e->users || !e->dc_names || !e->server_names || !e->server_dcs || !e->user_names) {
        engineClose(e);
        return MS_NOMEM;
    }
    for (int i = 0; i < nd; i++) e->dc_names[i] = dirDcName(x->d, i);
    for (int i = 0; i < x->nservers; i++) {
        e->server_names[i] = x->servers[i].name;
        e->server_dcs[i] = x->servers[i].dc;
    }
    for (uint32_t u = 1; u <= x->src.nusers; u++) e->user_names[u - 1] = sourceUser(&x->src, u)->name;
    const params *p = &x->k->p;
    e->env = (migEnv){e->dc_names, nd, e->server_names, x->nservers, x->src.nusers,
                      cfg->options ? cfg->options : "", e->server_dcs, p->wizard_account_time,
                      p->wizard_logon_time, p->wizard_retry_interval, p->wizard_retry_window, p->wizard_batch,
                      e, emitFor, e->user_names, cfg->timeout_ms};
    if (!e->m || e->m->abi != MIGRATOR_ABI || !(e->self = e->m->open(&e->env))) {
        /* A built-in migrator's open fails only when memory runs out. */
        int nomem = e->m && e->m->abi == MIGRATOR_ABI && engineBuiltin(e->m->name) == e->m;
        snprintf(x->k->err, sizeof x->k->err, "migrator %s: cannot open", e->m ? e->m->name : "?");
        engineClose(e);
        return nomem ? MS_NOMEM : MS_FAIL;
    }
    x->mv_obj = e;
    x->mv = &engineView;
    /* A process is asked to speak now, while the run is set up: one that cannot is bad input, before any output. */
    char why[sizeof x->k->err - 32] = "";
    if (e->m == extprocMigrator() && extprocStart(e->self, why, sizeof why) != 0) {
        snprintf(x->k->err, sizeof x->k->err, "migrator %s: %s", e->m->name, why[0] ? why : "cannot start");
        engineClose(e);
        return MS_INPUT;
    }
    *out = e;
    return MS_OK;
}

void engineClose(engine *e) {
    if (!e) return;
    if (e->self) e->m->close(e->self);
    /* After the migrator's last call: e->m lives in the library. */
    pluginUnload(e->cfg.plugin);
    if (e->x->mv_obj == e) {
        e->x->mv_obj = NULL;
        e->x->mv = NULL;
    }
    for (uint32_t u = 0; e->users && u < e->x->src.nusers; u++) free(e->users[u].accounts);
    free(e->users);
    free(e->protected_mbx);
    free(e->run_users);
    free(e->dc_names);
    free(e->server_names);
    free(e->server_dcs);
    free(e->user_names);
    scratchReset(e);
    free(e);
}

/* ---- built-in migrators -------------------------------------------- */

static const struct { const char *name; const migrator *(*get)(void); } builtins[] = {
    {"wizard2003", wizardMigrator},
    {"refuse-initialized", refuseMigrator},
    {"wait-then-rerun", waitRerunMigrator},
    {"resume", resumeMigrator},
};

const migrator *engineBuiltin(const char *name) {
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        if (strcmp(name, builtins[i].name) == 0) return builtins[i].get();
    return NULL;
}

const char *engineBuiltinNames(void) {
    return "wizard2003, refuse-initialized, wait-then-rerun, resume";
}

msStatus migratorResolve(const char *spec, const migrator **m, const char **options, migPlugin **plugin, char *err,
                         size_t errsz) {
    *m = NULL;
    *options = "";
    *plugin = NULL;
    if (strncmp(spec, "plugin:", 7) == 0) {
        *options = spec + 7;
        return pluginLoad(spec + 7, m, plugin, err, errsz);
    }
    if (strncmp(spec, "exec:", 5) == 0) {
        if (!spec[5]) {
            snprintf(err, errsz, "migrator exec: needs a command (exec:COMMAND)");
            return MS_INPUT;
        }
        *m = extprocMigrator();
        *options = spec + 5;
        return MS_OK;
    }
    const char *name = strncmp(spec, "builtin:", 8) == 0 ? spec + 8 : spec;
    *m = engineBuiltin(name);
    if (*m) return MS_OK;
    snprintf(err, errsz, "unknown built-in migrator '%s' (expected %s)", name, engineBuiltinNames());
    return MS_INPUT;
}
