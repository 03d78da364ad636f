/*
** The timeline picture of a run (html.h): one HTML page with the picture as
** inline SVG, drawn here from the run's result, and a little script
** (htmlassets.c) for the hover details and the user picker.  The SVG is
** complete without the script: a page whose script cannot run still shows
** every lane, arrow and mark.
**
** What goes where.  The lanes, top to bottom: the scenario's steps, the
** migrator, the administrator, each DC, each Exchange server, smtp.  DCs and
** servers are the ones the records name (a DC as a record's dc or peer, a
** server as its server), in the order the trace first names them; a DC no
** record names has nothing to draw and no lane.  A record goes to the lane
** of its kind's part of the model (trace.h's groups): the directory's to the
** DC it happened on (to the scenario lane when it names none: a sync round),
** the store's to its server, smtp's to smtp, the administrator's to admin,
** the migration's to the migrator, the runner's to the scenario lane.
**
** What is drawn.  Each replication pull is one arrow from its source DC
** (the peer) at its start (repl.pull.start) to its destination DC at its
** application (repl.pull, repl.pull.empty or repl.lost with the same pull
** number); a pull still in flight at the end points at the end; a forced
** pull (sync), which has no start record, is drawn at its one instant.
** Records of the kinds a trainee looks for get a mark of their own
** (markOf); every other narrated record a small dot; quiet records (a
** migrator's requests and messages, the wait strategy's polls) no mark,
** since their effects have records of their own.  Marks at one instant in
** one lane are stacked up and down (stackDy) instead of on top of each
** other, and marks of one kind at one instant in one lane are one mark with
** a count (writeGroup).  Labels (a step's text, a mark's user) are written
** only where they overlap neither the label before them nor the next mark.
**
** Invariants: the page is a pure function of the result (integer pixels,
** records in trace order, lanes in first-mention order), and every string
** that comes from the run goes out through htmlEscape.
*/
#include <stdlib.h>
#include <string.h>
#include "kernel/invariant.h"
#include "out/html.h"
#include "out/htmlassets.h"
#include "out/report.h"
#include "out/timescale.h"

/* The picture's geometry, in pixels. */
#define HTML_LEFT   120    /* the lane labels' column */
#define HTML_PAD    16     /* between the labels and time 0 */
#define HTML_RIGHT  170    /* room for the last step's label */
#define HTML_AXIS_H 44     /* the time labels (row 1) and the breaks' durations (row 2) */
#define HTML_LANE_H 56
#define HTML_STACK  10     /* between two marks of one instant and lane */
#define HTML_CHAR_W 7      /* an upper estimate of a character's width at 11-12px */

typedef enum laneKind { LANE_SCENARIO, LANE_MIGRATOR, LANE_ADMIN, LANE_DC, LANE_SERVER, LANE_SMTP } laneKind;

typedef struct lane {
    laneKind kind;
    const char *name;    /* a DC's or server's name (the trace's string); NULL for the fixed lanes */
    int64_t lastx;       /* stacking: the x of the last mark drawn, and how many were there */
    int stack;
    int64_t labelEnd[5]; /* per stacking slot: where the last user label ends */
} lane;

typedef enum markKind {
    MARK_NONE, MARK_DOT, MARK_STEP, MARK_START, MARK_RERUN, MARK_CANCEL, MARK_INIT, MARK_MERGE,
    MARK_CLEANUP, MARK_DELETE, MARK_DELETE_NONE, MARK_NDR, MARK_FAIL
} markKind;

typedef struct page {
    const runResult *r;
    const traceRecord *v;
    size_t n;
    timescale ts;
    lane *lanes;
    size_t nlanes;
    size_t *pullEnd;     /* for a repl.pull.start at index i: the index of its end, or n */
    const char *migrator;   /* the migrator's actor ("wizard"), or NULL */
} page;

/* ---- escaping ---- */

/* The length of the well-formed UTF-8 sequence at s, or 0 when it is not one (RFC 3629). */
static size_t utf8Len(const unsigned char *s) {
    unsigned c = s[0];
    size_t len;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c >= 0xE0 && c <= 0xEF) len = 3;
    else if (c >= 0xF0 && c <= 0xF4) len = 4;
    else return 0;
    if (c == 0xE0) lo = 0xA0;        /* overlong */
    if (c == 0xED) hi = 0x9F;        /* a surrogate */
    if (c == 0xF0) lo = 0x90;        /* overlong */
    if (c == 0xF4) hi = 0x8F;        /* above U+10FFFF */
    if (s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF) return 0;
    return len;
}

void htmlEscape(FILE *f, const char *s) {
    if (!s) return;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        size_t len;
        switch (c) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        case '\n': fputs("&#10;", f); break;
        case '\t': fputs("&#9;", f); break;
        default:
            if (c < 0x20 || c == 0x7F) {
                fputs("&#xFFFD;", f);   /* a control character: not allowed in HTML text */
            } else if (c < 0x80) {
                fputc((int)c, f);
            } else if ((len = utf8Len(p)) != 0) {
                fwrite(p, 1, len, f);
                p += len;
                continue;
            } else {
                fputs("&#xFFFD;", f);   /* not UTF-8: the replacement character, as a browser would */
            }
        }
        p++;
    }
}

/* ---- lanes ---- */

