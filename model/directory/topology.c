/*
** Replication topology and timing (see topology.h).
**
** The rules, from docs/semantics.md with their sources in docs/model-directory.md:
**  - Ring: the DCs of a site in declaration order form a bidirectional ring.
**    A DC's partners, in notification order: the next DC in the ring, the
**    previous DC, then shortcut partners in declaration order.  Two DCs:
**    one partner.  Above 7 DCs, shortcut edges are added until no DC is more
**    than 3 hops from another (MS-ADTS 6.2.2.2): repeatedly, the first pair
**    (i < j, positions in declaration order) among those farthest apart gets
**    an edge.
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

static void syncPullDone(directory *d, size_t moved);
static msStatus evPullApply(kernel *k, void *obj, int64_t arg);

static size_t sync_pending(const directory *d);

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
** O(1) however many are in flight (a 1 s schedule with a 3 h latency keeps
** tens of thousands in flight); a scan for a free slot made such runs
** quadratic.  The new slots are pushed highest first, so the lowest is used
** first.
*/
static void growPulls(directory *d) {
    size_t n = d->npulls * 2 + 8;
    struct pull **np = realloc(d->pulls, n * sizeof *np);
    if (!np) abort();
    d->pulls = np;
    size_t *nf = realloc(d->free_slots, n * sizeof *nf);
    if (!nf) abort();
    d->free_slots = nf;
    for (size_t i = d->npulls; i < n; i++) np[i] = NULL;
    for (size_t i = n; i > d->npulls; i--) nf[d->nfree_slots++] = i - 1;
    d->npulls = n;
}

void topoStartPull(directory *d, int dst, int src, pullKind kind) {
    if (d->dc[dst].failed || d->dc[src].failed || dst == src) return;
    pull *p = calloc(1, sizeof *p);
    if (!p) abort();
    csBuild(d, dst, src, &p->cs);
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
    if (d->nfree_slots == 0) growPulls(d);
    size_t slot = d->free_slots[--d->nfree_slots];
    d->pulls[slot] = p;
    simtime lat = kind == PULL_FORCED ? 0 : kernelJitter(d->k, d->k->p.latency);
    if (kernelSchedule(d->k, d->k->now + lat, evPullApply, d, (int64_t)slot, "dc.pull") != MS_OK) {
        d->pulls[slot] = NULL;
        d->free_slots[d->nfree_slots++] = slot;
        csFree(&p->cs);
        free(p);
    }
}

static msStatus evPullApply(kernel *k, void *obj, int64_t arg) {
    (void)k;
    directory *d = obj;
    pull *p = d->pulls[arg];
    d->pulls[arg] = NULL;
    d->free_slots[d->nfree_slots++] = (size_t)arg;
    int dst = p->cs.dst;
    applyResult res = {0};
    if (d->dc[dst].failed) {
        if (kernelNarrating(d->k)) {
            traceRecord r = pullRecord(d, TR_REPL_LOST, p);
            kernelEmit(d->k, &r, "pull from %s dropped: %s is failed", r.peer, r.dc);
        }
    } else {
        csMerge(d, &p->cs, &res);
        narratePull(d, p, &res);   /* before the conflicts and orphans it caused */
        csPlace(d, &p->cs, &res);
        if (res.applied) topoNoteChange(d, dst, res.urgent);
    }
    size_t moved = p->cs.na;
    int was_sync = p->kind == PULL_SYNC && p->sync_round == d->sync_round;
    csRecycle(d, &p->cs);
    free(p);
    if (was_sync) syncPullDone(d, moved);
    return MS_OK;
}

/* ---- notification ---- */

static msStatus evNotifyNext(kernel *k, void *obj, int64_t arg);

static void notifyPartner(directory *d, int dc, int k, pullKind kind) {
    int p = d->dc[dc].partners[k];
    if (kernelNarrating(d->k)) {
        traceRecord r = traceNew(kind == PULL_URGENT ? TR_REPL_NOTIFY_URGENT : TR_REPL_NOTIFY, d->dc[dc].name);
        r.dc = d->dc[dc].name;
        r.peer = d->dc[p].name;
        traceInt(&r, "answered", !d->dc[p].failed);
        kernelEmit(d->k, &r, "%snotify %s%s", kind == PULL_URGENT ? "urgent " : "", r.peer,
                   d->dc[p].failed ? " (failed: no answer)" : "");
    }
    topoStartPull(d, p, dc, kind);
}

