/*
** Writing JSON: the one string escaper every JSON output uses (--json,
** --trace, the events table's fields).  Output is ASCII only, escaped per
** RFC 8259, so the same string always gives the same bytes.
*/
#ifndef MIGSIM_JSONW_H
#define MIGSIM_JSONW_H

#include <stdio.h>

/*
** s (NULL: the empty string) as a JSON string of ASCII only: control
** characters and every non-ASCII character escaped as \uXXXX (a surrogate
** pair above U+FFFF), so a file name in UTF-8 reads back as itself; a byte
** that is not part of well-formed UTF-8 becomes U+FFFD.
*/
void jsonString(FILE *f, const char *s);

#endif
