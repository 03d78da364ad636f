/*
** LDIF (RFC 2849) export of one DC's replica, for `--ldif DC=FILE`.
**
** Format: "version: 1", then one entry per object (live objects and
** tombstones), in a stable order: parents before their children, siblings
** by the bytes of their RDN values (the tree walked from the domain head down,
** so an LDIF import such as ldapadd never meets a child before its parent),
** then by objectGUID.  Each entry lists dn, then the attributes the object holds in
** dirAttr order: objectClass, objectGUID (its lowercase string form), name,
** the user and Exchange attributes, isDeleted ("TRUE" on tombstones),
** lastKnownParent, then usnChanged (this DC's).  A DN or value that is not a
** SAFE-STRING (a NUL, LF or CR, a byte above 127, or a first character that
** is a space, ':' or '<') or that ends with a space is written base64-encoded
** after "::".  A CNF- or DEL-mangled DN holds a raw LF (as AD's does), so it
** is always base64; so that a reader can still see which object it is, such
** a value (one whose only unsafe bytes are line feeds) is preceded by a
** comment line with its escaped form, a line feed written \0A as in RFC 4514:
** "# dn: CN=user3\0ACNF:<guid>,OU=Migrated,...".  LDIF parsers ignore comment
** lines (RFC 2849 section 2).  Lines longer than 76 characters are folded:
** the rest continues on the next line after one space (RFC 2849 section 2),
** comments included.
*/
#include <stdlib.h>
#include <string.h>
#include "directory/dirint.h"

typedef struct out {
    FILE *f;
    int err;             /* a write failed */
    int nomem;           /* an allocation failed: out of memory, not an I/O error */
} out;

static void put(out *o, const char *s, size_t n) {
    if (n && fwrite(s, 1, n, o->f) != n) o->err = 1;
}

/* Write buf (len bytes) folded at 76 columns, each line ended by a newline. */
static void folded(out *o, const char *buf, size_t len) {
    size_t at = 0, width = 76;
    while (at < len) {
        size_t take = len - at < width ? len - at : width;
        if (at) put(o, " ", 1);
        put(o, buf + at, take);
        put(o, "\n", 1);
        at += take;
        width = 75;   /* a continuation line's leading space counts */
    }
}

/*
** For a value that needs base64 only for its line feeds (a CNF- or
** DEL-mangled name), the comment "# name: value" with each line feed
** written \0A.  Any other unsafe value gets no comment.
*/
static void readableComment(out *o, const char *name, const char *val, size_t n) {
    int lf = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)val[i];
        if (c == 0 || c == '\r' || c > 127) return;
        lf |= c == '\n';
    }
    if (!lf) return;
    size_t cap = strlen(name) + 5 + 3 * n;
    char *buf = malloc(cap), *at = buf;
    if (!buf) {
        o->nomem = 1;
        return;
    }
    at += snprintf(buf, cap, "# %s: ", name);
    for (size_t i = 0; i < n; i++) {
        if (val[i] == '\n') {
            memcpy(at, "\\0A", 3);
            at += 3;
        } else {
            *at++ = val[i];
        }
    }
    folded(o, buf, (size_t)(at - buf));
    free(buf);
}

/* Write "name: value" or "name:: base64" folded at 76 columns, and a newline. */
static void line(out *o, const char *name, const char *val, size_t n) {
    int safe = 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)val[i];
        if (c == 0 || c == '\n' || c == '\r' || c > 127) safe = 0;
    }
    if (n && (val[0] == ' ' || val[0] == ':' || val[0] == '<' || val[n - 1] == ' ')) safe = 0;
    size_t cap = strlen(name) + 4 + (n + 2) / 3 * 4 + 1;
    char *buf = malloc(cap);
    if (!buf) {
        o->nomem = 1;
        return;
    }
    size_t len = (size_t)snprintf(buf, cap, "%s:%s", name, safe ? (n ? " " : "") : ": ");
    if (safe) {
        char *big = realloc(buf, len + n + 1);
        if (!big) {
            free(buf);
            o->nomem = 1;
            return;
        }
        buf = big;
        memcpy(buf + len, val, n);
        len += n;
    } else {
        static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const unsigned char *u = (const unsigned char *)val;
        for (size_t i = 0; i < n; i += 3) {
            unsigned v = (unsigned)u[i] << 16 | (i + 1 < n ? (unsigned)u[i + 1] << 8 : 0) | (i + 2 < n ? u[i + 2] : 0);
            buf[len++] = b64[v >> 18 & 63];
            buf[len++] = b64[v >> 12 & 63];
            buf[len++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
            buf[len++] = i + 2 < n ? b64[v & 63] : '=';
        }
    }
    if (!safe) readableComment(o, name, val, n);
    folded(o, buf, len);
    free(buf);
}

