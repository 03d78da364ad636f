/*
** The state views as text and JSON (view.h).  Text: one heading line per
** view, then one line per object, partner, mailbox, folder or record,
** indented under it; GUIDs in full (the views are for looking things up; the
** narrative's --brief is for reading).  JSON: the same values, keys in a
** fixed order, times in milliseconds (null: never).
*/
#include <inttypes.h>
#include <string.h>
#include "kernel/clock.h"
#include "out/jsonw.h"
#include "out/tracejson.h"
#include "out/view.h"

/* ---- text --------------------------------------------------------------- */

static void printObject(const stateObject *o, FILE *f) {
    char g[GUID_STRLEN], m[GUID_STRLEN];
    fprintf(f, "    usn %-5" PRIu64 " %-7s  %-18s %s  mailbox %s  %-9s %-10s %s\n", o->usn,
            stateObjStatusName(o->status), o->objclass[0] ? o->objclass : "-", guidFormat(&o->id, g),
            o->has_mailbox ? guidFormat(&o->mailbox, m) : "-", o->stamped ? "stamped" : "unstamped",
            o->user ? o->user : "-", o->dn);
}

static void printDc(const stateDc *d, FILE *f) {
    fprintf(f, "dc %s%s: %zu objects, highest USN %" PRIu64 "\n", d->name, d->failed ? " (failed)" : "",
            d->nobjects, d->usn);
    fprintf(f, "  objects, by usnChanged: usn, state, class, objectGUID, mailbox GUID, RUS, account of, DN\n");
    for (size_t i = 0; i < d->nobjects; i++) printObject(&d->objects[i], f);
    fprintf(f, "  replication into %s, per DC:\n", d->name);
    for (size_t i = 0; i < d->npartners; i++) {
        const statePartner *p = &d->partners[i];
        char t[CLOCK_BUFSZ];
        fprintf(f, "    from %-8s %-11s last pull applied %-13s  up-to-date with its USN %" PRIu64 "\n", p->dc,
                p->partner ? "(partner)" : "", p->last_pull < 0 ? "never" : clockFormat(p->last_pull, t), p->utd);
    }
}

static void printMailbox(const stateMailbox *m, FILE *f) {
    char g[GUID_STRLEN], t[CLOCK_BUFSZ], u[CLOCK_BUFSZ];
    fprintf(f, "    mailbox %s on %s (made for %s)\n", guidFormat(&m->g, g), m->server, m->user ? m->user : "?");
    if (m->has_owner)
        fprintf(f, "      owner on %s: %s\n", m->owner_dc, m->owner_dn);
    else
        fprintf(f, "      owner on %s: no live account\n", m->owner_dc);
    fprintf(f, "      initialized by %s at %s\n", m->init, clockFormat(m->init_at, t));
    fprintf(f, "      items %" PRId64 "; rules %" PRId64 ": %" PRId64 " working, %" PRId64 " broken\n", m->items,
            m->rules, m->rules - m->rules_broken, m->rules_broken);
    for (size_t i = 0; i < m->nfolders; i++) {
        const exFolderInfo *x = &m->folders[i];
        fprintf(f, "      folder 0x%016" PRIx64 " %-6s %5" PRId64 " items  %s\n", (uint64_t)x->fid,
                x->from_source ? "source" : "new", x->items, x->path);
    }
    if (m->disconnected)
        fprintf(f, "      disconnected at %s; purged at %s\n", clockFormat(m->disconnected_at, t),
                clockFormat(m->purge_at, u));
    else
        fprintf(f, "      connected\n");
}

/* The holding area's rows (none: nothing printed, as before `export` existed). */
static void printHeld(const stateHeld *v, size_t n, const char *heading, FILE *f) {
    if (n == 0) return;
    fprintf(f, "  %s\n", heading);
    for (size_t i = 0; i < n; i++) {
        char g[GUID_STRLEN], t[CLOCK_BUFSZ];
        fprintf(f, "    %-10s %5" PRId64 " item%s from mailbox %s on %s, folder %s, exported at %s\n", v[i].user,
                v[i].items, v[i].items == 1 ? " " : "s", guidFormat(&v[i].mbx, g), v[i].server, v[i].path,
                clockFormat(v[i].exported_at, t));
    }
}

static void printServer(const stateServer *s, FILE *f) {
    fprintf(f, "server %s (reads %s): %zu mailbox%s\n", s->name, s->dc, s->nmailboxes,
            s->nmailboxes == 1 ? "" : "es");
    for (size_t i = 0; i < s->nmailboxes; i++) printMailbox(&s->mailboxes[i], f);
    printHeld(s->held, s->nheld, "holding area (export, ExMerge's PST), items exported from this server:", f);
}

