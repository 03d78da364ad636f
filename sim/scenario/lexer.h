/*
** The scenario lexer: turns scenario text into lines of words.
**
** The language is line-oriented, so the lexer hands the parser one line at a
** time.  A line ends at LF; a CR just before the LF (or at the very end of
** the input) is dropped, so CRLF files read like LF files.  Within a line,
** words are separated by blanks (space or tab) and `#` starts a comment that
** runs to the end of the line, wherever it appears (also inside a word).
** A word is a run of printable ASCII bytes (0x21..0x7E) other than `#`; a
** word holding `=` is an option `key=value`, split at its first `=`.
**
** Every other byte is an error at its own column: NUL, control characters
** (anything below 0x20 but tab, and DEL) anywhere, and non-ASCII bytes
** (0x80..0xFF) outside comments.  Comments may hold non-ASCII text (UTF-8
** remarks), but no NUL or control character.
**
** Invariants: the lexer never reads past text + len, needs no NUL
** terminator, and every token points into the caller's text (valid as long
** as the text is).  Lines and columns are 1-based; columns count bytes.
** Lines holding no word (blank, or only a comment) are skipped.  A line may
** hold at most LEX_MAX_LINE bytes, which keeps every column an int.
**
** Variables (vars.h).  With a table installed (lexSetVars), a line whose
** first word is `let` defines a variable and is not handed on, and a line
** holding `$` is expanded before it is split: the tokens and lx->stmt then
** point into the lexer's own buffer, valid until the next line, and their
** columns count in the expanded line; lexColumn turns such a column back
** into one of the line as written (a byte that came from a variable maps
** to its `$`), so every error still points into the file.
*/
#ifndef MIGSIM_LEXER_H
#define MIGSIM_LEXER_H

#include <stddef.h>
#include "kernel/status.h"
#include "scenario/vars.h"

#define LEX_MAX_LINE 65536

typedef struct lexToken {
    const char *s;          /* the word, pointing into the text */
    size_t n;               /* its length in bytes (> 0) */
    int col;                /* 1-based byte column of its first byte */
    size_t eq;              /* offset of its first '=', or n when it is a plain word */
} lexToken;

typedef struct lexer {
    const char *text;
    size_t len, pos;        /* pos: start of the next line */
    int line;               /* number of the line last read (1-based) */
    const char *stmt;       /* the line's words: first word to last, comment and outer blanks removed */
    size_t stmtn;
    lexToken *tok;          /* the line's words, in order */
    size_t ntok, cap;
    scnVars *vars;          /* NULL: `let` and `$` are ordinary text */
    char *xbuf;             /* the expanded line, when it held a `$` */
    int *xmap;              /* for each byte of xbuf: its column in the line as written */
    size_t xn, xcap;
    int expanded;           /* the current line was expanded */
    int xend;               /* column just after the last word as written */
    int errcol;             /* on error: the offending column, and why */
    char err[128];
} lexer;

/* Start lexing len bytes at text (text may be NULL when len is 0). */
void lexInit(lexer *lx, const char *text, size_t len);

/*
** Read the next line that holds at least one word.  On MS_OK *got is 1 and
** lx->tok, lx->ntok, lx->stmt and lx->line describe it, or *got is 0 at the
** end of the input.  On MS_INPUT lx->line, lx->errcol and lx->err name the
** bad byte; on MS_NOMEM the token array could not grow.
*/
msStatus lexNextLine(lexer *lx, int *got);

/* Expand variables from the table vs (which must outlive the lexer) from now on. */
void lexSetVars(lexer *lx, scnVars *vs);

/* The column of the current line as written for column col of its words (see above). */
int lexColumn(const lexer *lx, int col);

/* Release the token array and buffers (the lexer may not be used again). */
void lexFree(lexer *lx);

/* 1 when t is an option `key=value`. */
int lexIsOption(const lexToken *t);

#endif