static msStatus laneAdd(page *pg, laneKind kind, const char *name) {
    lane *l = realloc(pg->lanes, (pg->nlanes + 1) * sizeof *l);
    if (!l) return MS_NOMEM;
    pg->lanes = l;
    pg->lanes[pg->nlanes++] = (lane){kind, name, -1, 0, {-1000, -1000, -1000, -1000, -1000}};
    return MS_OK;
}

static int laneFind(const page *pg, laneKind kind, const char *name) {
    for (size_t i = 0; i < pg->nlanes; i++)
        if (pg->lanes[i].kind == kind && (!name || (pg->lanes[i].name && strcmp(pg->lanes[i].name, name) == 0)))
            return (int)i;
    return -1;
}

/* Add a lane of kind for name unless there is one. */
static msStatus laneNote(page *pg, laneKind kind, const char *name) {
    if (!name || laneFind(pg, kind, name) >= 0) return MS_OK;
    return laneAdd(pg, kind, name);
}

/* Every lane, in the order of the file's comment. */
static msStatus lanesBuild(page *pg) {
    msStatus st = laneAdd(pg, LANE_SCENARIO, NULL);
    if (st == MS_OK) st = laneAdd(pg, LANE_MIGRATOR, NULL);
    if (st == MS_OK) st = laneAdd(pg, LANE_ADMIN, NULL);
    for (size_t i = 0; st == MS_OK && i < pg->n; i++) {
        st = laneNote(pg, LANE_DC, pg->v[i].dc);
        if (st == MS_OK) st = laneNote(pg, LANE_DC, pg->v[i].peer);
    }
    for (size_t i = 0; st == MS_OK && i < pg->n; i++) st = laneNote(pg, LANE_SERVER, pg->v[i].server);
    if (st == MS_OK) st = laneAdd(pg, LANE_SMTP, NULL);
    return st;
}

/* The lane record e is drawn in. */
static int laneOf(const page *pg, const traceRecord *e) {
    traceKind k = e->kind;
    int l = -1;
    if (k >= TR_REPL_PULL_START && k <= TR_LINK_RESTORE)
        l = e->dc ? laneFind(pg, LANE_DC, e->dc) : -1;
    else if (k == TR_SMTP_DELIVER || k == TR_SMTP_NDR)
        l = laneFind(pg, LANE_SMTP, NULL);
    else if (k >= TR_STORE_INIT && k <= TR_STORE_PURGE)
        l = e->server ? laneFind(pg, LANE_SERVER, e->server) : -1;
    else if (k >= TR_ADMIN_DELETE && k <= TR_ADMIN_CLEANUP)
        l = laneFind(pg, LANE_ADMIN, NULL);
    else if (k >= TR_WIZ_START)
        l = laneFind(pg, LANE_MIGRATOR, NULL);
    return l >= 0 ? l : laneFind(pg, LANE_SCENARIO, NULL);
}

static int64_t laneY(size_t li) {
    return HTML_AXIS_H + (int64_t)li * HTML_LANE_H + HTML_LANE_H / 2;
}

static int64_t xOf(const page *pg, simtime t) {
    return HTML_LEFT + HTML_PAD + timescaleX(&pg->ts, t);
}

/* The vertical offset of the next mark at x in lane l: 0, up, down, further up, further down, again. */
static int64_t stackDy(lane *l, int64_t x) {
    static const int slots[5] = {0, -HTML_STACK, HTML_STACK, -2 * HTML_STACK, 2 * HTML_STACK};
    if (l->lastx == x)
        l->stack++;
    else
        l->stack = 0;
    l->lastx = x;
    return slots[l->stack % 5];
}

static void stackReset(page *pg) {
    for (size_t i = 0; i < pg->nlanes; i++) pg->lanes[i].lastx = -1, pg->lanes[i].stack = 0;
}

static markKind markOf(const traceRecord *r);

/* 1 when a mark (not a dot) follows record i in its lane before x reaches xEnd: a label there would hide under it. */
static int markAhead(const page *pg, size_t i, int64_t xEnd) {
    int l = laneOf(pg, &pg->v[i]);
    int64_t x = xOf(pg, pg->v[i].at);
    for (size_t j = i + 1; j < pg->n; j++) {
        int64_t xj = xOf(pg, pg->v[j].at);
        if (xj > xEnd) break;
        markKind m = markOf(&pg->v[j]);
        if (xj > x && m != MARK_NONE && m != MARK_DOT && laneOf(pg, &pg->v[j]) == l) return 1;
    }
    return 0;
}

/*
** A mark's user written small to its right, when the slot's row of lane l
** has room since the last label (a trainee sees whose mailbox was merged or
** initialized without hovering; the rest have their hover text).
*/
static void userLabel(const page *pg, size_t i, FILE *f, lane *l, const char *text, int64_t x, int64_t y) {
    int slot = l->stack % 5;
    if (!text[0] || l->labelEnd[slot] > x - 8) return;
    int64_t w = (int64_t)strlen(text) * 6;
    if (markAhead(pg, i, x + 10 + w)) return;
    l->labelEnd[slot] = x + 10 + w;
    fprintf(f, "<text class=\"userlabel\" x=\"%lld\" y=\"%lld\">", (long long)(x + 10), (long long)(y + 4));
    htmlEscape(f, text);
    fputs("</text>", f);
}

/* ---- pulls ---- */

typedef struct pullRef {
    int64_t id;
    size_t at;    /* the record's index */
} pullRef;

