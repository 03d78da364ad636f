/*
** Replication topology and timing (see topology.h).
**
** The rules, from docs/semantics.md with their sources in docs/model-directory.md:
**  - Ring: the DCs of a site in declaration order form a bidirectional ring.
**    A DC's partners, in notification order: the next DC in the ring, the
**    previous DC, then shortcut partners in declaration order.  Two DCs:
**    one partner.  Above 7 DCs, shortcut edges are added until no DC is more
**    than 3 hops from another (MS-ADTS 6.2.2.2).  Up to TOPO_GREEDY_MAX DCs:
**    repeatedly, the first pair (i < j, positions in declaration order)
**    among those farthest apart gets an edge.  Above it, where that search
**    would cost O(n^3): hubs (hubShortcuts), O(n) edges built in O(n log n).
**  - Notification: the first change not yet announced arms the DC's timer;
**    later changes join it (never restart it).  When it fires (after
**    notify.first_delay) the DC notifies its first partner, then each further
**    partner notify.between_delay after the previous one.  The timer is free
**    again from the moment it fires: a change after that arms a new one.
**  - Urgent: every partner is notified at once (0 s).
**  - A DC that fails drops the notifications it still had to send and skips
**    its periodic runs while failed, each told in the narrative; restored,
**    it catches up at its next trigger.
**  - A notified DC pulls from the notifier.
**  - One pull per (destination, source) pair in flight: a trigger meanwhile
**    is coalesced into one follow-up, started when that pull is applied.
**  - Periodic grids run from time 0, first firing one interval after 0:
**    every DC of a site pulls from each of its partners on the site's
**    schedule; the bridgeheads of the two sites of a site link pull from each
**    other on the link's interval; tombstone GC runs on every DC on gc.interval.
**  - sync: rounds of pulls; every pull of a round starts at once and the
**    round ends when the last one has been applied.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "directory/replication.h"
#include "directory/topology.h"

typedef struct pull {
    changeSet cs;
    pullKind kind;
    uint64_t sync_round;   /* for PULL_SYNC */
    int64_t id;            /* the span's number in the trace: start and application carry it */
} pull;

/* The trigger's name as the trace's `why` field. */
static const char *pullTrigger(pullKind k) {
    switch (k) {
    case PULL_NOTIFY: return "notify";
    case PULL_URGENT: return "urgent";
    case PULL_PERIODIC: return "schedule";
    case PULL_INTERSITE: return "sitelink";
    case PULL_SYNC: return "sync";
    default: return "forced";
    }
}

/* A record about pull p with its subjects and span fields. */
static traceRecord pullRecord(directory *d, traceKind kind, const pull *p) {
    traceRecord r = traceNew(kind, d->dc[p->cs.dst].name);
    r.dc = d->dc[p->cs.dst].name;
    r.peer = d->dc[p->cs.src].name;
    traceInt(&r, "pull", p->id);
    traceStr(&r, "why", pullTrigger(p->kind));
    return r;
}

static const char *pullWhy(pullKind k) {
    switch (k) {
    case PULL_NOTIFY: return "";
    case PULL_URGENT: return " (urgent)";
    case PULL_PERIODIC: return " (schedule)";
    case PULL_INTERSITE: return " (site link)";
    case PULL_SYNC: return " (sync)";
    default: return " (forced)";
    }
}

/* ---- pulls ---- */

static msStatus syncPullDone(directory *d, size_t moved);
static msStatus evPullApply(kernel *k, void *obj, int64_t arg);