static const char *const attrNames[A__COUNT] = {
    "objectClass", "name", "sAMAccountName", "mail", "proxyAddresses", "legacyExchangeDN",
    "msExchMailboxGuid", "homeMDB", "userAccountControl", "description", "isDeleted",
    "lastKnownParent",
};

typedef struct entry {
    char *dn;
    char *key;      /* the RDN values from the domain head down, each ended by 0x01 */
    const dobj *o;
} entry;

/*
** The sort key of o: its ancestors' RDN values and its own, root first, each
** followed by 0x01.  0x01 sorts below every byte a name can hold, so a parent
** (a prefix of its children's keys) comes first and a whole subtree sorts
** before the next sibling.
*/
static char *treeKey(const replica *r, const dobj *o) {
    const dobj *chain[256];
    int n = 0;
    for (const dobj *x = o; x && n < 256; x = replicaFind(r, &x->b->parent)) {
        chain[n++] = x;
        if (guidIsNil(&x->b->parent)) break;
    }
    size_t len = 1;
    for (int i = 0; i < n; i++)
        len += (chain[i]->b->v[A_NAME] ? strlen(rvalFirst(chain[i]->b->v[A_NAME])) : 0) + 1;
    char *key = malloc(len), *at = key;
    if (!key) return NULL;
    for (int i = n - 1; i >= 0; i--) {
        const char *name = chain[i]->b->v[A_NAME] ? rvalFirst(chain[i]->b->v[A_NAME]) : "";
        size_t k = strlen(name);
        memcpy(at, name, k);
        at += k;
        *at++ = '\x01';
    }
    *at = '\0';
    return key;
}

static int cmpEntry(const void *a, const void *b) {
    const entry *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : guidCompare(&x->o->id, &y->o->id);
}

msStatus dirWriteLdif(const directory *d, int dc, FILE *f) {
    if (!d || dc < 0 || dc >= d->ndc || !f) return MS_IO;
    const replica *r = &d->dc[dc].r;
    entry *e = calloc(r->count + 1, sizeof *e);
    if (!e) return MS_NOMEM;
    size_t n = 0;
    msStatus st = MS_OK;
    for (size_t i = 0; i < r->nobj; i++) {
        const dobj *ob = r->obj[i];
        if (!ob) continue;
        char dn[4096];
        dirObjDn(d, r, ob, dn, sizeof dn, 0);
        e[n].dn = strdup(dn);
        e[n].key = treeKey(r, ob);
        e[n].o = ob;
        if (!e[n].dn || !e[n].key) st = MS_NOMEM;
        n++;
    }
    if (st == MS_OK) {
        qsort(e, n, sizeof *e, cmpEntry);
        out o = {f, 0, 0};
        const char *ver = "version: 1\n";
        put(&o, ver, strlen(ver));
        for (size_t i = 0; i < n; i++) {
            const dobj *ob = e[i].o;
            put(&o, "\n", 1);
            line(&o, "dn", e[i].dn, strlen(e[i].dn));
            for (int a = 0; a < A__COUNT; a++) {
                if (!ob->b->v[a]) continue;
                for (const char *v = rvalFirst(ob->b->v[a]); v; v = rvalNext(ob->b->v[a], v))
                    line(&o, attrNames[a], v, strlen(v));
                if (a == A_OBJECTCLASS) {
                    char g[GUID_STRLEN];
                    line(&o, "objectGUID", guidFormat(&ob->id, g), 36);
                }
            }
            char usn[32];
            int k = snprintf(usn, sizeof usn, "%llu", (unsigned long long)ob->usn_changed);
            line(&o, "usnChanged", usn, (size_t)k);
        }
        if (o.err || fflush(f) != 0) st = MS_IO;
        if (o.nomem) st = MS_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        free(e[i].dn);
        free(e[i].key);
    }
    free(e);
    return st;
}
