/*
** The target forest's directory: domain controllers (DCs) that each hold
** their own replica of the domain naming context and replicate by pulling
** from each other, as Active Directory does.  docs/model-directory.md
** explains the rules, parameters and worked timings.
**
** Invariants the rest of migsim relies on:
**  - Every read and write names the DC it goes through.  A write is an
**    originating write on that DC; other DCs see it only after a pull brings
**    it, at the time the delay model says.  Nothing copies objects between
**    replicas behind the replication model's back.
**  - Objects are identified by objectGUID.  A deleted object stays on a DC as
**    a tombstone until garbage collection; reads by GUID see tombstones only
**    through dirIsDeleted, every other lookup sees live objects only.
**  - Every list this module returns is in a fixed order (objectGUID order
**    unless said otherwise), never in an order that depends on addresses or
**    hashing.
**  - Pointers to attribute values returned by reads stay valid until the
**    next write or replication on that DC (the next event); copy them to keep.
**
** Step-facing functions (sync, fail, restore, convergence) are called by the
** runner; the access functions are for the other model modules (wizard,
** stores, RUS, delivery, administrator).
*/
#ifndef MIGSIM_DIRECTORY_H
#define MIGSIM_DIRECTORY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "kernel/clock.h"
#include "kernel/guid.h"
#include "kernel/status.h"

struct kernel;

typedef struct directory directory;

/* The attributes the model keeps.  A_NAME is the RDN value; with the parent
** (kept with A_NAME's stamp) it gives the DN. */
typedef enum dirAttr {
    A_OBJECTCLASS,        /* "user", "organizationalUnit", "container" */
    A_NAME,
    A_SAMACCOUNTNAME,
    A_MAIL,
    A_PROXYADDRESSES,     /* multi-valued: "SMTP:a@b", "smtp:...", "X500:/o=..." */
    A_LEGACYEXCHANGEDN,
    A_MAILBOXGUID,        /* msExchMailboxGuid, as a lowercase GUID string */
    A_HOMEMDB,
    A_USERACCOUNTCONTROL, /* decimal string; 514 disabled, 512 enabled */
    A_DESCRIPTION,
    A_ISDELETED,          /* "TRUE" on tombstones */
    A_LASTKNOWNPARENT,
    A__COUNT
} dirAttr;

/* One value for dirAdd; a multi-valued attribute is given as several. */
typedef struct dirValue {
    dirAttr attr;
    const char *value;
} dirValue;

/* Well-known containers of the domain, for dirAdd's parent. */
typedef enum dirContainer {
    C_DOMAIN,             /* DC=target,DC=example (the NC head) */
    C_USERS,              /* CN=Users */
    C_MIGRATED,           /* OU=Migrated: the wizard's target */
    C_DELETED,            /* CN=Deleted Objects */
    C_LOSTANDFOUND        /* CN=LostAndFound */
} dirContainer;

/* ---- Building and stepping ------------------------------------------ */

/* A site: its name, its periodic pull interval, its bridgehead. */
typedef struct dirSiteConfig {
    const char *name;
    int has_schedule;
    simtime schedule;       /* with has_schedule; else the site.schedule parameter */
    int bridgehead;         /* a DC index; -1: the site's first DC */
} dirSiteConfig;

/* A DC: its name, its site (-1: the implicit Default-First-Site-Name), GC or not. */
typedef struct dirDcConfig {
    const char *name;
    int site;
    int gc;
} dirDcConfig;

/* A site link between sites a and b. */
typedef struct dirLinkConfig {
    int a, b;
    int has_interval, has_cost;
    simtime interval;       /* with has_interval; else the sitelink.interval parameter */
    int64_t cost;           /* with has_cost; else the sitelink.cost parameter */
} dirLinkConfig;

/* The forest to build, in declaration order (indexes are these arrays'). */
typedef struct dirConfig {
    const dirSiteConfig *sites;
    int nsites;
    const dirDcConfig *dcs;
    int ndcs;
    const dirLinkConfig *links;
    int nlinks;
} dirConfig;