static void narratePull(directory *d, const pull *p, const applyResult *res) {
    kernel *k = d->k;
    if (!kernelNarrating(k)) return;
    size_t attrs;
    uint64_t lo, hi;
    csSummary(&p->cs, &attrs, &lo, &hi);
    const char *src = d->dc[p->cs.src].name;
    traceRecord r = pullRecord(d, TR_REPL_PULL, p);
    traceInt(&r, "objects", (int64_t)p->cs.no);
    traceInt(&r, "attributes", (int64_t)attrs);
    traceInt(&r, "applied", (int64_t)res->applied);
    if (!p->cs.no) {
        /* A scheduled pull that finds nothing is the quiet norm: a record, no line. */
        if (p->kind == PULL_PERIODIC || p->kind == PULL_INTERSITE) r.kind = TR_REPL_PULL_EMPTY;
        kernelEmit(k, &r, "pull from %s%s: up to date, 0 attributes", src, pullWhy(p->kind));
        return;
    }
    traceInt(&r, "usn_from", (int64_t)lo);
    traceInt(&r, "usn_to", (int64_t)hi);
    char lost[64] = "";
    if (res->applied < attrs)
        snprintf(lost, sizeof lost, "; %zu already held or older", attrs - res->applied);
    kernelEmit(k, &r, "pull from %s%s: %zu object%s, %zu attribute%s (usn %llu..%llu)%s",
               src, pullWhy(p->kind), p->cs.no, p->cs.no == 1 ? "" : "s", attrs, attrs == 1 ? "" : "s",
               (unsigned long long)lo, (unsigned long long)hi, lost);
}

/*
** Double the pull slots.  The free slots are a stack, so starting a pull is
** O(1) however many are in flight (one per pair of DCs that replicate:
** thousands in a large forest); a scan for a free slot made such runs
** quadratic.  The new slots are pushed highest first, so the lowest is used
** first.
*/
static msStatus growPulls(directory *d) {
    size_t n = d->npulls * 2 + 8;
    struct pull **np = realloc(d->pulls, n * sizeof *np);
    if (!np) return MS_NOMEM;
    d->pulls = np;
    size_t *nf = realloc(d->free_slots, n * sizeof *nf);
    if (!nf) return MS_NOMEM;   /* pulls grew alone: npulls still tells the truth */
    d->free_slots = nf;
    for (size_t i = d->npulls; i < n; i++) np[i] = NULL;
    for (size_t i = n; i > d->npulls; i--) nf[d->nfree_slots++] = i - 1;
    d->npulls = n;
    return MS_OK;
}

/*
** Pulls of one pair are serialised, as AD's replication queue does: the
** state of the pair (dst, src) is the byte dc[dst].pair[src].  While a pull
** of the pair is in flight (PAIR_BUSY), a trigger for it starts nothing; it
** sets PAIR_AGAIN, and any further triggers join that one follow-up, which
** starts when the pull in flight is applied and so sees everything they
** would have seen.  The follow-up keeps the kind of the first trigger,
** except that a sync trigger makes it a sync pull (the round waits for it).
** So at most one pull per pair is in flight and one is owed, however fast
** the triggers come (a 1 s schedule with a 1 d latency).
*/
#define PAIR_BUSY 0x80
#define PAIR_AGAIN 0x40
#define PAIR_KIND 0x0f

static void owePull(directory *d, unsigned char *ps, pullKind kind) {
    if (!(*ps & PAIR_AGAIN)) {
        *ps = (unsigned char)(*ps | PAIR_AGAIN | (unsigned)kind);
        if (kind == PULL_SYNC) d->sync_pulls++;
        return;
    }
    if (kind == PULL_SYNC && (pullKind)(*ps & PAIR_KIND) != PULL_SYNC) {
        *ps = (unsigned char)((*ps & ~PAIR_KIND) | PULL_SYNC);
        d->sync_pulls++;
    }
}

