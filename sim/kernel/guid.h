/*
** Deterministic GUIDs.  A run's GUIDs are name-based (version 5, SHA-1)
** UUIDs made with libuuid's uuid_generate_sha1: the namespace is itself the
** SHA-1 UUID of "migsim-seed:<seed>" in the OID namespace, and each GUID is
** the SHA-1 UUID of a name the caller gives ("object:17", "invocation:DC1")
** in that namespace.  Same seed and names, same GUIDs, on every machine.
**
** GUIDs print lowercase (uuid_unparse_lower).  guidCompare orders GUIDs as
** their lowercase strings, which is the byte order of the 16 bytes, as the
** directory's conflict rules require.
*/
#ifndef MIGSIM_GUID_H
#define MIGSIM_GUID_H

#include <stdint.h>
#include "kernel/status.h"

typedef struct guid {
    unsigned char b[16];
} guid;

#define GUID_STRLEN 37   /* 36 characters and a NUL */

typedef struct guidgen {
    guid ns;             /* the run's namespace */
    uint64_t count;      /* names made by guidNext so far */
} guidgen;

/* Derive the namespace for seed into g and reset its counter. */
void guidInit(guidgen *g, uint64_t seed);

/* The GUID named name in g's namespace. */
void guidNamed(const guidgen *g, const char *name, guid *out);

/*
** A fresh GUID: the one named "<kind>:<n>" where n counts guidNext calls on
** g from 0.  Distinct calls give distinct GUIDs.  MS_NOMEM only for a kind
** too long for the stack buffer (about 70 characters) when memory runs out.
*/
msStatus guidNext(guidgen *g, const char *kind, guid *out);

/* Lowercase 36-character form into out (GUID_STRLEN bytes); returns out. */
char *guidFormat(const guid *id, char *out);

/* Parse the 36-character form; 0 on success, -1 if s is not a GUID. */
int guidParse(const char *s, guid *out);

/* <0, 0, >0 as a sorts before, equal to, after b as lowercase strings. */
int guidCompare(const guid *a, const guid *b);

/* 1 when every byte is zero (the "no GUID" value). */
int guidIsNil(const guid *id);

#endif
