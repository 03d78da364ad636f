/*
** `migsim lab FILE.scn`: the terminal side of the lab (run/lab.h owns the
** session).  It reads one command a line, carries it out on the session and
** prints what happened: the narrative lines a move produced (through the
** same printer as `run`, so --user, --actor and --brief apply), the state
** views, a `why` chain, or one error line, after which the lab goes on.
**
** On a terminal (input and output both) the lines come from libedit, with a
** prompt naming the virtual time and the next scenario line, line editing and
** a history of commands; this file is the only one that knows libedit.  From
** a pipe or a file the lines are read plainly and no prompt is printed: a
** line "-- t=..., next: line N ..." after each move says where the session
** stands instead, so a script's transcript reads on its own.
**
** Exit status: 0 after `quit` or the end of the input, whatever the commands
** did (a refused command is one line on err and the lab goes on); 2 when the
** scenario cannot be read or parsed, as `run`, or on an internal error.
*/
#include <errno.h>
#include <histedit.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kernel/atomicfile.h"
#include "cli/cli.h"
#include "cli/setopt.h"
#include "out/narrative.h"
#include "out/view.h"
#include "run/lab.h"
#include "run/state.h"

#define LAB_MAX_NAMES 64

typedef struct labCli {
    labSession ls;
    narrativeOptions nopt;
    size_t printed;            /* narrative lines printed since the command began */
    FILE *out, *err;
    int tty;
    char prompt[256];
    char *user_copy, *actor_copy;
    const char *users[LAB_MAX_NAMES], *actors[LAB_MAX_NAMES];
    setArgs set;               /* --set NAME=VALUE... */
    const char *cmd;           /* the command being carried out, for the out-of-memory line */
} labCli;

static const char labHelp[] =
    "commands (a move can be undone with back):\n"
    "  step [N]          do the next event or step (N of them), print what it narrated\n"
    "  next              run until the next scenario line has executed\n"
    "  until T           run until virtual time T (2m30s or 00:02:30), after what is due at T\n"
    "  show VIEW[,VIEW]  the state now: dc:NAME, server:NAME, user:NAME\n"
    "  why USER          the trace records that decided USER's outcome, and the verdict now\n"
    "  back [N]          undo the last N moves (default 1)\n"
    "  goto T|LINE       travel to time T, or to just before scenario line LINE (replayed from 0)\n"
    "  do STEP           execute a scenario step now (do deliver user5 count=2, do cleanup)\n"
    "  save FILE.scn     write the scenario as played; migsim run FILE.scn replays it\n"
    "  help              this list\n"
    "  quit              leave the lab (so does the end of the input)\n";

static const char usageLab[] =
    "usage: migsim lab FILE.scn [--seed N] [--migrator SPEC] [--migrator-timeout SECONDS]\n"
    "                [--user U[,U...]] [--actor A[,A...]] [--brief] [--set NAME=VALUE]...\n"
    "\n"
    "An interactive lab over one run of the scenario, starting at time 0: step through it an\n"
    "event or a scenario line at a time, look at the state, ask why a user ended as they did,\n"
    "go back or travel to a time or a line, execute steps of your own, save what you played.\n"
    "On a terminal it has line editing and a history; from a pipe it reads one command a line\n"
    "and prints no prompt.  --user, --actor and --brief filter and shorten the narrative as\n"
    "for `run`.  --set NAME=VALUE gives a scenario variable its value, as for `run` (`save`\n"
    "writes the scenario's text, its `let` lines as written).  Type `help` in the lab for its commands (docs/lab.md).\n"
    "\n"
    "exit status: 0 after quit or the end of the input, 2 when the scenario cannot be read\n"
    "or parsed, a bad option, or an internal error.\n";

const char *cliLabUsage(void) {
    return usageLab;
}

/* The narrator of live moves: `run`'s printer, counting what it printed. */
static void labPrint(void *ctx, const traceRecord *r) {
    labCli *c = ctx;
    if (!narrativeWants(&c->nopt, r)) return;
    c->printed++;
    narrativePrint(&c->nopt, r);
}

static int labError(labCli *c, const char *msg) {
    fflush(c->out);
    fprintf(c->err, "lab: error: %s\n", msg);
    fflush(c->err);
    return 0;
}

