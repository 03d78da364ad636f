/*
** `migsim check`'s report for continuous integration (checkreport.h).
**
** JUnit XML has no formal standard; the form written here is the common
** one every CI reader accepts (Jenkins, GitLab, GitHub's reporters):
** <testsuites> holding one <testsuite>, a <testcase> per scenario file
** named by its path, <failure>, <error> and <skipped> children.  The
** counts on the suite are of test cases: a case whose step failed is an
** error (it stopped part way), one with failed expectations only is a
** failure.  The time attributes are "0": migsim's runs take virtual time,
** and a CI dashboard reads time as the wall clock a test took, so the
** simulated duration (an hour of replication, say) would read as a slow
** test; the virtual end is kept as the property virtual_time_ms instead.
** Nothing depends on the wall clock, so the file is byte-identical for the
** same tree.
**
** XML text is escaped for both places it goes: &, <, >, " and ' as
** entities; tab, line feed and carriage return inside an attribute as
** character references (a parser would fold them to spaces); every other
** control character, which XML 1.0 cannot carry at all, and every byte
** that is not well-formed UTF-8 becomes U+FFFD.  Non-ASCII characters are
** written as character references, so the file is ASCII whatever a
** scenario's name holds.
*/
#include <stdlib.h>
#include <string.h>
#include "kernel/array.h"
#include "kernel/invariant.h"
#include "out/checkreport.h"
#include "out/jsonw.h"

msStatus checkReportAdd(checkReport *r, const char *file, checkCase **c) {
    if (r->n == r->cap && arrayGrow(&r->v, &r->cap, sizeof *r->v, 16) != MS_OK) return MS_NOMEM;
    checkCase *x = &r->v[r->n];
    memset(x, 0, sizeof *x);
    if (!(x->file = strdup(file))) return MS_NOMEM;
    r->n++;
    *c = x;
    return MS_OK;
}

msStatus checkCaseFailure(checkCase *c, int line, const char *text, const char *found) {
    if (c->nfailures == c->capfailures && arrayGrow(&c->failures, &c->capfailures, sizeof *c->failures, 4) != MS_OK)
        return MS_NOMEM;
    checkFailure *f = &c->failures[c->nfailures];
    f->line = line;
    f->text = strdup(text ? text : "");
    f->found = strdup(found ? found : "");
    c->nfailures++;
    c->status = CHECK_FAIL;
    return f->text && f->found ? MS_OK : MS_NOMEM;
}

msStatus checkCaseStepFailed(checkCase *c, int line, const char *why) {
    free(c->step_why);
    c->step_failed = 1;
    c->step_line = line;
    c->status = CHECK_FAIL;
    return (c->step_why = strdup(why ? why : "")) ? MS_OK : MS_NOMEM;
}

msStatus checkCaseError(checkCase *c, const char *why) {
    free(c->error);
    c->status = CHECK_ERROR;
    return (c->error = strdup(why ? why : "")) ? MS_OK : MS_NOMEM;
}

void checkReportFree(checkReport *r) {
    for (size_t i = 0; i < r->n; i++) {
        checkCase *c = &r->v[i];
        for (size_t k = 0; k < c->nfailures; k++) {
            free(c->failures[k].text);
            free(c->failures[k].found);
        }
        free(c->failures);
        free(c->file);
        free(c->step_why);
        free(c->error);
    }
    free(r->v);
    memset(r, 0, sizeof *r);
}

checkTally checkReportTally(const checkReport *r) {
    checkTally t = {0, 0, 0, 0};
    for (size_t i = 0; i < r->n; i++) {
        const checkCase *c = &r->v[i];
        switch (c->status) {
        case CHECK_PASS: t.passed++; break;
        case CHECK_FAIL: t.failed++; break;
        case CHECK_ERROR: t.errors++; break;
        case CHECK_EMPTY:
            t.empty++;
            if (c->empty_allowed)
                t.passed++;
            else
                t.failed++;
            break;
        }
    }
    return t;
}

/* s as XML character data (attr: inside a double-quoted attribute value). */
static void xmlText(FILE *f, const char *s, int attr) {
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        uint32_t cp;
        int n;
        switch (*p) {
        case '&': fputs("&amp;", f); p++; continue;
        case '<': fputs("&lt;", f); p++; continue;
        case '>': fputs("&gt;", f); p++; continue;
        case '"': fputs("&quot;", f); p++; continue;
        case '\'': fputs("&apos;", f); p++; continue;
        default: break;
        }
        if (*p == '\n' || *p == '\t' || *p == '\r') {
            if (attr)
                fprintf(f, "&#%u;", (unsigned)*p);
            else
                fputc(*p, f);
            p++;
        } else if (*p >= 0x20 && *p < 0x7f) {
            fputc(*p++, f);
        } else if (*p < 0x80 || (n = jsonUtf8Decode(p, &cp)) == 0) {
            fputs("&#xfffd;", f);   /* a control character XML cannot carry, or not UTF-8 */
            p++;
        } else {
            /* U+FFFE and U+FFFF are not XML characters either. */
            fprintf(f, "&#x%x;", (unsigned)(cp == 0xfffe || cp == 0xffff ? 0xfffd : cp));
            p += n;
        }
    }
}

static void xmlAttr(FILE *f, const char *name, const char *value) {
    fprintf(f, " %s=\"", name);
    xmlText(f, value, 1);
    fputc('"', f);
}

