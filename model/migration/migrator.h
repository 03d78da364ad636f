/*
** The migrator interface: how migration logic (the built-in Exchange
** Migration Wizard, a developer's C plugin, a process speaking JSON Lines)
** runs inside the simulated forest.
**
** A migrator is driven by replies, so no threads are needed: the engine
** (engine.c) hands it the reply to its last request and it returns its next
** request.  The first "reply" of each `migrate` step is MIG_START (run
** number, users, DC, server, options); the migrator answers with requests
** until it returns MIG_DONE.  Every request is an operation a real migration
** tool could perform, through a DC or a server named in it, and takes the
** virtual time the model gives it: an account write wizard.account_time, a
** logon wizard.logon_time (judged at its end), items at the run's rate, a
** sleep its duration, reads no time at all.  The reply says what the world
** answered at that moment and carries the virtual time.  A scenario's
** `cancel` reaches the migrator at once, as the reply MIG_ERR_CANCELLED to
** the request in flight (its own reply never comes; a copy under way had
** already written its items).  An armed `cancel when` is checked when the
** migrator asks: mailboxes=N when it reports a finished mailbox
** (MIG_OP_MAILBOX_DONE: the N-th is answered cancelled) or asks for a store
** logon with N already reported; items=N when it asks for a copy, or reports
** a finished mailbox, with N items copied or replaced in the run.  That
** request is answered MIG_ERR_CANCELLED instead of performed, and so is
** every later one but a note (MIG_OP_MAILBOX_DONE, MIG_OP_LOG) until
** MIG_DONE.
**
** The migrator never touches the world: everything it knows comes from
** replies, everything it changes goes through requests.  The judge never
** reads what a migrator says about itself.  One migrator instance serves the
** whole run (every `migrate` step), so it may keep state across reruns, as a
** real tool's journal would.
**
** Determinism: the simulator owns time; a migrator is deterministic as long
** as it reads no wall clock and draws no unseeded randomness.
**
** Strings in a reply are owned by the engine and valid until the migrator's
** next call; strings in a request must stay valid until the engine's next call.
*/
#ifndef MIGSIM_MIGRATOR_H
#define MIGSIM_MIGRATOR_H

#include <stddef.h>
#include <stdint.h>
#include "kernel/clock.h"
#include "kernel/guid.h"
#include "kernel/trace.h"

#define MIGRATOR_ABI 3            /* bumped when these structs change */
/* The why of a built-in migrator's next() or open that ran out of memory: the run
** then stops as every allocation failure does (docs/architecture.md, "Errors"). */
#define MIGRATOR_NOMEM "out of memory"

/* ---- requests ------------------------------------------------------ */

typedef enum migOp {
    MIG_DONE,                 /* this migrate step's work is over */
    /* directory, through request.dc */
    MIG_OP_DIR_SEARCH,        /* by key: x500, smtp, mailbox, dn, guid -> entries */
    MIG_OP_DIR_ADD,           /* a disabled, mailbox-enabled account for request.user -> its GUIDs */
    MIG_OP_DIR_MODIFY,        /* set attribute request.attr of request.object to request.values */
    MIG_OP_DIR_DELETE,        /* delete request.object */
    MIG_OP_DIR_MAILBOX_ENABLE,/* mailbox-enable request.object for request.server: fill a blank
                                 msExchMailboxGuid (a new GUID), homeMDB, legacyExchangeDN -> the GUID */
    MIG_OP_DIR_REPLSTATE,     /* what repadmin /showrepl and /showutdvec show on request.dc */
    /* stores, through request.server */
    MIG_OP_STORE_LOGON,       /* log on to mailbox request.mailbox -> its state */
    MIG_OP_STORE_PREPARE,     /* clone: create with the source's folder IDs; merge: add missing folders */
    MIG_OP_STORE_COPY,        /* copy source items [first, first+count) of request.user in request.mode */
    MIG_OP_STORE_LIST,        /* a mailbox's folders and item counts */
    MIG_OP_STORE_PROTECT,     /* set (request.on) or clear the protect (/D) mark of request.mailbox */
    MIG_OP_STORE_ASSOCIATE,   /* user's logon follows request.object and request.mailbox on request.server
                                 (at most MIG_MAX_ACCOUNTS distinct accounts per user) */
    /* source */
    MIG_OP_SOURCE_USERS,      /* every source user */
    MIG_OP_SOURCE_MAILBOX,    /* request.user's folders, item count, rules */
    /* time and reporting */
    MIG_OP_SLEEP,             /* request.duration of virtual time */
    MIG_OP_MAILBOX_DONE,      /* request.user's mailbox is finished in this run (completed or skipped) */
    MIG_OP_LOG,               /* a narrative line request.text (a migrator.log record) */
    /* stores, through request.server (after MIG_OP_LOG: the older numbers stay) */
    MIG_OP_STORE_MOVE_FOREIGN,/* move the items of mailbox request.from_mailbox that are not copies of
                                 source items (delivered mail) into request.mailbox, each into the
                                 folder of the same path (made with a new ID when missing); the
                                 copies stay.  1/rate per item moved.  -> moved */
    MIG_OP__COUNT
} migOp;

