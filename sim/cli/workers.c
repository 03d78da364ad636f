/*
** Worker processes for runs by the thousand (workers.h): the deal, the
** messages, the batches, the first failure, the signals.
**
** The deal.  Items 0..n-1 go to J workers round robin: worker w runs w,
** w+J, w+2J, ... in that order, so the k-th message worker w sends is
** always item w + k*J.  The parent never asks which item a message is
** about: it counts each worker's messages (got) and knows.  Round robin,
** not a shared queue, because then the share of each worker is a function
** of n and J alone, nothing is negotiated, and the slow and fast items of a
** range (seeds near each other draw similar worlds) spread evenly.
**
** The message.  Each item is one record of a fixed size: a header of
** RECORD_HEAD bytes (whether the item failed) and the caller's message of
** msgsize bytes, padded so that a record is a multiple of RECORD_HEAD and
** a message read into a malloc'ed buffer stays aligned for any type.
** Fixed size means no framing to parse: a worker's byte stream is whole
** records, and a read that ends inside one keeps the partial bytes for the
** next read.  Each worker has a pipe of its own, so records of different
** workers never interleave.
**
** Batching.  A worker writes its records WORKER_BATCH at a time, or after
** WORKER_FLUSH_NS of wall time when items are slow (so the progress line
** keeps moving), and at once after its last item or a failed one: one
** write and one wake-up of the parent per batch rather than per item.
** The wall clock decides only when bytes move, never what they are.
**
** The first failure in item order.  One process stops at the first item
** that fails; J workers may each meet a failure, in any order of time.
** The parent keeps, of the failures it has seen, the one with the lowest
** item number, and lets run every worker whose next item comes before it
** (that worker might still fail earlier); a worker whose next item comes
** after it can no longer change the answer and is sent SIGTERM.  So the
** failure returned is the one a single process would have stopped at.
** A worker that dies (a signal, an early exit, a short stream) before the
** failure, or with no failure at all, is itself the error: items it
** should have run are missing, one of them might have failed first.
**
** Signals.  Workers are forked into the parent's process group, so a
** Ctrl-C at the terminal ends them with it.  If the parent alone dies, a
** worker's next write finds no reader and fails (SIGPIPE, or EPIPE where
** SIGPIPE is blocked: exit WORKER_EXIT_WRITE), so no worker outlives the
** parent by more than one batch.  The parent sends only SIGTERM, only to
** its own workers, and reaps every one it started before it returns.
** Workers end with _exit: the parent's stdio buffers (flushed before the
** fork) are never written twice, and no atexit handler runs in a copy.
*/
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "cli/cli.h"
#include "cli/workers.h"
#include "kernel/invariant.h"

#define WORKER_BATCH 32
#define WORKER_FLUSH_NS 100000000LL
#define RECORD_HEAD 16           /* the failed flag, padded: the message after it stays aligned */

/* How a worker ends: 0 every item sent; else one of these. */
#define WORKER_EXIT_FAILED 2     /* an item failed: its record was the last sent */
#define WORKER_EXIT_WRITE 3      /* its pipe could not be written (the parent is gone) */
#define WORKER_EXIT_NOMEM 4      /* no memory for one record */

/* ---------------------------------------------------------------- progress */

typedef struct progress {
    int on;
    FILE *err;
    const char *name;
    struct timespec start, last;
    size_t total;
} progress;

