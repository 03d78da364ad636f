/*
** Tests for the event queue (sim/eventq.h).  The queue's one promise is a
** total order on (time, insertion sequence): events come out by time, and
** events due at the same instant come out in the order they were pushed.
** Every test checks the queue against an independent reference (a sorted
** array or a linear scan), never against the heap's own layout.  Random
** loads draw from a fixed seed, so a failure reproduces exactly.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/eventq.h"
#include "kernel/prng.h"

/* Handlers are never called here; these give events distinct identities. */
static msStatus fireA(struct kernel *k, void *obj, int64_t arg) { (void)k; (void)obj; (void)arg; return MS_OK; }
static msStatus fireB(struct kernel *k, void *obj, int64_t arg) { (void)k; (void)obj; (void)arg; return MS_OK; }

/* One event as the reference sees it. */
typedef struct refEvent {
    simtime at;
    uint64_t seq;
    int64_t arg;
} refEvent;

static int refCompare(const void *pa, const void *pb) {
    const refEvent *a = pa, *b = pb;
    if (a->at != b->at) return a->at < b->at ? -1 : 1;
    if (a->seq != b->seq) return a->seq < b->seq ? -1 : 1;
    return 0;
}

static void pushOk(eventq *q, simtime at, int64_t arg, uint64_t *seq) {
    assert_int_equal(eqPush(q, at, fireA, NULL, arg, "test", seq), MS_OK);
}

static void testEmpty(void **state) {
    (void)state;
    eventq q;
    event e;
    eqInit(&q);
    assert_int_equal(eqLen(&q), 0);
    assert_null(eqPeek(&q));
    assert_int_equal(eqPop(&q, &e), 0);
    assert_int_equal(eqPop(&q, &e), 0);
    assert_int_equal(eqLen(&q), 0);
    eqFree(&q);
    eqFree(&q); /* freeing an empty (or freed) queue is harmless */
}

static void testDrainsToEmpty(void **state) {
    (void)state;
    eventq q;
    event e;
    eqInit(&q);
    pushOk(&q, 5, 1, NULL);
    pushOk(&q, 3, 2, NULL);
    assert_int_equal(eqLen(&q), 2);
    assert_int_equal(eqPop(&q, &e), 1);
    assert_int_equal(eqPop(&q, &e), 1);
    assert_int_equal(eqLen(&q), 0);
    assert_null(eqPeek(&q));
    assert_int_equal(eqPop(&q, &e), 0);
    eqFree(&q);
}

static void testOrderByTime(void **state) {
    (void)state;
    static const simtime times[] = {50, 10, 40, 0, 30, 20, 70, 60, 90, 80, 5, 1000000};
    static const simtime sorted[] = {0, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 1000000};
    const size_t n = sizeof times / sizeof times[0];
    eventq q;
    event e;
    eqInit(&q);
    for (size_t i = 0; i < n; i++) pushOk(&q, times[i], (int64_t)i, NULL);
    assert_int_equal(eqLen(&q), n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(eqPop(&q, &e), 1);
        assert_int_equal(e.at, sorted[i]);
        assert_int_equal(times[e.arg], e.at);
        assert_int_equal(eqLen(&q), n - i - 1);
    }
    eqFree(&q);
}

/* The extremes of simtime order like any other values (no subtraction overflow). */
static void testExtremeTimes(void **state) {
    (void)state;
    eventq q;
    event e;
    eqInit(&q);
    pushOk(&q, INT64_MAX, 0, NULL);
    pushOk(&q, 0, 1, NULL);
    pushOk(&q, INT64_MIN, 2, NULL);
    pushOk(&q, -1, 3, NULL);
    pushOk(&q, INT64_MAX, 4, NULL);
    static const simtime want[] = {INT64_MIN, -1, 0, INT64_MAX, INT64_MAX};
    static const int64_t wantArg[] = {2, 3, 1, 0, 4};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(eqPop(&q, &e), 1);
        assert_true(e.at == want[i]);
        assert_int_equal(e.arg, wantArg[i]);
    }
    eqFree(&q);
}

/* Many events at one instant come out in push order, across heap growth. */
static void testTiesInPushOrder(void **state) {
    (void)state;
    enum { N = 5000 };
    eventq q;
    event e;
    eqInit(&q);
    for (int64_t i = 0; i < N; i++) pushOk(&q, 777, i, NULL);
    for (int64_t i = 0; i < N; i++) {
        assert_int_equal(eqPop(&q, &e), 1);
        assert_int_equal(e.at, 777);
        assert_int_equal(e.arg, i);
        assert_int_equal(e.seq, (uint64_t)i);
    }
    eqFree(&q);
}

