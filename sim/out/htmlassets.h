/*
** The fixed parts of the timeline page (out/html.h): its style sheet and
** its two scripts, as C strings, so the page is one self-contained file
** that needs no network and no file beside it.
*/
#ifndef MIGSIM_HTMLASSETS_H
#define MIGSIM_HTMLASSETS_H

/* The style sheet (the body of the page's <style>). */
extern const char htmlAssetCss[];

/*
** The first script, in <head>: records every script error into the body's
** data-errors attribute (the count) and data-error (the last message), so
** a test reading the DOM sees any error.
*/
extern const char htmlAssetErrors[];

/*
** The last script, at the end of <body>: the hover details (any element
** with data-d shows that text in the #tip box), the user picker (#user:
** elements whose data-user is the user, or whose data-users lists it one
** per line, get class hl, the rest dim; a page
** address ending #user=NAME picks NAME on load), then data-ready="1" on the
** body.
*/
extern const char htmlAssetScript[];

#endif
