/*
** Status codes.  Every fallible function in migsim returns an msStatus and,
** where a caller needs words, writes one line of explanation into a buffer the
** caller owns.  The CLI maps statuses to exit codes: MS_FAIL (something failed
** at simulated run time: an expectation, or a step such as `cancel` with no
** run active) is exit 1; every other error is bad input or an environment
** problem, exit 2.
*/
#ifndef MIGSIM_STATUS_H
#define MIGSIM_STATUS_H

typedef enum msStatus {
    MS_OK = 0,
    MS_FAIL,     /* a step or expectation failed at run time (exit 1) */
    MS_INPUT,    /* bad input: scenario, option, value (exit 2) */
    MS_RANGE,    /* a number or duration out of range (exit 2) */
    MS_IO,       /* a file could not be read or written (exit 2) */
    MS_NOMEM     /* allocation failed (exit 2) */
} msStatus;

/* The process exit status the CLI uses for st. */
int msExitCode(msStatus st);

/* A short constant name for st ("ok", "failed", ...), for messages. */
const char *msStatusName(msStatus st);

#endif