/* Ties are broken by sequence even when later-pushed earlier events reshape the heap. */
static void testTiesAmongOtherTimes(void **state) {
    (void)state;
    eventq q;
    event e;
    eqInit(&q);
    /* Pattern: 10 20 10 5 10 20 10 5 ... the 10s must come out in push order. */
    static const simtime pattern[] = {10, 20, 10, 5};
    int64_t lastArg[3] = {-1, -1, -1};
    for (int64_t i = 0; i < 400; i++) pushOk(&q, pattern[i % 4], i, NULL);
    simtime prev = INT64_MIN;
    while (eqPop(&q, &e)) {
        assert_true(e.at >= prev);
        int slot = e.at == 5 ? 0 : e.at == 10 ? 1 : 2;
        assert_true(e.arg > lastArg[slot]);
        lastArg[slot] = e.arg;
        prev = e.at;
    }
    eqFree(&q);
}

static void testSequenceAndFields(void **state) {
    (void)state;
    eventq q;
    event e;
    int objA, objB;
    uint64_t s0 = 99, s1 = 99, s2 = 99;
    eqInit(&q);
    assert_int_equal(eqPush(&q, 30, fireA, &objA, -7, "dc.notify", &s0), MS_OK);
    assert_int_equal(eqPush(&q, 10, fireB, &objB, INT64_MAX, "wizard.slot", &s1), MS_OK);
    assert_int_equal(eqPush(&q, 20, fireA, NULL, INT64_MIN, NULL, NULL), MS_OK);
    assert_int_equal(eqPush(&q, 20, fireB, NULL, 0, "x", &s2), MS_OK);
    assert_int_equal(s0, 0);
    assert_int_equal(s1, 1);
    assert_int_equal(s2, 3);

    assert_int_equal(eqPop(&q, &e), 1);
    assert_int_equal(e.at, 10);
    assert_int_equal(e.seq, 1);
    assert_ptr_equal(e.fire, fireB);
    assert_ptr_equal(e.obj, &objB);
    assert_true(e.arg == INT64_MAX);
    assert_string_equal(e.what, "wizard.slot");

    assert_int_equal(eqPop(&q, &e), 1);
    assert_int_equal(e.at, 20);
    assert_int_equal(e.seq, 2);
    assert_ptr_equal(e.fire, fireA);
    assert_null(e.obj);
    assert_true(e.arg == INT64_MIN);
    assert_non_null(e.what); /* the header promises `what` is never NULL */

    assert_int_equal(eqPop(&q, &e), 1);
    assert_int_equal(e.seq, 3);
    assert_string_equal(e.what, "x");

    assert_int_equal(eqPop(&q, &e), 1);
    assert_int_equal(e.at, 30);
    assert_int_equal(e.seq, 0);
    assert_ptr_equal(e.obj, &objA);
    assert_int_equal(e.arg, -7);
    assert_string_equal(e.what, "dc.notify");
    eqFree(&q);
}

/* Index of the reference's earliest live event by linear scan, or -1. */
static long refMin(const refEvent *r, const char *live, size_t n) {
    long best = -1;
    for (size_t i = 0; i < n; i++) {
        if (!live[i]) continue;
        if (best < 0 || refCompare(&r[i], &r[best]) < 0) best = (long)i;
    }
    return best;
}

/*
** A run-like load: pop the earliest event, push a few more at or after its
** time (often at exactly that time), as handlers do.  Checked against a
** linear-scan reference at every step, with eqPeek agreeing with eqPop.
*/
static void testInterleaved(void **state) {
    (void)state;
    enum { CAP = 20000 };
    refEvent *ref = calloc(CAP, sizeof *ref);
    char *live = calloc(CAP, 1);
    assert_non_null(ref);
    assert_non_null(live);
    size_t nref = 0, nlive = 0;
    eventq q;
    event e;
    rng r;
    rngSeed(&r, 42, RNG_TEST);
    eqInit(&q);
    for (int i = 0; i < 50; i++) {
        uint64_t seq;
        simtime at = (simtime)rngBelow(&r, 100);
        pushOk(&q, at, (int64_t)nref, &seq);
        assert_int_equal(seq, nref); /* sequence = number of earlier pushes */
        ref[nref] = (refEvent){at, seq, (int64_t)nref};
        live[nref++] = 1;
        nlive++;
    }
    while (nlive > 0) {
        long m = refMin(ref, live, nref);
        const event *top = eqPeek(&q);
        assert_non_null(top);
        event peeked = *top;
        assert_int_equal(eqPop(&q, &e), 1);
        assert_int_equal(e.at, ref[m].at);
        assert_int_equal(e.seq, ref[m].seq);
        assert_int_equal(e.arg, ref[m].arg);
        assert_memory_equal(&peeked, &e, sizeof e);
        live[m] = 0;
        nlive--;
        assert_int_equal(eqLen(&q), nlive);
        /* Push 0..3 follow-ups: same instant, soon, or later. */
        uint64_t k = rngBelow(&r, 4);
        for (uint64_t j = 0; j < k && nref < CAP; j++) {
            simtime at = e.at + (simtime)(rngBelow(&r, 3) == 0 ? 0 : rngBelow(&r, 50));
            uint64_t seq;
            pushOk(&q, at, (int64_t)nref, &seq);
            assert_int_equal(seq, nref);
            ref[nref] = (refEvent){at, seq, (int64_t)nref};
            live[nref++] = 1;
            nlive++;
        }
    }
    assert_true(nref > 1000); /* the load was not trivially short */
    assert_int_equal(eqPop(&q, &e), 0);
    eqFree(&q);
    free(ref);
    free(live);
}

