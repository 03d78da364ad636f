/*
** Tests for the replication-delay model: rings and partners, notification
** delays and coalescing, urgent replication, the periodic grids, site links,
** failures, sync, narrative.  Every expected time is a literal constant
** worked out by hand in docs/model-directory.md ("Worked timings").
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "dirfixture.h"
#include "simrun.h"
#include "run/world.h"
#include "directory/topology.h"

#define S(x) ((simtime)(x) * MS_PER_SECOND)

/* Run to t - 1 ms and check dc lacks u, then to t and check it has it. */
static void arrivesAt(fixture *f, int dc, const guid *u, simtime t) {
    fxRunUntil(f, t - 1);
    if (dirIsLive(f->d, dc, u)) fail_msg("%s has it before %lld ms", dirDcName(f->d, dc), (long long)t);
    fxRunUntil(f, t);
    if (!dirIsLive(f->d, dc, u)) fail_msg("%s lacks it at %lld ms", dirDcName(f->d, dc), (long long)t);
}

static void expectDesc(fixture *f, int dc, const guid *u, const char *want, simtime t) {
    fxRunUntil(f, t - 1);
    const char *got = dirGet(f->d, dc, u, A_DESCRIPTION);
    if (got && strcmp(got, want) == 0) fail_msg("%s has '%s' before %lld ms", dirDcName(f->d, dc), want, (long long)t);
    fxRunUntil(f, t);
    got = dirGet(f->d, dc, u, A_DESCRIPTION);
    if (!got || strcmp(got, want) != 0) fail_msg("%s lacks '%s' at %lld ms", dirDcName(f->d, dc), want, (long long)t);
}

/* ---- the worked example of docs/semantics.md ---- */

static void ring_of_4_ad2003(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){4});
    guid u = fxUser(&f, 0, "user1");
    arrivesAt(&f, 1, &u, S(16));
    arrivesAt(&f, 3, &u, S(19));
    arrivesAt(&f, 2, &u, S(32));
    assert_true(dirConverged(f.d));
    fxFree(&f);
}

static void ring_of_4_ad2000(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2000, 1, (int[]){4});
    guid u = fxUser(&f, 0, "user1");
    arrivesAt(&f, 1, &u, S(301));
    arrivesAt(&f, 3, &u, S(331));
    arrivesAt(&f, 2, &u, S(602));
    assert_true(dirConverged(f.d));
    fxFree(&f);
}

/* ---- convergence time of one change in a ring of N (docs: "Worked timings") ---- */

static void convergesAt(int ad, int n, simtime t) {
    fixture f;
    fxInit(&f, ad, 1, (int[]){n});
    fxUser(&f, 0, "user1");
    fxRunUntil(&f, t - 1);
    if (dirConverged(f.d)) fail_msg("ad %d ring of %d converged before %lld ms", ad, n, (long long)t);
    fxRunUntil(&f, t);
    if (!dirConverged(f.d)) fail_msg("ad %d ring of %d not converged at %lld ms", ad, n, (long long)t);
    fxFree(&f);
}

static void ring_convergence_ad2003(void **state) {
    (void)state;
    convergesAt(2003, 2, S(16));
    convergesAt(2003, 3, S(19));
    convergesAt(2003, 4, S(32));
    convergesAt(2003, 5, S(38));
    convergesAt(2003, 6, S(48));
    convergesAt(2003, 7, S(57));
}

static void ring_convergence_ad2000(void **state) {
    (void)state;
    convergesAt(2000, 2, S(301));
    convergesAt(2000, 3, S(331));
    convergesAt(2000, 4, S(602));
    convergesAt(2000, 5, S(662));
    convergesAt(2000, 6, S(903));
    convergesAt(2000, 7, S(993));
}

/* ---- partners ---- */

static void partners_in_notification_order(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 3, (int[]){1, 2, 4});
    int p[8];
    assert_int_equal(dirPartners(f.d, 0, p, 8), 0);          /* alone in Site1 */
    assert_int_equal(dirPartners(f.d, 1, p, 8), 1);          /* DC2 - DC3 */
    assert_int_equal(p[0], 2);
    assert_int_equal(dirPartners(f.d, 3, p, 8), 2);          /* DC4 in ring DC4..DC7 */
    assert_int_equal(p[0], 4);
    assert_int_equal(p[1], 6);
    fxFree(&f);
}

/* Longest shortest path over the partner graph of a one-site forest. */
static int diameter(fixture *f, int n) {
    int worst = 0;
    for (int a = 0; a < n; a++) {
        int dist[64], queue[64], head = 0, tail = 0;
        for (int i = 0; i < n; i++) dist[i] = -1;
        dist[a] = 0;
        queue[tail++] = a;
        while (head < tail) {
            int u = queue[head++], p[64];
            int np = dirPartners(f->d, u, p, 64);
            for (int k = 0; k < np; k++)
                if (dist[p[k]] < 0) {
                    dist[p[k]] = dist[u] + 1;
                    queue[tail++] = p[k];
                }
        }
        for (int i = 0; i < n; i++) {
            if (dist[i] < 0) return 99;
            if (dist[i] > worst) worst = dist[i];
        }
    }
    return worst;
}

static void big_rings_get_shortcuts_within_3_hops(void **state) {
    (void)state;
    for (int n = 8; n <= 30; n++) {
        fixture f;
        fxInit(&f, 2003, 1, (int[]){n});
        if (diameter(&f, n) > 3) fail_msg("ring of %d: more than 3 hops", n);
        fxFree(&f);
    }
    fixture f;
    fxInit(&f, 2003, 1, (int[]){8});
    int p[8];
    /* The rule of docs/model-directory.md: the first farthest pair gets an edge:
    ** DC1-DC5, then DC3-DC7. */
    assert_int_equal(dirPartners(f.d, 0, p, 8), 3);
    assert_int_equal(p[0], 1);
    assert_int_equal(p[1], 7);
    assert_int_equal(p[2], 4);
    assert_int_equal(dirPartners(f.d, 2, p, 8), 3);
    assert_int_equal(p[2], 6);
    assert_int_equal(dirPartners(f.d, 1, p, 8), 2);
    fxFree(&f);
    /* Up to 7 DCs: the plain ring. */
    fxInit(&f, 2003, 1, (int[]){7});
    assert_int_equal(diameter(&f, 7), 3);
    fxFree(&f);
}

