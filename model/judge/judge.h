/*
** The outcome judge: an outside auditor of a run.  It reads the directory
** (on one DC of a converged directory), the mailbox stores and the source
** organization, and decides each source user's outcome and counters
** (docs/semantics.md, "Outcomes").  judge.c's essay gives the rules.
*/
#ifndef MIGSIM_JUDGE_H
#define MIGSIM_JUDGE_H

#include <stdint.h>
#include "exchange/exchange.h"
#include "judge/outcome.h"

/*
** The outcome of source user `user` as DC dc sees it, with its counters
** and a one-line detail, into *out; an unknown user is OUT_ABSENT.  Returns
** MS_OK or the store's error while counting items.
*/
msStatus judgeUser(exchange *x, int dc, uint32_t user, userVerdict *out);

/* Delivered items (not copies of source items) in mailboxes no live account
** on dc owns, over every store; 0 when the stores cannot be listed. */
int64_t judgeStranded(exchange *x, int dc);

#endif