msStatus topoStartPull(directory *d, int dst, int src, pullKind kind) {
    if (d->dc[dst].failed || d->dc[src].failed || dst == src) return MS_OK;
    unsigned char *ps = &d->dc[dst].pair[src];
    if (*ps & PAIR_BUSY) {
        owePull(d, ps, kind);
        return MS_OK;
    }
    pull *p = calloc(1, sizeof *p);
    if (!p) return MS_NOMEM;
    msStatus rc = csBuild(d, dst, src, &p->cs);
    if (rc == MS_OK && d->nfree_slots == 0) rc = growPulls(d);
    if (rc != MS_OK) {
        csFree(&p->cs);
        free(p);
        return rc;
    }
    p->kind = kind;
    p->sync_round = d->sync_round;
    p->id = ++d->pull_seq;
    if (kernelNarrating(d->k)) {
        size_t attrs;
        uint64_t lo, hi;
        csSummary(&p->cs, &attrs, &lo, &hi);
        traceRecord r = pullRecord(d, TR_REPL_PULL_START, p);
        traceInt(&r, "objects", (int64_t)p->cs.no);
        traceInt(&r, "usn_from", (int64_t)lo);
        traceInt(&r, "usn_to", (int64_t)hi);
        kernelEmit(d->k, &r, "pull from %s%s started: %zu object%s (usn %llu..%llu)", d->dc[src].name,
                   pullWhy(kind), p->cs.no, p->cs.no == 1 ? "" : "s", (unsigned long long)lo,
                   (unsigned long long)hi);
    }
    size_t slot = d->free_slots[--d->nfree_slots];
    d->pulls[slot] = p;
    simtime lat = kind == PULL_FORCED ? 0 : kernelJitter(d->k, d->k->p.latency);
    rc = kernelSchedule(d->k, d->k->now + lat, evPullApply, d, (int64_t)slot, "dc.pull");
    if (rc != MS_OK) {
        d->pulls[slot] = NULL;
        d->free_slots[d->nfree_slots++] = slot;
        csFree(&p->cs);
        free(p);
        return rc;
    }
    *ps = PAIR_BUSY;
    if (kind == PULL_SYNC) d->sync_pulls++;
    return MS_OK;
}

static msStatus evPullApply(kernel *k, void *obj, int64_t arg) {
    (void)k;
    directory *d = obj;
    pull *p = d->pulls[arg];
    d->pulls[arg] = NULL;
    d->free_slots[d->nfree_slots++] = (size_t)arg;
    int dst = p->cs.dst, src = p->cs.src;
    applyResult res = {0};
    msStatus rc = MS_OK;
    if (d->dc[dst].failed) {
        if (kernelNarrating(d->k)) {
            traceRecord r = pullRecord(d, TR_REPL_LOST, p);
            kernelEmit(d->k, &r, "pull from %s dropped: %s is failed", r.peer, r.dc);
        }
    } else {
        rc = csMerge(d, &p->cs, &res);
        d->dc[dst].last_pull[p->cs.src] = k->now;
        if (rc == MS_OK) {
            narratePull(d, p, &res);   /* before the conflicts and orphans it caused */
            rc = csPlace(d, &p->cs, &res);
        }
        if (rc == MS_OK && res.applied) rc = topoNoteChange(d, dst, res.urgent);
    }
    size_t moved = p->cs.na;
    int was_sync = p->kind == PULL_SYNC && p->sync_round == d->sync_round;
    csRecycle(d, &p->cs);
    free(p);
    if (was_sync) d->sync_pulls--;
    unsigned char ps = d->dc[dst].pair[src];
    d->dc[dst].pair[src] = 0;
    int owed_sync = 0;
    if (ps & PAIR_AGAIN) {
        pullKind again = (pullKind)(ps & PAIR_KIND);
        owed_sync = again == PULL_SYNC;
        if (owed_sync) d->sync_pulls--;   /* counted again if it starts */
        if (rc == MS_OK) rc = topoStartPull(d, dst, src, again);
    }
    /* What the pull in flight moved counts for a sync pull that waited on it. */
    if (rc == MS_OK && (was_sync || owed_sync)) rc = syncPullDone(d, moved);
    return rc;
}

/* ---- notification ---- */

static msStatus evNotifyNext(kernel *k, void *obj, int64_t arg);

static msStatus notifyPartner(directory *d, int dc, int k, pullKind kind) {
    int p = d->dc[dc].partners[k];
    if (kernelNarrating(d->k)) {
        traceRecord r = traceNew(kind == PULL_URGENT ? TR_REPL_NOTIFY_URGENT : TR_REPL_NOTIFY, d->dc[dc].name);
        r.dc = d->dc[dc].name;
        r.peer = d->dc[p].name;
        traceInt(&r, "answered", !d->dc[p].failed);
        kernelEmit(d->k, &r, "%snotify %s%s", kind == PULL_URGENT ? "urgent " : "", r.peer,
                   d->dc[p].failed ? " (failed: no answer)" : "");
    }
    return topoStartPull(d, p, dc, kind);
}

