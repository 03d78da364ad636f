/*
** The directory's internals, shared by the files that implement it:
** directory.c (public API, build, convergence, fail/restore), replica.c (one
** DC's copy), replication.c (originating writes, change sets, pulls,
** conflicts), topology.c (sites, rings, partners, bridgeheads, site links,
** notification timers, urgent replication, periodic grids, sync) and ldif.c.
** Nothing outside model/directory*.c, replica.c, replication.c, topology.c
** and ldif.c includes this file: other modules use directory.h.
**
** DCs are numbered in declaration order.  Invocation IDs are ranked in GUID
** (lowercase string) order once at build time; a stamp carries the rank, so
** comparing stamps never touches a GUID.
*/
#ifndef MIGSIM_DIRINT_H
#define MIGSIM_DIRINT_H

#include <stdint.h>
#include "directory/directory.h"
#include "directory/replica.h"
#include "kernel/kernel.h"

/* The well-known containers, in dirContainer order. */
#define DIR_NCONTAINERS 5
#define DIR_DOMAIN_DN "DC=target,DC=example"

/* An up-to-dateness vector (per invocation rank: highest originating USN
** seen), shared by reference count between a DC and the change sets taken
** from it while their pulls are in flight; a DC copies it before a write
** while it is shared, so a pull sees the vector as it was when it started. */
typedef struct utdVec {
    uint32_t refs;
    uint64_t v[];
} utdVec;

typedef struct dcState {
    char name[64];
    int site;
    int failed;
    guid inv;              /* invocationId */
    uint32_t rank;         /* of inv among all DCs' invocationIds */
    replica r;
    uint64_t *hwm;         /* per source DC: highest source usnChanged seen */
    utdVec *utd;           /* up-to-dateness vector, by invocation rank */
    unsigned char *pair;   /* per source DC: PAIR_* state of pulls from it (topology.c) */
    simtime *last_pull;    /* per source DC: when a pull from it was last applied here; -1: never */
    int *partners;         /* intra-site partners in notification order */
    int npartners;
    int notify_armed;      /* the notification timer is running */
    int64_t notify_gen;    /* bumped when the DC fails: cancels its pending notifications */
    int *notify_pending;   /* per partner index: notification events still to fire */
} dcState;

typedef struct siteState {
    char name[64];
    int *dcs;              /* declaration order */
    int ndcs;
    simtime schedule;      /* periodic intra-site pull interval */
    int bridgehead;        /* DC index, -1 when the site has no DC */
} siteState;

typedef struct linkState {
    int a, b;              /* site indexes */
    simtime interval;
    int64_t cost;
    int failed;
} linkState;

struct pull;

struct directory {
    kernel *k;
    int ndc;
    dcState *dc;
    int nsite;
    siteState *site;
    int nlink;
    linkState *link;
    int *dcOfRank;         /* invocation rank -> DC index */
    guid cont[DIR_NCONTAINERS];

    struct pull **pulls;   /* in-flight pulls by slot (NULL: free) */
    size_t *free_slots;    /* the free slots of pulls, a stack (npulls capacity) */
    size_t nfree_slots;
    /* Storage of a finished change set, kept for the next one: a pull of
    ** 100,000 objects needs tens of megabytes, and fresh pages are costly. */
    void *spare_o;
    size_t spare_capo;
    size_t npulls;
    int64_t pull_seq;      /* pulls started so far: each pull's span number in the trace */

    int sync_active;
    int sync_dc;           /* -1: every DC until nothing moves; else one round into it */
    uint64_t sync_round;
    size_t sync_moved;     /* attributes moved by the round in progress */
    size_t sync_pulls;     /* sync pulls of the round in flight or waiting behind another of their pair */
    uint64_t fail_epoch;   /* bumped by every fail and restore */

    uint64_t conv_changes; /* sum of replicas' change counters when conv_result was computed */
    uint64_t conv_epoch;   /* fail_epoch then */
    int conv_valid, conv_result;
};

/* Originating time of a write made now: whole seconds. */
uint32_t dirNowSeconds(const directory *d);

/* The RFC 4514 DN of o on replica r into buf; escape_lf 0 leaves a LF raw (for LDIF). */
char *dirObjDn(const directory *d, const replica *r, const dobj *o, char *buf, size_t bufsz, int rfc4514);

#endif