/* The <failure> of a case: every failed expectation, one FILE:LINE line each. */
static void junitFailure(const checkCase *c, FILE *f) {
    char msg[96];
    if (c->status == CHECK_EMPTY) {
        fputs("      <failure type=\"empty\" message=\"no expectations\">", f);
        xmlText(f, c->file, 0);
        fputs(": no expectations (a scenario must check something, or run check --allow-empty)</failure>\n", f);
        return;
    }
    if (c->nfailures == 0) return;
    snprintf(msg, sizeof msg, "%zu of %zu expectation%s failed", c->nfailures, c->nexpects,
             c->nexpects == 1 ? "" : "s");
    fputs("      <failure type=\"expectation\"", f);
    xmlAttr(f, "message", msg);
    fputs(">", f);
    for (size_t k = 0; k < c->nfailures; k++) {
        const checkFailure *x = &c->failures[k];
        xmlText(f, c->file, 0);
        fprintf(f, ":%d: ", x->line);
        xmlText(f, x->text, 0);
        fputs(": found ", f);
        xmlText(f, x->found, 0);
        fputc('\n', f);
    }
    fputs("</failure>\n", f);
}

static void junitError(const checkCase *c, FILE *f) {
    if (c->status == CHECK_ERROR) {
        fputs("      <error type=\"error\"", f);
        xmlAttr(f, "message", c->error);
        fputs(">", f);
        xmlText(f, c->error, 0);
        fputs("</error>\n", f);
    }
    if (!c->step_failed) return;
    char line[32];
    snprintf(line, sizeof line, ":%d: step failed: ", c->step_line);
    fputs("      <error type=\"step\" message=\"", f);
    xmlText(f, c->file, 1);
    xmlText(f, line, 1);
    xmlText(f, c->step_why, 1);
    fputs("\">", f);
    xmlText(f, c->file, 0);
    xmlText(f, line, 0);
    xmlText(f, c->step_why, 0);
    fputs("</error>\n", f);
}

static void junitCase(const checkCase *c, FILE *f) {
    fputs("    <testcase classname=\"migsim.check\"", f);
    xmlAttr(f, "name", c->file);
    xmlAttr(f, "file", c->file);
    fprintf(f, " assertions=\"%zu\" time=\"0\">\n", c->nexpects);
    fprintf(f, "      <properties><property name=\"virtual_time_ms\" value=\"%lld\"/></properties>\n",
            (long long)c->end);
    if (c->status == CHECK_EMPTY && c->empty_allowed)
        fputs("      <skipped message=\"no expectations\"/>\n", f);
    else
        junitFailure(c, f);
    junitError(c, f);
    fputs("    </testcase>\n", f);
}

int checkReportJunit(const checkReport *r, FILE *f) {
    int failures = 0, errors = 0, skipped = 0;
    for (size_t i = 0; i < r->n; i++) {
        const checkCase *c = &r->v[i];
        if (c->status == CHECK_ERROR || c->step_failed)
            errors++;
        else if (c->status == CHECK_FAIL || (c->status == CHECK_EMPTY && !c->empty_allowed))
            failures++;
        else if (c->status == CHECK_EMPTY)
            skipped++;
    }
    msAssert(failures + errors + skipped <= (int)r->n);
    char counts[160];
    snprintf(counts, sizeof counts, "tests=\"%zu\" failures=\"%d\" errors=\"%d\" skipped=\"%d\" time=\"0\"", r->n,
             failures, errors, skipped);
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
    fprintf(f, "<testsuites name=\"migsim check\" %s>\n", counts);
    fprintf(f, "  <testsuite name=\"migsim check\" %s>\n", counts);
    for (size_t i = 0; i < r->n; i++) junitCase(&r->v[i], f);
    fputs("  </testsuite>\n</testsuites>\n", f);
    return !ferror(f);
}

static const char *statusWord(const checkCase *c) {
    switch (c->status) {
    case CHECK_PASS: return "pass";
    case CHECK_FAIL: return "fail";
    case CHECK_EMPTY: return "empty";
    case CHECK_ERROR: return "error";
    }
    return "error";
}

static void jsonCase(const checkCase *c, FILE *f) {
    fputs("{\"file\":", f);
    jsonString(f, c->file);
    fputs(",\"status\":", f);
    jsonString(f, statusWord(c));
    fprintf(f, ",\"expectations\":%zu,\"virtual_time_ms\":%lld,\"failures\":[", c->nexpects, (long long)c->end);
    for (size_t k = 0; k < c->nfailures; k++) {
        const checkFailure *x = &c->failures[k];
        fprintf(f, "%s{\"line\":%d,\"expect\":", k ? "," : "", x->line);
        jsonString(f, x->text);
        fputs(",\"found\":", f);
        jsonString(f, x->found);
        fputc('}', f);
    }
    fputs("],\"step_failure\":", f);
    if (c->step_failed) {
        fprintf(f, "{\"line\":%d,\"why\":", c->step_line);
        jsonString(f, c->step_why);
        fputc('}', f);
    } else {
        fputs("null", f);
    }
    fputs(",\"error\":", f);
    if (c->status == CHECK_ERROR)
        jsonString(f, c->error);
    else
        fputs("null", f);
    fputc('}', f);
}

int checkReportJson(const checkReport *r, FILE *f) {
    checkTally t = checkReportTally(r);
    fprintf(f, "{\"migsim\":\"%s\",\"passed\":%d,\"failed\":%d,\"errors\":%d,\"empty\":%d,\"scenarios\":[\n",
            MIGSIM_VERSION, t.passed, t.failed, t.errors, t.empty);
    for (size_t i = 0; i < r->n; i++) {
        if (i) fputs(",\n", f);
        jsonCase(&r->v[i], f);
    }
    fputs("\n]}\n", f);
    return !ferror(f);
}
