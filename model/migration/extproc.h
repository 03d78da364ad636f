/*
** A migrator that is a process speaking JSON Lines (`--migrator
** exec:COMMAND`): extproc.c's essay gives the protocol's rules, and
** docs/migrators.md ("JSON protocol") every message with a transcript.
**
** The migrator is opened with env->options = COMMAND, run as
** `/bin/sh -c COMMAND` in the current directory; one process serves the
** whole run.  Its protocol errors (malformed JSON, an unknown type, a wrong
** id, an early exit, output out of turn, no answer within
** env->reply_timeout_ms of wall-clock time) stop the run: next() returns -1
** with one line naming the command, the last request and the tail of the
** process's standard error.
*/
#ifndef MIGSIM_EXTPROC_H
#define MIGSIM_EXTPROC_H

#include "migration/migrator.h"

/* The longest line either side may write, newline excluded. */
#define EXTPROC_MAX_LINE 65536

/* The default wall-clock limit on one answer of the process, in milliseconds. */
#define EXTPROC_DEFAULT_TIMEOUT_MS 10000

/* The process migrator ("exec"). */
const migrator *extprocMigrator(void);

/*
** Begin the conversation with an opened process migrator now: the init
** handshake (init, answered init_ok), so that a command that cannot start
** or does not speak the protocol is reported when the run is set up, before
** any output.  0, or -1 with the one-line reason in why.  next() does it
** itself when it has not been done.
*/
int extprocStart(void *self, char *why, size_t whysz);

#endif