static msStatus scheduleNotify(directory *d, int dc, int k, simtime delay) {
    int64_t arg = (int64_t)dc | ((int64_t)k << 16) | ((int64_t)(d->dc[dc].notify_gen & 0x7fffffff) << 32);
    msStatus rc = kernelSchedule(d->k, d->k->now + kernelJitter(d->k, delay), evNotifyNext, d, arg, "dc.notify");
    if (rc == MS_OK) d->dc[dc].notify_pending[k]++;
    return rc;
}

/*
** An event pending for partner k stands for partners k..n-1 (each notifies
** the next), so the partners dropped are those from the lowest k pending on,
** however many sequences overlap.
*/
void topoDropNotifications(directory *d, int dc) {
    dcState *D = &d->dc[dc];
    int from = D->npartners;
    for (int k = 0; k < D->npartners; k++)
        if (D->notify_pending[k] > 0 && k < from) from = k;
    for (int k = 0; k < D->npartners; k++) D->notify_pending[k] = 0;
    D->notify_armed = 0;
    D->notify_gen++;   /* the events already queued find themselves stale */
    if (!kernelNarrating(d->k)) return;
    for (int k = from; k < D->npartners; k++) {
        traceRecord r = traceNew(TR_DC_NOTIFY_DROPPED, D->name);
        r.dc = D->name;
        r.peer = d->dc[D->partners[k]].name;
        kernelEmit(d->k, &r, "failed: notification to %s dropped", r.peer);
    }
}

/* Partner k of a notification sequence; gen is the DC's failure generation
** when it was armed (a failure cancels the sequence; arming a new timer
** does not cancel the partners still to come of the previous one). */
static msStatus evNotifyNext(kernel *k, void *obj, int64_t arg) {
    (void)k;
    directory *d = obj;
    int dc = (int)(arg & 0xffff), nth = (int)((arg >> 16) & 0xffff);
    int64_t gen = arg >> 32;
    dcState *D = &d->dc[dc];
    if (gen != (D->notify_gen & 0x7fffffff)) return MS_OK;   /* cancelled (the DC failed) */
    D->notify_pending[nth]--;
    if (nth == 0) D->notify_armed = 0;
    if (D->failed) return MS_OK;
    msStatus rc = notifyPartner(d, dc, nth, PULL_NOTIFY);
    if (rc == MS_OK && nth + 1 < D->npartners) rc = scheduleNotify(d, dc, nth + 1, k->p.notify_between);
    return rc;
}

static msStatus evUrgent(kernel *k, void *obj, int64_t arg) {
    (void)k;
    directory *d = obj;
    int dc = (int)arg;
    if (d->dc[dc].failed) return MS_OK;
    msStatus rc = MS_OK;
    for (int i = 0; rc == MS_OK && i < d->dc[dc].npartners; i++) rc = notifyPartner(d, dc, i, PULL_URGENT);
    return rc;
}

msStatus topoNoteChange(directory *d, int dc, int urgent) {
    dcState *D = &d->dc[dc];
    if (D->failed || !D->npartners) return MS_OK;
    if (urgent) {
        return kernelSchedule(d->k, d->k->now, evUrgent, d, dc, "dc.urgent");
    }
    if (D->notify_armed) return MS_OK;
    D->notify_armed = 1;
    return scheduleNotify(d, dc, 0, d->k->p.notify_first);
}

/* ---- periodic grids ---- */

/* A failed DC's periodic run does not happen: say which, so a trainee sees
** what the DC missed. */
static void narrateSkipped(directory *d, int dc, const char *what, const int *from, int n) {
    if (!kernelNarrating(d->k)) return;
    char names[512] = "";
    size_t at = 0;
    for (int j = 0; j < n && at < sizeof names; j++)
        at += (size_t)snprintf(names + at, sizeof names - at, "%s%s", j ? ", " : "", d->dc[from[j]].name);
    traceRecord r = traceNew(TR_DC_PERIODIC_SKIPPED, d->dc[dc].name);
    r.dc = d->dc[dc].name;
    traceStr(&r, "what", what);
    if (n) traceStr(&r, "from", names);
    if (n == 1) r.peer = d->dc[from[0]].name;
    kernelEmit(d->k, &r, "failed: %s%s%s skipped", what, n ? " from " : "", names);
}