/*
** The shortcut rule as first written, kept here as the specification of the
** greedy rule: a breadth-first search from every DC per added edge (O(n^4)).
** Returns the edges, in the order added, into out (a < b).
*/
static size_t referenceShortcuts(int n, topoEdge *out) {
    static unsigned char adj[TOPO_GREEDY_MAX][TOPO_GREEDY_MAX];
    int dist[TOPO_GREEDY_MAX][TOPO_GREEDY_MAX], queue[TOPO_GREEDY_MAX];
    size_t m = 0;
    memset(adj, 0, sizeof adj);
    if (n <= 7) return 0;
    for (int i = 0; i < n; i++) adj[i][(i + 1) % n] = adj[(i + 1) % n][i] = 1;
    for (;;) {
        for (int a = 0; a < n; a++) {
            int head = 0, tail = 0;
            for (int b = 0; b < n; b++) dist[a][b] = -1;
            dist[a][a] = 0;
            queue[tail++] = a;
            while (head < tail) {
                int u = queue[head++];
                for (int v = 0; v < n; v++)
                    if (adj[u][v] && dist[a][v] < 0) {
                        dist[a][v] = dist[a][u] + 1;
                        queue[tail++] = v;
                    }
            }
        }
        int best = 3, bi = -1, bj = -1;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                if (dist[i][j] > best) {
                    best = dist[i][j];
                    bi = i;
                    bj = j;
                }
        if (bi < 0) return m;
        adj[bi][bj] = adj[bj][bi] = 1;
        out[m++] = (topoEdge){bi, bj};
    }
}

static int cmpEdge(const void *pa, const void *pb) {
    const topoEdge *a = pa, *b = pb;
    return a->a != b->a ? (a->a > b->a) - (a->a < b->a) : (a->b > b->b) - (a->b < b->b);
}

static void shortcuts_match_the_reference_up_to_60_dcs(void **state) {
    (void)state;
    static topoEdge want[TOPO_GREEDY_MAX * TOPO_GREEDY_MAX / 2];
    for (int n = 1; n <= TOPO_GREEDY_MAX; n++) {
        size_t nwant = referenceShortcuts(n, want);
        qsort(want, nwant, sizeof *want, cmpEdge);
        topoEdge *got;
        size_t ngot;
        assert_int_equal(topoShortcuts(n, &got, &ngot), MS_OK);
        if (ngot != nwant) fail_msg("%d DCs: %zu edges, the reference %zu", n, ngot, nwant);
        for (size_t i = 0; i < ngot; i++)
            if (got[i].a != want[i].a || got[i].b != want[i].b)
                fail_msg("%d DCs: edge %zu is %d-%d, the reference %d-%d", n, i, got[i].a, got[i].b, want[i].a,
                         want[i].b);
        free(got);
    }
}

/* Hops between the farthest two of n DCs on the ring plus edges e[0..m). */
static int edgeDiameter(int n, const topoEdge *e, size_t m, int *maxdeg) {
    int *deg = calloc((size_t)n + 1, sizeof *deg), *start = calloc((size_t)n + 1, sizeof *start);
    int *adj = malloc((2 * m + 2 * (size_t)n) * sizeof *adj), *fill = calloc((size_t)n, sizeof *fill);
    int *dist = malloc((size_t)n * sizeof *dist), *queue = malloc((size_t)n * sizeof *queue);
    assert_non_null(deg && start && adj && fill && dist && queue);
    for (size_t i = 0; i < m; i++) {
        deg[e[i].a]++;
        deg[e[i].b]++;
    }
    for (int i = 0; i < n; i++) start[i + 1] = start[i] + deg[i] + 2;
    *maxdeg = 0;
    for (int i = 0; i < n; i++) {
        adj[start[i] + fill[i]++] = (i + 1) % n;
        adj[start[i] + fill[i]++] = (i + n - 1) % n;
        if (deg[i] + 2 > *maxdeg) *maxdeg = deg[i] + 2;
    }
    for (size_t i = 0; i < m; i++) {
        adj[start[e[i].a] + fill[e[i].a]++] = e[i].b;
        adj[start[e[i].b] + fill[e[i].b]++] = e[i].a;
    }
    int worst = 0;
    for (int a = 0; a < n; a++) {
        int head = 0, tail = 0;
        for (int i = 0; i < n; i++) dist[i] = -1;
        dist[a] = 0;
        queue[tail++] = a;
        while (head < tail) {
            int u = queue[head++];
            for (int k = start[u]; k < start[u] + fill[u]; k++)
                if (dist[adj[k]] < 0) {
                    dist[adj[k]] = dist[u] + 1;
                    queue[tail++] = adj[k];
                }
        }
        for (int i = 0; i < n; i++) {
            if (dist[i] < 0) worst = 99;
            if (dist[i] > worst) worst = dist[i];
        }
    }
    free(deg);
    free(start);
    free(adj);
    free(fill);
    free(dist);
    free(queue);
    return worst;
}

/* Above 60 DCs, the hub rule: within 3 hops, O(n) edges, O(sqrt n) partners,
** edges sorted, none repeating a ring edge. */
static void hub_shortcuts_keep_every_dc_within_3_hops(void **state) {
    (void)state;
    static const int sizes[] = {61, 62, 63, 64, 65, 71, 72, 73, 80, 81, 82, 99, 100, 101, 121, 144, 200, 257, 500, 1000};
    for (size_t t = 0; t < sizeof sizes / sizeof *sizes; t++) {
        int n = sizes[t], k = 1, maxdeg;
        while (k * k < n) k++;
        topoEdge *e;
        size_t m;
        assert_int_equal(topoShortcuts(n, &e, &m), MS_OK);
        if (m > 2 * (size_t)n) fail_msg("%d DCs: %zu edges", n, m);
        for (size_t i = 0; i < m; i++) {
            if (!(e[i].a < e[i].b) || e[i].b >= n) fail_msg("%d DCs: edge %d-%d", n, e[i].a, e[i].b);
            if (e[i].b == e[i].a + 1 || (e[i].a == 0 && e[i].b == n - 1))
                fail_msg("%d DCs: ring edge %d-%d repeated", n, e[i].a, e[i].b);
            if (i && cmpEdge(&e[i - 1], &e[i]) >= 0) fail_msg("%d DCs: edges out of order at %zu", n, i);
        }
        int dia = edgeDiameter(n, e, m, &maxdeg);
        if (dia > 3) fail_msg("%d DCs: %d hops", n, dia);
        if (maxdeg > 2 * k + 2) fail_msg("%d DCs: a DC with %d partners", n, maxdeg);
        free(e);
    }
}

