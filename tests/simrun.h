/*
** Running a scenario text inside a test, through the sim object itself
** (sim/run/sim.h) rather than the command line: parse it (the test fails,
** naming line and column, on a parse error), set up the run, and free both
** at the end.  Shared by test_run and test_topology, whose tests then say
** only what differs: the text, whether records are kept, the steps they take.
*/
#ifndef MIGSIM_TEST_SIMRUN_H
#define MIGSIM_TEST_SIMRUN_H

#include <string.h>
#include "scenario/scenario.h"
#include "run/sim.h"

/* Parse text into sc; a parse error fails the test. */
static inline void simParseOk(const char *text, scenario *sc) {
    scnError e;
    if (scnParse("test.scn", text, strlen(text), sc, &e) != MS_OK)
        fail_msg("parse failed: %d:%d: %s", e.line, e.col, e.msg);
}

/* Parse text into sc and set up s on it (record: keep trace records); either failing fails the test. */
static inline void simStartOk(sim *s, scenario *sc, const char *text, int record) {
    simParseOk(text, sc);
    simOptions opt = {0, 0, NULL, record, NULL, 0};
    assert_int_equal(simInit(s, sc, &opt), MS_OK);
}

/* Free the run and its scenario. */
static inline void simEnd(sim *s, scenario *sc) {
    simFree(s);
    scnFree(sc);
}

#endif