/*
** Build the directory cfg describes over kernel k: sites, site links, DCs
** (each with the domain's well-known containers, created identically on
** every DC at time 0), and schedule the periodic grids.  On failure k->err
** says why and *out is NULL.
*/
msStatus dirBuild(struct kernel *k, const dirConfig *cfg, directory **out);

/* Free d and everything it owns. */
void dirFree(directory *d);

/* Number of DCs; their indexes are the configuration's order. */
int dirDcCount(const directory *d);

/* Name of DC dc ("DC1"). */
const char *dirDcName(const directory *d, int dc);

/* 1 when DC dc is failed. */
int dirDcFailed(const directory *d, int dc);

/*
** Start `sync` (dc -1: every non-failed DC, sites included, in rounds until
** nothing moves; else one round into dc from each partner).  The step
** blocks until dirSyncDone.
*/
msStatus dirSyncStart(directory *d, int dc);
/* 1 when no `sync` is in progress (the last one has finished), else 0. */
int dirSyncDone(const directory *d);

/*
** 1 when every non-failed DC holds the same objects with the same values and
** stamps (local USNs aside).  Cheap: callable after every event.
*/
int dirConverged(const directory *d);

/* One line naming the DCs that differ from the first non-failed DC. */
void dirDescribeDivergence(const directory *d, char *buf, size_t bufsz);

/* Fail or restore a DC or the site link between two sites.  Failing what is
** failed, or restoring what is not, is MS_FAIL with a reason in s->err. */
msStatus dirFailDc(directory *d, int dc);
msStatus dirRestoreDc(directory *d, int dc);
msStatus dirFailLink(directory *d, int site_a, int site_b);
msStatus dirRestoreLink(directory *d, int site_a, int site_b);

/*
** Write DC dc's replica as LDIF (RFC 2849) to f, tombstones included, in a
** stable order.  Returns MS_IO if writing failed.
*/
msStatus dirWriteLdif(const directory *d, int dc, FILE *f);

/* ---- Access through a DC (for the other model modules) --------------- */

/* 1 when dc holds obj as a live (not deleted) object. */
int dirIsLive(const directory *d, int dc, const guid *obj);

/* 1 when dc holds obj as a tombstone. */
int dirIsDeleted(const directory *d, int dc, const guid *obj);

/* The single value of attribute a of obj on dc, or NULL (absent or no object). */
const char *dirGet(const directory *d, int dc, const guid *obj, dirAttr a);

/* Up to max values of a multi-valued attribute into vals; returns how many it has. */
size_t dirGetAll(const directory *d, int dc, const guid *obj, dirAttr a, const char **vals, size_t max);

/* The RFC 4514 DN of obj on dc into buf (a LF in an RDN shows as \0A); NULL if absent. */
char *dirDn(const directory *d, int dc, const guid *obj, char *buf, size_t bufsz);

/*
** Live objects on dc whose proxyAddresses hold proxy (compared without
** regard to case, prefix included: "X500:/o=Src/..."), in objectGUID order:
** up to max into out; returns how many there are.
*/
size_t dirFindByProxy(const directory *d, int dc, const char *proxy, guid *out, size_t max);

/* Live objects on dc whose msExchMailboxGuid is mbx, as dirFindByProxy. */
size_t dirFindByMailboxGuid(const directory *d, int dc, const guid *mbx, guid *out, size_t max);

/*
** Call fn for every object (live or tombstone) whose usnChanged on dc is
** above after, in usnChanged order; returns the highest usnChanged on dc.
** This is how a DC-bound service (the RUS) finds what changed since its last
** run.  fn must not write to the directory.
*/
uint64_t dirForEachChanged(const directory *d, int dc, uint64_t after,
                           void (*fn)(void *ctx, const guid *obj), void *ctx);

/*
** Originating create on dc: a new object with a fresh objectGUID under
** container parent, RDN value rdn, and the given values.  A name already
** taken on dc by a live object is MS_FAIL (LDAP's entryAlreadyExists).
*/
msStatus dirAdd(directory *d, int dc, dirContainer parent, const char *rdn,
                    const dirValue *vals, size_t nvals, guid *out);

