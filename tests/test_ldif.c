/*
** Tests for the LDIF export (RFC 2849): SAFE-STRING rules, base64 with "::",
** tombstones, stable order, line folding, write errors.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include "dirfixture.h"

/* The LDIF of dc as a string (caller frees). */
static char *ldifOf(fixture *f, int dc) {
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_non_null(m);
    assert_int_equal(dirWriteLdif(f->d, dc, m), MS_OK);
    fclose(m);
    return buf;
}

static char *b64(const char *s, char *out) {
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(s), k = 0;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)u[i] << 16 | (i + 1 < n ? (unsigned)u[i + 1] << 8 : 0) | (i + 2 < n ? u[i + 2] : 0);
        out[k++] = t[v >> 18 & 63];
        out[k++] = t[v >> 12 & 63];
        out[k++] = i + 1 < n ? t[v >> 6 & 63] : '=';
        out[k++] = i + 2 < n ? t[v & 63] : '=';
    }
    out[k] = 0;
    return out;
}

static void fresh_replica_in_tree_order(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    char *l = ldifOf(&f, 0);
    const char *head = "version: 1\n\ndn: DC=target,DC=example\n";
    assert_true(strncmp(l, head, strlen(head)) == 0);
    /* The domain head, then its children by RDN value. */
    const char *order[] = {"dn: DC=target,DC=example", "dn: CN=Deleted Objects,", "dn: CN=LostAndFound,",
                           "dn: OU=Migrated,", "dn: CN=Users,"};
    const char *at = l;
    for (int i = 0; i < 5; i++) {
        const char *p = strstr(at, order[i]);
        assert_non_null(p);
        at = p + 1;
    }
    assert_non_null(strstr(l, "objectClass: organizationalUnit\nobjectGUID: "));
    /* Two DCs of a fresh forest write the same LDIF (usnChanged too: built identically). */
    char *l2 = ldifOf(&f, 1);
    assert_string_equal(l, l2);
    free(l);
    free(l2);
    fxFree(&f);
}

/* Every plain "dn: " line's parent DN appeared as an earlier dn line. */
static void assertParentsFirst(const char *ldif) {
    char seen[64][256];
    int nseen = 0;
    for (const char *p = strstr(ldif, "\ndn: "); p; p = strstr(p + 1, "\ndn: ")) {
        const char *dn = p + 5, *eol = strchr(dn, '\n');
        char cur[256];
        snprintf(cur, sizeof cur, "%.*s", (int)(eol - dn), dn);
        const char *comma = strchr(cur, ',');
        if (strcmp(cur, "DC=target,DC=example") != 0) {
            int found = 0;
            for (int i = 0; i < nseen; i++) found |= strcmp(seen[i], comma + 1) == 0;
            if (!found) fail_msg("'%s' comes before its parent", cur);
        }
        assert_true(nseen < 64);
        snprintf(seen[nseen++], sizeof seen[0], "%s", cur);
    }
}

static void parents_come_before_children(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    /* Names that sort before the containers' own ("A...", "C...") must still follow them. */
    fxUser(&f, 0, "Aaron");
    fxUser(&f, 0, "CN");
    fxUser(&f, 0, "zed");
    char *l = ldifOf(&f, 0);
    assertParentsFirst(l);
    /* Siblings are grouped under their parent: the users follow OU=Migrated directly. */
    const char *ou = strstr(l, "dn: OU=Migrated,"), *a = strstr(l, "dn: CN=Aaron,"), *u = strstr(l, "dn: CN=Users,");
    assert_true(ou && a && u && ou < a && a < u);
    free(l);
    fxFree(&f);
}

static void unsafe_values_are_base64(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    guid u = fxUser(&f, 0, "u");
    const char *cases[] = {" leading space", ":colon", "<less", "trailing ", "caf\xc3\xa9", "line\nbreak",
                           "carriage\rreturn", " ", "x "};
    char want[256], enc[256];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(dirModify(f.d, 0, &u, A_DESCRIPTION, &cases[i], 1), MS_OK);
        char *l = ldifOf(&f, 0);
        snprintf(want, sizeof want, "\ndescription:: %s\n", b64(cases[i], enc));
        if (!strstr(l, want)) fail_msg("no '%s' for case %zu in:\n%s", want, i, l);
        free(l);
    }
    /* A DN with a byte above 127 is base64 too (RFC 2849: not a SAFE-STRING). */
    guid c = fxUser(&f, 0, "Jos\xc3\xa9");
    char *lc = ldifOf(&f, 0), enc2[256], want2[300];
    snprintf(want2, sizeof want2, "\ndn:: %s\n", b64("CN=Jos\xc3\xa9,OU=Migrated,DC=target,DC=example", enc2));
    if (!strstr(lc, want2)) fail_msg("no '%s' in:\n%s", want2, lc);
    free(lc);
    (void)c;
    const char *safe = "inner space: and < are fine";
    dirModify(f.d, 0, &u, A_DESCRIPTION, &safe, 1);
    char *l = ldifOf(&f, 0);
    assert_non_null(strstr(l, "\ndescription: inner space: and < are fine\n"));
    free(l);
    fxFree(&f);
}