/* A site of 100 DCs gets its partners from the hub rule: DC1 (the first
** hub) lists DC2, DC100, then DC3..DC10 (its run) and DC11, DC21, ... DC91. */
static void a_site_above_60_dcs_uses_the_hub_rule(void **state) {
    (void)state;
    static const char text[] = "site HQ\n";
    char buf[4096];
    size_t len = sizeof text - 1;
    memcpy(buf, text, len);
    for (int i = 1; i <= 100; i++) len += (size_t)snprintf(buf + len, sizeof buf - len, "dc DC%d site=HQ\n", i);
    scenario sc;
    sim s;
    simStartOk(&s, &sc, buf, 0);
    int p[128];
    int np = dirPartners(s.world->dir, 0, p, 128);
    int want[] = {1, 99, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 30, 40, 50, 60, 70, 80, 90};
    assert_int_equal(np, (int)(sizeof want / sizeof *want));
    for (int k = 0; k < np; k++) assert_int_equal(p[k], want[k]);
    np = dirPartners(s.world->dir, 54, p, 128);   /* DC55: next, previous, its hub DC51 */
    assert_int_equal(np, 3);
    assert_int_equal(p[0], 55);
    assert_int_equal(p[1], 53);
    assert_int_equal(p[2], 50);
    simEnd(&s, &sc);
}

/* ---- coalescing ---- */

static void later_changes_join_the_armed_notification(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    guid u = fxUser(&f, 0, "user1");      /* arms DC1's timer: fires at 15 s */
    fxRunUntil(&f, S(14));
    guid v = fxUser(&f, 0, "user2");      /* joins it: the timer is not restarted */
    arrivesAt(&f, 1, &u, S(16));
    assert_true(dirIsLive(f.d, 1, &v));
    fxFree(&f);
}

static void a_change_after_the_timer_fired_arms_a_new_one(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    fxUser(&f, 0, "user1");
    fxRunUntil(&f, S(15));                 /* fired, DC2 is pulling */
    guid v = fxUser(&f, 0, "user2");      /* not in that pull: arms a new timer, 30 s */
    arrivesAt(&f, 1, &v, S(31));
    fxFree(&f);
}

static void a_new_timer_does_not_cancel_the_partners_still_to_notify(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){4});
    guid u = fxUser(&f, 0, "user1");      /* fires at 15 s: DC2 at 15 s, DC4 at 18 s */
    fxRunUntil(&f, S(16));
    guid v = fxUser(&f, 0, "user2");      /* arms a new timer at 16 s: fires at 31 s */
    arrivesAt(&f, 3, &u, S(19));          /* the first sequence still reaches DC4 at 18 s, */
    assert_true(dirIsLive(f.d, 3, &v));   /* and that pull sees DC1 as it is then */
    arrivesAt(&f, 1, &v, S(32));          /* DC2 pulled at 15 s: it waits for the new timer */
    fxFree(&f);
}

static void empty_pulls_arm_nothing(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    fxUser(&f, 0, "user1");
    fxRunUntil(&f, S(16));                /* DC2 applied: its timer fires at 31 s */
    fxRunUntil(&f, S(33));                /* DC1 pulled from DC2 at 31 s: 0 attributes */
    assert_int_equal(eqLen(&f.k.q), 2);   /* only the grids remain: the site schedule and GC */
    fxFree(&f);
}

/* ---- urgent replication ---- */

static void urgent_change_reaches_every_hop_at_once(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){4});
    guid u = fxUser(&f, 0, "user1");
    fxRunUntil(&f, S(100));
    assert_true(dirConverged(f.d));
    const char *enabled = "512";
    assert_int_equal(dirModify(f.d, 0, &u, A_USERACCOUNTCONTROL, &enabled, 1), MS_OK);
    fxRunUntil(&f, S(100) + 999);
    assert_string_equal(dirGet(f.d, 1, &u, A_USERACCOUNTCONTROL), "514");
    fxRunUntil(&f, S(101));
    assert_string_equal(dirGet(f.d, 1, &u, A_USERACCOUNTCONTROL), "512");
    assert_string_equal(dirGet(f.d, 3, &u, A_USERACCOUNTCONTROL), "512");
    assert_string_equal(dirGet(f.d, 2, &u, A_USERACCOUNTCONTROL), "514");
    fxRunUntil(&f, S(102));               /* DC2 and DC4 notified DC3 at once too */
    assert_string_equal(dirGet(f.d, 2, &u, A_USERACCOUNTCONTROL), "512");
    assert_true(dirConverged(f.d));
    fxFree(&f);
}

static void delete_is_not_urgent(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    guid u = fxUser(&f, 0, "user1");
    fxRunUntil(&f, S(100));
    dirDelete(f.d, 0, &u);
    fxRunUntil(&f, S(116) - 1);
    assert_true(dirIsLive(f.d, 1, &u));
    fxRunUntil(&f, S(116));
    assert_true(dirIsDeleted(f.d, 1, &u));
    fxFree(&f);
}

static void other_attributes_are_not_urgent(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    guid u = fxUser(&f, 0, "user1");
    fxRunUntil(&f, S(100));
    const char *d = "desk";
    dirModify(f.d, 0, &u, A_DESCRIPTION, &d, 1);
    expectDesc(&f, 1, &u, "desk", S(116));
    fxFree(&f);
}

/* ---- grids, sites, failures ---- */

static void a_restored_dc_catches_up_at_the_next_periodic_pull(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    assert_int_equal(dirFailDc(f.d, 1), MS_OK);
    fxRunUntil(&f, S(10));
    guid u = fxUser(&f, 0, "user1");      /* DC1 notifies DC2 at 25 s: no answer */
    fxRunUntil(&f, S(100));
    assert_int_equal(dirRestoreDc(f.d, 1), MS_OK);
    arrivesAt(&f, 1, &u, S(3601));        /* the hourly grid: pull at 3600 s */
    assert_true(dirConverged(f.d));
    fxFree(&f);
}