static void scheduleNotify(directory *d, int dc, int k, simtime delay) {
    int64_t arg = (int64_t)dc | ((int64_t)k << 16) | ((int64_t)(d->dc[dc].notify_gen & 0x7fffffff) << 32);
    if (kernelSchedule(d->k, d->k->now + kernelJitter(d->k, delay), evNotifyNext, d, arg, "dc.notify") == MS_OK)
        d->dc[dc].notify_pending[k]++;
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
    notifyPartner(d, dc, nth, PULL_NOTIFY);
    if (nth + 1 < D->npartners) scheduleNotify(d, dc, nth + 1, k->p.notify_between);
    return MS_OK;
}

static msStatus evUrgent(kernel *k, void *obj, int64_t arg) {
    (void)k;
    directory *d = obj;
    int dc = (int)arg;
    if (d->dc[dc].failed) return MS_OK;
    for (int i = 0; i < d->dc[dc].npartners; i++) notifyPartner(d, dc, i, PULL_URGENT);
    return MS_OK;
}

void topoNoteChange(directory *d, int dc, int urgent) {
    dcState *D = &d->dc[dc];
    if (D->failed || !D->npartners) return;
    if (urgent) {
        (void)kernelSchedule(d->k, d->k->now, evUrgent, d, dc, "dc.urgent");
        return;
    }
    if (D->notify_armed) return;
    D->notify_armed = 1;
    scheduleNotify(d, dc, 0, d->k->p.notify_first);
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
    if (n == 1) r.peer = d->dc[from[0]].name;
    kernelEmit(d->k, &r, "failed: %s%s%s skipped", what, n ? " from " : "", names);
}

static msStatus evPeriodic(kernel *k, void *obj, int64_t arg) {
    (void)k;
    directory *d = obj;
    siteState *S = &d->site[arg];
    for (int i = 0; i < S->ndcs; i++) {
        int dc = S->dcs[i];
        if (d->dc[dc].failed) {
            narrateSkipped(d, dc, "scheduled replication", d->dc[dc].partners, d->dc[dc].npartners);
            continue;
        }
        for (int j = 0; j < d->dc[dc].npartners; j++)
            topoStartPull(d, dc, d->dc[dc].partners[j], PULL_PERIODIC);
    }
    return MS_OK;
}

