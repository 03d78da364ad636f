/*
** Model parameters: the table of every settable number with its default and
** source.  See params.h.  Defaults are written here once, as scenario text,
** and parsed by paramsDefaults, so the table, the docs and the behaviour
** cannot drift apart.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/params.h"

#define F(field) offsetof(params, field)
#define DUR PARAM_DURATION
#define CNT PARAM_COUNT
#define DAYS365 (365 * MS_PER_DAY)

static const paramDef table[] = {
    {"notify.first_delay", DUR, F(notify_first), "profile", 0, MS_PER_DAY,
     "intra-site change notification: delay before the first partner (ad 2003: 15s, ad 2000: 300s)",
     "TechNet cc811559", 0},
    {"notify.between_delay", DUR, F(notify_between), "profile", 0, MS_PER_DAY,
     "intra-site change notification: delay between further partners (ad 2003: 3s, ad 2000: 30s)",
     "TechNet cc811559", 0},
    {"repl.latency", DUR, F(latency), "1s", 0, MS_PER_DAY,
     "time one replication pull takes, from reading the source to applying (also `latency`)",
     "model choice (docs/semantics.md)", 0},
    {"repl.jitter", CNT, F(jitter_pct), "0", 0, 100,
     "jitter on pull latency and notification delays, in percent (also `latency ... jitter=`)",
     "model choice", 0},
    {"site.schedule", DUR, F(site_schedule), "1h", MS_PER_SECOND, DAYS365,
     "default intra-site periodic pull interval (`site ... schedule=`)",
     "MS-ADTS 6.2.2.2: hourly schedule", 0},
    {"sitelink.interval", DUR, F(sitelink_interval), "180m", 15 * MS_PER_MINUTE, DAYS365,
     "default site-link replication interval, a multiple of 15m (`sitelink ... interval=`)",
     "TechNet cc759439", 15 * MS_PER_MINUTE},
    {"sitelink.cost", CNT, F(sitelink_cost), "100", 1, 99999,
     "default site-link cost (`sitelink ... cost=`)", "TechNet cc759439", 0},
    {"tombstone.lifetime", DUR, F(tombstone_lifetime), "60d", MS_PER_SECOND, 10 * DAYS365,
     "how long a tombstone is kept before garbage collection may remove it",
     "TechNet cc738018; KB 198793 (60 d for 2000 / 2003 RTM forests)", 0},
    {"gc.interval", DUR, F(gc_interval), "12h", MS_PER_SECOND, DAYS365,
     "tombstone garbage collection period, per DC", "TechNet cc738018", 0},
    {"converge.timeout", DUR, F(converge_timeout), "30d", MS_PER_SECOND, 10 * DAYS365,
     "`wait converged` fails after this much simulated time", "model choice (docs/semantics.md)", 0},
    {"rus.interval", DUR, F(rus_interval), "60s", MS_PER_SECOND, DAYS365,
     "Recipient Update Service period, per server (\"Always run\")", "KB 319065, 328738", 0},
    {"cleanup.interval", DUR, F(cleanup_interval), "24h", MS_PER_SECOND, DAYS365,
     "Cleanup Agent (mailbox management) period, per server", "TechNet aa998119", 0},
    {"mailbox.retention", DUR, F(mailbox_retention), "30d", 0, 10 * DAYS365,
     "how long a disconnected mailbox is kept before it is purged",
     "TechNet aa998119 (msExchMailboxRetentionPeriod 2,592,000 s)", 0},
    {"wizard.account_time", DUR, F(wizard_account_time), "500ms", 1, MS_PER_HOUR,
     "stage 1: time the wizard spends on each account", "model choice (docs/semantics.md)", 0},
    {"wizard.logon_time", DUR, F(wizard_logon_time), "1s", 1, MS_PER_HOUR,
     "stage 2: time one logon to a target mailbox takes", "model choice (docs/semantics.md)", 0},
    {"wizard.retry_interval", DUR, F(wizard_retry_interval), "60s", MS_PER_SECOND, MS_PER_DAY,
     "stage 2: wait between logon retries after event 13003", "KB 842631", 0},
    {"wizard.retry_window", DUR, F(wizard_retry_window), "60m", 0, MS_PER_DAY,
     "stage 2: the last logon retry comes this long after the first failure", "KB 842631", 0},
    {"wizard.batch", CNT, F(wizard_batch), "100", 1, 1000000,
     "stage 2: items copied per batch (`cancel` acts between batches)", "model choice", 0},
    {"wizard.rate", CNT, F(wizard_rate), "20", 1, 1000000000,
     "default items copied per second (`wizard ... rate=N/s`)", "model choice", 0},
};

#undef F
#undef DUR
#undef CNT

const paramDef *paramsTable(size_t *n) {
    *n = sizeof table / sizeof table[0];
    return table;
}

const paramDef *paramsFind(const char *name) {
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i].name, name) == 0) return &table[i];
    return NULL;
}

void paramsSet(params *p, const paramDef *def, int64_t v) {
    memcpy((char *)p + def->offset, &v, sizeof v);
}

int64_t paramsGet(const params *p, const paramDef *def) {
    int64_t v;
    memcpy(&v, (const char *)p + def->offset, sizeof v);
    return v;
}

msStatus paramsParseValue(const paramDef *def, const char *value, size_t n, int64_t *out,
                          size_t *errat, char *why, size_t whysz) {
    int64_t v = 0;
    size_t at = 0;
    if (def->kind == PARAM_DURATION) {
        msStatus st = durationParse(value, n, &v, &at);
        if (st != MS_OK) {
            if (errat) *errat = at;
            snprintf(why, whysz, "%s '%.*s' for %s",
                     st == MS_RANGE ? "duration out of range" : "bad duration",
                     (int)n, value, def->name);
            return st;
        }
    } else {
        if (n == 0) {
            if (errat) *errat = 0;
            snprintf(why, whysz, "missing number for %s", def->name);
            return MS_INPUT;
        }
        for (size_t i = 0; i < n; i++) {
            if (value[i] < '0' || value[i] > '9') {
                if (errat) *errat = i;
                snprintf(why, whysz, "bad number '%.*s' for %s", (int)n, value, def->name);
                return MS_INPUT;
            }
            if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, value[i] - '0', &v)) {
                if (errat) *errat = 0;
                snprintf(why, whysz, "number out of range for %s", def->name);
                return MS_RANGE;
            }
        }
    }
    if (v < def->min || v > def->max) {
        char lo[CLOCK_BUFSZ], hi[CLOCK_BUFSZ];
        if (errat) *errat = 0;
        if (def->kind == PARAM_DURATION)
            snprintf(why, whysz, "%s must be between %s and %s", def->name,
                     durationFormat(def->min, lo), durationFormat(def->max, hi));
        else
            snprintf(why, whysz, "%s must be between %lld and %lld", def->name,
                     (long long)def->min, (long long)def->max);
        return MS_RANGE;
    }
    if (def->step > 0 && v % def->step != 0) {
        char step[CLOCK_BUFSZ];
        if (errat) *errat = 0;
        if (def->kind == PARAM_DURATION)
            snprintf(why, whysz, "%s must be a multiple of %s", def->name, durationFormat(def->step, step));
        else
            snprintf(why, whysz, "%s must be a multiple of %lld", def->name, (long long)def->step);
        return MS_INPUT;
    }
    *out = v;
    return MS_OK;
}

void paramsDefaults(params *p) {
    size_t n;
    const paramDef *t = paramsTable(&n);
    memset(p, 0, sizeof *p);
    p->ad_profile = 2003;
    for (size_t i = 0; i < n; i++) {
        int64_t v = -1;
        if (strcmp(t[i].dflt, "profile") != 0) {
            char why[128];
            /* The table's own defaults always parse; a failure is a bug caught by the tests. */
            if (paramsParseValue(&t[i], t[i].dflt, strlen(t[i].dflt), &v, NULL, why, sizeof why) != MS_OK)
                abort();
        }
        paramsSet(p, &t[i], v);
    }
}

void paramsResolveProfile(params *p) {
    int old = p->ad_profile == 2000;
    if (p->notify_first < 0) p->notify_first = (old ? 300 : 15) * MS_PER_SECOND;
    if (p->notify_between < 0) p->notify_between = (old ? 30 : 3) * MS_PER_SECOND;
}
