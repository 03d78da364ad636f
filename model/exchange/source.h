/*
** The source organization: the Exchange organization the wizard migrates
** FROM.  It is generated once, from the run's seed (the RNG_SOURCE stream),
** when the world is built, and nothing ever changes it afterwards: the KB
** says "the migration process is actually a copy process ... the source
** mailbox object is not deleted or changed in any way".
**
** Each source user PREFIXn has a legacyExchangeDN
** (/o=Source/ou=First Administrative Group/cn=Recipients/cn=PREFIXn), a
** primary SMTP address (PREFIXn@source.example), a folder tree (the five
** default folders Inbox, Sent Items, Deleted Items, Calendar, Contacts, then
** `folders=N` folders of the user's own), items and rules.  SQL sees them as
** three read-only tables of the run's SQL view (exSql, exchangeint.h):
**
**   src_folder(id, user, fid, path)         fid: the folder ID (REPLID+GCN style)
**   src_item(id, user, fid, skey, size, mtime)
**   src_rule(id, user, name, fid)           a rule moves mail into folder fid
**
** Invariants: a user's items have consecutive ids (first_item .. first_item +
** nitems - 1) in generation order, so a batch of the wizard is an id range;
** search keys (skey, the model's PR_SEARCH_KEY) are 63-bit numbers drawn from
** the seed, found by the merge and the judge through bykey (sorted on them);
** folder IDs are unique across the organization and grow with the folder id
** (one counter, in generation order); a user's folders, and rules, have
** consecutive ids too.  The C-side table srcUser mirrors the per-user facts
** the model needs often (addresses, id ranges) so no hot path queries them.
**
** The source is generated in C and never changes, so all of it lives in C
** arrays in id order (source.items, .folders, .rules) that SQL reads through
** eponymous virtual tables (sourcetable.c) with direct lookups by id range,
** user, search key (items) and folder ID (folders).  Writing the folders and
** rules into ordinary tables cost a twelfth of a small run (their schema,
** four indexes, and the rows); the items were moved out earlier for the same
** reason.
*/
#ifndef MIGSIM_SOURCE_H
#define MIGSIM_SOURCE_H

#include <stdint.h>
#include <sqlite3.h>
#include "kernel/prng.h"
#include "kernel/status.h"

/* The five folders every mailbox has, in creation order. */
#define SRC_DEFAULT_FOLDERS 5
extern const char *const srcDefaultFolders[SRC_DEFAULT_FOLDERS];

/* The source organization's folder IDs carry this replica id in the top bits. */
#define SRC_REPLID 1

/* The source organization to generate (users == 0: none). */
typedef struct srcConfig {
    int64_t users;
    int64_t items_lo, items_hi;      /* items per user, drawn uniformly */
    int64_t folders;                 /* folders beyond the five default ones */
    int64_t rules;
    const char *prefix;              /* user names are prefix + number; NULL: "user" */
    char *const *names;              /* users names (names=), or NULL: prefix + number */
} srcConfig;

typedef struct srcUser {
    char name[64];            /* user3 */
    char legdn[160];          /* /o=Source/ou=.../cn=user3 */
    char x500[168];           /* X500:<legdn>: how target accounts carry it */
    char smtp[96];            /* user3@source.example */
    int64_t first_item;       /* src_item ids first_item .. first_item + nitems - 1 */
    int64_t nitems;
    int64_t first_folder;     /* src_folder ids, the same way */
    int64_t nfolders;         /* default folders included */
    int64_t first_rule;       /* src_rule ids, the same way */
    int64_t nrules;
} srcUser;

/* One source folder; its id is its position in source.folders plus one. */
typedef struct srcFolder {
    int64_t fid;
    uint32_t user;
    char path[48];
} srcFolder;

/* One source rule; its id is its position in source.rules plus one. */
typedef struct srcRule {
    int64_t fid;              /* the folder the rule moves mail into */
    uint32_t user;
    char name[96];
} srcRule;

/* One source item; its id is its position in source.items plus one. */
typedef struct srcItem {
    int64_t skey, fid, mtime;
    int32_t size;
    uint32_t user;
} srcItem;

/* An entry of the search-key order: the key and the item's position. */
typedef struct srcKey {
    int64_t skey;
    uint32_t pos;             /* items[pos]: id pos + 1 */
} srcKey;

typedef struct source {
    uint32_t nusers;
    srcUser *users;           /* users[u - 1] for user number u */
    int64_t nitems;           /* over every user */
    srcItem *items;           /* items[id - 1] */
    srcKey *bykey;            /* every item, sorted on (skey, id) */
    int64_t nfolders, nrules;
    srcFolder *folders;       /* folders[id - 1], fid ascending */
    srcRule *rules;           /* rules[id - 1] */
} source;

/* sourcetable.c: make src_item, src_folder and src_rule, the virtual tables
** over src, known to db; src must outlive db's use of them. */
msStatus sourceTables(sqlite3 *db, const source *src, char *err, size_t errsz);

/*
** Generate the organization cfg describes into src (an empty source when
** cfg->users is 0), drawing from r only.
*/
msStatus sourceGenerate(source *src, const srcConfig *cfg, rng *r, char *err, size_t errsz);

/* Free what src owns. */
void sourceFree(source *src);

/* 1 when some source item has search key skey (a binary search of bykey). */
int sourceHasKey(const source *src, int64_t skey);

/* The position in src->items of user's item with search key skey, or -1. */
int64_t sourceUserItem(const source *src, uint32_t user, int64_t skey);

/* The user record for number u (1-based), or NULL when out of range. */
const srcUser *sourceUser(const source *src, uint32_t u);

#endif
