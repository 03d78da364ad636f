/*
** Trace records as JSON (tracejson.h).  Keys come in a fixed order and
** numbers are integers, so the same run gives the same bytes.
*/
#include "out/jsonw.h"
#include "out/tracejson.h"

void traceJsonFields(const traceRecord *r, FILE *f) {
    fputc('{', f);
    for (size_t i = 0; i < r->nfields; i++) {
        const traceField *x = &r->f[i];
        if (i) fputc(',', f);
        jsonString(f, x->key);
        fputc(':', f);
        if (x->type == TF_INT) {
            fprintf(f, "%lld", (long long)x->i);
        } else if (x->type == TF_STR) {
            jsonString(f, x->s);
        } else {
            char g[GUID_STRLEN];
            jsonString(f, guidFormat(&x->g, g));
        }
    }
    fputc('}', f);
}

static void subject(FILE *f, const char *key, const char *value) {
    if (!value) return;
    fprintf(f, ",\"%s\":", key);
    jsonString(f, value);
}

void traceJsonObject(const traceRecord *r, FILE *f) {
    char t[CLOCK_BUFSZ], g[GUID_STRLEN];
    fprintf(f, "{\"t\":%lld,\"time\":", (long long)r->at);
    jsonString(f, clockFormat(r->at, t));
    fputs(",\"kind\":", f);
    jsonString(f, traceKindName(r->kind));
    subject(f, "actor", r->actor);
    subject(f, "user", r->user);
    subject(f, "dc", r->dc);
    subject(f, "peer", r->peer);
    subject(f, "server", r->server);
    if (r->run) fprintf(f, ",\"run\":%d", r->run);
    if (r->has_mailbox) subject(f, "mailbox", guidFormat(&r->mailbox, g));
    if (r->has_object) subject(f, "object", guidFormat(&r->object, g));
    fputs(",\"fields\":", f);
    traceJsonFields(r, f);
    fputs(",\"text\":", f);
    jsonString(f, r->text);
    fputc('}', f);
}

void traceJsonWrite(const traceRecord *r, FILE *f) {
    traceJsonObject(r, f);
    fputc('\n', f);
}

int traceJsonWriteAll(const traceRecord *recs, size_t n, FILE *f) {
    for (size_t i = 0; i < n; i++) traceJsonWrite(&recs[i], f);
    return !ferror(f);
}