static double since(const struct timespec *a, const struct timespec *b) {
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void progressStart(progress *p, FILE *err, const char *name, size_t total) {
    memset(p, 0, sizeof *p);
    int fd = fileno(err);
    p->on = fd >= 0 && isatty(fd);
    p->err = err;
    p->name = name;
    p->total = total;
    clock_gettime(CLOCK_MONOTONIC, &p->start);
    p->last = p->start;
}

static void progressShow(progress *p, size_t done) {
    if (!p->on) return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (since(&p->last, &now) < 0.25 && done < p->total) return;
    p->last = now;
    double t = since(&p->start, &now), rate = t > 0 ? (double)done / t : 0;
    double left = rate > 0 ? (double)(p->total - done) / rate : 0;
    fprintf(p->err, "\r%s: %zu/%zu runs, %.0f runs/s, %.0f s left   ", p->name, done, p->total, rate, left);
    fflush(p->err);
}

static void progressEnd(progress *p) {
    if (p->on) fprintf(p->err, "\r%72s\r", "");
}

/* ---------------------------------------------------------------- one process */

/* Every item here, in order; failmsg is the message buffer, so a failed item's message is already in place. */
static msStatus runHere(const workersJob *job, FILE *err, size_t *failed, void *failmsg) {
    progress pg;
    progressStart(&pg, err, job->name, job->n);
    msStatus st = MS_OK;
    for (size_t i = 0; i < job->n; i++) {
        memset(failmsg, 0, job->msgsize);
        if (job->run(job->ctx, i, failmsg) != 0) {
            *failed = i;
            st = MS_FAIL;
            break;
        }
        job->take(job->ctx, i, failmsg);
        progressShow(&pg, i + 1);
    }
    progressEnd(&pg);
    return st;
}

/* ---------------------------------------------------------------- a worker */

static size_t recordSize(size_t msgsize) {
    return RECORD_HEAD + (msgsize + RECORD_HEAD - 1) / RECORD_HEAD * RECORD_HEAD;
}

static long long monotonicNs(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int writeAll(int fd, const void *buf, size_t n) {
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Worker w of jobs: items w, w + jobs, ..., one record each into fd, in batches; never returns. */
static _Noreturn void workerMain(const workersJob *job, size_t w, size_t jobs, int fd) {
    size_t rs = recordSize(job->msgsize), cap = WORKER_BATCH, n = 0;
    char *batch = malloc(cap * rs);
    if (!batch) {
        cap = 1;   /* no memory for a batch: a record at a time */
        batch = malloc(rs);
    }
    if (!batch) _exit(WORKER_EXIT_NOMEM);
    long long last = monotonicNs();
    for (size_t i = w; i < job->n; i += jobs) {
        char *rec = batch + n++ * rs;
        memset(rec, 0, rs);
        uint32_t failedItem = job->run(job->ctx, i, rec + RECORD_HEAD) != 0;
        memcpy(rec, &failedItem, sizeof failedItem);
        int end = job->n - i <= jobs;
        long long now = monotonicNs();
        if (n < cap && !failedItem && !end && now - last < WORKER_FLUSH_NS) continue;
        if (writeAll(fd, batch, n * rs) != 0) _exit(WORKER_EXIT_WRITE);
        if (failedItem) _exit(WORKER_EXIT_FAILED);
        n = 0;
        last = now;
    }
    _exit(0);
}

/* ---------------------------------------------------------------- the parent */

typedef struct workerState {
    pid_t pid;
    int fd;                 /* its pipe's reading end; -1 once at its end */
    size_t got;             /* records taken: its next item is w + got * jobs */
    size_t partial;         /* bytes in buf, less than a record once whole records are taken */
    int killed;             /* sent SIGTERM: its items come after the failure */
    char *buf;              /* room for WORKER_BATCH records */
} workerState;

typedef struct collector {
    const workersJob *job;
    size_t jobs, rs;
    workerState *ws;
    int stop;               /* an item failed */
    size_t failedAt;        /* the lowest failed item seen */
    void *failmsg;
    size_t done;            /* items taken */
} collector;

static size_t nextItem(const collector *c, size_t w) {
    return w + c->ws[w].got * c->jobs;
}

/* The items worker w runs. */
static size_t itemsOf(const collector *c, size_t w) {
    return c->job->n > w ? (c->job->n - w + c->jobs - 1) / c->jobs : 0;
}

/* One whole record of worker w: its next item's. */
static void takeRecord(collector *c, size_t w, const char *rec) {
    size_t at = nextItem(c, w);
    uint32_t failedItem;
    memcpy(&failedItem, rec, sizeof failedItem);
    if (failedItem) {
        if (!c->stop || at < c->failedAt) {
            memcpy(c->failmsg, rec + RECORD_HEAD, c->job->msgsize);
            c->failedAt = at;
        }
        c->stop = 1;
        return;
    }
    if (NEVER(c->ws[w].got >= itemsOf(c, w))) return;   /* a worker sends no more than it was dealt */
    c->job->take(c->job->ctx, at, rec + RECORD_HEAD);
    c->ws[w].got++;
    c->done++;
}

/* Read what worker w has; 1 at its end of file, 0 more to come, -1 a read error. */
static int readWorker(collector *c, size_t w) {
    workerState *s = &c->ws[w];
    ssize_t r = read(s->fd, s->buf + s->partial, WORKER_BATCH * c->rs - s->partial);
    if (r < 0) return errno == EINTR ? 0 : -1;
    if (r == 0) return 1;
    s->partial += (size_t)r;
    size_t whole = s->partial / c->rs;
    for (size_t k = 0; k < whole; k++) takeRecord(c, w, s->buf + k * c->rs);
    s->partial -= whole * c->rs;
    if (whole && s->partial) memmove(s->buf, s->buf + whole * c->rs, s->partial);
    return 0;
}

/* After a failure: SIGTERM to each worker whose next item comes after it (it cannot report an earlier one). */
static void stopPastFailure(collector *c) {
    for (size_t w = 0; c->stop && w < c->jobs; w++)
        if (c->ws[w].fd >= 0 && !c->ws[w].killed && nextItem(c, w) > c->failedAt) {
            kill(c->ws[w].pid, SIGTERM);
            c->ws[w].killed = 1;
        }
}

/* Read every worker to its end of file; 0, or -1 when the pipes could not be read (the workers then killed). */
static int collectAll(collector *c, FILE *err) {
    struct pollfd pfd[WORKERS_MAX];
    size_t idx[WORKERS_MAX], open = c->jobs;
    progress pg;
    progressStart(&pg, err, c->job->name, c->job->n);
    int rc = 0;
    while (open > 0 && rc == 0) {
        nfds_t np = 0;
        for (size_t w = 0; w < c->jobs; w++)
            if (c->ws[w].fd >= 0) {
                pfd[np] = (struct pollfd){c->ws[w].fd, POLLIN, 0};
                idx[np++] = w;
            }
        if (poll(pfd, np, -1) < 0) {
            if (errno != EINTR) rc = -1;
            continue;
        }
        for (nfds_t k = 0; k < np && rc == 0; k++) {
            if (!pfd[k].revents) continue;
            workerState *s = &c->ws[idx[k]];
            int r = readWorker(c, idx[k]);
            if (r == 0) continue;
            close(s->fd);
            s->fd = -1;
            open--;
            if (r < 0) rc = -1;
        }
        stopPastFailure(c);
        progressShow(&pg, c->done);
    }
    progressEnd(&pg);
    if (rc == 0) return 0;
    fprintf(err, "migsim: error: cannot read the %s workers: %s\n", c->job->name, strerror(errno));
    for (size_t w = 0; w < c->jobs; w++) {
        if (c->ws[w].fd < 0) continue;
        kill(c->ws[w].pid, SIGTERM);
        close(c->ws[w].fd);
        c->ws[w].fd = -1;
    }
    return -1;
}

/*
** Wait for every worker; a worker that did not send all its items, and was
** not past the failure, is the error (one line, the first such worker).
*/
static msStatus reapAll(collector *c, int readFailed, FILE *err) {
    msStatus st = readFailed ? MS_IO : MS_OK;
    for (size_t w = 0; w < c->jobs; w++) {
        int status = 0;
        while (waitpid(c->ws[w].pid, &status, 0) < 0 && errno == EINTR) {}
        if (st != MS_OK) continue;
        size_t want = itemsOf(c, w);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && c->ws[w].got == want) continue;
        if (c->stop && (c->ws[w].killed || nextItem(c, w) >= c->failedAt)) continue;
        if (WIFSIGNALED(status))
            fprintf(err, "migsim: error: %s worker %zu ended by signal %d\n", c->job->name, w + 1, WTERMSIG(status));
        else
            fprintf(err, "migsim: error: %s worker %zu ended early (%zu of %zu runs)\n", c->job->name, w + 1,
                    c->ws[w].got, want);
        st = MS_IO;
    }
    return st != MS_OK ? st : c->stop ? MS_FAIL : MS_OK;
}

static void freeStates(workerState *ws, size_t jobs) {
    for (size_t w = 0; w < jobs; w++) free(ws[w].buf);
    free(ws);
}

/* Fork the workers into c->ws; 0, or -1 (said on err) with every started worker ended and reaped. */
static int startAll(collector *c, FILE *err) {
    size_t started = 0;
    int ok = 1;
    for (size_t w = 0; w < c->jobs && ok; w++) {
        int fd[2];
        if (pipe(fd) != 0) {
            ok = 0;
            break;
        }
        pid_t pid = fork();
        if (pid < 0) {
            int e = errno;
            close(fd[0]);
            close(fd[1]);
            errno = e;
            ok = 0;
            break;
        }
        if (pid == 0) {
            close(fd[0]);
            for (size_t k = 0; k < started; k++) close(c->ws[k].fd);
            workerMain(c->job, w, c->jobs, fd[1]);
        }
        close(fd[1]);
        c->ws[w].pid = pid;
        c->ws[w].fd = fd[0];
        started++;
    }
    if (ok) return 0;
    fprintf(err, "migsim: error: cannot start %zu %s workers: %s\n", c->jobs, c->job->name, strerror(errno));
    for (size_t w = 0; w < started; w++) {
        kill(c->ws[w].pid, SIGTERM);
        close(c->ws[w].fd);
        while (waitpid(c->ws[w].pid, NULL, 0) < 0 && errno == EINTR) {}
    }
    return -1;
}

static msStatus runForked(const workersJob *job, size_t jobs, FILE *out, FILE *err, size_t *failed, void *failmsg) {
    collector c;
    memset(&c, 0, sizeof c);
    c.job = job;
    c.jobs = jobs;
    c.rs = recordSize(job->msgsize);
    c.failmsg = failmsg;
    c.ws = calloc(jobs, sizeof *c.ws);
    for (size_t w = 0; c.ws && w < jobs; w++)
        if (!(c.ws[w].buf = malloc(WORKER_BATCH * c.rs))) {
            freeStates(c.ws, jobs);
            c.ws = NULL;
        }
    if (!c.ws) {
        fprintf(err, "migsim: error: out of memory (starting %zu %s workers)\n", jobs, job->name);
        return MS_NOMEM;
    }
    fflush(out);
    fflush(err);
    if (startAll(&c, err) != 0) {
        freeStates(c.ws, jobs);
        return MS_IO;
    }
    int readFailed = collectAll(&c, err) != 0;
    msStatus st = reapAll(&c, readFailed, err);
    if (st == MS_FAIL) *failed = c.failedAt;
    freeStates(c.ws, jobs);
    return st;
}

/* workers.h. */
msStatus workersRun(const workersJob *job, int jobs, FILE *out, FILE *err, size_t *failed, void *failmsg) {
    msAssert(job->msgsize > 0 && jobs >= 1);
    size_t j = jobs > 1 ? (size_t)jobs : 1;
    if (NEVER(j > WORKERS_MAX)) j = WORKERS_MAX;   /* the parent's poll set has room for WORKERS_MAX */
    if (j > job->n) j = job->n;
    if (j <= 1) return runHere(job, err, failed, failmsg);
    return runForked(job, j, out, err, failed, failmsg);
}

/* workers.h. */
int workersParseJobs(const char *s, int *jobs) {
    uint64_t j;
    if (cliParseNumber(s, strlen(s), WORKERS_MAX, &j) != 0 || j < 1) return -1;
    *jobs = (int)j;
    return 0;
}