static int pullRefCmp(const void *a, const void *b) {
    const pullRef *x = a, *y = b;
    if (x->id != y->id) return x->id < y->id ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

static int isPullPart(traceKind k) {
    return k == TR_REPL_PULL_START || k == TR_REPL_PULL || k == TR_REPL_PULL_EMPTY || k == TR_REPL_LOST;
}

/* pg->pullEnd: each pull start's end, found by its pull number (sorted, so no quadratic search). */
static msStatus pullsMatch(page *pg) {
    pg->pullEnd = malloc((pg->n ? pg->n : 1) * sizeof *pg->pullEnd);
    pullRef *refs = malloc((pg->n ? pg->n : 1) * sizeof *refs);
    if (!pg->pullEnd || !refs) {
        free(refs);
        return MS_NOMEM;
    }
    size_t nref = 0;
    for (size_t i = 0; i < pg->n; i++) {
        pg->pullEnd[i] = pg->n;
        const traceField *id = traceFieldOf(&pg->v[i], "pull");
        if (isPullPart(pg->v[i].kind) && id && id->type == TF_INT) refs[nref++] = (pullRef){id->i, i};
    }
    qsort(refs, nref, sizeof *refs, pullRefCmp);
    for (size_t k = 0; k + 1 < nref; k++) {
        if (pg->v[refs[k].at].kind != TR_REPL_PULL_START) continue;
        if (refs[k + 1].id == refs[k].id && pg->v[refs[k + 1].at].kind != TR_REPL_PULL_START)
            pg->pullEnd[refs[k].at] = refs[k + 1].at;
    }
    free(refs);
    return MS_OK;
}

/* ---- a record's details (the hover text) ---- */

static void detailSubject(FILE *f, int *first, const char *key, const char *value) {
    if (!value) return;
    fputs(*first ? "&#10;" : " \xc2\xb7 ", f);
    *first = 0;
    fprintf(f, "%s: ", key);
    htmlEscape(f, value);
}

/* r's details, escaped for an attribute: time and kind, actor, subjects, fields, message. */
static void writeDetails(FILE *f, const traceRecord *r) {
    char t[CLOCK_BUFSZ], g[GUID_STRLEN];
    fprintf(f, "%s  %s&#10;actor: ", clockFormat(r->at, t), traceKindName(r->kind));
    htmlEscape(f, r->actor);
    int first = 1;
    detailSubject(f, &first, "user", r->user);
    detailSubject(f, &first, "dc", r->dc);
    detailSubject(f, &first, "peer", r->peer);
    detailSubject(f, &first, "server", r->server);
    if (r->run) {
        char run[24];
        snprintf(run, sizeof run, "%d", r->run);
        detailSubject(f, &first, "run", run);
    }
    if (r->has_mailbox) detailSubject(f, &first, "mailbox", guidFormat(&r->mailbox, g));
    if (r->has_object) detailSubject(f, &first, "object", guidFormat(&r->object, g));
    for (size_t i = 0; i < r->nfields; i++) {
        const traceField *x = &r->f[i];
        fputs(i ? " " : "&#10;", f);
        htmlEscape(f, x->key);
        fputc('=', f);
        if (x->type == TF_INT)
            fprintf(f, "%lld", (long long)x->i);
        else if (x->type == TF_STR)
            htmlEscape(f, x->s);
        else
            htmlEscape(f, guidFormat(&x->g, g));
    }
    fputs("&#10;", f);
    htmlEscape(f, r->text);
}

/* ---- marks ---- */

static markKind markOf(const traceRecord *r) {
    switch (r->kind) {
    case TR_STEP: return MARK_STEP;
    case TR_WIZ_START: return r->run > 1 ? MARK_RERUN : MARK_START;
    case TR_WIZ_CANCEL: case TR_WAIT_CANCEL: case TR_RESUME_CANCEL: return MARK_CANCEL;
    case TR_STORE_INIT: return MARK_INIT;
    case TR_WIZ_MERGE: return MARK_MERGE;
    case TR_ADMIN_CLEANUP: case TR_STORE_CLEANUP: case TR_STORE_DISCONNECT: return MARK_CLEANUP;
    case TR_ADMIN_DELETE: return MARK_DELETE;
    case TR_ADMIN_DELETE_FAIL: case TR_ADMIN_DELETE_ALREADY: case TR_ADMIN_DELETE_MISSING:
    case TR_ADMIN_DELETE_NONE: return MARK_DELETE_NONE;
    case TR_SMTP_NDR: return MARK_NDR;
    case TR_STEP_FAIL: case TR_EXPECT_FAIL: case TR_WIZ_ERROR: case TR_WIZ_ACCOUNT_ERROR: case TR_WIZ_SKIP:
    case TR_LOGON_FAIL: return MARK_FAIL;
    default: break;
    }
    if (isPullPart(r->kind) || r->kind == TR_REPL_PULL_FORCED) return MARK_NONE;   /* arrows */
    return traceKindNarrated(r->kind) ? MARK_DOT : MARK_NONE;
}

/* The class name of mark m (also the CSS class of its shape). */
static const char *markName(markKind m) {
    static const char *const names[] = {"none", "dot", "step", "start", "rerun", "cancel", "init", "merge",
                                        "cleanup", "delete", "deletenone", "ndr", "fail"};
    return names[m];
}

static void triangle(FILE *f, const char *cls, int64_t x1, int64_t y1, int64_t x2, int64_t y2, int64_t x3,
                     int64_t y3) {
    fprintf(f, "<path class=\"%s\" d=\"M%lld %lldL%lld %lldL%lld %lldZ\"/>", cls, (long long)x1, (long long)y1,
            (long long)x2, (long long)y2, (long long)x3, (long long)y3);
}

/* Mark m's shape centred on (x, y). */
static void shape(FILE *f, markKind m, int64_t x, int64_t y) {
    const char *c = markName(m);
    long long X = x, Y = y;
    switch (m) {
    case MARK_DOT: fprintf(f, "<circle class=\"dot\" cx=\"%lld\" cy=\"%lld\" r=\"3\"/>", X, Y); break;
    case MARK_STEP: fprintf(f, "<path class=\"step\" d=\"M%lld %lldh9l-3 4l3 4h-9Z\"/>", X - 1, Y - 4); break;
    case MARK_START: triangle(f, c, x - 5, y - 7, x + 7, y, x - 5, y + 7); break;
    case MARK_RERUN:
        triangle(f, c, x - 8, y - 7, x, y, x - 8, y + 7);
        triangle(f, c, x - 1, y - 7, x + 7, y, x - 1, y + 7);
        break;
    case MARK_CANCEL:
        fprintf(f, "<path class=\"cancel\" d=\"M%lld %lldl12 12M%lld %lldl-12 12\"/>", X - 6, Y - 6, X + 6, Y - 6);
        break;
    case MARK_INIT: fprintf(f, "<circle class=\"init\" cx=\"%lld\" cy=\"%lld\" r=\"6.5\"/>", X, Y); break;
    case MARK_MERGE: triangle(f, c, x - 7, y - 6, x + 7, y - 6, x, y + 7); break;
    case MARK_CLEANUP: fprintf(f, "<circle class=\"cleanup\" cx=\"%lld\" cy=\"%lld\" r=\"5.5\"/>", X, Y); break;
    case MARK_DELETE:
    case MARK_DELETE_NONE:
        fprintf(f, "<rect class=\"%s\" x=\"%lld\" y=\"%lld\" width=\"11\" height=\"11\"/>", c, X - 5, Y - 5);
        break;
    case MARK_NDR:
        fprintf(f, "<path class=\"ndr\" d=\"M%lld %lldl8 8l-8 8l-8 -8Z\"/>", X, Y - 8);
        break;
    case MARK_FAIL: triangle(f, c, x, y - 8, x + 8, y + 6, x - 8, y + 6); break;
    case MARK_NONE: break;
    }
}

/* Open a hoverable group for record r (class rec and cls, its user, its details). */
static void recOpen(FILE *f, const char *cls, const traceRecord *r) {
    fprintf(f, "<g class=\"rec %s\" data-kind=\"%s\"", cls, traceKindName(r->kind));
    if (r->user) {
        fputs(" data-user=\"", f);
        htmlEscape(f, r->user);
        fputc('"', f);
    }
    fputs(" data-d=\"", f);
    writeDetails(f, r);
    fputs("\">", f);
}

/* 1 when record j is drawn in record i's group: the same instant, lane and mark (i itself included). */
static int sameGroup(const page *pg, size_t i, size_t j) {
    const traceRecord *a = &pg->v[i], *b = &pg->v[j];
    return a->at == b->at && markOf(a) == markOf(b) && laneOf(pg, a) == laneOf(pg, b);
}

/* 1 when an earlier record of i's instant is in i's group: i was drawn with it. */
static int groupDrawn(const page *pg, size_t i) {
    for (size_t j = i; j-- > 0 && pg->v[j].at == pg->v[i].at;)
        if (sameGroup(pg, i, j)) return 1;
    return 0;
}

#define HTML_GROUP_DETAILS 8   /* a group's hover text shows this many records, then a count */

/*
** Records i and the rest of its group (more than one mark of a kind at one
** instant in one lane: the six deletes of a cleanup) as one mark with a
** count: stacking six would write six labels on top of each other.  The
** group's users go in data-users (one per line) for the picker.
*/
static void writeGroup(page *pg, FILE *f, size_t i, markKind m, int l) {
    const traceRecord *r = &pg->v[i];
    size_t count = 0, last = i;
    for (size_t j = i; j < pg->n && pg->v[j].at == r->at; j++)
        if (sameGroup(pg, i, j)) count++, last = j;
    int64_t x = xOf(pg, r->at);
    int64_t y = laneY((size_t)l) + stackDy(&pg->lanes[l], x);
    fprintf(f, "<g class=\"rec mark-%s group\" data-kind=\"%s\" data-count=\"%zu\" data-users=\"", markName(m),
            traceKindName(r->kind), count);
    size_t shown = 0;
    for (size_t j = i; j <= last; j++) {
        if (!sameGroup(pg, i, j) || !pg->v[j].user) continue;
        fputs(shown++ ? "&#10;" : "", f);
        htmlEscape(f, pg->v[j].user);
    }
    fprintf(f, "\" data-d=\"%zu records:", count);
    shown = 0;
    for (size_t j = i; j <= last && shown < HTML_GROUP_DETAILS; j++) {
        if (!sameGroup(pg, i, j)) continue;
        fputs("&#10;&#10;", f);
        writeDetails(f, &pg->v[j]);
        shown++;
    }
    if (count > shown) fprintf(f, "&#10;&#10;... and %zu more", count - shown);
    fputs("\">", f);
    shape(f, m, x, y);
    char label[160];
    const char *first = r->user, *lastUser = pg->v[last].user;
    if (count == 2 && first && lastUser && strcmp(first, lastUser) != 0)
        snprintf(label, sizeof label, "%.60s, %.60s", first, lastUser);
    else if (first && lastUser && strcmp(first, lastUser) != 0)
        snprintf(label, sizeof label, "%zu\xc3\x97 %.60s\xe2\x80\xa6%.60s", count, first, lastUser);
    else
        snprintf(label, sizeof label, "%zu\xc3\x97", count);
    userLabel(pg, i, f, &pg->lanes[l], label, x, y);
    fputs("</g>\n", f);
}

/* Every record with a dot (wantDots) or with a mark (not a step: writeSteps), in trace order. */
static void writeMarks(page *pg, FILE *f, int wantDots) {
    stackReset(pg);
    for (size_t i = 0; i < pg->n; i++) {
        const traceRecord *r = &pg->v[i];
        markKind m = markOf(r);
        if (m == MARK_NONE || (m == MARK_DOT) != wantDots || m == MARK_STEP) continue;
        if (m != MARK_DOT && groupDrawn(pg, i)) continue;
        if (m != MARK_DOT && i + 1 < pg->n) {
            size_t j = i + 1;
            while (j < pg->n && pg->v[j].at == r->at && !sameGroup(pg, i, j)) j++;
            if (j < pg->n && pg->v[j].at == r->at) {
                writeGroup(pg, f, i, m, laneOf(pg, r));
                continue;
            }
        }
        int l = laneOf(pg, r);
        int64_t x = xOf(pg, r->at);
        int64_t y = laneY((size_t)l) + stackDy(&pg->lanes[l], x);
        char cls[32];
        snprintf(cls, sizeof cls, "mark-%s", markName(m));
        recOpen(f, cls, r);
        shape(f, m, x, y);
        if (m != MARK_DOT) userLabel(pg, i, f, &pg->lanes[l], r->user ? r->user : "", x, y);
        fputs("</g>\n", f);
    }
}

/* The text of step r as its label: the message without its " (line N)". */
static size_t stepLabelLen(const char *text) {
    const char *p = strstr(text, " (line ");
    return p ? (size_t)(p - text) : strlen(text);
}

/*
** The scenario's steps: a flag each, in one of three rows of the scenario
** lane, with the step written beside it when the row has room (a label never
** overlaps the one before it in its row; a step with no room keeps its flag
** and its hover text).
*/
static void writeSteps(page *pg, FILE *f) {
    int64_t rowEnd[3] = {-1000, -1000, -1000};
    const int64_t rowDy[3] = {-16, 0, 16};
    int64_t cy = laneY((size_t)laneFind(pg, LANE_SCENARIO, NULL));
    for (size_t i = 0; i < pg->n; i++) {
        const traceRecord *r = &pg->v[i];
        if (r->kind != TR_STEP) continue;
        int64_t x = xOf(pg, r->at);
        int row = 0;
        while (row < 3 && rowEnd[row] > x) row++;
        int label = row < 3;
        if (!label) row = 1;
        recOpen(f, "mark-step", r);
        shape(f, MARK_STEP, x, cy + rowDy[row]);
        if (label) {
            size_t len = stepLabelLen(r->text ? r->text : "");
            char buf[256];
            snprintf(buf, sizeof buf, "%.*s", (int)(len < 200 ? len : 200), r->text ? r->text : "");
            fprintf(f, "<text class=\"steplabel\" x=\"%lld\" y=\"%lld\">", (long long)(x + 10),
                    (long long)(cy + rowDy[row] + 4));
            htmlEscape(f, buf);
            fputs("</text>", f);
            rowEnd[row] = x + 14 + (int64_t)strlen(buf) * HTML_CHAR_W * 6 / 7;
        }
        fputs("</g>\n", f);
    }
}

/* ---- arrows ---- */

static void arrow(FILE *f, const char *cls, int64_t x1, int64_t y1, int64_t x2, int64_t y2) {
    fprintf(f, "<path class=\"hit\" d=\"M%lld %lldL%lld %lld\"/>", (long long)x1, (long long)y1, (long long)x2,
            (long long)y2);
    fprintf(f, "<path class=\"arrow %s\" d=\"M%lld %lldL%lld %lld\" marker-end=\"url(#ah-%s)\"/>", cls,
            (long long)x1, (long long)y1, (long long)x2, (long long)y2, cls);
}

/* The arrow's style: data moved, nothing new, dropped, or still in flight at the end. */
static const char *pullClass(const page *pg, size_t end) {
    if (end >= pg->n) return "inflight";
    const traceRecord *e = &pg->v[end];
    if (e->kind == TR_REPL_LOST) return "lost";
    const traceField *o = traceFieldOf(e, "objects");
    if (e->kind == TR_REPL_PULL_EMPTY || (o && o->type == TF_INT && o->i == 0)) return "empty";
    return "data";
}

/* Each pull as an arrow from its source DC's lane at its start to its destination's at its end. */
static void writePulls(page *pg, FILE *f) {
    for (size_t i = 0; i < pg->n; i++) {
        const traceRecord *r = &pg->v[i];
        int forced = r->kind == TR_REPL_PULL_FORCED;
        if (r->kind != TR_REPL_PULL_START && !forced) continue;
        int src = r->peer ? laneFind(pg, LANE_DC, r->peer) : -1, dst = r->dc ? laneFind(pg, LANE_DC, r->dc) : -1;
        if (NEVER(src < 0 || dst < 0)) continue;   /* lanesBuild added every dc and peer */
        size_t end = forced ? i : pg->pullEnd[i];
        const char *cls = forced ? "forced" : pullClass(pg, end);
        int64_t x1 = xOf(pg, r->at), x2 = end < pg->n ? xOf(pg, pg->v[end].at) : xOf(pg, pg->r->end);
        const traceField *id = traceFieldOf(r, "pull");
        fprintf(f, "<g class=\"rec pull %s\" data-kind=\"%s\" data-pull=\"", cls, traceKindName(r->kind));
        if (id && id->type == TF_INT)
            fprintf(f, "%lld", (long long)id->i);
        else
            fputs(forced ? "forced" : "", f);
        fputs("\" data-d=\"", f);
        writeDetails(f, r);
        if (!forced && end < pg->n) {
            fputs("&#10;&#10;", f);
            writeDetails(f, &pg->v[end]);
        } else if (!forced) {
            fputs("&#10;&#10;(still in flight when the run ended)", f);
        }
        fputs("\">", f);
        arrow(f, cls, x1, laneY((size_t)src), x2, laneY((size_t)dst));
        fputs("</g>\n", f);
    }
}

/* ---- the frame: lanes, axis, breaks ---- */

static const char *laneKindName(laneKind k) {
    static const char *const names[] = {"scenario", "migrator", "admin", "dc", "server", "smtp"};
    return names[k];
}

static void writeLanes(const page *pg, FILE *f, int64_t width) {
    for (size_t i = 0; i < pg->nlanes; i++) {
        const lane *l = &pg->lanes[i];
        int64_t top = HTML_AXIS_H + (int64_t)i * HTML_LANE_H, cy = laneY(i);
        const char *title = l->name;
        const char *sub = "";
        switch (l->kind) {
        case LANE_SCENARIO: title = "scenario"; sub = "steps"; break;
        case LANE_MIGRATOR: title = "migrator"; sub = pg->migrator ? pg->migrator : ""; break;
        case LANE_ADMIN: title = "admin"; sub = "administrator"; break;
        case LANE_DC: sub = "domain controller"; break;
        case LANE_SERVER: sub = "Exchange server"; break;
        case LANE_SMTP: title = "smtp"; sub = "mail delivery"; break;
        }
        fprintf(f, "<g class=\"lane\" data-lane=\"%s\" data-name=\"", laneKindName(l->kind));
        htmlEscape(f, title);
        fprintf(f, "\"><rect class=\"lanebg%s\" x=\"0\" y=\"%lld\" width=\"%lld\" height=\"%d\"/>", i % 2 ? " odd" : "",
                (long long)top, (long long)width, HTML_LANE_H);
        fprintf(f, "<line class=\"laneline\" x1=\"%d\" y1=\"%lld\" x2=\"%lld\" y2=\"%lld\"/>", HTML_LEFT,
                (long long)cy, (long long)width, (long long)cy);
        fprintf(f, "<text class=\"lanename\" x=\"8\" y=\"%lld\">", (long long)(cy - 1));
        htmlEscape(f, title);
        fprintf(f, "</text><text class=\"lanekind\" x=\"8\" y=\"%lld\">", (long long)(cy + 13));
        htmlEscape(f, sub);
        fputs("</text></g>\n", f);
    }
}

/* The stamp of t for the axis: "+00:02:15", with ".500" only when t is not a whole second. */
static const char *tickText(simtime t, char *buf) {
    clockFormat(t, buf);
    size_t len = strlen(buf);
    if (t % MS_PER_SECOND == 0 && len > 4 && strcmp(buf + len - 4, ".000") == 0) buf[len - 4] = '\0';
    return buf;
}

/* Time labels at instants of the axis, never closer than their width, with a grid line each. */
static void writeAxis(const page *pg, FILE *f, int64_t bottom) {
    int64_t lastEnd = -1000;
    char t[CLOCK_BUFSZ];
    for (size_t i = 0; i < pg->ts.n; i++) {
        int64_t x = HTML_LEFT + HTML_PAD + pg->ts.x[i];
        const char *s = tickText(pg->ts.t[i], t);
        int64_t half = (int64_t)strlen(s) * HTML_CHAR_W / 2;
        if (x - half < lastEnd + 14) continue;
        lastEnd = x + half;
        fprintf(f, "<line class=\"grid\" x1=\"%lld\" y1=\"%d\" x2=\"%lld\" y2=\"%lld\"/>", (long long)x,
                HTML_AXIS_H - 22, (long long)x, (long long)bottom);
        fprintf(f, "<text class=\"tick\" x=\"%lld\" y=\"16\" text-anchor=\"middle\">%s</text>\n", (long long)x, s);
    }
}

/* Each idle stretch: a white band over the lanes with two zig-zags and the skipped duration above. */
static void writeBreaks(const page *pg, FILE *f, int64_t bottom) {
    for (size_t i = 0; i < pg->ts.nbreaks; i++) {
        const timescaleBreak *b = &pg->ts.breaks[i];
        int64_t x = HTML_LEFT + HTML_PAD + b->x, cx = x + TS_BREAK_PX / 2;
        char d[CLOCK_BUFSZ];
        fprintf(f, "<g class=\"break\" data-skipped-ms=\"%lld\">", (long long)(b->to - b->from));
        fprintf(f, "<rect class=\"breakband\" x=\"%lld\" y=\"%d\" width=\"%d\" height=\"%lld\"/>",
                (long long)(cx - 12), HTML_AXIS_H, 24, (long long)(bottom - HTML_AXIS_H));
        for (int side = -1; side <= 1; side += 2) {
            fputs("<polyline class=\"zigzag\" points=\"", f);
            int k = 0;
            for (int64_t y = HTML_AXIS_H; y <= bottom; y += 8, k++)
                fprintf(f, "%s%lld,%lld", k ? " " : "", (long long)(cx + side * 8 + (k % 2 ? 4 : -4)), (long long)y);
            fputs("\"/>", f);
        }
        fprintf(f, "<text class=\"breaklabel\" x=\"%lld\" y=\"36\" text-anchor=\"middle\">%s</text></g>\n",
                (long long)cx, durationFormat(b->to - b->from, d));
    }
}

static void writeMarkers(FILE *f) {
    static const char *const cls[] = {"data", "empty", "lost", "inflight", "forced"};
    fputs("<defs>", f);
    for (size_t i = 0; i < sizeof cls / sizeof *cls; i++)
        fprintf(f, "<marker id=\"ah-%s\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"9\" "
                   "markerHeight=\"9\" markerUnits=\"userSpaceOnUse\" orient=\"auto\"><path class=\"ahead %s\" "
                   "d=\"M0 0L10 5L0 10Z\"/></marker>", cls[i], cls[i]);
    fputs("</defs>\n", f);
}

static void writePicture(page *pg, FILE *f) {
    int64_t width = HTML_LEFT + HTML_PAD + pg->ts.width + HTML_RIGHT;
    int64_t bottom = HTML_AXIS_H + (int64_t)pg->nlanes * HTML_LANE_H;
    fprintf(f, "<div class=\"scroll\"><svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%lld\" "
               "height=\"%lld\" viewBox=\"0 0 %lld %lld\">\n", (long long)width, (long long)bottom + 6,
            (long long)width, (long long)bottom + 6);
    writeMarkers(f);
    writeLanes(pg, f, width);
    writeAxis(pg, f, bottom);
    writeBreaks(pg, f, bottom);
    writePulls(pg, f);
    writeMarks(pg, f, 1);
    writeMarks(pg, f, 0);
    writeSteps(pg, f);
    fputs("</svg></div>\n", f);
}

/* ---- the text around the picture ---- */

static void legendItem(FILE *f, markKind m, const char *arrowCls, const char *what) {
    fputs("<span><svg width=\"26\" height=\"20\" viewBox=\"0 0 26 20\">", f);
    if (arrowCls)
        fprintf(f, "<path class=\"arrow %s\" d=\"M2 14L22 5\" marker-end=\"url(#ah-%s)\"/>", arrowCls, arrowCls);
    else
        shape(f, m, 13, 10);
    fprintf(f, "</svg>%s</span>\n", what);
}

static void writeLegend(FILE *f) {
    fputs("<div class=\"legend\">\n", f);
    legendItem(f, MARK_STEP, NULL, "scenario step");
    legendItem(f, MARK_START, NULL, "migration run starts");
    legendItem(f, MARK_RERUN, NULL, "rerun (run 2 or later)");
    legendItem(f, MARK_CANCEL, NULL, "cancel");
    legendItem(f, MARK_INIT, NULL, "mailbox initialized (mail or logon)");
    legendItem(f, MARK_MERGE, NULL, "merge instead of clone");
    legendItem(f, MARK_CLEANUP, NULL, "cleanup (Cleanup Agent, cleanup step)");
    legendItem(f, MARK_DELETE, NULL, "account deleted");
    legendItem(f, MARK_DELETE_NONE, NULL, "delete found nothing to delete");
    legendItem(f, MARK_NDR, NULL, "non-delivery (NDR)");
    legendItem(f, MARK_FAIL, NULL, "failure or error");
    legendItem(f, MARK_DOT, NULL, "other record");
    legendItem(f, MARK_NONE, "data", "replication pull with changes");
    legendItem(f, MARK_NONE, "empty", "pull: nothing new");
    legendItem(f, MARK_NONE, "lost", "pull lost (DC failed)");
    fputs("</div>\n", f);
}

/* What fn prints for r, escaped (the verdict line, the failures); MS_NOMEM when it cannot be captured. */
static msStatus writePrinted(FILE *f, void (*fn)(const runResult *, FILE *), const runResult *r) {
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) return MS_NOMEM;
    fn(r, m);
    int bad = ferror(m);
    if (fclose(m) != 0 || bad) {
        free(buf);
        return MS_NOMEM;
    }
    htmlEscape(f, buf);
    free(buf);
    return MS_OK;
}

