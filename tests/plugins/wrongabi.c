/*
** A plugin built against another ABI: its entry returns a migrator whose abi
** is not MIGRATOR_ABI (tests/test_plugin.c: "wrong ABI").  The loader must
** refuse it from the number alone, before reading any other field, so the
** callbacks are left NULL on purpose.
*/
#include "migration/migrator.h"

static const migrator other = {.abi = MIGRATOR_ABI + 98, .name = "other"};

const migrator *migsim_migrator(void);

const migrator *migsim_migrator(void) {
    return &other;
}
