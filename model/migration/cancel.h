/*
** The three forms of cancelling a migration run: now, once N mailboxes of
** the run have finished (before the next logon), or at the first batch
** boundary at or after N items copied (docs/semantics.md, "The wizard").
*/
#ifndef MIGSIM_CANCEL_H
#define MIGSIM_CANCEL_H

typedef enum cancelWhen { CANCEL_NOW, CANCEL_MAILBOXES, CANCEL_ITEMS } cancelWhen;

#endif
