/* LDIF writer: placeholder until the real one lands. */
#include "dirint.h"
msStatus dirWriteLdif(const directory *d, int dc, FILE *f) { (void)d; (void)dc; (void)f; return MS_IO; }