static void tombstones_and_cnf_dns_are_base64(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    guid u = fxUser(&f, 0, "gone");
    dirDelete(f.d, 0, &u);
    char *l = ldifOf(&f, 0);
    char dn[256], gs[GUID_STRLEN], enc[512], want[600];
    snprintf(dn, sizeof dn, "CN=gone\nDEL:%s,CN=Deleted Objects,DC=target,DC=example", guidFormat(&u, gs));
    b64(dn, enc);
    /* The base64 DN is folded: compare the unfolded text. */
    char *unfolded = malloc(strlen(l) + 1);
    size_t k = 0;
    for (const char *p = l; *p; p++) {
        if (p[0] == '\n' && p[1] == ' ') {
            p++;
            continue;
        }
        unfolded[k++] = *p;
    }
    unfolded[k] = 0;
    snprintf(want, sizeof want, "\ndn:: %s\n", enc);
    assert_non_null(strstr(unfolded, want));
    assert_non_null(strstr(unfolded, "\nisDeleted: TRUE\n"));
    assert_non_null(strstr(unfolded, "\nlastKnownParent: OU=Migrated,DC=target,DC=example\n"));
    assert_null(strstr(unfolded, "mail: gone@"));
    free(unfolded);
    free(l);
    fxFree(&f);
}

/*
** A DEL- or CNF-mangled value is base64 (RFC 2849), preceded by a comment
** with its readable form, the line feed written \0A; a value that is
** base64 for another reason (a leading space) gets no comment.
*/
static void mangled_names_have_a_readable_comment(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    guid u = fxUser(&f, 0, "gone");
    guid keep = fxUser(&f, 0, "kept");
    const char *v = " leading space";
    dirModify(f.d, 0, &keep, A_DESCRIPTION, &v, 1);
    dirDelete(f.d, 0, &u);
    char *l = ldifOf(&f, 0);
    char gs[GUID_STRLEN], dn[256], name[128], enc[512], want[1200];
    guidFormat(&u, gs);
    snprintf(name, sizeof name, "gone\nDEL:%s", gs);
    b64(name, enc);
    snprintf(want, sizeof want, "\n# name: gone\\0ADEL:%s\nname:: %s\n", gs, enc);
    assert_non_null(strstr(l, want));
    /* The DN's comment is folded as any long line is: compare it unfolded. */
    char *unfolded = malloc(strlen(l) + 1);
    size_t k = 0;
    for (const char *p = l; *p; p++) {
        if (p[0] == '\n' && p[1] == ' ') {
            p++;
            continue;
        }
        unfolded[k++] = *p;
    }
    unfolded[k] = 0;
    snprintf(dn, sizeof dn, "CN=gone\nDEL:%s,CN=Deleted Objects,DC=target,DC=example", gs);
    b64(dn, enc);
    snprintf(want, sizeof want, "\n# dn: CN=gone\\0ADEL:%s,CN=Deleted Objects,DC=target,DC=example\ndn:: %s\n", gs,
             enc);
    assert_non_null(strstr(unfolded, want));
    /* Base64 for a leading space: no comment, and no other comment at all. */
    assert_non_null(strstr(unfolded, "\ndescription:: "));
    size_t comments = 0;
    for (const char *p = unfolded; (p = strstr(p, "\n# ")) != NULL; p++) comments++;
    assert_int_equal(comments, 2);
    free(unfolded);
    free(l);
    fxFree(&f);
}

static void long_lines_fold_at_76(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    guid u = fxUser(&f, 0, "u");
    char longv[300];
    memset(longv, 'x', 200);
    longv[200] = 0;
    const char *v = longv;
    dirModify(f.d, 0, &u, A_DESCRIPTION, &v, 1);
    char *l = ldifOf(&f, 0);
    size_t col = 0;
    for (const char *p = l; *p; p++) {
        if (*p == '\n') {
            col = 0;
            continue;
        }
        col++;
        assert_true(col <= 76);
    }
    assert_non_null(strstr(l, "\ndescription: xxxx"));
    assert_non_null(strstr(l, "\n xxxx"));
    free(l);
    fxFree(&f);
}

static void write_errors_are_reported(void **state) {
    (void)state;
    fixture f;
    fxInit(&f, 2003, 1, (int[]){2});
    FILE *full = fopen("/dev/full", "w");
    if (full) {
        assert_int_equal(dirWriteLdif(f.d, 0, full), MS_IO);
        fclose(full);
    }
    assert_int_equal(dirWriteLdif(f.d, 5, stdout), MS_IO);
    fxFree(&f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fresh_replica_in_tree_order),
        cmocka_unit_test(parents_come_before_children),
        cmocka_unit_test(unsafe_values_are_base64),
        cmocka_unit_test(tombstones_and_cnf_dns_are_base64),
        cmocka_unit_test(mangled_names_have_a_readable_comment),
        cmocka_unit_test(long_lines_fold_at_76),
        cmocka_unit_test(write_errors_are_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
