/*
** Matching trace records by kind, subjects and fields: what the tests check
** instead of the narrative's prose.  Included by exfixture.h and
** dirfixture.h, which wrap these for a run and for a directory fixture.
**
** A match is a kind (TR__COUNT: any kind) and a NULL-terminated list of
** key/value string pairs, every one of which must hold:
**
**   trCount(v, n, TR_WIZ_CANCEL, "how", "at a batch boundary", "items", "30", NULL)
**
** A key is a subject ("actor", "user", "dc", "peer", "server", "run",
** "mailbox", "object") or the name of one of the record's fields.  A value
** is compared with the subject or field as text: a string exactly, an
** integer (run, an integer field) in decimal, a GUID in its printed form.  A
** record without the subject or field does not match.  Only the kind and the
** typed values are read, never the narrative text.
*/
#ifndef MIGSIM_TRACEMATCH_H
#define MIGSIM_TRACEMATCH_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/guid.h"
#include "kernel/trace.h"

/* The record's subject or field key as text into buf; NULL when it has none. */
static inline const char *trValue(const traceRecord *e, const char *key, char *buf, size_t sz) {
    if (strcmp(key, "actor") == 0) return e->actor;
    if (strcmp(key, "user") == 0) return e->user;
    if (strcmp(key, "dc") == 0) return e->dc;
    if (strcmp(key, "peer") == 0) return e->peer;
    if (strcmp(key, "server") == 0) return e->server;
    if (strcmp(key, "run") == 0) {
        if (!e->run) return NULL;
        snprintf(buf, sz, "%d", e->run);
        return buf;
    }
    if (strcmp(key, "mailbox") == 0 || strcmp(key, "object") == 0) {
        int has = key[0] == 'm' ? e->has_mailbox : e->has_object;
        if (!has || sz < GUID_STRLEN) return NULL;
        return guidFormat(key[0] == 'm' ? &e->mailbox : &e->object, buf);
    }
    const traceField *f = traceFieldOf(e, key);
    if (!f) return NULL;
    switch (f->type) {
    case TF_INT: snprintf(buf, sz, "%" PRId64, f->i); return buf;
    case TF_STR: return f->s;
    case TF_GUID: return sz >= GUID_STRLEN ? guidFormat(&f->g, buf) : NULL;
    }
    return NULL;
}

/* 1 when e is of kind (TR__COUNT: any) and every key/value pair of ap holds. */
static inline int trMatchV(const traceRecord *e, traceKind kind, va_list ap) {
    if (kind != TR__COUNT && e->kind != kind) return 0;
    va_list a;
    va_copy(a, ap);
    int ok = 1;
    for (const char *key; ok && (key = va_arg(a, const char *)) != NULL;) {
        const char *want = va_arg(a, const char *);
        char buf[64];
        const char *have = trValue(e, key, buf, sizeof buf);
        ok = have && want && strcmp(have, want) == 0;
    }
    va_end(a);
    return ok;
}

/* How many of v[0..n) match; *first gets the index of the first (n: none). */
static inline int trScanV(const traceRecord *v, size_t n, traceKind kind, size_t *first, va_list ap) {
    int count = 0;
    *first = n;
    for (size_t i = 0; i < n; i++)
        if (trMatchV(&v[i], kind, ap) && count++ == 0) *first = i;
    return count;
}

/* The string field key of e (aborts when e is NULL or has no such string field). */
static inline const char *trStr(const traceRecord *e, const char *key) {
    const traceField *f = e ? traceFieldOf(e, key) : NULL;
    if (!f || f->type != TF_STR) {
        fprintf(stderr, "no string field %s\n", key);
        abort();
    }
    return f->s;
}

/* The integer field key of e (aborts when e is NULL or has no such integer field). */
static inline int64_t trInt(const traceRecord *e, const char *key) {
    const traceField *f = e ? traceFieldOf(e, key) : NULL;
    if (!f || f->type != TF_INT) {
        fprintf(stderr, "no integer field %s\n", key);
        abort();
    }
    return f->i;
}

/*
** The matching helpers of a fixture F over its records (expression RECS(h),
** a trace *): F##Count (how many match), F##Find (the first, or NULL),
** F##At (its time, or -1) and F##Index (its index + 1, or 0: for order).
*/
#define TR_DEFINE_MATCHERS(F, H, RECS)                                                              \
    static inline int F##Scan(H h, traceKind kind, size_t *first, va_list ap) {                      \
        size_t n;                                                                                    \
        const traceRecord *v = traceRecords(RECS(h), &n);                                            \
        int c = trScanV(v, n, kind, first, ap);                                                      \
        if (*first == n) *first = (size_t)-1;                                                        \
        return c;                                                                                    \
    }                                                                                                \
    __attribute__((sentinel)) static inline int F##Count(H h, traceKind kind, ...) {                 \
        va_list ap;                                                                                  \
        size_t i;                                                                                    \
        va_start(ap, kind);                                                                          \
        int c = F##Scan(h, kind, &i, ap);                                                            \
        va_end(ap);                                                                                  \
        return c;                                                                                    \
    }                                                                                                \
    __attribute__((sentinel)) static inline const traceRecord *F##Find(H h, traceKind kind, ...) {   \
        va_list ap;                                                                                  \
        size_t i, n;                                                                                 \
        va_start(ap, kind);                                                                          \
        F##Scan(h, kind, &i, ap);                                                                    \
        va_end(ap);                                                                                  \
        return i == (size_t)-1 ? NULL : &traceRecords(RECS(h), &n)[i];                               \
    }                                                                                                \
    __attribute__((sentinel)) static inline simtime F##At(H h, traceKind kind, ...) {                \
        va_list ap;                                                                                  \
        size_t i, n;                                                                                 \
        va_start(ap, kind);                                                                          \
        F##Scan(h, kind, &i, ap);                                                                    \
        va_end(ap);                                                                                  \
        return i == (size_t)-1 ? -1 : traceRecords(RECS(h), &n)[i].at;                              \
    }                                                                                                \
    __attribute__((sentinel)) static inline size_t F##Index(H h, traceKind kind, ...) {              \
        va_list ap;                                                                                  \
        size_t i;                                                                                    \
        va_start(ap, kind);                                                                          \
        F##Scan(h, kind, &i, ap);                                                                    \
        va_end(ap);                                                                                  \
        return i == (size_t)-1 ? 0 : i + 1;                                                          \
    }

#endif
