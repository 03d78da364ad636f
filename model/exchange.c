/*
** Placeholder for the Exchange side, so the tree links while the real
** implementation is built on its own branch.  Replaced wholesale by that work.
*/
#include "exchange.h"
#include "sim.h"

msStatus exBuild(struct sim *s, directory *d, exchange **out) { (void)s; (void)d; *out = NULL; return MS_OK; }
void exFree(exchange *x) { (void)x; }
msStatus exMigrate(exchange *x, const userset *u, int dc) { (void)x; (void)u; (void)dc; return MS_FAIL; }
int exRunActive(const exchange *x) { (void)x; return 0; }
msStatus exCancel(exchange *x, cancelWhen w, int64_t n) { (void)x; (void)w; (void)n; return MS_FAIL; }
int exCancelSettled(exchange *x) { (void)x; return -1; }
msStatus exDeliver(exchange *x, const userset *u, int64_t c) { (void)x; (void)u; (void)c; return MS_FAIL; }
msStatus exLogon(exchange *x, const userset *u) { (void)x; (void)u; return MS_FAIL; }
msStatus exCleanup(exchange *x, const userset *u) { (void)x; (void)u; return MS_FAIL; }
msStatus exDelete(exchange *x, const userset *u) { (void)x; (void)u; return MS_FAIL; }
int exUserOnDc(const exchange *x, int dc, uint32_t u) { (void)x; (void)dc; (void)u; return 0; }
msStatus exJudge(exchange *x, int dc, uint32_t u, userVerdict *o) { (void)x; (void)dc; o->user = u; o->out = OUT_ABSENT; return MS_OK; }
int64_t exStranded(exchange *x, int dc) { (void)x; (void)dc; return 0; }
void exFinish(exchange *x) { (void)x; }