static msStatus evInterSite(kernel *k, void *obj, int64_t arg) {
    (void)k;
    directory *d = obj;
    linkState *L = &d->link[arg];
    if (!L->failed) {
        int a = d->site[L->a].bridgehead, b = d->site[L->b].bridgehead;
        if (a >= 0 && b >= 0) {
            if (d->dc[a].failed) narrateSkipped(d, a, "site-link replication", &b, 1);
            if (d->dc[b].failed) narrateSkipped(d, b, "site-link replication", &a, 1);
            topoStartPull(d, a, b, PULL_INTERSITE);
            topoStartPull(d, b, a, PULL_INTERSITE);
        }
    }
    return MS_OK;
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
            simtime since = (simtime)o->st[A_ISDELETED].time * MS_PER_SECOND;
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

static size_t sync_pending(const directory *d) {
    size_t n = 0;
    for (size_t i = 0; i < d->npulls; i++)
        if (d->pulls[i] && d->pulls[i]->kind == PULL_SYNC && d->pulls[i]->sync_round == d->sync_round) n++;
    return n;
}

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

static void syncRoundStart(directory *d) {
    d->sync_round++;
    d->sync_moved = 0;
    int src[256];
    for (int dc = 0; dc < d->ndc; dc++) {
        if (d->sync_dc >= 0 && dc != d->sync_dc) continue;
        if (d->dc[dc].failed) continue;
        int n = topoSyncSources(d, dc, src, 256);
        for (int k = 0; k < n; k++) topoStartPull(d, dc, src[k], PULL_SYNC);
    }
    if (kernelNarrating(d->k)) {
        traceRecord r = traceNew(TR_REPL_SYNC_ROUND, "sync");
        traceInt(&r, "round", (int64_t)d->sync_round);
        traceInt(&r, "pulls", (int64_t)sync_pending(d));
        kernelEmit(d->k, &r, "round %llu: %zu pull%s", (unsigned long long)d->sync_round,
                   sync_pending(d), sync_pending(d) == 1 ? "" : "s");
    }
    if (!sync_pending(d)) d->sync_active = 0;
}

static void syncPullDone(directory *d, size_t moved) {
    d->sync_moved += moved;
    if (sync_pending(d)) return;
    if (d->sync_dc < 0 && d->sync_moved > 0) {
        syncRoundStart(d);
        return;
    }
    d->sync_active = 0;
    if (kernelNarrating(d->k)) {
        traceRecord r = traceNew(TR_REPL_SYNC_DONE, "sync");
        traceInt(&r, "rounds", (int64_t)d->sync_round);
        kernelEmit(d->k, &r, "done after %llu round%s", (unsigned long long)d->sync_round,
                   d->sync_round == 1 ? "" : "s");
    }
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
    syncRoundStart(d);
    return MS_OK;
}

/* ---- building ---- */

/* Shortcut edges for a ring of n > 7 (see the file comment): adj is n*n. */
static void addShortcuts(int n, unsigned char *adj) {
    int *dist = malloc((size_t)n * (size_t)n * sizeof *dist), *queue = malloc((size_t)n * sizeof *queue);
    if (!dist || !queue) abort();
    for (;;) {
        for (int a = 0; a < n; a++) {
            int *da = dist + (size_t)a * (size_t)n, head = 0, tail = 0;
            for (int b = 0; b < n; b++) da[b] = -1;
            da[a] = 0;
            queue[tail++] = a;
            while (head < tail) {
                int u = queue[head++];
                for (int v = 0; v < n; v++)
                    if (adj[(size_t)u * (size_t)n + (size_t)v] && da[v] < 0) {
                        da[v] = da[u] + 1;
                        queue[tail++] = v;
                    }
            }
        }
        int best = 3, bi = -1, bj = -1;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                if (dist[(size_t)i * (size_t)n + (size_t)j] > best) {
                    best = dist[(size_t)i * (size_t)n + (size_t)j];
                    bi = i;
                    bj = j;
                }
        if (bi < 0) break;
        adj[(size_t)bi * (size_t)n + (size_t)bj] = adj[(size_t)bj * (size_t)n + (size_t)bi] = 1;
    }
    free(dist);
    free(queue);
}

static msStatus buildRing(directory *d, siteState *S) {
    int n = S->ndcs;
    if (n < 2) return MS_OK;
    unsigned char *adj = calloc((size_t)n * (size_t)n, 1);
    if (!adj) return MS_NOMEM;
    for (int i = 0; i < n; i++) {
        int j = (i + 1) % n;
        adj[(size_t)i * (size_t)n + (size_t)j] = adj[(size_t)j * (size_t)n + (size_t)i] = 1;
    }
    if (n > 7) addShortcuts(n, adj);
    for (int i = 0; i < n; i++) {
        dcState *D = &d->dc[S->dcs[i]];
        D->partners = malloc((size_t)n * sizeof *D->partners);
        D->notify_pending = calloc((size_t)n, sizeof *D->notify_pending);
        if (!D->partners || !D->notify_pending) {
            free(adj);
            return MS_NOMEM;
        }
        int next = (i + 1) % n, prev = (i + n - 1) % n;
        D->partners[D->npartners++] = S->dcs[next];
        if (prev != next) D->partners[D->npartners++] = S->dcs[prev];
        for (int j = 0; j < n; j++)
            if (j != next && j != prev && j != i && adj[(size_t)i * (size_t)n + (size_t)j])
                D->partners[D->npartners++] = S->dcs[j];
    }
    free(adj);
    return MS_OK;
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
        S->dcs = calloc((size_t)d->ndc + 1, sizeof *S->dcs);
        if (!S->dcs) return MS_NOMEM;
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
    for (int dc = 0; dc < d->ndc; dc++) {
        int site = cfg->dcs[dc].site;
        if (site < 0 || site >= cfg->nsites) site = d->nsite - 1;
        d->dc[dc].site = site;
        siteState *S = &d->site[site];
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
    for (int i = 0; i < d->nsite; i++) free(d->site[i].dcs);
    free(d->site);
    free(d->link);
}