/* The most distinct accounts store.associate declares for one user; beyond: bad request. */
#define MIG_MAX_ACCOUNTS 64

typedef enum migSearchKey { MIG_BY_X500, MIG_BY_SMTP, MIG_BY_MAILBOX, MIG_BY_DN, MIG_BY_GUID } migSearchKey;

typedef enum migMode { MIG_CLONE, MIG_MERGE } migMode;

typedef struct migRequest {
    migOp op;
    int dc;                   /* directory ops: the DC to act through (-1: the run's DC) */
    int server;               /* store ops: the server (-1: the run's server) */
    uint32_t user;            /* source user number, 1-based (0: none) */
    migSearchKey by;          /* MIG_OP_DIR_SEARCH */
    const char *key;          /* MIG_OP_DIR_SEARCH: the value searched for */
    guid object;              /* an account's objectGUID */
    guid mailbox;             /* a mailbox GUID (msExchMailboxGuid) */
    const char *attr;         /* MIG_OP_DIR_MODIFY: attribute name (docs/migrators.md lists them) */
    const char *const *values;/* MIG_OP_DIR_MODIFY: new values (none: clear) */
    size_t nvalues;
    migMode mode;             /* MIG_OP_STORE_PREPARE, MIG_OP_STORE_COPY */
    int64_t first, count;     /* MIG_OP_STORE_COPY: source item range of the user, 0-based */
    int on;                   /* MIG_OP_STORE_PROTECT */
    simtime duration;         /* MIG_OP_SLEEP */
    const char *text;         /* MIG_OP_LOG: control characters are shown escaped (\n, \x01) */
    guid from_mailbox;        /* MIG_OP_STORE_MOVE_FOREIGN: the mailbox the items leave */
} migRequest;

/* ---- replies ------------------------------------------------------- */

typedef enum migStatus {
    MIG_OK,
    MIG_START,                /* the first reply of a migrate step: see migReply.start */
    MIG_ERR_NO_SUCH_OBJECT,   /* not on that DC, or no such mailbox/user */
    MIG_ERR_NAME_EXISTS,      /* the account's name is taken on that DC */
    MIG_ERR_INITIALIZED,      /* clone refused: the mailbox is initialized */
    MIG_ERR_LOGON_FAILED,     /* the store finds no live account carrying the mailbox on its DC (13003) */
    MIG_ERR_UNAVAILABLE,      /* the DC named (for a logon, the server's DC) is failed: it cannot answer */
    MIG_ERR_CANCELLED,        /* the operator cancelled the run: finish and return MIG_DONE */
    MIG_ERR_BAD_REQUEST,      /* the request is not well formed */
    MIG__STATUS_COUNT
} migStatus;

/* What initialized a mailbox, as a store logon answers it (migReply.initialized_by). */
typedef enum migInitBy {
    MIG_INIT_NONE,            /* not initialized, or absent */
    MIG_INIT_DELIVERY,        /* mail delivered to it */
    MIG_INIT_LOGON,           /* its user logged on */
    MIG_INIT_CLONE,           /* a migrator's clone */
} migInitBy;

/* The name of by as the trace and the JSON protocol spell it ("delivery"; "none" for none). */
static inline const char *migInitName(int by) {
    switch (by) {
    case MIG_INIT_DELIVERY: return "delivery";
    case MIG_INIT_LOGON: return "logon";
    case MIG_INIT_CLONE: return "clone";
    default: return "none";
    }
}

/* One directory entry of a search. */
typedef struct migEntry {
    const char *dn;
    guid object;
    int has_mailbox;
    guid mailbox;             /* msExchMailboxGuid */
    const char *home_server;  /* the server homeMDB names, or NULL */
    const char *mail;         /* NULL when blank */
    const char *legacy_dn;    /* legacyExchangeDN, NULL when blank */
    int disabled;
    size_t nproxies;
    const char *const *proxies;
} migEntry;

/* Per replication partner, what the DC knows (repadmin /showrepl). */
typedef struct migPartner {
    const char *dc;
    simtime last_success;     /* the last pull from it applied here; -1: never */
} migPartner;

/* An up-to-dateness vector entry (repadmin /showutdvec). */
typedef struct migUtd {
    const char *dc;           /* the originating DC */
    uint64_t usn;             /* the highest of its changes this DC has seen */
} migUtd;

/* One folder of a mailbox (store or source). */
typedef struct migFolder {
    int64_t id;               /* folder ID */
    const char *path;
    int64_t items;
    int from_source;          /* the ID is the source folder's */
} migFolder;