static void a_failed_dc_does_not_count_for_convergence(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){3});
    dirFailDc(f.d, 2);
    fxUser(&f, 0, "user1");
    fxRunUntil(&f, S(16));
    assert_true(dirConverged(f.d));
    dirRestoreDc(f.d, 2);
    assert_false(dirConverged(f.d));
    char why[256];
    dirDescribeDivergence(f.d, why, sizeof why);
    assert_string_equal(why, "DC3 (5 objects) differs from DC1 (6 objects)");
    fxFree(&f);
}

static void a_pull_in_flight_into_a_dc_that_fails_is_dropped(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    guid u = fxUser(&f, 0, "user1");
    fxRunUntil(&f, S(15));                /* DC2 started pulling */
    dirFailDc(f.d, 1);
    fxRunUntil(&f, S(20));
    dirRestoreDc(f.d, 1);
    assert_false(dirIsLive(f.d, 1, &u));
    arrivesAt(&f, 1, &u, S(3601));
    fxFree(&f);
}

static void intersite_change_waits_for_the_site_link(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 2, (int[]){2, 2});
    guid u = fxUser(&f, 1, "user1");      /* on DC2, not a bridgehead */
    arrivesAt(&f, 0, &u, S(16));          /* DC1, the bridgehead of Site1 */
    fxRunUntil(&f, S(3602));              /* the hourly pull stays inside each site */
    assert_false(dirIsLive(f.d, 2, &u));
    arrivesAt(&f, 2, &u, S(10801));       /* DC3 pulls from DC1 at 180 min */
    arrivesAt(&f, 3, &u, S(10817));       /* then notifies DC4 */
    assert_true(dirConverged(f.d));
    fxFree(&f);
}

static void a_failed_site_link_waits_for_the_next_interval_after_restore(void **state) {
    (void)state;
    fixture f;
    fxInitEx(&f, 2003, 2, (int[]){1, 1}, 15 * MS_PER_MINUTE, MS_PER_SECOND, 1, NULL, 0);
    assert_int_equal(dirFailLink(f.d, 0, 1), MS_OK);
    assert_int_equal(dirFailLink(f.d, 1, 0), MS_FAIL);
    guid u = fxUser(&f, 0, "user1");
    fxRunUntil(&f, S(1000));              /* past the 900 s interval */
    assert_false(dirIsLive(f.d, 1, &u));
    assert_int_equal(dirRestoreLink(f.d, 1, 0), MS_OK);
    arrivesAt(&f, 1, &u, S(1801));
    fxFree(&f);
}

/* ---- sync ---- */

static void sync_runs_rounds_until_nothing_moves(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2000, 1, (int[]){4});
    guid u = fxUser(&f, 0, "user1");
    fxRunUntil(&f, S(10));
    assert_int_equal(dirSyncStart(f.d, -1), MS_OK);
    assert_false(dirSyncDone(f.d));
    fxRunUntil(&f, S(11));                /* round 1: DC2 and DC4 from DC1 */
    assert_true(dirIsLive(f.d, 1, &u));
    assert_true(dirIsLive(f.d, 3, &u));
    assert_false(dirIsLive(f.d, 2, &u));
    fxRunUntil(&f, S(12));                /* round 2: DC3 */
    assert_true(dirConverged(f.d));
    assert_false(dirSyncDone(f.d));
    fxRunUntil(&f, S(13));                /* round 3 moved nothing: done */
    assert_true(dirSyncDone(f.d));
    fxFree(&f);
}

static void sync_crosses_sites_and_skips_failed_dcs(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 2, (int[]){2, 2});
    dirFailDc(f.d, 3);
    guid u = fxUser(&f, 1, "user1");
    dirSyncStart(f.d, -1);
    fxRunUntil(&f, S(3));                 /* DC2 -> DC1 -> DC3 */
    assert_true(dirIsLive(f.d, 2, &u));
    assert_false(dirIsLive(f.d, 3, &u));
    assert_true(dirConverged(f.d));
    fxRunUntil(&f, S(10));
    assert_true(dirSyncDone(f.d));
    fxFree(&f);
}

/* Only a site's bridgehead pulls across the site link in a sync: DC4, not
** Branch's bridgehead, syncs from its own partner alone. */
static void sync_of_a_non_bridgehead_stays_in_its_site(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 2, (int[]){2, 2});
    guid u = fxUser(&f, 0, "user1");
    dirSyncStart(f.d, 3);
    fxRunUntil(&f, S(3));
    assert_true(dirSyncDone(f.d));
    assert_false(dirIsLive(f.d, 3, &u));
    fxFree(&f);
}

static void sync_one_dc_is_one_round(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2000, 1, (int[]){4});
    guid u = fxUser(&f, 0, "user1");
    assert_int_equal(dirSyncStart(f.d, 2), MS_OK);   /* DC3's partners lack it */
    fxRunUntil(&f, S(1));
    assert_true(dirSyncDone(f.d));
    assert_false(dirIsLive(f.d, 2, &u));
    assert_int_equal(dirSyncStart(f.d, 1), MS_OK);
    fxRunUntil(&f, S(2));
    assert_true(dirSyncDone(f.d));
    assert_true(dirIsLive(f.d, 1, &u));
    dirFailDc(f.d, 0);
    assert_int_equal(dirSyncStart(f.d, 0), MS_FAIL);
    fxFree(&f);
}

/* ---- wait converged gives up ---- */

