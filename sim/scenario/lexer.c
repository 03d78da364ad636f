/*
** The scenario lexer.  See lexer.h for the lexical rules.  Every byte of a
** line is classified exactly once, by index, within the line's bounds, so a
** hostile input can neither make the lexer read outside the text nor loop.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "scenario/lexer.h"

void lexInit(lexer *lx, const char *text, size_t len) {
    memset(lx, 0, sizeof *lx);
    lx->text = text;
    lx->len = text ? len : 0;
}

void lexFree(lexer *lx) {
    free(lx->tok);
    free(lx->xbuf);
    free(lx->xmap);
    lx->tok = NULL;
    lx->xbuf = NULL;
    lx->xmap = NULL;
    lx->ntok = lx->cap = lx->xn = lx->xcap = 0;
}

void lexSetVars(lexer *lx, scnVars *vs) {
    lx->vars = vs;
}

int lexColumn(const lexer *lx, int col) {
    if (!lx->expanded || col < 1) return col;
    size_t j = (size_t)col - 1;
    if (j < lx->xn) return lx->xmap[j];
    return lx->xend + (int)(j - lx->xn);
}

int lexIsOption(const lexToken *t) {
    return t->eq < t->n;
}

/* Record a lexical error at column col (1-based). */
static msStatus lexError(lexer *lx, size_t col, const char *msg) {
    lx->errcol = (int)col;
    snprintf(lx->err, sizeof lx->err, "%s", msg);
    return MS_INPUT;
}

/* When byte c may not appear where it is, say why into why and return 1. */
static int badByte(unsigned char c, int in_comment, char *why, size_t whysz) {
    if (c == 0)
        snprintf(why, whysz, "NUL byte in the text");
    else if (c == '\r')
        snprintf(why, whysz, "stray carriage return: CR is only allowed at the end of a line");
    else if ((c < 0x20 && c != '\t') || c == 0x7F)
        snprintf(why, whysz, "control character 0x%02X in the text", (unsigned)c);
    else if (c >= 0x80 && !in_comment)
        snprintf(why, whysz, "non-ASCII byte 0x%02X: scenarios are ASCII text "
                 "(non-ASCII only in comments)", (unsigned)c);
    else
        return 0;
    return 1;
}

static msStatus pushToken(lexer *lx, const char *s, size_t n, size_t col) {
    if (lx->ntok == lx->cap) {
        size_t cap = lx->cap ? 2 * lx->cap : 16;
        lexToken *t = realloc(lx->tok, cap * sizeof *t);
        if (!t) return MS_NOMEM;
        lx->tok = t;
        lx->cap = cap;
    }
    const char *eq = memchr(s, '=', n);
    lx->tok[lx->ntok++] = (lexToken){s, n, (int)col, eq ? (size_t)(eq - s) : n};
    return MS_OK;
}

/* Split the n bytes at s (one line, terminator removed) into words. */
static msStatus lexSplit(lexer *lx, const char *s, size_t n) {
    size_t start = 0;
    int in_word = 0, in_comment = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char why[sizeof lx->err];
        if (badByte(c, in_comment, why, sizeof why)) return lexError(lx, i + 1, why);
        if (in_comment) continue;
        int ends = c == ' ' || c == '\t' || c == '#';
        if (ends && in_word) {
            msStatus st = pushToken(lx, s + start, i - start, start + 1);
            if (st != MS_OK) return st;
            in_word = 0;
        }
        if (c == '#') in_comment = 1;
        else if (!ends && !in_word) {
            in_word = 1;
            start = i;
        }
    }
    if (in_word) return pushToken(lx, s + start, n - start, start + 1);
    return MS_OK;
}

/* ---------------------------------------------------------------- variables */