/*
** 100,000 events with times from a small range (so most times repeat many
** times) against a reference sorted with qsort on (time, seq).
*/
static void testLargeRandomLoad(void **state) {
    (void)state;
    enum { N = 100000 };
    refEvent *ref = malloc(N * sizeof *ref);
    assert_non_null(ref);
    eventq q;
    event e;
    rng r;
    rngSeed(&r, 7, RNG_TEST);
    eqInit(&q);
    for (size_t i = 0; i < N; i++) {
        simtime at = rngBetween(&r, -500, 1500);
        uint64_t seq;
        pushOk(&q, at, (int64_t)i, &seq);
        ref[i] = (refEvent){at, seq, (int64_t)i};
    }
    assert_int_equal(eqLen(&q), N);
    qsort(ref, N, sizeof *ref, refCompare);
    for (size_t i = 0; i < N; i++) {
        const event *top = eqPeek(&q);
        assert_non_null(top);
        assert_int_equal(top->at, ref[i].at);
        assert_int_equal(top->seq, ref[i].seq);
        assert_int_equal(eqPop(&q, &e), 1);
        assert_int_equal(e.at, ref[i].at);
        assert_int_equal(e.seq, ref[i].seq);
        assert_int_equal(e.arg, ref[i].arg);
    }
    assert_int_equal(eqLen(&q), 0);
    assert_null(eqPeek(&q));
    eqFree(&q);
    free(ref);
}

/* Peek does not remove, and is stable across repeated calls. */
static void testPeekDoesNotPop(void **state) {
    (void)state;
    eventq q;
    event e;
    eqInit(&q);
    pushOk(&q, 9, 1, NULL);
    pushOk(&q, 4, 2, NULL);
    const event *a = eqPeek(&q);
    const event *b = eqPeek(&q);
    assert_non_null(a);
    assert_ptr_equal(a, b);
    assert_int_equal(a->at, 4);
    assert_int_equal(eqLen(&q), 2);
    assert_int_equal(eqPop(&q, &e), 1);
    assert_int_equal(e.arg, 2);
    assert_int_equal(eqPeek(&q)->arg, 1);
    eqFree(&q);
}

/* After eqFree (and eqInit) the queue is empty and fully usable again. */
static void testFreeThenReuse(void **state) {
    (void)state;
    eventq q;
    event e;
    eqInit(&q);
    for (int64_t i = 0; i < 300; i++) pushOk(&q, 300 - i, i, NULL);
    eqFree(&q);
    assert_int_equal(eqLen(&q), 0);
    assert_null(eqPeek(&q));
    assert_int_equal(eqPop(&q, &e), 0);

    eqInit(&q);
    uint64_t seq = 99;
    pushOk(&q, 2, 10, &seq);
    assert_int_equal(seq, 0); /* a fresh queue numbers from 0 again */
    pushOk(&q, 1, 11, NULL);
    pushOk(&q, 2, 12, NULL);
    assert_int_equal(eqLen(&q), 3);
    assert_int_equal(eqPop(&q, &e), 1);
    assert_int_equal(e.arg, 11);
    assert_int_equal(eqPop(&q, &e), 1);
    assert_int_equal(e.arg, 10);
    assert_int_equal(eqPop(&q, &e), 1);
    assert_int_equal(e.arg, 12);
    eqFree(&q);
}

/* Two queues fed the same pushes give the same pops: nothing is shared. */
static void testIndependentQueues(void **state) {
    (void)state;
    eventq a, b;
    event ea, eb;
    rng r;
    rngSeed(&r, 3, RNG_TEST);
    eqInit(&a);
    eqInit(&b);
    for (int64_t i = 0; i < 1000; i++) {
        simtime at = (simtime)rngBelow(&r, 10);
        pushOk(&a, at, i, NULL);
        if (i % 2 == 0) pushOk(&b, at, i, NULL);
    }
    /* b saw half the pushes, so its sequence numbers are its own. */
    const event *tb = eqPeek(&b);
    assert_non_null(tb);
    assert_true(tb->seq < 500);
    size_t na = 0, nb = 0;
    while (eqPop(&a, &ea)) na++;
    while (eqPop(&b, &eb)) nb++;
    assert_int_equal(na, 1000);
    assert_int_equal(nb, 500);
    eqFree(&a);
    eqFree(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(testEmpty),
        cmocka_unit_test(testDrainsToEmpty),
        cmocka_unit_test(testOrderByTime),
        cmocka_unit_test(testExtremeTimes),
        cmocka_unit_test(testTiesInPushOrder),
        cmocka_unit_test(testTiesAmongOtherTimes),
        cmocka_unit_test(testSequenceAndFields),
        cmocka_unit_test(testInterleaved),
        cmocka_unit_test(testLargeRandomLoad),
        cmocka_unit_test(testPeekDoesNotPop),
        cmocka_unit_test(testFreeThenReuse),
        cmocka_unit_test(testIndependentQueues),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