static void wait_converged_gives_up_naming_the_dcs_that_differ(void **state) {
    (void)state;
    /* The site link is failed for good, so DC3 never gets the account the
    ** wizard creates on DC1 at 0 s: `wait converged` fails exactly
    ** converge.timeout (here 2 h) after it started, at 0 s. */
    const char *text =
        "seed 1\nad 2003\nset converge.timeout 2h\nsite HQ\nsite Branch\n"
        "sitelink HQ Branch interval=15m\ndc DC1 site=HQ gc\ndc DC2 site=HQ\ndc DC3 site=Branch\n"
        "server EX1 dc=DC1 gc=DC1\nsource users=1 items=2 folders=1 rules=0\nwizard server=EX1 dc=DC1\n"
        "fail link HQ Branch\nmigrate user1\nwait converged\n";
    scenario sc;
    sim s;
    simStartOk(&s, &sc, text, 0);
    assert_int_equal(simRun(&s), MS_FAIL);
    assert_int_equal(s.k.now, 2 * MS_PER_HOUR);
    /* Error-message test: the failed step's message names the DCs that differ. */
    assert_non_null(strstr(s.k.err, "did not converge within"));
    assert_non_null(strstr(s.k.err, "DC3 (5 objects) differs from DC1 (6 objects)"));
    simEnd(&s, &sc);
}

/* ---- narrative and jitter ---- */

/* Notifications by actor to peer (NULL: any), urgent or not. */
static int notifies(const fixture *f, const char *actor, const char *peer) {
    if (!peer)
        return fxCount(f, TR_REPL_NOTIFY, "actor", actor, NULL) + fxCount(f, TR_REPL_NOTIFY_URGENT, "actor", actor, NULL);
    return fxCount(f, TR_REPL_NOTIFY, "actor", actor, "peer", peer, NULL) +
           fxCount(f, TR_REPL_NOTIFY_URGENT, "actor", actor, "peer", peer, NULL);
}

/* Things a failed DC told as dropped: notifications, and pulls into it. */
static int drops(const fixture *f, const char *actor) {
    return fxCount(f, TR_DC_NOTIFY_DROPPED, "actor", actor, NULL) + fxCount(f, TR_REPL_LOST, "actor", actor, NULL);
}

static void the_narrative_shows_the_change_travel(void **state) {
    (void)state;
    fixture f;
    fxInitEx(&f, 2003, 1, (int[]){2}, 0, MS_PER_SECOND, 1, NULL, 1);
    fxSetTime(&f, S(10));
    guid a = fxUser(&f, 0, "X");
    guid b = fxUser(&f, 1, "X");
    fxRunUntil(&f, S(60));
    assert_true(fxCount(&f, TR_REPL_NOTIFY, "actor", "DC1", "dc", "DC1", "peer", "DC2", NULL) >= 1);
    const traceRecord *pull = fxFind(&f, TR_REPL_PULL, "actor", "DC2", "dc", "DC2", "peer", "DC1", "objects", "1",
                                     "attributes", "6", "usn_from", "6", "usn_to", "6", NULL);
    assert_non_null(pull);
    /* WORDING TEST: a pull line, as a trainee reads it, pinned whole. */
    assert_string_equal(pull->text, "pull from DC1: 1 object, 6 attributes (usn 6..6)");
    /* The conflict renames the loser (the smaller GUID) on DC2 to its CNF name. */
    const guid *loser = guidCompare(&a, &b) > 0 ? &b : &a;
    char gs[GUID_STRLEN], dn[256];
    guidFormat(loser, gs);
    snprintf(dn, sizeof dn, "CN=X\\0ACNF:%s,OU=Migrated,DC=target,DC=example", gs);
    assert_int_equal(fxCount(&f, TR_REPL_CONFLICT, "actor", "DC2", "dc", "DC2", "object", gs, "dn", dn, NULL), 1);
    /* The pull that brought the conflict is told before the conflict it caused. */
    size_t ipull = fxIndex(&f, TR_REPL_PULL, "dc", "DC2", "peer", "DC1", NULL);
    assert_true(ipull > 0);
    assert_true(ipull < fxIndex(&f, TR_REPL_CONFLICT, "dc", "DC2", NULL));
    assert_true(dirConverged(f.d));
    fxFree(&f);
}

/* A change while the timer is armed arms no second one: one notification. */
static void an_armed_timer_is_armed_once(void **state) {
    (void)state;
    fixture f;
    fxInitEx(&f, 2003, 1, (int[]){2}, 0, MS_PER_SECOND, 1, NULL, 1);
    fxUser(&f, 0, "user1");               /* arms DC1's timer: fires at 15 s */
    fxRunUntil(&f, S(5));
    fxUser(&f, 0, "user2");               /* joins it */
    fxRunUntil(&f, S(60));
    assert_int_equal(notifies(&f, "DC1", "DC2"), 1);
    fxFree(&f);
}

/* The same change reaching DC3 by two pulls built before either applied:
** the second brings equal stamps, which are not applied (docs/semantics.md,
** "Pulls and conflicts"), so DC3 has nothing new to tell. */
static void equal_stamps_are_not_applied(void **state) {
    (void)state;
    fixture f;
    fxInitEx(&f, 2003, 1, (int[]){4}, 0, 10 * MS_PER_SECOND, 1, NULL, 1);
    fxUser(&f, 0, "user1");
    fxRunUntil(&f, S(120));
    assert_true(dirConverged(f.d));
    /* One pull into DC3 applied fewer attributes than it brought. */
    int stale = 0;
    for (size_t i = 0; i < f.k.tr.n; i++) {
        const traceRecord *e = &f.k.tr.v[i];
        if (e->kind == TR_REPL_PULL && strcmp(e->dc, "DC3") == 0)
            stale += trInt(e, "applied") < trInt(e, "attributes");
    }
    assert_int_equal(stale, 1);
    fxFree(&f);
}

/* A name conflict between creations in the same second: the larger
** objectGUID keeps the name, the other becomes CN=X\0ACNF:<its guid>. */
static void a_same_second_name_conflict_goes_to_the_larger_guid(void **state) {
    (void)state;
    fixture f;
    fxInitEx(&f, 2003, 1, (int[]){2}, 0, MS_PER_SECOND, 1, NULL, 1);
    fxSetTime(&f, S(10));
    guid a = fxUser(&f, 0, "X");
    guid b = fxUser(&f, 1, "X");
    fxRunUntil(&f, S(60));
    assert_true(dirConverged(f.d));
    const guid *loser = guidCompare(&a, &b) > 0 ? &b : &a;
    const guid *winner = loser == &a ? &b : &a;
    char gs[GUID_STRLEN], want[128];
    snprintf(want, sizeof want, "X\nCNF:%s", guidFormat(loser, gs));
    assert_string_equal(dirGet(f.d, 0, loser, A_NAME), want);
    assert_string_equal(dirGet(f.d, 0, winner, A_NAME), "X");
    fxFree(&f);
}