static msStatus evPeriodic(kernel *k, void *obj, int64_t arg) {
    (void)k;
    directory *d = obj;
    siteState *S = &d->site[arg];
    msStatus rc = MS_OK;
    for (int i = 0; rc == MS_OK && i < S->ndcs; i++) {
        int dc = S->dcs[i];
        if (d->dc[dc].failed) {
            narrateSkipped(d, dc, "scheduled replication", d->dc[dc].partners, d->dc[dc].npartners);
            continue;
        }
        for (int j = 0; rc == MS_OK && j < d->dc[dc].npartners; j++)
            rc = topoStartPull(d, dc, d->dc[dc].partners[j], PULL_PERIODIC);
    }
    return rc;
}

static msStatus evInterSite(kernel *k, void *obj, int64_t arg) {
    (void)k;
    directory *d = obj;
    linkState *L = &d->link[arg];
    msStatus rc = MS_OK;
    if (!L->failed) {
        int a = d->site[L->a].bridgehead, b = d->site[L->b].bridgehead;
        if (a >= 0 && b >= 0) {
            if (d->dc[a].failed) narrateSkipped(d, a, "site-link replication", &b, 1);
            if (d->dc[b].failed) narrateSkipped(d, b, "site-link replication", &a, 1);
            rc = topoStartPull(d, a, b, PULL_INTERSITE);
            if (rc == MS_OK) rc = topoStartPull(d, b, a, PULL_INTERSITE);
        }
    }
    return rc;
}

static msStatus evGc(kernel *k, void *obj, int64_t arg) {
    (void)arg;
    directory *d = obj;
    for (int dc = 0; dc < d->ndc; dc++) {
        dcState *D = &d->dc[dc];
        if (D->failed) {
            narrateSkipped(d, dc, "garbage collection", NULL, 0);
            continue;
        }
        size_t removed = 0;
        for (size_t i = 0; i < D->r.nobj; i++) {
            dobj *o = D->r.obj[i];
            if (!o || !o->deleted) continue;
            simtime since = (simtime)o->b->st[A_ISDELETED].time * MS_PER_SECOND;
            if (since + k->p.tombstone_lifetime > k->now) continue;
            replicaRemove(&D->r, o);
            removed++;
        }
        if (removed && kernelNarrating(k)) {
            traceRecord r = traceNew(TR_REPL_GC, D->name);
            r.dc = D->name;
            traceInt(&r, "removed", (int64_t)removed);
            kernelEmit(k, &r, "garbage collection: %zu tombstone%s past the lifetime removed",
                       removed, removed == 1 ? "" : "s");
        }
    }
    return MS_OK;
}

/* ---- sync ---- */

int topoSyncSources(const directory *d, int dc, int *out, int max) {
    int n = 0;
    const dcState *D = &d->dc[dc];
    for (int k = 0; k < D->npartners && n < max; k++) out[n++] = D->partners[k];
    if (d->site[D->site].bridgehead != dc) return n;
    for (int l = 0; l < d->nlink && n < max; l++) {
        const linkState *L = &d->link[l];
        if (L->failed || (L->a != D->site && L->b != D->site)) continue;
        int other = d->site[L->a == D->site ? L->b : L->a].bridgehead;
        if (other >= 0 && other != dc) out[n++] = other;
    }
    return n;
}