/* Append n bytes at s, each written at column col, to the expanded buffer. */
static msStatus xAppend(lexer *lx, const char *s, size_t n, int col, int same) {
    if (n == 0) return MS_OK;   /* nothing to copy, and the buffer may not exist yet */
    if (lx->xn + n > LEX_MAX_LINE)
        return lexError(lx, (size_t)col, "line too long after expanding variables (at most 65536 bytes)");
    if (lx->xn + n > lx->xcap) {
        size_t cap = lx->xcap ? lx->xcap : 256;
        while (cap < lx->xn + n) cap *= 2;
        char *b = realloc(lx->xbuf, cap);
        if (!b) return MS_NOMEM;
        lx->xbuf = b;
        int *m = realloc(lx->xmap, cap * sizeof *m);
        if (!m) return MS_NOMEM;
        lx->xmap = m;
        lx->xcap = cap;
    }
    memcpy(lx->xbuf + lx->xn, s, n);
    for (size_t i = 0; i < n; i++) lx->xmap[lx->xn + i] = same ? col : col + (int)i;
    lx->xn += n;
    return MS_OK;
}

/*
** The reference at s[i] (a `$`) of the n bytes at s: the variable's name
** at *name (*nn bytes) and the reference's length in *len.
*/
static msStatus varRef(lexer *lx, const char *s, size_t n, size_t i, int col,
                       const char **name, size_t *nn, size_t *len) {
    size_t a = i + 1, e;
    int braced = a < n && s[a] == '{';
    if (braced) a++;
    e = a;
    while (e < n && (s[e] == '_' || (s[e] >= 'a' && s[e] <= 'z') || (s[e] >= 'A' && s[e] <= 'Z') ||
                     (s[e] >= '0' && s[e] <= '9')))
        e++;
    if (e == a || !varsIsName(s + a, e - a) || (braced && (e >= n || s[e] != '}'))) {
        lx->errcol = col;
        snprintf(lx->err, sizeof lx->err, "'$' must be followed by a variable name: $NAME or ${NAME}, "
                 "NAME a letter or '_', then letters, digits or '_' (at most %d)", VAR_NAME_MAX);
        return MS_INPUT;
    }
    *name = s + a;
    *nn = e - a;
    *len = e + (size_t)braced - i;
    return MS_OK;
}

/*
** Expand the n bytes at s (starting at column col0) into the expanded
** buffer, from its current end: every `$NAME` becomes its value.
*/
static msStatus expandWords(lexer *lx, const char *s, size_t n, int col0) {
    size_t i = 0;
    while (i < n) {
        const char *d = memchr(s + i, '$', n - i);
        size_t plain = d ? (size_t)(d - s) - i : n - i;
        msStatus st = xAppend(lx, s + i, plain, col0 + (int)i, 0);
        if (st != MS_OK || !d) return st;
        i += plain;
        const char *name;
        size_t nn, len;
        int col = col0 + (int)i;
        if ((st = varRef(lx, s, n, i, col, &name, &nn, &len)) != MS_OK) return st;
        const scnVar *v = varsFind(lx->vars, name, nn);
        if (!v) {
            lx->errcol = col;
            snprintf(lx->err, sizeof lx->err, "undefined variable '$%.*s': no 'let %.*s = ...' before this line",
                     (int)nn, name, (int)nn, name);
            return MS_INPUT;
        }
        if ((st = xAppend(lx, v->value, strlen(v->value), col, 1)) != MS_OK) return st;
        i += len;
    }
    return MS_OK;
}