/* A DC that fails cancels its pending notification: restored at once, it
** does not send the old one (the change waits for a later trigger). */
static void a_failure_cancels_the_pending_notification(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    guid u = fxUser(&f, 0, "user1");      /* arms DC1's timer: would fire at 15 s */
    fxRunUntil(&f, S(5));
    assert_int_equal(dirFailDc(f.d, 0), MS_OK);
    fxRunUntil(&f, S(6));
    assert_int_equal(dirRestoreDc(f.d, 0), MS_OK);
    fxRunUntil(&f, S(30));
    assert_false(dirIsLive(f.d, 1, &u));
    fxFree(&f);
}

/* A DC that fails with its timer armed drops the notification to every
** partner, each told right after the failure. */
static void a_failed_dc_tells_each_dropped_notification(void **state) {
    (void)state;
    fixture f;
    fxInitEx(&f, 2003, 1, (int[]){4}, 0, MS_PER_SECOND, 1, NULL, 1);
    fxUser(&f, 0, "user1");               /* arms DC1's timer: DC2 at 15 s, DC4 at 18 s */
    fxRunUntil(&f, S(5));
    assert_int_equal(dirFailDc(f.d, 0), MS_OK);
    fxRunUntil(&f, S(60));
    assert_int_equal(fxAt(&f, TR_DC_NOTIFY_DROPPED, "actor", "DC1", "dc", "DC1", "peer", "DC2", NULL), S(5));
    assert_int_equal(fxAt(&f, TR_DC_NOTIFY_DROPPED, "actor", "DC1", "dc", "DC1", "peer", "DC4", NULL), S(5));
    size_t failed = fxIndex(&f, TR_DC_FAIL, "actor", "DC1", NULL);
    assert_true(failed > 0);
    assert_true(failed < fxIndex(&f, TR_DC_NOTIFY_DROPPED, "actor", "DC1", "peer", "DC2", NULL));
    assert_true(fxIndex(&f, TR_DC_NOTIFY_DROPPED, "actor", "DC1", "peer", "DC2", NULL) <
                fxIndex(&f, TR_DC_NOTIFY_DROPPED, "actor", "DC1", "peer", "DC4", NULL));
    assert_int_equal(drops(&f, "DC1"), 2);
    assert_int_equal(notifies(&f, "DC1", NULL), 0);
    assert_int_equal(fxCount(&f, TR_DC_NOTIFY_DROPPED, "actor", "DC1", "peer", "DC2", NULL), 1);
    assert_int_equal(fxCount(&f, TR_DC_NOTIFY_DROPPED, "actor", "DC1", "peer", "DC4", NULL), 1);
    assert_int_equal(fxCount(&f, TR_DC_NOTIFY_DROPPED, "actor", "DC1", NULL), 2);
    fxFree(&f);
}

/* Failing between two partners of a sequence drops only the partners still
** to come; a DC with nothing to announce drops nothing. */
static void a_failed_dc_drops_only_the_partners_still_to_notify(void **state) {
    (void)state;
    fixture f;
    fxInitEx(&f, 2003, 1, (int[]){4}, 0, MS_PER_SECOND, 1, NULL, 1);
    fxUser(&f, 0, "user1");
    fxRunUntil(&f, S(16));                /* DC2 notified at 15 s, DC4 due at 18 s */
    assert_int_equal(dirFailDc(f.d, 0), MS_OK);
    fxRunUntil(&f, S(60));
    assert_int_equal(fxCount(&f, TR_DC_NOTIFY_DROPPED, "actor", "DC1", "peer", "DC2", NULL), 0);
    assert_int_equal(fxAt(&f, TR_DC_NOTIFY_DROPPED, "actor", "DC1", "peer", "DC4", NULL), S(16));
    assert_int_equal(notifies(&f, "DC1", "DC4"), 0);
    /* DC3 had nothing armed (DC2 notifies it at 31 s, after DC3's failure). */
    assert_int_equal(dirFailDc(f.d, 2), MS_OK);
    assert_int_equal(drops(&f, "DC3"), 0);
    fxFree(&f);
}

/* A failed DC skips its periodic runs, each one told: the site schedule
** (naming the partners it would have pulled from) and garbage collection;
** restored, it runs them again and tells nothing. */
static void a_failed_dc_tells_each_skipped_periodic_run(void **state) {
    (void)state;
    fixture f;
    fxInitEx(&f, 2003, 1, (int[]){3}, 0, MS_PER_SECOND, 1, NULL, 1);
    assert_int_equal(dirFailDc(f.d, 1), MS_OK);
    fxRunUntil(&f, S(12 * 3600));
    assert_int_equal(fxAt(&f, TR_DC_PERIODIC_SKIPPED, "actor", "DC2", "dc", "DC2", "what", "scheduled replication",
                          "from", "DC3, DC1", NULL), S(3600));
    assert_int_equal(fxCount(&f, TR_DC_PERIODIC_SKIPPED, "actor", "DC2", "what", "scheduled replication", NULL), 12);
    assert_int_equal(fxCount(&f, TR_DC_PERIODIC_SKIPPED, "actor", "DC2", NULL), 13);
    const traceRecord *gc = fxFind(&f, TR_DC_PERIODIC_SKIPPED, "actor", "DC2", "what", "garbage collection", NULL);
    assert_non_null(gc);
    assert_int_equal(gc->at, S(12 * 3600));
    assert_null(traceFieldOf(gc, "from"));           /* garbage collection pulls from no one */
    assert_int_equal(fxCount(&f, TR_DC_PERIODIC_SKIPPED, "actor", "DC1", NULL), 0);
    assert_int_equal(fxCount(&f, TR_DC_PERIODIC_SKIPPED, "actor", "DC3", NULL), 0);
    assert_int_equal(dirRestoreDc(f.d, 1), MS_OK);
    fxRunUntil(&f, S(24 * 3600));
    assert_int_equal(fxCount(&f, TR_DC_PERIODIC_SKIPPED, "actor", "DC2", NULL), 13);
    fxFree(&f);
}

