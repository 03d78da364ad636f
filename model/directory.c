/*
** Placeholder for the directory model, so the tree links while the real
** implementation is built on its own branch.  Every entry point reports that
** the directory is not built yet.  Replaced wholesale by the directory work.
*/
#include "directory.h"
#include "sim.h"

struct directory { int unused; };

msStatus dirBuild(struct sim *s, directory **out) { (void)s; *out = NULL; return MS_OK; }
void dirFree(directory *d) { (void)d; }
int dirDcCount(const directory *d) { (void)d; return 0; }
const char *dirDcName(const directory *d, int dc) { (void)d; (void)dc; return "?"; }
int dirDcFailed(const directory *d, int dc) { (void)d; (void)dc; return 0; }
msStatus dirSyncStart(directory *d, int dc) { (void)d; (void)dc; return MS_FAIL; }
int dirSyncDone(const directory *d) { (void)d; return 1; }
int dirConverged(const directory *d) { (void)d; return 1; }
void dirDescribeDivergence(const directory *d, char *buf, size_t n) { (void)d; if (n) buf[0] = 0; }
msStatus dirFailDc(directory *d, int dc) { (void)d; (void)dc; return MS_FAIL; }
msStatus dirRestoreDc(directory *d, int dc) { (void)d; (void)dc; return MS_FAIL; }
msStatus dirFailLink(directory *d, int a, int b) { (void)d; (void)a; (void)b; return MS_FAIL; }
msStatus dirRestoreLink(directory *d, int a, int b) { (void)d; (void)a; (void)b; return MS_FAIL; }
msStatus dirWriteLdif(const directory *d, int dc, FILE *f) { (void)d; (void)dc; (void)f; return MS_IO; }
int dirIsLive(const directory *d, int dc, const guid *o) { (void)d; (void)dc; (void)o; return 0; }
int dirIsDeleted(const directory *d, int dc, const guid *o) { (void)d; (void)dc; (void)o; return 0; }
const char *dirGet(const directory *d, int dc, const guid *o, dirAttr a) { (void)d; (void)dc; (void)o; (void)a; return NULL; }
size_t dirGetAll(const directory *d, int dc, const guid *o, dirAttr a, const char **v, size_t m) { (void)d; (void)dc; (void)o; (void)a; (void)v; (void)m; return 0; }
char *dirDn(const directory *d, int dc, const guid *o, char *b, size_t n) { (void)d; (void)dc; (void)o; (void)b; (void)n; return NULL; }
size_t dirFindByProxy(const directory *d, int dc, const char *p, guid *o, size_t m) { (void)d; (void)dc; (void)p; (void)o; (void)m; return 0; }
size_t dirFindByMailboxGuid(const directory *d, int dc, const guid *g, guid *o, size_t m) { (void)d; (void)dc; (void)g; (void)o; (void)m; return 0; }
uint64_t dirForEachChanged(const directory *d, int dc, uint64_t a, void (*fn)(void *, const guid *), void *c) { (void)d; (void)dc; (void)a; (void)fn; (void)c; return 0; }
msStatus dirAdd(directory *d, int dc, dirContainer p, const char *r, const dirValue *v, size_t n, guid *o) { (void)d; (void)dc; (void)p; (void)r; (void)v; (void)n; (void)o; return MS_FAIL; }
msStatus dirModify(directory *d, int dc, const guid *o, dirAttr a, const char *const *v, size_t n) { (void)d; (void)dc; (void)o; (void)a; (void)v; (void)n; return MS_FAIL; }
msStatus dirDelete(directory *d, int dc, const guid *o) { (void)d; (void)dc; (void)o; return MS_FAIL; }
