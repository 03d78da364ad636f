/*
** Replication topology and timing: sites, the notification ring of each
** site (with shortcut edges above 7 DCs), bridgeheads and site links, and
** every event that makes a DC pull: change notification with its delays and
** coalescing, urgent replication, the periodic intra-site and inter-site
** grids, `sync`, and tombstone garbage collection.  The exact rules are in
** docs/model-directory.md ("The replication-delay model").
**
** Every pull goes through topoStartPull: it takes the change set from the
** source now and applies it on the destination `latency` (with jitter)
** later.  At most one pull per (destination, source) pair is in flight: a
** trigger meanwhile is coalesced into one follow-up pull, started when the
** one in flight is applied.  A failed DC neither starts nor answers a pull;
** a pull in flight into a DC that fails is dropped.  A DC that fails drops
** the notifications it had still to send, and skips its periodic runs
** (schedule, site link, garbage collection) while failed; each is a
** narrative line.
**
** Out of memory, or a pull or notification that cannot be scheduled, is
** returned (MS_NOMEM) up to the event handler, which stops the run with it.
*/
#ifndef MIGSIM_TOPOLOGY_H
#define MIGSIM_TOPOLOGY_H

#include "directory/dirint.h"

typedef enum pullKind {
    PULL_NOTIFY,           /* answering a change notification */
    PULL_URGENT,           /* answering an urgent notification */
    PULL_PERIODIC,         /* the intra-site schedule */
    PULL_INTERSITE,        /* a bridgehead on the site-link interval */
    PULL_SYNC,             /* a `sync` round */
    PULL_FORCED            /* dirPullNow (tests and tools) */
} pullKind;

/*
** Build sites, rings, partners, bridgeheads and site links from s->scn into
** d (DCs already numbered), then schedule the periodic grids.  On failure
** s->err says why.
*/
msStatus topoBuild(directory *d, const dirConfig *cfg);

/* Above this many DCs a site's shortcut edges follow the hub rule. */
#define TOPO_GREEDY_MAX 60

typedef struct topoEdge {
    int a, b;              /* ring positions (declaration order in the site), a < b */
} topoEdge;

/*
** The shortcut edges of a site of n DCs (positions 0..n-1 in declaration
** order, on a ring), sorted by (a, b), into a malloc'd *out (NULL when
** there are none): none up to 7 DCs; up to TOPO_GREEDY_MAX DCs, while two
** DCs are more than 3 hops apart, an edge between the first pair (by a,
** then b) among the farthest apart; above it, the hub rule: runs of
** ceil(sqrt(n)) consecutive DCs, each DC joined to the first of its run and
** those first DCs to each other.  Either way no DC is more than 3 hops from
** another.  O(n^2) time and memory up to TOPO_GREEDY_MAX (a constant), O(n
** log n) time and O(n) memory above.
*/
msStatus topoShortcuts(int n, topoEdge **out, size_t *nout);

/* Free what topoBuild allocated, pulls in flight included. */
void topoFree(directory *d);

/*
** DC dc changed (an originating write, or a pull that applied something):
** arm its notification timer unless it is armed (coalescing), or, when
** urgent, notify every partner at once.
*/
msStatus topoNoteChange(directory *d, int dc, int urgent);

/*
** DC dc has just failed: drop every notification it still had to send (an
** armed timer, or the partners still to come of a sequence under way), one
** narrative line per partner that will not be notified, and disarm it.
*/
void topoDropNotifications(directory *d, int dc);

/* Start a pull into dst from src now, or, when one of that pair is in
** flight, owe one for when it is applied (see the file comment). */
msStatus topoStartPull(directory *d, int dst, int src, pullKind kind);

/* Start `sync` (see dirSyncStart). */
msStatus topoSyncStart(directory *d, int dc);

/* Sources dc pulls from during `sync`: ring partners, then (for a bridgehead)
** the bridgeheads across its site links that are not failed; returns how many. */
int topoSyncSources(const directory *d, int dc, int *out, int max);

#endif