static void cell(FILE *f, const char *cls, const char *s) {
    fprintf(f, "<td%s%s%s>", cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
    htmlEscape(f, s);
    fputs("</td>", f);
}

static void numberCell(FILE *f, const userVerdict *v, int c) {
    if (v->counted)
        fprintf(f, "<td class=\"n\">%lld</td>", (long long)v->counters[c]);
    else
        fputs("<td class=\"n\">-</td>", f);   /* no mailbox judged: no counters, not zeros */
}

/* The closing table's columns and rows, one row per user (data-user for the picker). */
static void writeOutcomes(const runResult *r, FILE *f) {
    fputs("<h2>Outcomes", f);
    if (r->judged_on) {
        fputs(r->converged ? " (directory converged; read on " : " (directory NOT converged: read on ", f);
        htmlEscape(f, r->judged_on);
        fputs(r->converged ? ")" : ", other DCs may disagree)", f);
    }
    fputs("</h2>\n<table id=\"outcomes\"><thead><tr><th>user</th><th>outcome</th><th>extra</th><th>dupes</th>"
          "<th>missing</th><th>rules_broken</th><th>detail</th></tr></thead><tbody>\n", f);
    for (uint32_t i = 0; i < r->nusers; i++) {
        const userVerdict *v = &r->verdicts[i];
        char cls[48];
        snprintf(cls, sizeof cls, "outcome o-%s", outcomeName(v->out));
        fputs("<tr data-user=\"", f);
        htmlEscape(f, r->user_names[i]);
        fputs("\">", f);
        cell(f, NULL, r->user_names[i]);
        cell(f, cls, outcomeName(v->out));
        numberCell(f, v, CTR_EXTRA);
        numberCell(f, v, CTR_DUPES);
        numberCell(f, v, CTR_MISSING);
        numberCell(f, v, CTR_RULES_BROKEN);
        cell(f, NULL, v->detail);
        fputs("</tr>\n", f);
    }
    fprintf(f, "</tbody></table>\n<p>stranded items: %lld</p>\n", (long long)r->stranded);
}

static void writePicker(const runResult *r, FILE *f) {
    fputs("<div class=\"controls\"><label>Highlight a user: <select id=\"user\"><option value=\"\">"
          "(all users)</option>", f);
    for (uint32_t i = 0; i < r->nusers; i++) {
        fputs("<option value=\"", f);
        htmlEscape(f, r->user_names[i]);
        fputs("\">", f);
        htmlEscape(f, r->user_names[i]);
        fputs("</option>", f);
    }
    fputs("</select></label></div>\n", f);
}

static const char howToRead[] =
    "<p class=\"how\"><b>How to read this:</b> time runs left to right; each row is one actor: the "
    "scenario's steps, the migrator, the administrator, each domain controller (DC), each Exchange server "
    "and SMTP. An arrow is one Active Directory replication pull: it leaves the DC that holds the changes "
    "when the pull starts and points at the DC that applies them. A zig-zag band is an idle stretch "
    "(more than 10 seconds with no record) squeezed to a fixed width; the time it skips is written above "
    "it. Hover over any mark or arrow for its record; pick a user to highlight that user's records.</p>\n";

static msStatus writePage(page *pg, FILE *f) {
    const runResult *r = pg->r;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>migsim timeline: ", f);
    htmlEscape(f, r->scenario);
    fprintf(f, ", seed %llu</title>\n<script>\n%s</script>\n<style>\n%s</style>\n</head>\n", (unsigned long long)r->seed,
            htmlAssetErrors, htmlAssetCss);
    fputs("<body data-ready=\"0\">\n<h1>migsim timeline: <code>", f);
    htmlEscape(f, r->scenario);
    fprintf(f, "</code>, seed %llu</h1>\n<p class=\"verdict %s\">", (unsigned long long)r->seed, reportVerdictWord(r));
    msStatus st = writePrinted(f, reportPrintVerdict, r);
    if (st != MS_OK) return st;
    fputs("</p>\n", f);
    if (r->verdict != MS_OK) {
        fputs("<pre class=\"failures\">", f);
        if ((st = writePrinted(f, reportPrintFailures, r)) != MS_OK) return st;
        fputs("</pre>\n", f);
    }
    fputs(howToRead, f);
    writePicker(r, f);
    writeLegend(f);
    writePicture(pg, f);
    fputs("<div id=\"tip\" hidden></div>\n", f);
    writeOutcomes(r, f);
    fprintf(f, "<script>\n%s</script>\n</body>\n</html>\n", htmlAssetScript);
    return MS_OK;
}

/* The migrator's actor name: the first migration record's. */
static const char *migratorName(const page *pg) {
    for (size_t i = 0; i < pg->n; i++)
        if (pg->v[i].kind >= TR_WIZ_START && pg->v[i].actor) return pg->v[i].actor;
    return NULL;
}

/* The axis of the records the picture draws (timescale.h: quiet ones make no instant). */
static msStatus axisBuild(page *pg) {
    simtime *at = malloc((pg->n ? pg->n : 1) * sizeof *at);
    if (!at) return MS_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < pg->n; i++) {
        const traceRecord *r = &pg->v[i];
        if (markOf(r) != MARK_NONE || isPullPart(r->kind) || r->kind == TR_REPL_PULL_FORCED) at[k++] = r->at;
    }
    msStatus st = timescaleBuild(&pg->ts, at, k, pg->r->end);
    free(at);
    return st;
}

msStatus htmlWrite(const runResult *r, FILE *f) {
    page pg;
    memset(&pg, 0, sizeof pg);
    pg.r = r;
    pg.v = traceRecords(&r->tr, &pg.n);
    msStatus st = axisBuild(&pg);
    if (st == MS_OK) st = lanesBuild(&pg);
    if (st == MS_OK) st = pullsMatch(&pg);
    if (st == MS_OK) {
        pg.migrator = migratorName(&pg);
        st = writePage(&pg, f);
    }
    timescaleFree(&pg.ts);
    free(pg.lanes);
    free(pg.pullEnd);
    if (st == MS_OK && ferror(f)) st = MS_IO;
    return st;
}