static msStatus syncRoundStart(directory *d) {
    d->sync_round++;
    d->sync_moved = 0;
    /* A bridgehead's sources: its partners and one per site link (a fixed
    ** array of 256 dropped sources silently past that). */
    int most = 0;
    for (int dc = 0; dc < d->ndc; dc++)
        if (d->dc[dc].npartners > most) most = d->dc[dc].npartners;
    int *src = malloc((size_t)(most + d->nlink + 1) * sizeof *src);
    if (!src) return MS_NOMEM;
    msStatus rc = MS_OK;
    for (int dc = 0; rc == MS_OK && dc < d->ndc; dc++) {
        if (d->sync_dc >= 0 && dc != d->sync_dc) continue;
        if (d->dc[dc].failed) continue;
        int n = topoSyncSources(d, dc, src, most + d->nlink + 1);
        for (int k = 0; rc == MS_OK && k < n; k++) rc = topoStartPull(d, dc, src[k], PULL_SYNC);
    }
    free(src);
    if (rc != MS_OK) return rc;
    if (kernelNarrating(d->k)) {
        traceRecord r = traceNew(TR_REPL_SYNC_ROUND, "sync");
        traceInt(&r, "round", (int64_t)d->sync_round);
        traceInt(&r, "pulls", (int64_t)d->sync_pulls);
        kernelEmit(d->k, &r, "round %llu: %zu pull%s", (unsigned long long)d->sync_round,
                   d->sync_pulls, d->sync_pulls == 1 ? "" : "s");
    }
    if (!d->sync_pulls) d->sync_active = 0;
    return MS_OK;
}

static msStatus syncPullDone(directory *d, size_t moved) {
    d->sync_moved += moved;
    if (d->sync_pulls) return MS_OK;
    if (d->sync_dc < 0 && d->sync_moved > 0) return syncRoundStart(d);
    d->sync_active = 0;
    if (kernelNarrating(d->k)) {
        traceRecord r = traceNew(TR_REPL_SYNC_DONE, "sync");
        traceInt(&r, "rounds", (int64_t)d->sync_round);
        kernelEmit(d->k, &r, "done after %llu round%s", (unsigned long long)d->sync_round,
                   d->sync_round == 1 ? "" : "s");
    }
    return MS_OK;
}

msStatus topoSyncStart(directory *d, int dc) {
    if (dc >= d->ndc) {
        snprintf(d->k->err, sizeof d->k->err, "sync: no DC %d", dc);
        return MS_INPUT;
    }
    if (dc >= 0 && d->dc[dc].failed) {
        snprintf(d->k->err, sizeof d->k->err, "sync: %s is failed", d->dc[dc].name);
        return MS_FAIL;
    }
    d->sync_active = 1;
    d->sync_dc = dc;
    d->sync_round = 0;
    return syncRoundStart(d);
}

/* ---- building ---- */

/*
** Shortcut edges of a site of up to TOPO_GREEDY_MAX DCs: the greedy rule of
** the file comment.  dist holds every pair's hop count; adding the edge
** (a, b) changes a distance only through the new edge, so one O(n^2) pass
** per edge keeps it exact (a breadth-first search from every DC per edge made
** this O(n^4)).  The rows of a and b are copied first because the pass
** changes them.  Distances fit a byte: n / 2 <= 30.
*/
static msStatus greedyShortcuts(int n, topoEdge *out, size_t *nout) {
    size_t nn = (size_t)n * (size_t)n;
    unsigned char *dist = malloc(nn + 2 * (size_t)n);
    if (!dist) return MS_NOMEM;
    unsigned char *ra = dist + nn, *rb = ra + n;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            int k = abs(i - j);
            dist[(size_t)i * (size_t)n + (size_t)j] = (unsigned char)(k < n - k ? k : n - k);
        }
    *nout = 0;
    for (;;) {
        int best = 3, bi = -1, bj = -1;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                if (dist[(size_t)i * (size_t)n + (size_t)j] > best) {
                    best = dist[(size_t)i * (size_t)n + (size_t)j];
                    bi = i;
                    bj = j;
                }
        if (bi < 0) break;
        out[(*nout)++] = (topoEdge){bi, bj};
        memcpy(ra, dist + (size_t)bi * (size_t)n, (size_t)n);
        memcpy(rb, dist + (size_t)bj * (size_t)n, (size_t)n);
        for (int x = 0; x < n; x++)
            for (int y = 0; y < n; y++) {
                unsigned char *d = &dist[(size_t)x * (size_t)n + (size_t)y];
                int via = ra[x] + 1 + rb[y], back = rb[x] + 1 + ra[y];
                if (back < via) via = back;
                if (via < *d) *d = (unsigned char)via;
            }
    }
    free(dist);
    return MS_OK;
}

/* 1 when positions a < b are neighbours on the ring of n. */
static int ringEdge(int n, int a, int b) {
    return b == a + 1 || (a == 0 && b == n - 1);
}

