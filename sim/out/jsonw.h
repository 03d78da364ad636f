/*
** Writing JSON: the one string escaper every JSON output uses (--json,
** --trace, the events table's fields).  Output is ASCII only, escaped per
** RFC 8259, so the same string always gives the same bytes.
*/
#ifndef MIGSIM_JSONW_H
#define MIGSIM_JSONW_H

#include <stdint.h>
#include <stdio.h>

/*
** s (NULL: the empty string) as a JSON string of ASCII only: control
** characters and every non-ASCII character escaped as \uXXXX (a surrogate
** pair above U+FFFF), so a file name in UTF-8 reads back as itself; a byte
** that is not part of well-formed UTF-8 becomes U+FFFD.
*/
void jsonString(FILE *f, const char *s);

/*
** Length of the well-formed UTF-8 sequence at p (2 to 4) with its code point
** in *cp, or 0 when p does not start one (overlong forms, surrogates and
** code points above U+10FFFF are not well formed: RFC 3629).  The XML
** writer (checkreport.c) escapes with it too.
*/
int jsonUtf8Decode(const unsigned char *p, uint32_t *cp);

#endif