/*
** Out of memory in a command: the one line every migsim command prints for
** it (`migsim: error: out of memory (WHERE)`), and the lab ends with exit 2.
*/
static int labNoMem(labCli *c) {
    fflush(c->out);
    fprintf(c->err, "migsim: error: out of memory (lab: %s)\n", c->cmd ? c->cmd : "reading a command");
    return 2;
}

/* t as the prompt shows it: HH:MM:SS, with milliseconds only when there are some, days in front. */
static char *shortTime(simtime t, char *buf, size_t sz) {
    long long ms = t % 1000, s = t / 1000, d = s / 86400;
    s %= 86400;
    int n = d ? snprintf(buf, sz, "%lldd", d) : 0;
    n += snprintf(buf + n, sz - (size_t)n, "%02lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
    if (ms) snprintf(buf + n, sz - (size_t)n, ".%03lld", ms);
    return buf;
}

/* Where the session stands, in a few words: "t=00:02:15 next: line 17 deliver user3 count=3". */
static void position(labCli *c, char *buf, size_t sz) {
    char t[64];
    int waiting;
    sim *s = labSim(&c->ls);
    const stmt *st = labNextStmt(&c->ls, &waiting);
    shortTime(s ? s->k.now : 0, t, sizeof t);
    if (st)
        snprintf(buf, sz, "t=%s %s: line %d %.60s", t, waiting ? "waiting" : "next", st->pos.line, st->text);
    else
        snprintf(buf, sz, "t=%s %s", t, labDone(&c->ls) ? "the run has ended" : "next: the end of the run");
}

static void printPosition(labCli *c) {
    char p[256];
    position(c, p, sizeof p);
    fprintf(c->out, "-- %s\n", p);
}

/*
** A moment: a duration from time 0 ("2m30s", durationParse) or a clock like
** the narrative's ("00:02:30", "+00:02:30.500", "1d00:00:00").
*/
static int parseMoment(const char *s, simtime *t) {
    size_t at;
    if (*s == '+') s++;
    if (!strchr(s, ':')) return *s && durationParse(s, strlen(s), t, &at) == MS_OK ? 0 : -1;
    long long d = 0, h, m, sec, ms = 0;
    int n = 0;
    const char *p = s, *dd = strchr(s, 'd');
    if (dd) {
        if (sscanf(p, "%lld%n", &d, &n) != 1 || p + n != dd) return -1;
        p = dd + 1;
    }
    if (sscanf(p, "%lld:%lld:%lld%n", &h, &m, &sec, &n) != 3) return -1;
    p += n;
    if (*p == '.') {
        int k = 0;
        for (p++; *p >= '0' && *p <= '9' && k < 3; p++, k++) ms = ms * 10 + (*p - '0');
        for (; k < 3; k++) ms *= 10;
    }
    if (*p || d < 0 || d > 3650 || h < 0 || m < 0 || m > 59 || sec < 0 || sec > 59 || h > 23 * (d > 0) + 87600)
        return -1;
    *t = ((d * 24 + h) * 60 + m) * 60 * 1000 + sec * 1000 + ms;
    return 0;
}

/* A count argument (default 1 when absent): 0 or -1 for a bad one. */
static long parseCount(const char *arg) {
    if (!*arg) return 1;
    char *end;
    errno = 0;
    long n = strtol(arg, &end, 10);
    return (*end || errno || n < 1 || n > 1000000) ? -1 : n;
}

/* After a move: what it narrated, or a word when it narrated nothing; the position from a pipe. */
static int moved(labCli *c, msStatus rc) {
    if (rc == MS_INPUT) return labError(c, c->ls.err);
    if (rc == MS_NOMEM) return labNoMem(c);
    if (rc != MS_OK) {
        labError(c, c->ls.err[0] ? c->ls.err : msStatusName(rc));
        return 2;
    }
    if (!c->tty) printPosition(c);
    return 0;
}

static int cmdStep(labCli *c, const char *arg) {
    long n = parseCount(arg);
    if (n < 0) return labError(c, "step takes a count from 1, like `step 5`");
    msStatus rc = MS_OK;
    labUnit u;
    /* step N is one move; it stops early, without complaint, when the run ends. */
    for (long i = 0; i < n && rc == MS_OK && (i == 0 || !labDone(&c->ls)); i++) {
        size_t before = c->printed;
        rc = labStep(&c->ls, &u, i > 0);
        if (rc == MS_OK && c->printed == before) {
            char t[64];
            fprintf(c->out, "   (t=%s: %s%s; nothing narrated)\n", shortTime(u.at, t, sizeof t),
                    u.was_step ? "step " : "", u.what);
        }
    }
    return moved(c, rc);
}

static int cmdShow(labCli *c, const char *arg) {
    if (!*arg) return labError(c, "show needs VIEW[,VIEW...]: dc:NAME, server:NAME or user:NAME");
    sim *s = labSim(&c->ls);
    if (!s) return labError(c, "the session has no run");
    stateRequest *req = NULL;
    size_t n = 0;
    char why[512];
    msStatus rc = stateParseViews(&c->ls.sc, arg, &req, &n, why, sizeof why);
    if (rc == MS_OK) {
        simState st;
        memset(&st, 0, sizeof st);
        rc = stateCollect(s, req, n, s->k.now, &st);
        if (rc == MS_OK) {
            char t[64];
            fprintf(c->out, "state at t=%s%s:\n", shortTime(s->k.now, t, sizeof t),
                    s->done ? " (the run has ended)" : "");
            viewPrintViews(&st, c->out);
        }
        stateFree(&st);
        free(req);
        return rc == MS_OK ? 0 : labNoMem(c);
    }
    free(req);
    if (rc == MS_NOMEM) return labNoMem(c);
    /* stateParseViews names the option of `run`; here the command is `show`. */
    return labError(c, strncmp(why, "--show", 6) == 0 ? why + 2 : why);
}

static int cmdWhy(labCli *c, const char *arg) {
    if (!*arg || strchr(arg, ' ')) return labError(c, "why needs one user name, like `why user3`");
    labWhy w;
    msStatus rc = labWhyUser(&c->ls, arg, &w);
    if (rc == MS_INPUT) {
        labWhyFree(&w);
        return labError(c, c->ls.err);
    }
    if (rc != MS_OK) {
        labWhyFree(&w);
        return labNoMem(c);
    }
    char t[64], line[1024];
    sim *s = labSim(&c->ls);
    fprintf(c->out, "why %s at t=%s: %s", arg, shortTime(s->k.now, t, sizeof t), outcomeName(w.verdict.out));
    for (int k = 0; w.verdict.counted && k < CTR__COUNT; k++)
        fprintf(c->out, " %s=%lld", counterName(k), (long long)w.verdict.counters[k]);
    if (w.judged_dc >= 0 && w.converged)
        fprintf(c->out, " (judged on %s)\n", c->ls.sc.v[c->ls.sc.dcs[w.judged_dc]].u.dc.name.name);
    else if (w.judged_dc >= 0)
        fprintf(c->out, " as %s reads it now; the directory has not converged, so it may still change\n",
                c->ls.sc.v[c->ls.sc.dcs[w.judged_dc]].u.dc.name.name);
    else
        fprintf(c->out, " (no DC is up to read it on)\n");
    if (w.n == 0) fprintf(c->out, "  no record has touched %s's account or mailbox yet\n", arg);
    for (size_t i = 0; i < w.n; i++) {
        const traceRecord *r = w.items[i].r;
        char tk[CLOCK_BUFSZ], run[16] = "";
        narrativeText(&c->nopt, r, line, sizeof line);
        if (r->run) snprintf(run, sizeof run, "run %d", r->run);
        fprintf(c->out, "  %-11s %-6s %s  %-20s %s\n", w.items[i].role, run, clockFormat(r->at, tk),
                traceKindName(r->kind), line);
    }
    labWhyFree(&w);
    return 0;
}

static int cmdGoto(labCli *c, const char *arg) {
    simtime t;
    if (!*arg) return labError(c, "goto needs a time (2m30s, 00:02:30) or a scenario line number");
    if (strspn(arg, "0123456789") == strlen(arg)) {
        long line = strlen(arg) < 9 ? atol(arg) : 0;
        if (line < 1) return labError(c, "goto: no such line");
        int rc = moved(c, labGotoLine(&c->ls, (int)line));
        if (c->tty && !rc && labDone(&c->ls)) fprintf(c->out, "the run ended before line %ld\n", line);
        return rc;
    }
    if (parseMoment(arg, &t) != 0)
        return labError(c, "goto needs a time like 2m30s or 00:02:30, or a line number");
    return moved(c, labGotoTime(&c->ls, t));
}

static int cmdDo(labCli *c, const char *arg) {
    if (!*arg) return labError(c, "do needs a step, like `do deliver user5 count=2` or `do cleanup`");
    int line;
    msStatus rc = labDo(&c->ls, arg, &line);
    if (rc == MS_OK) fprintf(c->out, "   (line %d of the played scenario)\n", line);
    return moved(c, rc);
}

static int cmdSave(labCli *c, const char *arg) {
    if (!*arg) return labError(c, "save needs a file name, like `save mine.scn`");
    char *text, why[PATH_MAX + 256];
    msStatus rc = labSavedText(&c->ls, &text);
    if (rc != MS_OK) return labNoMem(c);
    outTarget t;
    memset(&t, 0, sizeof t);
    atomicFile af;
    rc = outTargetPrepare(&t, "save", arg, 1, c->out, c->err, why, sizeof why);
    if (rc == MS_OK) rc = atomicOpen(&af, &t, 1, why, sizeof why);
    if (rc == MS_OK) {
        if (fputs(text, af.f) == EOF) {
            snprintf(why, sizeof why, "%s: cannot write", arg);
            atomicAbort(&af);
            rc = MS_IO;
        } else {
            rc = atomicCommit(&af, why, sizeof why);
        }
    }
    outTargetFree(&t);
    free(text);
    if (rc == MS_NOMEM) return labNoMem(c);
    if (rc != MS_OK) return labError(c, why);
    fprintf(c->out, "saved %s (migsim run %s replays it)\n", arg, arg);
    return 0;
}

/* Split "word rest" in place: *arg points at the rest, trimmed. */
static char *splitCommand(char *line, char **arg) {
    char *p = line + strspn(line, " \t");
    char *end = p + strlen(p);
    while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r')) *--end = '\0';
    char *sp = p + strcspn(p, " \t");
    *arg = sp;
    if (*sp) {
        *sp = '\0';
        *arg = sp + 1 + strspn(sp + 1, " \t");
    }
    return p;
}

/* Carry out the command cmd with its argument arg: 0 go on, 1 quit, 2 stop on an internal error. */
static int commandRun(labCli *c, const char *cmd, const char *arg) {
    if (!*cmd || *cmd == '#') return 0;
    if (!strcmp(cmd, "quit") || !strcmp(cmd, "exit")) return 1;
    if (!strcmp(cmd, "help") || !strcmp(cmd, "?")) return fputs(labHelp, c->out), 0;
    if (!strcmp(cmd, "step")) return cmdStep(c, arg);
    if (!strcmp(cmd, "show")) return cmdShow(c, arg);
    if (!strcmp(cmd, "why")) return cmdWhy(c, arg);
    if (!strcmp(cmd, "goto")) return cmdGoto(c, arg);
    if (!strcmp(cmd, "do")) return cmdDo(c, arg);
    if (!strcmp(cmd, "save")) return cmdSave(c, arg);
    if (!strcmp(cmd, "next")) {
        if (*arg) return labError(c, "next takes no argument");
        return moved(c, labNext(&c->ls));
    }
    if (!strcmp(cmd, "until")) {
        simtime t;
        if (parseMoment(arg, &t) != 0) return labError(c, "until needs a time like 2m30s or 00:02:30");
        return moved(c, labUntil(&c->ls, t));
    }
    if (!strcmp(cmd, "back")) {
        long n = parseCount(arg);
        if (n < 0) return labError(c, "back takes a count from 1, like `back 2`");
        return moved(c, labBack(&c->ls, (size_t)n));
    }
    char msg[128];
    snprintf(msg, sizeof msg, "unknown command '%.40s' (help lists them)", cmd);
    return labError(c, msg);
}

/* Carry out one command line: 0 go on, 1 quit, 2 stop on an internal error. */
static int command(labCli *c, char *line) {
    char *arg, *cmd = splitCommand(line, &arg);
    c->printed = 0;
    c->cmd = cmd;   /* lives in line: cleared before line goes */
    int rc = commandRun(c, cmd, arg);
    c->cmd = NULL;
    return rc;
}

/* ---- the terminal ---- */

static char *labPrompt(EditLine *el) {
    labCli *c;
    char p[200];
    el_get(el, EL_CLIENTDATA, &c);
    position(c, p, sizeof p);
    snprintf(c->prompt, sizeof c->prompt, "[%s] lab> ", p);
    return c->prompt;
}

/* Commands from libedit, with a history, until quit or end of input. */
static int loopTerminal(labCli *c, FILE *in) {
    EditLine *el = el_init("migsim", in, c->out, c->err);
    History *h = history_init();
    if (!el || !h) {
        if (el) el_end(el);
        if (h) history_end(h);
        return labError(c, "cannot start line editing"), 2;
    }
    HistEvent ev;
    history(h, &ev, H_SETSIZE, 1000);
    el_set(el, EL_CLIENTDATA, c);
    el_set(el, EL_PROMPT, labPrompt);
    el_set(el, EL_EDITOR, "emacs");
    el_set(el, EL_HIST, history, h);
    el_set(el, EL_SIGNAL, 1);
    int rc = 0;
    for (;;) {
        int count;
        const char *l = el_gets(el, &count);
        if (!l || count <= 0) {
            fputc('\n', c->out);
            break;
        }
        char *copy = strdup(l);
        if (!copy) {
            rc = labNoMem(c);
            break;
        }
        if (strspn(copy, " \t\r\n") != strlen(copy)) history(h, &ev, H_ENTER, copy);
        rc = command(c, copy);
        free(copy);
        fflush(c->out);
        if (rc) break;
    }
    el_end(el);
    history_end(h);
    return rc == 2 ? 2 : 0;
}

/* Commands read plainly, one a line. */
static int loopPlain(labCli *c, FILE *in) {
    char *buf = NULL;
    size_t cap = 0;
    int rc = 0;
    while (getline(&buf, &cap, in) >= 0) {
        rc = command(c, buf);
        fflush(c->out);
        if (rc) break;
    }
    free(buf);
    return rc == 2 ? 2 : 0;
}

/* ---- options ---- */

static int splitList(const char *opt, const char *list, char **copy, const char **names, size_t *n, FILE *err) {
    if (*copy) return cliUsageError(err, "lab", "%s given twice", opt);
    if (!*list) return cliUsageError(err, "lab", "%s needs a name", opt);
    if (!(*copy = strdup(list))) return fprintf(err, "migsim: error: out of memory (reading %s)\n", opt), 2;
    for (char *p = *copy;;) {
        char *comma = strchr(p, ',');
        if (comma) *comma = '\0';
        if (!*p) return cliUsageError(err, "lab", "%s: an empty name in the list", opt);
        if (*n == LAB_MAX_NAMES) return cliUsageError(err, "lab", "%s: too many names", opt);
        names[(*n)++] = p;
        if (!comma) return 0;
        p = comma + 1;
    }
}

static int parseLabArgs(int argc, char **argv, labCli *c, const char **file, labOptions *o, FILE *err) {
    *file = NULL;
    for (int i = 2; i < argc; i++) {
        const char *v;
        if ((v = cliOptionValue(argc, argv, &i, "--seed"))) {
            char *end;
            errno = 0;
            unsigned long long s = strtoull(v, &end, 10);
            if (!*v || *end || errno || *v == '-' || s > (unsigned long long)INT64_MAX)
                return cliUsageError(err, "lab", "--seed needs a number from 0 to 9223372036854775807, not '%s'", v);
            if (o->has_seed) return cliUsageError(err, "lab", "--seed given twice%s", "");
            o->has_seed = 1;
            o->seed = s;
        } else if ((v = cliOptionValue(argc, argv, &i, "--migrator-timeout"))) {
            if (cliParseSeconds(v, &o->migrator_timeout_ms) != 0)
                return cliUsageError(err, "lab", "--migrator-timeout needs seconds, more than 0 and at most 86400, not '%s'", v);
        } else if ((v = cliOptionValue(argc, argv, &i, "--migrator"))) {
            if (!*v) return cliUsageError(err, "lab", "--migrator needs a SPEC%s", "");
            if (o->migrator) return cliUsageError(err, "lab", "--migrator given twice%s", "");
            o->migrator = v;
        } else if ((v = cliOptionValue(argc, argv, &i, "--user"))) {
            int rc = splitList("--user", v, &c->user_copy, c->users, &c->nopt.nusers, err);
            if (rc) return rc;
        } else if ((v = cliOptionValue(argc, argv, &i, "--actor"))) {
            int rc = splitList("--actor", v, &c->actor_copy, c->actors, &c->nopt.nactors, err);
            if (rc) return rc;
        } else if (!strcmp(argv[i], "--brief")) {
            c->nopt.brief = 1;
        } else if ((v = cliOptionValue(argc, argv, &i, "--set"))) {
            char why[256];
            if (setArgsAdd(&c->set, v, why, sizeof why) != 0) return cliUsageError(err, "lab", "%s", why);
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cliUsageError(err, "lab", "unknown option '%s'", argv[i]);
        } else if (*file) {
            return cliUsageError(err, "lab", "more than one scenario file ('%s')", argv[i]);
        } else {
            *file = argv[i];
        }
    }
    if (!*file) return cliUsageError(err, "lab", "no scenario file given%s", "");
    return 0;
}

/* The whole file at path into *text (*len bytes); 2 with one line on err when it cannot be read. */
static int readScenario(const char *path, char **text, size_t *len, FILE *err) {
    FILE *f = fopen(path, "rb");
    *text = NULL;
    *len = 0;
    if (!f) return fprintf(err, "%s: error: cannot open: %s\n", path, strerror(errno)), 2;
    size_t cap = 0;
    for (;;) {
        if (*len + 4096 > cap) {
            char *t = realloc(*text, cap = cap * 2 + 8192);
            if (!t) {
                fclose(f);
                return fprintf(err, "migsim: error: out of memory (reading %s)\n", path), 2;
            }
            *text = t;
        }
        size_t n = fread(*text + *len, 1, cap - *len, f);
        *len += n;
        if (n == 0) break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) return fprintf(err, "%s: error: cannot read\n", path), 2;
    return 0;
}

int cliLab(int argc, char **argv, FILE *in, FILE *out, FILE *err) {
    labCli *c = calloc(1, sizeof *c);
    if (!c) return fprintf(err, "migsim: error: out of memory (starting the lab)\n"), 2;
    c->out = out;
    c->err = err;
    c->nopt = (narrativeOptions){out, c->users, 0, c->actors, 0, 0};
    const char *file;
    labOptions o;
    memset(&o, 0, sizeof o);
    char *text = NULL;
    size_t len;
    int rc = parseLabArgs(argc, argv, c, &file, &o, err);
    o.set = c->set.v;
    o.nset = c->set.n;
    if (!rc) rc = readScenario(file, &text, &len, err);
    if (!rc) {
        scnError e;
        memset(&e, 0, sizeof e);
        msStatus st = labOpen(&c->ls, file, text, len, &o, labPrint, c, &e);
        if (st == MS_NOMEM) {
            fprintf(err, "migsim: error: out of memory (opening %s)\n", file);
            rc = 2;
        } else if (st != MS_OK && e.msg[0]) {
            char line[640];
            scnErrorFormat(&e, line, sizeof line);
            fprintf(err, "%s\n", line);
            rc = 2;
        } else if (st != MS_OK) {
            fprintf(err, "%s: error: %s\n", file, c->ls.err);
            rc = 2;
        }
    }
    free(text);
    for (size_t k = 0; !rc && k < c->nopt.nusers; k++) {
        char name[128];
        uint32_t u = 1;
        while (u <= c->ls.sc.nusers && strcmp(scnUserName(&c->ls.sc, u, name, sizeof name), c->users[k]) != 0) u++;
        if (u <= c->ls.sc.nusers) continue;
        fprintf(err, "migsim: error: --user %s: no source user of that name in %s\n", c->users[k], file);
        rc = 2;
    }
    if (!rc) {
        c->tty = isatty(fileno(in)) && isatty(fileno(out));
        sim *s = labSim(&c->ls);
        fprintf(out, "migsim %s lab: %s, seed %llu; `help` lists the commands\n", MIGSIM_VERSION, file,
                (unsigned long long)s->k.seed);
        if (!c->tty) printPosition(c);
        fflush(out);
        rc = c->tty ? loopTerminal(c, in) : loopPlain(c, in);
    }
    labClose(&c->ls);
    setArgsFree(&c->set);
    free(c->user_copy);
    free(c->actor_copy);
    free(c);
    return rc;
}
