/*
** The state of a run at a moment, as plain values: what `migsim run --show`
** and `--until` show.  A view is one of
**
**   dc:NAME      every object on that DC's replica (name, GUID, live, deleted
**                or CNF-mangled, mailbox GUID, stamped by the RUS or not,
**                usnChanged, whose account it is) and the DC's replication
**                state per other DC (partner or not, last pull applied from
**                it, its entry in the up-to-dateness vector);
**   server:NAME  every mailbox of that server's store (GUID, owning account
**                as the server's DC sees it, initialized by what and when,
**                folders with their IDs marked as the source's or new, item
**                counts, rules and how many are broken, disconnected and when
**                it will be purged), and the holding area's items exported
**                from them (`export`: ExMerge's PST), when there are any;
**   user:NAME    one source user: their accounts on every DC, their mailboxes
**                on every store, their items in the holding area (when there
**                are any), and the trace records whose user subject is them.
**
** stateCollect reads the live world once and copies everything out, so the
** value outlives the run, as a runResult does; the outputs (sim/out/
** state.h) render it and never reach into the world.  The world learns
** nothing about views: this file asks it through its read-only accessors.
**
** Invariants: every list is in a fixed order (objects in usnChanged order,
** DCs and servers in declaration order, mailboxes in store row order,
** folders by ID, records in emission order), so the same run gives the same
** state byte for byte.
*/
#ifndef MIGSIM_STATE_H
#define MIGSIM_STATE_H

#include <stddef.h>
#include <stdint.h>
#include "exchange/exchange.h"
#include "kernel/trace.h"
#include "run/sim.h"
#include "scenario/scenario.h"

typedef enum stateViewKind { VIEW_DC, VIEW_SERVER, VIEW_USER } stateViewKind;

/* One view asked for: its kind and what it names (a DC or server index, a user number). */
typedef struct stateRequest {
    stateViewKind kind;
    int index;
} stateRequest;

/* An object's condition on a replica. */
typedef enum stateObjStatus {
    OBJ_LIVE,
    OBJ_DELETED,          /* a tombstone */
    OBJ_CNF               /* live, renamed by a name conflict (its name holds "\nCNF:") */
} stateObjStatus;

typedef struct stateObject {
    char *dc;             /* the DC whose replica holds it */
    char *name;           /* its RDN value, readable: a line feed shows as \0A */
    char *dn;             /* its DN, readable the same way */
    char *objclass;       /* "user", "organizationalUnit", ... ("" when absent) */
    guid id;
    stateObjStatus status;
    int has_mailbox;
    guid mailbox;         /* msExchMailboxGuid */
    int stamped;          /* carries an SMTP address of the target domain (the RUS's stamp) */
    uint64_t usn;         /* usnChanged on this DC */
    char *user;           /* the source user whose account it is (exAccountUser), or NULL */
} stateObject;

/* The replication state of one DC towards another. */
typedef struct statePartner {
    char *dc;
    int partner;          /* an intra-site replication partner (dirPartners) */
    simtime last_pull;    /* when a pull from it was last applied; -1: never */
    uint64_t utd;         /* the highest of its originating USNs seen here */
} statePartner;

typedef struct stateDc {
    char *name;
    int failed;
    uint64_t usn;         /* the DC's own highest USN */
    stateObject *objects;
    size_t nobjects;
    statePartner *partners;   /* every other DC, in declaration order */
    size_t npartners;
} stateDc;

typedef struct stateMailbox {
    char *server;
    guid g;
    char *user;           /* the source user it was made for, or NULL */
    int has_owner;        /* a live account on the server's DC carries it */
    guid owner;
    char *owner_dn;       /* readable, or NULL */
    char *owner_dc;       /* the server's DC, where the owner was looked up */
    char *init;           /* initialized by: clone, merge, delivery, logon */
    simtime init_at;
    int64_t items, rules, rules_broken;
    exFolderInfo *folders;
    size_t nfolders;
    int disconnected;
    simtime disconnected_at, purge_at;
} stateMailbox;

/* Items of the holding area (`export`), from one mailbox and folder. */
typedef struct stateHeld {
    char *user;           /* the source user they were exported for */
    char *server;         /* the server of the mailbox they were read from */
    guid mbx;             /* that mailbox */
    char *path;           /* their folder there */
    int64_t items;
    simtime exported_at;
} stateHeld;

typedef struct stateServer {
    char *name;
    char *dc;             /* the DC its store and RUS read */
    stateMailbox *mailboxes;
    size_t nmailboxes;
    stateHeld *held;      /* exported from this server's mailboxes */
    size_t nheld;
} stateServer;

typedef struct stateUser {
    char *name;
    stateObject *accounts;    /* on every DC, DCs in declaration order */
    size_t naccounts;
    char **dcs;               /* every DC's name, in declaration order: a DC */
    size_t ndcs;              /* holding no account of the user is news too */
    stateMailbox *mailboxes;  /* made for the user, or owned by one of their accounts */
    size_t nmailboxes;
    stateHeld *held;          /* the user's items in the holding area */
    size_t nheld;
    trace records;            /* the run's records whose user subject is the user */
} stateUser;

typedef struct stateView {
    stateViewKind kind;
    stateDc dc;               /* VIEW_DC */
    stateServer server;       /* VIEW_SERVER */
    stateUser user;           /* VIEW_USER */
} stateView;

typedef struct simState {
    simtime at;               /* the moment shown */
    int finished;             /* the run had ended */
    stateView *v;
    size_t n;
} simState;

/*
** Parse a --show value, "VIEW[,VIEW...]", each VIEW dc:NAME, server:NAME or
** user:NAME, against sc's names (exact: user1 is not user10), appending to
** *out (*n entries; realloc'd: start with NULL and 0).  On MS_INPUT why holds
** one line: "--show: 'x' is not a view (dc:NAME, server:NAME or user:NAME)",
** or "--show dc:DC9: no dc of that name in FILE".
*/
msStatus stateParseViews(const scenario *sc, const char *spec, stateRequest **out, size_t *n,
                         char *why, size_t whysz);

/* Requests for every DC and then every server of sc (what --until shows without --show). */
msStatus stateAllViews(const scenario *sc, stateRequest **out, size_t *n);

/*
** The views req (n of them) of run s as they stand now, into *out; at is the
** moment to label them with (the --until instant, or the end).  User views
** list trace records only when s keeps records (simOptions.record).  s is not
** changed.  On failure *out holds nothing to free beyond stateFree.
*/
msStatus stateCollect(sim *s, const stateRequest *req, size_t n, simtime at, simState *out);

/* Release everything st owns (safe on a zeroed or partly filled state). */
void stateFree(simState *st);

/* "live", "deleted", "cnf". */
const char *stateObjStatusName(stateObjStatus s);

/* "dc", "server", "user". */
const char *stateViewKindName(stateViewKind k);

#endif