/*
** Shortcut edges above TOPO_GREEDY_MAX DCs: runs of k = ceil(sqrt(n))
** consecutive positions, the first of each run its hub; every DC is joined
** to its run's hub and the hubs to each other, so any two DCs are at most
** DC - hub - hub - DC apart.  About 1.5 n edges, at most 2k + 2 partners
** per DC.  Edges already on the ring are not repeated.
*/
static size_t hubShortcuts(int n, topoEdge *out) {
    int k = 1;
    while (k * k < n) k++;
    size_t m = 0;
    for (int h = 0; h < n; h += k) {
        for (int x = h + 1; x < h + k && x < n; x++)
            if (!ringEdge(n, h, x)) out[m++] = (topoEdge){h, x};
        for (int g = h + k; g < n; g += k)
            if (!ringEdge(n, h, g)) out[m++] = (topoEdge){h, g};
    }
    return m;
}

static int edgeCmp(const void *pa, const void *pb) {
    const topoEdge *a = pa, *b = pb;
    if (a->a != b->a) return a->a < b->a ? -1 : 1;
    return (a->b > b->b) - (a->b < b->b);
}

msStatus topoShortcuts(int n, topoEdge **out, size_t *nout) {
    *out = NULL;
    *nout = 0;
    if (n <= 7) return MS_OK;
    /* Bounds: the greedy rule adds fewer than n * n / 2 edges; the hub rule
    ** n run members plus k * k / 2 hub pairs, under 2 n. */
    size_t cap = n <= TOPO_GREEDY_MAX ? (size_t)n * (size_t)n / 2 : 2 * (size_t)n + 8;
    topoEdge *e = malloc(cap * sizeof *e);
    if (!e) return MS_NOMEM;
    size_t m = 0;
    if (n <= TOPO_GREEDY_MAX) {
        msStatus st = greedyShortcuts(n, e, &m);
        if (st != MS_OK) {
            free(e);
            return st;
        }
    } else {
        m = hubShortcuts(n, e);
    }
    qsort(e, m, sizeof *e, edgeCmp);
    *out = e;
    *nout = m;
    return MS_OK;
}

/*
** Partners of every DC of S in notification order: next, previous, then
** shortcut partners in declaration order.  Walking the edges sorted by
** (a, b) gives each DC its shortcut partners in ascending order: its edges
** to earlier DCs come before its edges to later ones.
*/
static msStatus buildRing(directory *d, siteState *S) {
    int n = S->ndcs;
    if (n < 2) return MS_OK;
    topoEdge *e;
    size_t m;
    msStatus st = topoShortcuts(n, &e, &m);
    if (st != MS_OK) return st;
    int *deg = calloc((size_t)n, sizeof *deg);
    if (!deg) {
        free(e);
        return MS_NOMEM;
    }
    for (size_t i = 0; i < m; i++) {
        deg[e[i].a]++;
        deg[e[i].b]++;
    }
    for (int i = 0; i < n && st == MS_OK; i++) {
        dcState *D = &d->dc[S->dcs[i]];
        D->partners = malloc((size_t)(deg[i] + 2) * sizeof *D->partners);
        D->notify_pending = calloc((size_t)(deg[i] + 2), sizeof *D->notify_pending);
        if (!D->partners || !D->notify_pending) {
            st = MS_NOMEM;
            break;
        }
        int next = (i + 1) % n, prev = (i + n - 1) % n;
        D->partners[D->npartners++] = S->dcs[next];
        if (prev != next) D->partners[D->npartners++] = S->dcs[prev];
    }
    for (size_t i = 0; i < m && st == MS_OK; i++) {
        dcState *A = &d->dc[S->dcs[e[i].a]], *B = &d->dc[S->dcs[e[i].b]];
        A->partners[A->npartners++] = S->dcs[e[i].b];
        B->partners[B->npartners++] = S->dcs[e[i].a];
    }
    free(deg);
    free(e);
    return st;
}