/* A failed bridgehead skips its site-link pulls, each one told. */
static void a_failed_bridgehead_tells_each_skipped_site_link_run(void **state) {
    (void)state;
    fixture f;
    fxInitEx(&f, 2003, 2, (int[]){2, 2}, 15 * 60 * MS_PER_SECOND, MS_PER_SECOND, 1, NULL, 1);
    assert_int_equal(dirFailDc(f.d, 2), MS_OK);
    fxRunUntil(&f, S(1800));
    assert_int_equal(fxAt(&f, TR_DC_PERIODIC_SKIPPED, "actor", "DC3", "what", "site-link replication", "from", "DC1",
                          "peer", "DC1", NULL), S(900));
    assert_int_equal(fxCount(&f, TR_DC_PERIODIC_SKIPPED, "actor", "DC3", "what", "site-link replication", NULL), 2);
    assert_int_equal(fxCount(&f, TR_DC_PERIODIC_SKIPPED, "actor", "DC3", "peer", "DC1", NULL), 2);
    assert_int_equal(fxCount(&f, TR_DC_PERIODIC_SKIPPED, "actor", "DC1", NULL), 0);
    fxFree(&f);
}

/* Notification delays are jittered too, not only pull latency: across
** seeds the first arrival is not always 15 s + the jittered latency. */
static void notification_delays_are_jittered(void **state) {
    (void)state;
    int outside = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        fixture f;
        fxInitEx(&f, 2003, 1, (int[]){2}, 0, MS_PER_SECOND, seed, NULL, 0);
        f.k.p.jitter_pct = 50;
        guid u = fxUser(&f, 0, "u");
        simtime t = 0;
        while (!dirIsLive(f.d, 1, &u) && t < S(60)) fxRunUntil(&f, t += 1);
        outside |= t < S(15) + 500 || t > S(15) + 1500;
        fxFree(&f);
    }
    assert_true(outside);
}

/* Garbage collection removes a tombstone once tombstone.lifetime has
** passed: on the GC run at exactly that moment, not the one after. */
static void gc_removes_a_tombstone_at_exactly_its_lifetime(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    guid u = fxUser(&f, 0, "user1");
    assert_int_equal(dirDelete(f.d, 0, &u), MS_OK);   /* at 0: the tombstone's time is 0 */
    fxRunUntil(&f, f.k.p.tombstone_lifetime - 1);
    assert_true(dirIsDeleted(f.d, 0, &u));
    fxRunUntil(&f, f.k.p.tombstone_lifetime);         /* a multiple of gc.interval */
    assert_false(dirIsDeleted(f.d, 0, &u));
    fxFree(&f);
}

static void jitter_varies_delays_deterministically(void **state) {
    (void)state;
    simtime first[2] = {0, 0};
    for (int run = 0; run < 2; run++) {
        fixture f;
        fxInitEx(&f, 2003, 1, (int[]){2}, 0, MS_PER_SECOND, 42, NULL, 0);
        f.k.p.jitter_pct = 50;
        guid u = fxUser(&f, 0, "u");
        simtime t = 0;
        while (!dirIsLive(f.d, 1, &u) && t < S(60)) fxRunUntil(&f, t += 1);
        first[run] = t;
        fxFree(&f);
    }
    assert_true(first[0] >= S(15) / 2 + 500 && first[0] <= S(15) * 3 / 2 + 1500);
    assert_int_equal(first[0], first[1]);
}

/* ---- pulls in flight ---- */

/* Slots of d->pulls in use; with the free stack they make up every slot. */
static size_t pullsInFlight(const directory *d) {
    size_t n = 0;
    for (size_t i = 0; i < d->npulls; i++)
        if (d->pulls[i]) n++;
    return n;
}

/* Set up text's run and add one account, user1, on DC1 before the first step; its directory. */
static directory *startWithOneUser(sim *s, scenario *sc, const char *text, guid *u) {
    simStartOk(s, sc, text, 0);
    dirValue v[] = {{A_OBJECTCLASS, "user"}, {A_SAMACCOUNTNAME, "user1"}};
    assert_int_equal(dirAdd(s->world->dir, 0, C_MIGRATED, "user1", v, 2, u), MS_OK);
    return s->world->dir;
}

/*
** A 1 s schedule with a 1 h latency triggers a pull of each pair every
** second, but pulls of one pair are serialised (docs/model-directory.md):
** one in flight per pair, the triggers meanwhile coalesced into one
** follow-up.  Every slot is either in flight or on the free stack at every
** instant, and the change arrives one latency after the first pull that saw
** it.  (Before, every trigger started its own pull: 7,198 in flight here.)
*/
static void one_pull_per_pair_is_in_flight(void **state) {
    (void)state;
    static const char text[] =
        "site HQ schedule=1s\n"
        "dc DC1 site=HQ\n"
        "dc DC2 site=HQ\n"
        "latency 1h\n"
        "wait 3h\n";
    scenario sc;
    sim s;
    guid u;
    directory *d = startWithOneUser(&s, &sc, text, &u);
    size_t peak = 0;
    int done = 0;
    while (!done) {
        assert_int_equal(simStep(&s, &done), MS_OK);
        size_t n = pullsInFlight(d);
        if (n + d->nfree_slots != d->npulls)
            fail_msg("%zu in flight + %zu free != %zu slots", n, d->nfree_slots, d->npulls);
        if (n > peak) peak = n;
        if (s.k.now == S(3600) && dirIsLive(d, 1, &u)) fail_msg("DC2 has it before the first pull is applied");
        if (s.k.now > S(3601) && !dirIsLive(d, 1, &u)) fail_msg("DC2 lacks it after the first pull was applied");
    }
    assert_int_equal(peak, 2);   /* DC1 from DC2 and DC2 from DC1 */
    simEnd(&s, &sc);
}

