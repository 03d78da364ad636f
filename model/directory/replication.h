/*
** Replication: originating writes on one DC, and the pull that carries
** changes from a source DC to a destination DC.
**
** A pull has two halves, because the delay model says a pull "sees the
** source as it is when the pull starts and is applied latency later":
** csBuild takes the change set from the source at the start (every object
** whose usnChanged is above the destination's high-watermark for that source,
** with the attributes changed since then that the destination's
** up-to-dateness vector does not already cover: propagation dampening), and
** csApply applies it on the destination later.  The change set holds
** references to the source's object bodies, which the source copies before
** any later write, so the source may change in between without affecting it;
** an object that arrives whole shares the body on the destination too.
**
** csApply decides from the destination's replica and the change set alone:
** per attribute the stamp rule (version, then originating time, then
** invocationId); then, for each object it changed, the tombstone rules
** (stripped attributes, DEL-mangled name in Deleted Objects), a live object
** whose parent is missing or deleted goes to LostAndFound, a name conflict
** renames the loser with a CNF-mangled name; live children of a container
** that became a tombstone go to LostAndFound.  Those last three are
** originating writes on the destination and replicate like any other.
*/
#ifndef MIGSIM_REPLICATION_H
#define MIGSIM_REPLICATION_H

#include <stddef.h>
#include <stdint.h>
#include "directory/dirint.h"

/* One object of a change set: the source's body (a reference: values,
** stamps and parent as they were when the pull started) and which of its
** attributes the pull carries (the others the destination already has). */
typedef struct csObj {
    guid id;
    obody *b;              /* a reference to the source's body */
    uint64_t usn;          /* usnChanged on the source */
    uint16_t mask;         /* bit a: attribute a is carried */
} csObj;

typedef struct changeSet {
    int src, dst;
    csObj *o;
    size_t no, capo;
    size_t na;             /* attributes carried, over every object */
    uint64_t src_usn;      /* the source's highest USN when the set was taken */
    utdVec *src_utd;       /* the source's up-to-dateness vector then (a reference; its
                           ** own rank's entry is raised to src_usn when applied) */
} changeSet;

struct csTouched;

typedef struct applyResult {
    size_t applied;        /* attributes that won and were written */
    size_t objects;        /* objects changed */
    int urgent;            /* an urgent attribute changed on an existing live object */
    struct csTouched *touched;   /* csMerge -> csPlace: the objects merged */
    size_t ntouched;
} applyResult;

/*
** Out of memory: every function below that returns an msStatus returns
** MS_NOMEM when an allocation failed; a change set is then still safe to free
** (csFree, csRecycle), and a replica that was being changed is fit only to be
** freed (replica.h): the run stops.
*/

/* Take the change set for a pull into dst from src, as src is now. */
msStatus csBuild(directory *d, int dst, int src, changeSet *cs);

/* Apply cs on its destination now; then advance its high-watermark and UTD
** vector.  The same as csMerge then csPlace. */
msStatus csApply(directory *d, const changeSet *cs, applyResult *res);

/*
** The two halves of csApply, so that the caller can tell the pull between
** them (the narrative shows a pull before the name conflicts and orphan moves
** it caused).  csMerge applies the stamp rule to every object of cs and fills
** res; csPlace, which must follow on the same cs and res, moves orphans to
** LostAndFound, resolves name conflicts (both originating writes), advances
** the high-watermark and UTD vector and releases what csMerge kept in res.
*/
msStatus csMerge(directory *d, const changeSet *cs, applyResult *res);
msStatus csPlace(directory *d, const changeSet *cs, applyResult *res);

/* A zeroed vector of n entries (reference count 1), or NULL when memory ran out. */
utdVec *utdNew(size_t n);
/* Drop one reference to v (NULL allowed); the last one frees it. */
void utdUnref(utdVec *v);

/* Release cs's references and storage. */
void csFree(changeSet *cs);

/* Release cs's references and keep its storage in d for the next csBuild. */
void csRecycle(directory *d, changeSet *cs);

/* Free the storage csRecycle kept. */
void csFreeSpare(directory *d);

/* Number of attributes in cs, and the lowest and highest source usnChanged. */
void csSummary(const changeSet *cs, size_t *attrs, uint64_t *lo, uint64_t *hi);

/* Originating writes on DC dc (see directory.h for each contract). */
msStatus origCreate(directory *d, int dc, const guid *parent, const char *rdn,
                    const dirValue *vals, size_t nvals, guid *out);
msStatus origModify(directory *d, int dc, const guid *obj, dirAttr a,
                    const char *const *vals, size_t nvals, int *urgent);
msStatus origMove(directory *d, int dc, const guid *obj, const guid *newparent, const char *newrdn);
msStatus origDelete(directory *d, int dc, const guid *obj);

/* 1 when attribute a survives on a tombstone (MS-ADTS 3.1.1.5.5.1.1). */
int attrPreserved(dirAttr a);

#endif