/* `let NAME = VALUE`: define the variable (the line is not handed on). */
static msStatus lexLet(lexer *lx) {
    const lexToken *t = lx->tok;
    int end = t[lx->ntok - 1].col + (int)t[lx->ntok - 1].n;
    if (lx->ntok < 2) return lexError(lx, (size_t)end, "missing variable name in 'let' (write 'let NAME = VALUE')");
    if (t[1].eq < t[1].n || (lx->ntok > 2 && t[2].n != 1 && t[2].eq == 0))
        return lexError(lx, (size_t)t[1].col, "write 'let NAME = VALUE', with blanks around '='");
    if (!varsIsName(t[1].s, t[1].n)) {
        snprintf(lx->err, sizeof lx->err, "bad variable name '%.*s': a letter or '_', then letters, digits "
                 "or '_' (at most %d)", t[1].n > 48 ? 48 : (int)t[1].n, t[1].s, VAR_NAME_MAX);
        lx->errcol = t[1].col;
        return MS_INPUT;
    }
    if (lx->ntok < 3 || t[2].n != 1 || t[2].s[0] != '=')
        return lexError(lx, (size_t)(lx->ntok < 3 ? end : t[2].col), "expected '=' after 'let NAME'");
    if (lx->ntok < 4) return lexError(lx, (size_t)end, "missing value after 'let NAME ='");
    if (lx->ntok > 4)
        return lexError(lx, (size_t)t[4].col, "unexpected word after the value of 'let' (a value is one word)");
    lx->xn = 0;
    msStatus st = expandWords(lx, t[3].s, t[3].n, t[3].col);
    if (st != MS_OK) return st;
    int prev = 0;
    st = varsDefine(lx->vars, t[1].s, t[1].n, lx->xbuf, lx->xn, lx->line, &prev);
    if (st == MS_INPUT) {
        lx->errcol = t[1].col;
        snprintf(lx->err, sizeof lx->err, "variable '%.*s' is already defined (line %d)", (int)t[1].n, t[1].s, prev);
    } else if (st == MS_RANGE) {
        lx->errcol = 1;
        snprintf(lx->err, sizeof lx->err, "too many variables: at most %d", VAR_MAX);
        st = MS_INPUT;
    }
    return st;
}

/* The line (n bytes at s) held a `$`: expand it and split it again. */
static msStatus lexExpand(lexer *lx, const char *s) {
    const lexToken *last = &lx->tok[lx->ntok - 1];
    size_t end = (size_t)(last->s + last->n - s);
    lx->xend = (int)end + 1;
    lx->xn = 0;
    msStatus st = expandWords(lx, s, end, 1);
    if (st != MS_OK) return st;
    lx->ntok = 0;
    lx->expanded = 1;
    return lexSplit(lx, lx->xbuf, lx->xn);
}

static int isLet(const lexToken *t) {
    return t->n == 3 && memcmp(t->s, "let", 3) == 0;
}

msStatus lexNextLine(lexer *lx, int *got) {
    *got = 0;
    while (lx->pos < lx->len) {
        const char *s = lx->text + lx->pos;
        size_t rest = lx->len - lx->pos;
        const char *nl = memchr(s, '\n', rest);
        size_t n = nl ? (size_t)(nl - s) : rest;
        lx->pos += nl ? n + 1 : n;
        if (lx->line == 0x7FFFFFFF) return lexError(lx, 1, "too many lines");
        lx->line++;
        lx->ntok = 0;
        lx->expanded = 0;
        if (n > 0 && s[n - 1] == '\r') n--;
        if (n > LEX_MAX_LINE)
            return lexError(lx, LEX_MAX_LINE + 1, "line too long (at most 65536 bytes)");
        msStatus st = lexSplit(lx, s, n);
        if (st != MS_OK) return st;
        if (lx->ntok == 0) continue;
        if (lx->vars && isLet(&lx->tok[0])) {
            if ((st = lexLet(lx)) != MS_OK) return st;
            continue;
        }
        if (lx->vars && memchr(lx->tok[0].s, '$', (size_t)(lx->tok[lx->ntok - 1].s + lx->tok[lx->ntok - 1].n -
                                                          lx->tok[0].s)) &&
            (st = lexExpand(lx, s)) != MS_OK)
            return st;
        if (lx->ntok == 0) continue;
        const lexToken *last = &lx->tok[lx->ntok - 1];
        lx->stmt = lx->tok[0].s;
        lx->stmtn = (size_t)(last->s + last->n - lx->tok[0].s);
        *got = 1;
        return MS_OK;
    }
    return MS_OK;
}