/* Originating replace of attribute a on obj (nvals 0 clears it).  MS_FAIL
** if dc does not hold obj live. */
msStatus dirModify(directory *d, int dc, const guid *obj, dirAttr a,
                   const char *const *vals, size_t nvals);

/* Originating delete of obj on dc (it becomes a tombstone).  MS_FAIL if dc
** does not hold obj live. */
msStatus dirDelete(directory *d, int dc, const guid *obj);

/* ---- Additions: more writes, and hooks for tests and tools ------------- */

/* As dirAdd, under any live object parent (an OU created with dirAdd, say). */
msStatus dirAddUnder(directory *d, int dc, const guid *parent, const char *rdn,
                     const dirValue *vals, size_t nvals, guid *out);

/* Originating rename of obj on dc to RDN value newrdn (same parent).  MS_FAIL
** if dc does not hold obj live or the name is taken there; a rename to the
** current name writes nothing. */
msStatus dirRename(directory *d, int dc, const guid *obj, const char *newrdn);

/* Originating move of obj on dc under the live object newparent (same RDN).
** MS_FAIL as dirRename, or when newparent is obj or below it. */
msStatus dirMove(directory *d, int dc, const guid *obj, const guid *newparent);

/* The objectGUID of a well-known container (the same on every DC). */
void dirContainerGuid(const directory *d, dirContainer c, guid *out);

/* Index of the DC named name, or -1. */
int dirDcIndex(const directory *d, const char *name);

/*
** A forced pull into dst from src that is read and applied at once (no
** latency), as `repadmin /replicate` would; the applied changes arm dst's
** notification as any pull does.  Returns the attributes moved (0 when dst is
** up to date, or either DC is failed).  For tests and tools: scenarios use
** `sync`.
*/
size_t dirPullNow(directory *d, int dst, int src);

/*
** DC dc's intra-site replication partners in notification order (next in
** the ring, previous, then shortcut partners) into out (up to max); returns
** how many it has.
*/
int dirPartners(const directory *d, int dc, int *out, int max);

/*
** What repadmin /showrepl lists for dc: its intra-site partners
** (dirPartners' order), then, when dc is its site's bridgehead, the
** bridgehead of the other site of each of its site links in link order
** (failed links too: a broken connection is still shown), each once.  Into
** out (up to max); returns how many.
*/
int dirReplPartners(const directory *d, int dc, int *out, int max);

/* Objects (live and tombstones) dc holds. */
size_t dirObjectCount(const directory *d, int dc);

/* The version of attribute a's stamp on obj on dc (tombstones included); 0 if none. */
uint64_t dirStampVersion(const directory *d, int dc, const guid *obj, dirAttr a);

/*
** What an administrator can read on dc about replication: when a pull from
** src was last applied there (-1: never; repadmin /showrepl's "last
** success"), and the highest of origin's own changes dc has seen (its
** up-to-dateness vector entry; repadmin /showutdvec).  For origin == dc,
** dc's own highest USN.
*/
simtime dirLastPull(const directory *d, int dc, int src);
uint64_t dirUpToDate(const directory *d, int dc, int origin);

/*
** Inspection (the state views of `--show dc:NAME`): read-only, tombstones
** included.  dirGetAny is dirGet that also reads a tombstone's values (what
** deletion left of them); dirGetAllAny likewise for dirGetAll.  dirUsnChanged
** is obj's usnChanged on dc (0: dc does not hold obj).  Every object dc holds
** has a usnChanged of at least 1, so dirForEachChanged(d, dc, 0, ...) visits
** them all.
*/
const char *dirGetAny(const directory *d, int dc, const guid *obj, dirAttr a);
size_t dirGetAllAny(const directory *d, int dc, const guid *obj, dirAttr a, const char **vals, size_t max);
uint64_t dirUsnChanged(const directory *d, int dc, const guid *obj);

#endif