/*
** The narrated records about u, as the narrative has them.  The quiet ones
** (a migrator's requests and their answers, "dir.search: ok") are counted,
** not listed: a person reading the view wants the story; --trace and the
** JSON state keep every record.
*/
static void printUserRecords(const stateUser *u, FILE *f) {
    size_t n, quiet = 0;
    const traceRecord *r = traceRecords(&u->records, &n);
    for (size_t i = 0; i < n; i++) quiet += !traceKindNarrated(r[i].kind);
    fprintf(f, "  trace records about %s: %zu", u->name, n - quiet);
    if (quiet) fprintf(f, " narrated (%zu quiet ones, such as a migrator's requests, are in --trace)", quiet);
    fputc('\n', f);
    for (size_t i = 0; i < n; i++) {
        char t[CLOCK_BUFSZ];
        if (!traceKindNarrated(r[i].kind)) continue;
        fprintf(f, "    %-13s  %-7s  %s\n", clockFormat(r[i].at, t), r[i].actor, r[i].text);
    }
}

static void printUser(const stateUser *u, FILE *f) {
    fprintf(f, "user %s\n", u->name);
    fprintf(f, "  accounts, per DC: usn, state, class, objectGUID, mailbox GUID, RUS, account of, DN\n");
    if (!u->naccounts) fprintf(f, "  no account on any DC\n");
    for (size_t d = 0; u->naccounts && d < u->ndcs; d++) {
        size_t shown = 0;
        fprintf(f, "  on %s:\n", u->dcs[d]);
        for (size_t i = 0; i < u->naccounts; i++) {
            if (strcmp(u->accounts[i].dc, u->dcs[d]) != 0) continue;
            printObject(&u->accounts[i], f);
            shown++;
        }
        if (!shown) fprintf(f, "    no object (not replicated here yet, or never)\n");
    }
    fprintf(f, "  mailboxes:\n");
    for (size_t i = 0; i < u->nmailboxes; i++) printMailbox(&u->mailboxes[i], f);
    if (!u->nmailboxes) fprintf(f, "    none on any store\n");
    printHeld(u->held, u->nheld, "holding area (export, ExMerge's PST):", f);
    printUserRecords(u, f);
}

void viewPrintText(const simState *st, FILE *f) {
    char t[CLOCK_BUFSZ];
    fprintf(f, "\nState at %s (%s):\n", clockFormat(st->at, t),
            st->finished ? "the run had ended" : "stopped by --until; the run goes on after this");
    viewPrintViews(st, f);
}

void viewPrintViews(const simState *st, FILE *f) {
    for (size_t i = 0; i < st->n; i++) {
        const stateView *v = &st->v[i];
        fputc('\n', f);
        if (v->kind == VIEW_DC) printDc(&v->dc, f);
        else if (v->kind == VIEW_SERVER) printServer(&v->server, f);
        else printUser(&v->user, f);
    }
}

/* ---- JSON --------------------------------------------------------------- */

static void jsonGuid(FILE *f, const guid *g) {
    char s[GUID_STRLEN];
    fprintf(f, "\"%s\"", guidFormat(g, s));
}

static void jsonTime(FILE *f, int present, simtime t) {
    if (present)
        fprintf(f, "%lld", (long long)t);
    else
        fputs("null", f);
}

static void jsonObject(const stateObject *o, FILE *f) {
    fputs("{\"dc\": ", f);
    jsonString(f, o->dc);
    fputs(", \"name\": ", f);
    jsonString(f, o->name);
    fputs(", \"dn\": ", f);
    jsonString(f, o->dn);
    fputs(", \"class\": ", f);
    jsonString(f, o->objclass);
    fputs(", \"guid\": ", f);
    jsonGuid(f, &o->id);
    fprintf(f, ", \"state\": \"%s\", \"mailbox\": ", stateObjStatusName(o->status));
    if (o->has_mailbox) jsonGuid(f, &o->mailbox);
    else fputs("null", f);
    fprintf(f, ", \"stamped\": %s, \"usn\": %" PRIu64 ", \"user\": ", o->stamped ? "true" : "false", o->usn);
    if (o->user) jsonString(f, o->user);
    else fputs("null", f);
    fputc('}', f);
}

static void jsonObjects(const stateObject *v, size_t n, FILE *f) {
    fputc('[', f);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ",\n        " : "\n        ", f);
        jsonObject(&v[i], f);
    }
    fputs(n ? "\n      ]" : "]", f);
}

static void jsonDc(const stateDc *d, FILE *f) {
    fputs("\"view\": \"dc\", \"name\": ", f);
    jsonString(f, d->name);
    fprintf(f, ", \"failed\": %s, \"usn\": %" PRIu64 ",\n      \"objects\": ", d->failed ? "true" : "false", d->usn);
    jsonObjects(d->objects, d->nobjects, f);
    fputs(",\n      \"replication\": [", f);
    for (size_t i = 0; i < d->npartners; i++) {
        const statePartner *p = &d->partners[i];
        fputs(i ? ",\n        {\"from\": " : "\n        {\"from\": ", f);
        jsonString(f, p->dc);
        fprintf(f, ", \"partner\": %s, \"last_pull_ms\": ", p->partner ? "true" : "false");
        jsonTime(f, p->last_pull >= 0, p->last_pull);
        fprintf(f, ", \"up_to_date_usn\": %" PRIu64 "}", p->utd);
    }
    fputs(d->npartners ? "\n      ]" : "]", f);
}