typedef struct migStart {
    int run;                  /* run number, from 1 */
    const uint32_t *users;    /* the users selected, ascending */
    size_t nusers;
    int dc;                   /* the DC accounts are matched or created on */
    int server;               /* the target server */
    int64_t rate;             /* items per second */
    int protect;              /* the protect (/D) option */
    int rerun;                /* 1 when an earlier run exists */
} migStart;

typedef struct migReply {
    migStatus status;
    simtime now;              /* virtual time of the reply */
    migStart start;           /* MIG_START */
    /* MIG_OP_DIR_SEARCH */
    const migEntry *entries;
    size_t nentries;
    /* MIG_OP_DIR_ADD */
    guid object, mailbox;
    const char *dn;
    /* MIG_OP_DIR_REPLSTATE */
    const migPartner *partners;
    size_t npartners;
    const migUtd *utd;
    size_t nutd;
    /* MIG_OP_STORE_LOGON */
    int exists;               /* the store has the mailbox */
    int initialized_by;       /* a migInitBy: what initialized the mailbox */
    simtime initialized_at;
    /* MIG_OP_STORE_LOGON, MIG_OP_STORE_LIST, MIG_OP_SOURCE_MAILBOX */
    const migFolder *folders;
    size_t nfolders;
    int64_t items;            /* total items */
    int64_t rules;            /* MIG_OP_SOURCE_MAILBOX, MIG_OP_STORE_PREPARE: rules (copied) */
    /* MIG_OP_STORE_PREPARE */
    int64_t folders_created;
    /* MIG_OP_STORE_COPY */
    int64_t copied, skipped, replaced, failed;
    /* MIG_OP_SOURCE_USERS */
    const char *const *user_names;   /* user_names[i] is user i + 1 */
    size_t nusers;
    /* MIG_OP_SOURCE_MAILBOX: the source user's name and addresses */
    const char *user_name, *smtp, *x500;
    const char *message;      /* a few words on an error */
    int64_t moved;            /* MIG_OP_STORE_MOVE_FOREIGN: items moved */
} migReply;

/* ---- a migrator ---------------------------------------------------- */

/* What a migrator may ask of the engine besides requests. */
typedef struct migEnv {
    const char *const *dc_names;     /* dc_names[i]: DC i */
    int ndcs;
    const char *const *server_names; /* server_names[i]: server i */
    int nservers;
    uint32_t nusers;                 /* source users */
    const char *options;             /* the migrator's option string ("" when none) */
    const int *server_dcs;           /* server_dcs[i]: the DC server i's store reads */
    /* The model's timings a migration tool is configured with (docs/semantics.md). */
    simtime account_time, logon_time, retry_interval, retry_window;
    int64_t batch;
    /*
    ** For built-in and plugin migrators: emit a typed trace record of their
    ** own (a narrative line), stamped by the engine with the time, the run,
    ** the actor and the server.  A process migrator uses MIG_OP_LOG instead.
    ** A migrator that is not built into migsim (a plugin, an embedding
    ** program's) may emit only migrator.log (TR_MIG_LOG): any other kind is
    ** recorded as migrator.log.  Control characters in text and in string
    ** fields are shown escaped (\n, \t, \x01), so a record is one line.
    */
    void *engine;
    void (*emit)(void *engine, traceRecord *r, const char *text);
    /* Appended (older plugins never read them): */
    const char *const *user_names;   /* user_names[i]: source user i + 1 */
    int64_t reply_timeout_ms;        /* a process migrator's wall-clock limit per answer (--migrator-timeout) */
} migEnv;

typedef struct migrator {
    int abi;                  /* MIGRATOR_ABI */
    const char *name;
    const char *actor;        /* the narrative's actor column ("wizard") */
    /*
    ** Make an instance for one simulated run (every migrate step of it).
    ** Returns NULL on failure (the run stops with exit 2).
    */
    void *(*open)(const migEnv *env);
    /*
    ** Given the reply to the last request (MIG_START first), fill *req with
    ** the next.  Return 0, or -1 on an internal error (the run stops with
    ** exit 2; *why may name it).
    */
    int (*next)(void *self, const migReply *reply, migRequest *req, char *why, size_t whysz);
    void (*close)(void *self);
} migrator;

/*
** The entry symbol of a plugin (`--migrator plugin:./libmine.so`): a
** function returning the migrator, looked up with dlsym.
*/
#define MIGRATOR_ENTRY "migsim_migrator"
typedef const migrator *migratorEntryFn(void);

/*
** Names of ops and statuses as the JSON protocol and the trace spell them
** ("dir.search", "cancelled").  In libmigsim: a program that embeds it may
** call them; a plugin links against nothing and cannot.
*/
const char *migOpName(migOp op);
const char *migStatusName(migStatus st);

#endif
