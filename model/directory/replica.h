/*
** One DC's replica of the domain naming context: its objects, their
** attribute values and per-attribute stamps, the DC's update sequence number
** (USN), the USN-ordered change log and the lookup indexes.
**
** Representation (docs/model-directory.md, "Representation"):
**  - Objects live in an array in arrival order; a slot becomes NULL when
**    tombstone garbage collection removes its object.  Object indexes are
**    stable for the life of the replica.
**  - An object's content (parent, values, stamps: everything but its GUID
**    and this DC's local USNs) is a body (obody), shared by reference count
**    between every replica and change set that holds the same content: a
**    pull that brings a whole object shares the source's body instead of
**    copying it, so a forest of 1,000 DCs holds one body per distinct
**    object version, and a copy costs a small dobj.  A body with more than
**    one reference is never changed: a write copies it first (copy on
**    write).  A body's content hash is computed once, when it is frozen.
**  - Attribute values are immutable, reference-counted value sets (rval),
**    shared the same way.
**  - Local USNs are per replica.  Most objects had every attribute written
**    in one update on this DC (created by one pull, or by one originating
**    write): then every written attribute's local USN is usnChanged and the
**    object stores none (lusn NULL); otherwise lusn points at an array of
**    A__COUNT local USNs from the replica's pool.
**  - Lookups go through open-addressing multimaps keyed by a 64-bit hash:
**    objectGUID (every object), (parent, lowercase RDN) / proxy address /
**    msExchMailboxGuid (live objects only).  The maps are used for lookup
**    only, never iterated for output or decisions.
**  - The change log holds (usn, object) for every update transaction in USN
**    order.  An entry is current when the object's usnChanged equals it;
**    stale entries are skipped and compacted away now and then.
**  - digest is the XOR of every object's content hash (values and stamps,
**    local USNs aside), kept up to date on every change, so two replicas
**    whose digests and counts differ are certainly different.
**
** Invariants: every change to an object goes between replicaTouch and
** replicaTouched, which keep indexes, digest, usnChanged, local USNs and the
** log right; usnChanged is the highest local USN on the object; a body whose
** reference count is above 1 is never written; a frozen body's hash is its
** content's.
**
** Out of memory: rvalNew and replicaNewObject return NULL and change
** nothing.  A change that cannot copy a shared body (the setters below leave
** it unwritten), get a local-USN array, or grow the log or an index marks
** the replica failed (nomem); replicaTouched then returns MS_NOMEM, and the
** replica is fit only to be freed (the run stops).
*/
#ifndef MIGSIM_REPLICA_H
#define MIGSIM_REPLICA_H

#include <stddef.h>
#include <stdint.h>
#include "directory/directory.h"
#include "kernel/guid.h"

/* An immutable set of values of one attribute, shared by reference count. */
typedef struct rval {
    uint32_t refs;
    uint32_t len;        /* bytes of data, every value NUL-terminated */
    uint32_t n;          /* number of values */
    uint64_t hash;       /* of the data, computed once (values are immutable) */
    char data[];         /* "v1\0v2\0" */
} rval;

/* The per-attribute replication metadata (MS-DRSR 5.11 AttributeStamp),
** without the local USN, which is per replica (replicaLocalUsn). */
typedef struct stamp {
    uint32_t version;    /* 0: never written */
    uint32_t time;       /* originating time, whole seconds from time 0 */
    uint32_t inv;        /* originating invocationId, as its rank in GUID order */
    uint64_t orig_usn;   /* originating USN on the originating DC */
} stamp;

