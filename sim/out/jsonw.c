/*
** JSON strings as every JSON output writes them (jsonw.h).
*/
#include <stdint.h>
#include "out/jsonw.h"

int jsonUtf8Decode(const unsigned char *p, uint32_t *cp) {
    int n;
    uint32_t c, min;
    if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        n = 2, c = p[0] & 0x1fu, min = 0x80;
    } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
        n = 3, c = p[0] & 0x0fu, min = 0x800;
    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        n = 4, c = p[0] & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    for (int i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) return 0;   /* also stops at the terminating NUL */
        c = c << 6 | (p[i] & 0x3fu);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return 0;
    *cp = c;
    return n;
}

/*
** s as a JSON string of ASCII only: control characters and every non-ASCII
** character escaped as \uXXXX (a surrogate pair above U+FFFF), so a file
** name in UTF-8 reads back as itself; a byte that is not part of well-formed
** UTF-8 becomes U+FFFD, the replacement character.
*/
void jsonString(FILE *f, const char *s) {
    fputc('"', f);
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        uint32_t cp;
        int n;
        switch (*p) {
        case '"': fputs("\\\"", f); p++; continue;
        case '\\': fputs("\\\\", f); p++; continue;
        case '\n': fputs("\\n", f); p++; continue;
        case '\r': fputs("\\r", f); p++; continue;
        case '\t': fputs("\\t", f); p++; continue;
        default: break;
        }
        if (*p >= 0x20 && *p < 0x7f) {
            fputc(*p++, f);
        } else if (*p < 0x80) {
            fprintf(f, "\\u%04x", (unsigned)*p++);
        } else if ((n = jsonUtf8Decode(p, &cp)) == 0) {
            fputs("\\ufffd", f);
            p++;
        } else {
            if (cp >= 0x10000)
                fprintf(f, "\\u%04x\\u%04x", (unsigned)(0xd800 + ((cp - 0x10000) >> 10)),
                        (unsigned)(0xdc00 + ((cp - 0x10000) & 0x3ff)));
            else
                fprintf(f, "\\u%04x", (unsigned)cp);
            p += n;
        }
    }
    fputc('"', f);
}

