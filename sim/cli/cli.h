/*
** The `migsim` command line: `run`, `check`, `--help`, `--version`.  The
** whole command is a function of its arguments and two streams, so tests
** drive it in process and compare what it prints.  Exit statuses: 0 every
** expectation held, 1 an expectation or step failed at run time, 2 bad input
** or usage, or a failed write to any output, out and err included (for
** `check`, 2 wins over 1).  Every error is one line on err.
*/
#ifndef MIGSIM_CLI_H
#define MIGSIM_CLI_H

#include <stdio.h>
#include "run/sim.h"

/* Run the command argv[0..argc) (argv[0] is the program name); return the exit status. */
int cliMain(int argc, char **argv, FILE *out, FILE *err);

/*
** Parse the scenario file into sc as `run` does; on failure print its one
** line on err (`FILE:LINE:COL: error: ...`, or `migsim: error: out of memory
** (parsing FILE)`) and return 2, else return 0 (then scnFree(sc) is the
** caller's).
*/
struct scenario;
int cliParse(const char *file, struct scenario *sc, FILE *err);

/* cliParse with settings from outside (--set NAME=VALUE: scnParseWith). */
int cliParseWith(const char *file, const scnSetting *set, size_t nset, struct scenario *sc, FILE *err);

/*
** The value of option name at argv[*i], for every command's argument loop:
** "--name=value", or "--name value" (then *i moves to the value; "" when
** argv ends there).  NULL when argv[*i] is not that option.
*/
const char *cliOptionValue(int argc, char **argv, int *i, const char *name);

/* 1 when arg is option name, alone or as "name=value". */
int cliIsOption(const char *arg, const char *name);

/* The decimal number in s's first n bytes, at most max, into *out: 0, or -1 when it is not one. */
int cliParseNumber(const char *s, size_t n, uint64_t max, uint64_t *out);

/*
** SECONDS, as every command's --migrator-timeout takes them: a positive
** decimal with at most 3 decimals, up to a day, into *ms; 0, or -1.
*/
int cliParseSeconds(const char *s, int64_t *ms);

/*
** A usage error of command cmd (NULL: migsim itself): the line
** "migsim: error: " fmt (with arg) " (see 'migsim CMD --help')" on err;
** returns the exit status, 2.
*/
int cliUsageError(FILE *err, const char *cmd, const char *fmt, const char *arg);

/*
** `migsim check PATH...`: each PATH a scenario file or a directory searched
** recursively for *.scn in sorted order.  Each file runs once, however many
** paths (symbolic links) reach it.  One line per scenario on out, then
** "check: N passed, M failed".  A scenario with no expectation is an EMPTY
** line, counted as failed unless allowEmpty.  Returns the exit status.
*/
int checkPaths(char **paths, int npaths, int allowEmpty, FILE *out, FILE *err);

/* checkPathsWith's flags. */
#define CHECK_ALLOW_EMPTY 1      /* a scenario with no expectation passes */
#define CHECK_ALLOW_EXTERNAL 2   /* a scenario may name an exec: or plugin: migrator (it runs code) */

/*
** checkPaths with flags (CHECK_*) and every scenario run under base's
** migrator and its timeout (the other options are ignored).  A scenario that
** names an exec: or plugin: migrator itself is an ERROR line unless
** CHECK_ALLOW_EXTERNAL or base names the migrator: checking a tree of
** scenarios must not run code that one of them names.
*/
int checkPathsWith(char **paths, int npaths, int flags, const simOptions *base, FILE *out, FILE *err);

/* The CI outputs of a check (planned outputs, atomicfile.h; NULL: none). */
struct outTarget;
typedef struct checkOutputs {
    const struct outTarget *junit;   /* --junit FILE: JUnit XML */
    const struct outTarget *json;    /* --json=FILE: the JSON document */
    int json_stdout;                 /* --json: the JSON document on out, in place of the lines */
} checkOutputs;

/*
** checkPathsWith, then the CI outputs o asks for, written after the last
** scenario from every scenario's case (out/checkreport.h).  A failed write
** is exit status 2.
*/
int checkPathsTo(char **paths, int npaths, int flags, const simOptions *base, const checkOutputs *o, FILE *out,
                 FILE *err);

/*
** checkPathsTo with settings (--set NAME=VALUE) applied to every scenario;
** a scenario that does not `let` a name set is an ERROR line.
*/
int checkPathsSet(char **paths, int npaths, int flags, const simOptions *base, const scnSetting *set, size_t nset,
                  const checkOutputs *o, FILE *out, FILE *err);

/* `migsim sweep`: see docs/sweeps.md; returns the exit status. */
int sweepMain(int argc, char **argv, FILE *out, FILE *err);

/* `migsim merge OUT.sqlite SHARD.sqlite...`: see docs/sweeps.md; returns the exit status. */
int mergeMain(int argc, char **argv, FILE *out, FILE *err);

/* The help texts of sweep and merge. */
extern const char sweepUsage[], mergeUsage[];

/*
** `migsim diff A B`: compare two runs, each a scenario (run with the seeds
** asked for) or a results database (out/rundiff.h).  Prints the outcomes
** side by side and the first divergence of the traces; returns 0 when the
** runs are the same, 1 when they differ, 2 on error (one line on err).
*/
int cliDiff(int argc, char **argv, FILE *out, FILE *err);

/*
** `migsim lab ARGS`: the interactive lab (sim/cli/lab.c), reading its
** commands from in (libedit when in and out are terminals, plain lines
** otherwise).  Returns the exit status.
*/
int cliLab(int argc, char **argv, FILE *in, FILE *out, FILE *err);

/* `migsim lab --help`'s text. */
const char *cliLabUsage(void);

/*
** `migsim explore [--migrator SPEC] [--runs N] [--seed S] [--invariant NAME]...
** [--out DIR] [--jobs N]` (sim/cli/explore.c): argv as cliMain's, argv[1] "explore".
** Returns the exit status.  exploreUsage is its --help text.
*/
int cmdExplore(int argc, char **argv, FILE *out, FILE *err);
extern const char exploreUsage[];

#endif