/* An object's content, shared by reference count (see the file comment). */
typedef struct obody {
    uint32_t refs;
    uint16_t written;    /* bit a: attribute a's stamp version is not 0 */
    uint8_t frozen;      /* hash, name_key and the send summary are up to date */
    guid parent;         /* goes with A_NAME's stamp: a move is a name write */
    uint64_t hash;       /* of parent, values and stamps (frozen bodies) */
    uint64_t name_key;   /* the (parent, RDN) index key (frozen bodies with a name) */
    /* Send summary (frozen bodies), so a pull decides most objects without
    ** looking at each stamp: when every written stamp has one originating
    ** DC (one_inv, else UINT32_MAX), the lowest and highest originating USN. */
    uint32_t one_inv;
    uint64_t orig_lo, orig_hi;
    rval *v[A__COUNT];   /* NULL: absent */
    stamp st[A__COUNT];
} obody;

typedef struct dobj {
    guid id;
    uint64_t id_hash;    /* hashGuid(&id) */
    obody *b;            /* never NULL; an empty body for a new object */
    uint64_t usn_changed;
    uint64_t *lusn;      /* NULL: every written attribute's local USN is usn_changed */
    uint32_t slot;       /* index in the replica's object array */
    uint16_t wrote;      /* attributes stamped in the update under way (Touch..Touched) */
    uint8_t deleted;     /* A_ISDELETED is "TRUE" */
    uint8_t indexed;     /* in the secondary (live-only) indexes */
} dobj;

/* Open-addressing multimap from a 64-bit key hash to object slots.  A slot
** keeps the key hash's low 32 bits: enough for its home position (a table
** never has 2^32 slots) and a first filter; every lookup confirms a match on
** the object itself. */
typedef struct hslot {
    uint32_t h;          /* the key hash's low 32 bits */
    uint32_t slot1;      /* object slot + 1; 0: empty */
} hslot;

typedef struct hmap {
    hslot *v;
    size_t cap, len;     /* cap is a power of two */
} hmap;

#define REPLICA_CHUNK 1024

typedef struct logEnt {
    uint64_t usn;
    uint32_t slot;
} logEnt;

typedef struct replica {
    dobj **obj;          /* arrival order; NULL where GC removed one */
    dobj **chunks;       /* objects live in chunks of 16, 32, ... then REPLICA_CHUNK */
    size_t nchunks, used_in_chunk, chunk_cap;   /* chunk_cap: of the last chunk */
    dobj *free_list;     /* objects GC removed, chained through their lusn field's storage */
    uint64_t **lusn_chunks;   /* local-USN arrays, REPLICA_CHUNK per chunk */
    size_t nlusn_chunks, lusn_used;   /* arrays used in the last chunk */
    uint64_t *lusn_free; /* freed arrays, chained through their first element's storage */
    obody *empty;        /* the body of a new object, shared until written */
    size_t nobj, capobj;
    size_t count;        /* objects present */
    uint64_t usn;        /* highest USN used */
    uint64_t digest;     /* XOR of object hashes */
    uint64_t changes;    /* bumped by every change (for convergence caching) */
    logEnt *log;
    size_t nlog, caplog;
    hmap byGuid, byName, byProxy, byMbx;
    int nomem;           /* an allocation in a change failed: see "Out of memory" above */
} replica;

/* ---- values ---- */

/* A new value set of n values (reference count 1), or NULL when n is 0 or memory ran out. */
rval *rvalNew(const char *const *vals, size_t n);
/* A one-value set. */
rval *rvalOne(const char *v);
/* Take one more reference to v (NULL allowed) and return v. */
rval *rvalRef(rval *v);
/* Drop one reference to v (NULL allowed); the last one frees it. */
void rvalUnref(rval *v);
/* 1 when a and b hold the same values in the same order (NULL equals NULL). */
int rvalEqual(const rval *a, const rval *b);
/* The first value, or NULL. */
const char *rvalFirst(const rval *v);
/* The value after cur, or NULL. */
const char *rvalNext(const rval *v, const char *cur);

/* ---- stamps ---- */

/* >0 when a wins over b (version, then time, then invocationId), 0 when equal, <0 otherwise. */
int stampCompare(const stamp *a, const stamp *b);

/* ---- bodies ---- */