/*
** `site X schedule=1s` with `latency 1d` stays bounded: the pending events
** never grow past the grids, the notification and one pull per pair (before,
** 172,800 pulls were pending after a day, 689 MB after 120 s of real time).
*/
static void a_fast_schedule_with_a_slow_latency_stays_bounded(void **state) {
    (void)state;
    static const char text[] =
        "site HQ schedule=1s\n"
        "dc DC1 site=HQ\n"
        "dc DC2 site=HQ\n"
        "dc DC3 site=HQ\n"
        "latency 1d\n"
        "wait 3d\n";
    scenario sc;
    sim s;
    guid u;
    directory *d = startWithOneUser(&s, &sc, text, &u);
    size_t peak = 0;
    int done = 0;
    while (!done) {
        assert_int_equal(simStep(&s, &done), MS_OK);
        if (eqLen(&s.k.q) > peak) peak = eqLen(&s.k.q);
    }
    /* 2 grids (schedule, gc) + 6 pairs + a notification sequence. */
    if (peak > 12) fail_msg("%zu events pending", peak);
    assert_true(dirIsLive(d, 1, &u) && dirIsLive(d, 2, &u));
    simEnd(&s, &sc);
}

/*
** A trigger while a pull of its pair is in flight starts the follow-up when
** that pull is applied.  Pair of DCs, latency 20 s: the first change (0 s)
** is pulled at 15 s and applied at 35 s; a second change at 16 s arms a new
** notification, which fires at 31 s while the first pull is in flight: its
** pull starts at 35 s and applies at 55 s (51 s if pulls overlapped).
*/
static void a_trigger_during_a_pull_waits_for_it(void **state) {
    (void)state;
    fixture f;
    fxInitEx(&f, 2003, 1, (int[]){2}, 0, S(20), 1, NULL, 0);
    guid u = fxUser(&f, 0, "user1");
    fxRunUntil(&f, S(16));
    const char *second = "second";
    assert_int_equal(dirModify(f.d, 0, &u, A_DESCRIPTION, &second, 1), MS_OK);
    arrivesAt(&f, 1, &u, S(35));
    expectDesc(&f, 1, &u, "second", S(55));
    fxFree(&f);
}

/*
** A sync pull of a pair that is busy waits behind the pull in flight and
** still belongs to its round, which ends only when it is applied.  Pair of
** DCs, latency 10 s, a change on DC1 at 0: DC2 pulls it at 15 s (applied at
** 25 s).  sync at 20 s: DC1 from DC2 (applied 30 s); DC2 from DC1 waits,
** starts at 25 s, is applied at 35 s; the round moved the change (the pull
** it waited on did), so round 2 runs from 35 s to 45 s and moves nothing.
*/
static void a_sync_pull_waits_behind_the_pull_in_flight(void **state) {
    (void)state;
    fixture f;
    fxInitEx(&f, 2003, 1, (int[]){2}, 0, S(10), 1, NULL, 1);
    fxUser(&f, 0, "user1");
    fxRunUntil(&f, S(20));
    assert_int_equal(dirSyncStart(f.d, -1), MS_OK);
    fxRunUntil(&f, S(34));
    assert_false(dirSyncDone(f.d));
    fxRunUntil(&f, S(44));
    assert_false(dirSyncDone(f.d));
    fxRunUntil(&f, S(45));
    assert_true(dirSyncDone(f.d));
    assert_true(dirConverged(f.d));
    fxFree(&f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ring_of_4_ad2003),
        cmocka_unit_test(ring_of_4_ad2000),
        cmocka_unit_test(ring_convergence_ad2003),
        cmocka_unit_test(ring_convergence_ad2000),
        cmocka_unit_test(partners_in_notification_order),
        cmocka_unit_test(big_rings_get_shortcuts_within_3_hops),
        cmocka_unit_test(shortcuts_match_the_reference_up_to_60_dcs),
        cmocka_unit_test(hub_shortcuts_keep_every_dc_within_3_hops),
        cmocka_unit_test(a_site_above_60_dcs_uses_the_hub_rule),
        cmocka_unit_test(later_changes_join_the_armed_notification),
        cmocka_unit_test(a_change_after_the_timer_fired_arms_a_new_one),
        cmocka_unit_test(a_new_timer_does_not_cancel_the_partners_still_to_notify),
        cmocka_unit_test(empty_pulls_arm_nothing),
        cmocka_unit_test(urgent_change_reaches_every_hop_at_once),
        cmocka_unit_test(delete_is_not_urgent),
        cmocka_unit_test(other_attributes_are_not_urgent),
        cmocka_unit_test(a_restored_dc_catches_up_at_the_next_periodic_pull),
        cmocka_unit_test(a_failed_dc_does_not_count_for_convergence),
        cmocka_unit_test(a_pull_in_flight_into_a_dc_that_fails_is_dropped),
        cmocka_unit_test(intersite_change_waits_for_the_site_link),
        cmocka_unit_test(a_failed_site_link_waits_for_the_next_interval_after_restore),
        cmocka_unit_test(sync_runs_rounds_until_nothing_moves),
        cmocka_unit_test(sync_crosses_sites_and_skips_failed_dcs),
        cmocka_unit_test(sync_one_dc_is_one_round),
        cmocka_unit_test(wait_converged_gives_up_naming_the_dcs_that_differ),
        cmocka_unit_test(the_narrative_shows_the_change_travel),
        cmocka_unit_test(jitter_varies_delays_deterministically),
        cmocka_unit_test(one_pull_per_pair_is_in_flight),
        cmocka_unit_test(a_fast_schedule_with_a_slow_latency_stays_bounded),
        cmocka_unit_test(a_trigger_during_a_pull_waits_for_it),
        cmocka_unit_test(a_sync_pull_waits_behind_the_pull_in_flight),
        cmocka_unit_test(an_armed_timer_is_armed_once),
        cmocka_unit_test(equal_stamps_are_not_applied),
        cmocka_unit_test(a_same_second_name_conflict_goes_to_the_larger_guid),
        cmocka_unit_test(a_failure_cancels_the_pending_notification),
        cmocka_unit_test(a_failed_dc_tells_each_dropped_notification),
        cmocka_unit_test(a_failed_dc_drops_only_the_partners_still_to_notify),
        cmocka_unit_test(a_failed_dc_tells_each_skipped_periodic_run),
        cmocka_unit_test(a_failed_bridgehead_tells_each_skipped_site_link_run),
        cmocka_unit_test(notification_delays_are_jittered),
        cmocka_unit_test(gc_removes_a_tombstone_at_exactly_its_lifetime),
        cmocka_unit_test(sync_of_a_non_bridgehead_stays_in_its_site),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
