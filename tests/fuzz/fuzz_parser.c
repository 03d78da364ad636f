/*
** libFuzzer target for the scenario parser (`make fuzz`).  Each input is
** parsed as scenario text of exactly `size` bytes (not NUL-terminated, so
** ASan sees any read past the end); a successful parse is walked through
** the read-only helpers and freed, a failed one is formatted.  The
** invariants checked here: no crash, leak, hang or undefined behaviour on
** any bytes; every error has a message and a position inside the input
** (or line 0 for out-of-memory); a successful parse is self-consistent.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "scenario/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void checkScenario(const scenario *sc) {
    char name[64];
    if (sc->first_step > sc->n) abort();
    for (size_t i = 0; i < sc->ndcs; i++)
        if (sc->dcs[i] >= sc->n || sc->v[sc->dcs[i]].kind != ST_DC) abort();
    for (size_t i = 0; i < sc->n; i++) {
        const stmt *st = &sc->v[i];
        if (!st->text || st->text[0] == '\0' || strcmp(stmtKeyword(st->kind), "?") == 0) abort();
        if ((i < sc->first_step) != (st->kind < ST_FIRST_STEP)) abort();
        if (st->kind == ST_SERVER && (st->u.server.gc.index < 0 || (size_t)st->u.server.gc.index >= sc->ndcs))
            abort();
    }
    if (sc->nusers > 0) {
        scnUserName(sc, sc->nusers, name, sizeof name);
        if (name[0] == '\0') abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = malloc(size ? size : 1);
    if (!text) return 0;
    if (size) memcpy(text, data, size);
    scenario sc;
    scnError err;
    msStatus st = scnParse("fuzz.scn", text, size, &sc, &err);
    if (st == MS_OK) {
        checkScenario(&sc);
    } else {
        char line[640];
        if (err.msg[0] == '\0') abort();
        if (st != MS_NOMEM && (err.line < 1 || err.col < 1)) abort();
        scnErrorFormat(&err, line, sizeof line);
        if (strstr(line, ": error: ") == NULL) abort();
        if (sc.v != NULL || sc.n != 0) abort();
    }
    scnFree(&sc);
    free(text);
    return 0;
}
