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
    lx->tok = NULL;
    lx->ntok = lx->cap = 0;
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
        if (n > 0 && s[n - 1] == '\r') n--;
        if (n > LEX_MAX_LINE)
            return lexError(lx, LEX_MAX_LINE + 1, "line too long (at most 65536 bytes)");
        msStatus st = lexSplit(lx, s, n);
        if (st != MS_OK) return st;
        if (lx->ntok == 0) continue;
        const lexToken *last = &lx->tok[lx->ntok - 1];
        lx->stmt = lx->tok[0].s;
        lx->stmtn = (size_t)(last->s + last->n - lx->tok[0].s);
        *got = 1;
        return MS_OK;
    }
    return MS_OK;
}