static void jsonMailbox(const stateMailbox *m, FILE *f) {
    fputs("{\"server\": ", f);
    jsonString(f, m->server);
    fputs(", \"guid\": ", f);
    jsonGuid(f, &m->g);
    fputs(", \"user\": ", f);
    if (m->user) jsonString(f, m->user);
    else fputs("null", f);
    fputs(", \"owner_dc\": ", f);
    jsonString(f, m->owner_dc);
    fputs(", \"owner\": ", f);
    if (m->has_owner) jsonGuid(f, &m->owner);
    else fputs("null", f);
    fputs(", \"owner_dn\": ", f);
    if (m->has_owner) jsonString(f, m->owner_dn);
    else fputs("null", f);
    fputs(", \"initialized_by\": ", f);
    jsonString(f, m->init);
    fprintf(f, ", \"initialized_ms\": %lld, \"items\": %" PRId64 ", \"rules\": %" PRId64 ", \"rules_broken\": %" PRId64
               ",\n          \"folders\": [", (long long)m->init_at, m->items, m->rules, m->rules_broken);
    for (size_t i = 0; i < m->nfolders; i++) {
        const exFolderInfo *x = &m->folders[i];
        fprintf(f, "%s{\"fid\": %" PRId64 ", \"path\": ", i ? ", " : "", x->fid);
        jsonString(f, x->path);
        fprintf(f, ", \"id_from\": \"%s\", \"items\": %" PRId64 "}", x->from_source ? "source" : "new", x->items);
    }
    fprintf(f, "],\n          \"disconnected\": %s, \"disconnected_ms\": ", m->disconnected ? "true" : "false");
    jsonTime(f, m->disconnected, m->disconnected_at);
    fputs(", \"purge_ms\": ", f);
    jsonTime(f, m->disconnected, m->purge_at);
    fputc('}', f);
}

static void jsonMailboxes(const stateMailbox *v, size_t n, FILE *f) {
    fputc('[', f);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ",\n        " : "\n        ", f);
        jsonMailbox(&v[i], f);
    }
    fputs(n ? "\n      ]" : "]", f);
}

/* "held": only when the holding area has items, so views without an export read as before. */
static void jsonHeld(const stateHeld *v, size_t n, FILE *f) {
    if (n == 0) return;
    fputs(",\n      \"held\": [", f);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ",\n        {\"user\": " : "\n        {\"user\": ", f);
        jsonString(f, v[i].user);
        fputs(", \"server\": ", f);
        jsonString(f, v[i].server);
        fputs(", \"mailbox\": ", f);
        jsonGuid(f, &v[i].mbx);
        fputs(", \"path\": ", f);
        jsonString(f, v[i].path);
        fprintf(f, ", \"items\": %" PRId64 ", \"exported_ms\": %lld}", v[i].items, (long long)v[i].exported_at);
    }
    fputs("\n      ]", f);
}

static void jsonUser(const stateUser *u, FILE *f) {
    fputs("\"view\": \"user\", \"name\": ", f);
    jsonString(f, u->name);
    fputs(",\n      \"accounts\": ", f);
    jsonObjects(u->accounts, u->naccounts, f);
    fputs(",\n      \"mailboxes\": ", f);
    jsonMailboxes(u->mailboxes, u->nmailboxes, f);
    jsonHeld(u->held, u->nheld, f);
    fputs(",\n      \"records\": [", f);
    size_t n;
    const traceRecord *r = traceRecords(&u->records, &n);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ",\n        " : "\n        ", f);
        traceJsonObject(&r[i], f);
    }
    fputs(n ? "\n      ]" : "]", f);
}

void viewWriteJson(const simState *st, FILE *f) {
    fprintf(f, "{\"at_ms\": %lld, \"finished\": %s, \"views\": [", (long long)st->at, st->finished ? "true" : "false");
    for (size_t i = 0; i < st->n; i++) {
        const stateView *v = &st->v[i];
        fputs(i ? ",\n    {" : "\n    {", f);
        if (v->kind == VIEW_DC) jsonDc(&v->dc, f);
        else if (v->kind == VIEW_SERVER) {
            fputs("\"view\": \"server\", \"name\": ", f);
            jsonString(f, v->server.name);
            fputs(", \"dc\": ", f);
            jsonString(f, v->server.dc);
            fputs(",\n      \"mailboxes\": ", f);
            jsonMailboxes(v->server.mailboxes, v->server.nmailboxes, f);
            jsonHeld(v->server.held, v->server.nheld, f);
        } else {
            jsonUser(&v->user, f);
        }
        fputc('}', f);
    }
    fputs(st->n ? "\n  ]}" : "]}", f);
}
