/*
** The scenario generator of `migsim explore`: a random KB 842101 story
** within documented bounds, drawn from a seed, written out as scenario text.
**
** A generated scenario is a plain value (genScn: no pointers, so it copies
** by assignment, which the shrinker relies on) that genRender writes as
** .scn text; that text is parsed and run like any file, so every world the
** explorer finds can be read, rerun and edited by a person.  The bounds
** (docs/exploring.md): 1 to 3 sites joined in a chain of site links, 2 to
** 10 DCs (each site has at least one), AD 2000 or 2003, 1 to 20 users, one
** server, the wizard and the admin on any DC; a script of migration runs,
** cancels, deliveries, logons, DC and site-link failures, syncs and waits,
** with the cleanups, waits and reruns of the migrator's procedure
** (genProcedure), ending with every failure restored; genRender then
** adds the end every story has, `wait done`, `wait converged` and the
** invariants' expectations.
**
** Determinism: the same seed and procedure give the same scenario, byte for
** byte.  The world, the script and the procedure draw from three streams of
** their own (kernel/prng.h: RNG_GEN_WORLD, RNG_GEN_SCRIPT, RNG_GEN_PROC), so
** for one seed every procedure sees the same topology, users and
** disturbances and only its own cleanups and waits differ.
*/
#ifndef MIGSIM_GEN_H
#define MIGSIM_GEN_H

#include <stddef.h>
#include <stdint.h>
#include "kernel/clock.h"
#include "kernel/status.h"

#define GEN_MAX_SITES 3
#define GEN_MIN_DCS 2
#define GEN_MAX_DCS 10
#define GEN_MAX_USERS 20
#define GEN_MAX_STEPS 64
#define GEN_TEXT_MAX 16384   /* a rendered scenario always fits (genRender checks) */

typedef enum genStepKind {
    GS_MIGRATE,          /* migrate USERS [dc=DC] */
    GS_CANCEL_MAILBOXES, /* cancel when mailboxes=N */
    GS_CANCEL_ITEMS,     /* cancel when items=N */
    GS_WAIT,             /* wait DUR */
    GS_WAIT_DONE,        /* wait done */
    GS_WAIT_CONVERGED,   /* wait converged */
    GS_DELIVER,          /* deliver USERS count=N */
    GS_LOGON,            /* logon USERS */
    GS_CLEANUP,          /* cleanup [USERS] */
    GS_SYNC,             /* sync */
    GS_FAIL_DC,          /* fail dc DC */
    GS_RESTORE_DC,       /* restore dc DC */
    GS_FAIL_LINK,        /* fail link S S+1 */
    GS_RESTORE_LINK      /* restore link S S+1 */
} genStepKind;

typedef struct genStep {
    genStepKind kind;
    uint32_t users;      /* bit u-1 for user u; every user's bit: written `all` */
    int dc;              /* migrate dc= (-1: the wizard's), fail and restore dc */
    int link;            /* fail and restore link: the link between sites link and link+1 */
    int64_t n;           /* cancel's N, deliver's count */
    simtime dur;         /* wait */
    int pinned;          /* the story's last run over every user: the shrinker never removes it */
} genStep;

/* The migrator's procedure after a cancelled run (docs/exploring.md). */
typedef enum genProcedure {
    PROC_KB,             /* KB 842101: cleanup, wait for replication, rerun (wizard2003, refuse-initialized) */
    PROC_SELF_WAIT,      /* cleanup, rerun: the migrator waits itself (wait-then-rerun) */
    PROC_RESUME          /* rerun: the migrator's journal continues (resume) */
} genProcedure;

typedef struct genScn {
    uint64_t seed;
    int ad;                          /* 2000 or 2003 */
    int nsites;
    int link_interval_m[GEN_MAX_SITES];   /* link i joins site i and i+1: its interval in minutes */
    int ndcs;
    int dc_site[GEN_MAX_DCS];
    int server_dc, wizard_dc, admin_dc;
    int latency_ms, jitter_pct;      /* latency_ms < 0: no `latency` line */
    int nusers;
    int items_lo, items_hi, folders, rules;
    int rate;                        /* items per second */
    char migrator[64];               /* the wizard line's migrator= ("": none) */
    int nsteps;
    genStep steps[GEN_MAX_STEPS];
    unsigned invariants;             /* bit i: append checker i's expectations (run/checker.h) */
} genScn;

/*
** Draw the scenario of seed (0 to 2^63-1) for procedure proc into *g.
** spec (a migrator SPEC, may be NULL), when it names a built-in, is
** written on the wizard line as migrator=NAME; invariants is the checkers' bit mask whose expectations
** end the script.  Never fails: every draw is within the bounds above.
*/
void genGenerate(uint64_t seed, genProcedure proc, const char *spec, unsigned invariants, genScn *g);

/*
** Write g as scenario text into buf (size bufsz, GEN_TEXT_MAX suffices)
** with a NUL at the end; *len receives its length.  A header comment names
** the seed and what wrote it (comment, may be NULL).  MS_RANGE when it does
** not fit; MS_INPUT when g is outside the bounds (a shrinker's bug).
*/
msStatus genRender(const genScn *g, const char *comment, char *buf, size_t bufsz, size_t *len);

/* The procedure of a built-in migrator's name (wizard2003, ...); PROC_KB for any other. */
genProcedure genProcedureOf(const char *name);

/* The bit mask of every user of g. */
uint32_t genAllUsers(const genScn *g);

#endif