/* Take one more reference to b and return it. */
obody *bodyRef(obody *b);
/* Drop one reference to b (NULL allowed); the last one frees it and its values. */
void bodyUnref(obody *b);

/* ---- strings and hashing ---- */

/* ASCII case-insensitive equality (the model's LDAP string matching). */
int strEqualNoCase(const char *a, const char *b);
/* A hash of s that ignores ASCII case, so names equal by strEqualNoCase hash
** alike; seed separates the tables.  For lookup only, never for order. */
uint64_t hashStrNoCase(uint64_t seed, const char *s);
/* A hash of g's 16 bytes, for lookup only. */
uint64_t hashGuid(const guid *g);

/* ---- the replica ---- */

/* An empty replica (no objects, USN 0). */
void replicaInit(replica *r);
/* Release every object, value reference, index and log entry r holds. */
void replicaFree(replica *r);

/* The object with objectGUID id (live or tombstone), or NULL. */
dobj *replicaFind(const replica *r, const guid *id);

/* A new empty object with objectGUID id, added to the arrival array and the GUID map; NULL: out of memory. */
dobj *replicaNewObject(replica *r, const guid *id);

/* Before changing o: take it out of the live indexes and the digest. */
void replicaTouch(replica *r, dobj *o);
/* After changing o in the update with local USN usn: usnChanged, local USNs, log, digest, indexes.
** MS_NOMEM: this change or an earlier one ran out of memory (see "Out of memory" above). */
msStatus replicaTouched(replica *r, dobj *o, uint64_t usn);

/* Remove o for good (tombstone garbage collection). */
void replicaRemove(replica *r, dobj *o);

/* Set o's attribute a to v (taking a reference) with stamp st, in the update
** under way (its local USN becomes that update's).  Between Touch/Touched.
** These setters cannot fail visibly: out of memory shows at replicaTouched. */
void replicaSetAttr(replica *r, dobj *o, dirAttr a, rval *v, const stamp *st);
/* Set o's value of a without a new stamp (the tombstone rules).  Between Touch/Touched. */
void replicaSetValue(replica *r, dobj *o, dirAttr a, rval *v);
/* Set o's parent (goes with a write of A_NAME).  Between Touch/Touched. */
void replicaSetParent(replica *r, dobj *o, const guid *parent);
/* Give o the content b (taking a reference) when b is exactly what the
** update leaves: the attributes in stamped take this update's local USN, the
** others keep theirs.  Between Touch/Touched. */
void replicaShareBody(replica *r, dobj *o, obody *b, uint16_t stamped);

/* The local USN of o's attribute a on this replica (0: never written). */
uint64_t replicaLocalUsn(const dobj *o, dirAttr a);

/* The content hash of b (frozen bodies: computed once). */
uint64_t bodyHash(obody *b);

/* Live objects under parent whose RDN is name (case-insensitive), up to max slots; returns how many. */
size_t replicaFindByName(const replica *r, const guid *parent, const char *name, dobj **out, size_t max);
/* The same for o's own parent and name (o named, outside Touch..Touched). */
size_t replicaFindNamesakes(const replica *r, const dobj *o, dobj **out, size_t max);

/* Every live object whose proxyAddresses hold proxy / whose mailbox GUID is mbx: as above. */
size_t replicaFindByProxy(const replica *r, const char *proxy, dobj **out, size_t max);
size_t replicaFindByMbx(const replica *r, const char *mbx, dobj **out, size_t max);

/* Index of the first log entry with usn above after (binary search). */
size_t replicaLogFrom(const replica *r, uint64_t after);

/* 1 when o's log entry e is current. */
int replicaLogCurrent(const replica *r, const logEnt *e);

/* Content hash of o (GUID, parent, values, stamps without local USNs). */
uint64_t replicaObjHash(dobj *o);

/* 1 when a and b hold the same content (as replicaObjHash sees it). */
int replicaObjEqual(const dobj *a, const dobj *b);

#endif