msStatus topoBuild(directory *d, const dirConfig *cfg) {
    kernel *k = d->k;
    int implicit = 0;
    for (int i = 0; i < cfg->ndcs; i++)
        if (cfg->dcs[i].site < 0) implicit = 1;
    d->nsite = cfg->nsites + implicit;
    d->site = calloc((size_t)d->nsite + 1, sizeof *d->site);
    d->nlink = cfg->nlinks;
    d->link = calloc((size_t)d->nlink + 1, sizeof *d->link);
    if (!d->site || !d->link) return MS_NOMEM;
    for (int i = 0; i < d->nsite; i++) {
        siteState *S = &d->site[i];
        S->schedule = k->p.site_schedule;
        S->bridgehead = -1;
        if (i < cfg->nsites) {
            const dirSiteConfig *c = &cfg->sites[i];
            snprintf(S->name, sizeof S->name, "%s", c->name ? c->name : "?");
            if (c->has_schedule) S->schedule = c->schedule;
            S->bridgehead = c->bridgehead;
        } else {
            snprintf(S->name, sizeof S->name, "Default-First-Site-Name");
        }
        if (S->schedule <= 0) S->schedule = MS_PER_HOUR;
    }
    /* Each site's DC list is sized to its DCs (d->ndc per site made a world
    ** of many sites quadratic in memory): count, allocate, then fill. */
    for (int dc = 0; dc < d->ndc; dc++) {
        int site = cfg->dcs[dc].site;
        if (site < 0 || site >= cfg->nsites) site = d->nsite - 1;
        d->dc[dc].site = site;
        d->site[site].ndcs++;
    }
    for (int i = 0; i < d->nsite; i++) {
        siteState *S = &d->site[i];
        S->dcs = calloc((size_t)S->ndcs + 1, sizeof *S->dcs);
        if (!S->dcs) return MS_NOMEM;
        S->ndcs = 0;
    }
    for (int dc = 0; dc < d->ndc; dc++) {
        siteState *S = &d->site[d->dc[dc].site];
        S->dcs[S->ndcs++] = dc;
    }
    for (int i = 0; i < d->nsite; i++) {
        siteState *S = &d->site[i];
        if (S->bridgehead < 0 || S->bridgehead >= d->ndc || d->dc[S->bridgehead].site != i)
            S->bridgehead = S->ndcs ? S->dcs[0] : -1;
        msStatus st = buildRing(d, S);
        if (st != MS_OK) return st;
    }
    for (int l = 0; l < d->nlink; l++) {
        const dirLinkConfig *c = &cfg->links[l];
        linkState *L = &d->link[l];
        L->a = c->a;
        L->b = c->b;
        L->interval = c->has_interval ? c->interval : k->p.sitelink_interval;
        L->cost = c->has_cost ? c->cost : k->p.sitelink_cost;
        if (L->a < 0 || L->b < 0 || L->a >= cfg->nsites || L->b >= cfg->nsites || L->interval <= 0) {
            snprintf(k->err, sizeof k->err, "site link %d names an unknown site", l + 1);
            return MS_INPUT;
        }
    }
    for (int i = 0; i < d->nsite; i++)
        if (d->site[i].ndcs >= 2 &&
            kernelEvery(k, d->site[i].schedule, evPeriodic, d, i, "site.schedule") != MS_OK)
            return MS_NOMEM;
    for (int l = 0; l < d->nlink; l++)
        if (kernelEvery(k, d->link[l].interval, evInterSite, d, l, "sitelink.interval") != MS_OK)
            return MS_NOMEM;
    if (d->ndc && kernelEvery(k, k->p.gc_interval, evGc, d, 0, "dc.gc") != MS_OK) return MS_NOMEM;
    return MS_OK;
}

void topoFree(directory *d) {
    for (size_t i = 0; i < d->npulls; i++)
        if (d->pulls[i]) {
            csFree(&d->pulls[i]->cs);
            free(d->pulls[i]);
        }
    free(d->pulls);
    free(d->free_slots);
    csFreeSpare(d);
    d->pulls = NULL;
    d->free_slots = NULL;
    d->npulls = d->nfree_slots = 0;
    for (int i = 0; d->site && i < d->nsite; i++) free(d->site[i].dcs);
    free(d->site);
    free(d->link);
}
