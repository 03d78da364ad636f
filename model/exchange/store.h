/*
** The target servers' mailbox stores.  Every `server` of the scenario has
** one Exchange 2003 mailbox store; all of them live in one `store` of the
** run, told apart by the server's index.  Its rows, as SQL sees them
** (storetable.c):
**
**   mailbox(id, server, guid, user, init, created, disconnected)
**   folder(id, mbx, fid, path)       fid: folder ID; path unique per mailbox
**   item(id, mbx, fid, skey, size, mtime)   id: unique, assigned by the store
**   rule(id, mbx, name, fid)         a rule names its target folder by fid
**   import(id, mbx, started, mode, copied, skipped, replaced, failed)
**
** An import row is the store's own record of one import session (a
** migration logon that copies items in): the batches it performed, clone or
** merge, and what each did to the items.  These are facts about operations
** the store carried out, whoever asked for them; they may explain a verdict
** (the judge's detail) but never decide one.
**
** A mailbox is keyed by msExchMailboxGuid (unique per server) and exists
** only once it has been initialized: by the wizard (clone, or merge when the
** wizard creates it in merge mode), by a delivery, or by a logon (TechNet
** aa997054: the store creates the mailbox on first logon or delivery).  `init`
** records which.  A mailbox that no live account carries is marked
** disconnected (the time is kept) by the Cleanup Agent and purged, rows and
** all, once the retention period has passed.
**
** Folder IDs a store makes are REPLID+GCN pairs: the store's replica id
** (server index + 2; the source organization is 1) in the top 16 bits and a
** per-store counter below, as Exchange does.  A clone keeps the source's
** folder IDs; everything else gets new ones.
**
** Representation.  Everything is plain C (store.c): the mailboxes in an
** array in id order, each owning its folders, rules and import sessions (a
** handful, in creation order) and its items (itemset.h: id order, with a
** search-key index); a second array orders the mailboxes on (GUID, server)
** for the lookups by GUID.  A new mailbox takes the id one above the
** highest in use (1 for the first), as an SQLite INTEGER PRIMARY KEY does;
** items take ids from one counter (items_made), folders, rules and import
** sessions from another, shared by the three (rows_made).  An id written
** through SQL is at most STORE_MAX_ID, so neither counter can run out.
** Every list a caller receives is in a documented order of unique keys.
*/
#ifndef MIGSIM_STORE_H
#define MIGSIM_STORE_H

#include <stdint.h>
#include <sqlite3.h>
#include "exchange/itemset.h"
#include "kernel/clock.h"
#include "kernel/guid.h"
#include "exchange/source.h"
#include "kernel/status.h"

/* How a mailbox came to exist. */
typedef enum mbxInit {
    INIT_CLONE = 1,      /* the wizard, clone mode */
    INIT_MERGE,          /* the wizard, merge mode (never used by a clone-mode run) */
    INIT_DELIVERY,       /* mail was delivered to it */
    INIT_LOGON           /* the user logged on */
} mbxInit;

/* The word for an init kind ("clone", "delivery", ...). */
const char *storeInitName(mbxInit k);

/* Outcome of one merge batch (per item, docs/semantics.md "The wizard"). */
typedef struct mergeCounts {
    int64_t copied, skipped, replaced, failed;
} mergeCounts;

/* One mailbox row, as listed for the Cleanup Agent. */
typedef struct mbxRow {
    int64_t id;
    guid g;
    uint32_t user;
    simtime created;
    int disconnected;
    simtime disconnected_at;
} mbxRow;

/* One folder of a mailbox. */
typedef struct storeFolderRow {
    int64_t id, fid;
    char path[128];
} storeFolderRow;

/* One rule of a mailbox: it moves mail into folder fid. */
typedef struct storeRuleRow {
    int64_t id, fid;
    char name[96];
} storeRuleRow;

/* One import session into a mailbox (storeImportBegin). */
typedef struct storeImportRow {
    int64_t id;
    simtime started;
    char mode[8];              /* "clone", "merge", or "" before its first batch */
    int64_t copied, skipped, replaced, failed;
} storeImportRow;

/* One mailbox of a store, with everything it owns. */
typedef struct storeMailbox {
    int64_t id;
    int server;
    guid g;
    uint32_t user;             /* the source user it was made for (0: unknown) */
    mbxInit init;
    simtime created;
    int disconnected;
    simtime disconnected_at;
    storeFolderRow *folders;   /* creation order */
    size_t nfolders, capfolders;
    storeRuleRow *rules;       /* creation order */
    size_t nrules, caprules;
    storeImportRow *imports;   /* creation order; the last is the open session */
    size_t nimports, capimports;
    itemSet items;
} storeMailbox;

/* The highest item or folder id a write through SQL may give (storetable.c):
** the store hands out ids above the highest in use, and a run never hands
** out 2^62 of them, so its counters never overflow. */
#define STORE_MAX_ID ((int64_t)1 << 62)

typedef struct store {
    struct kernel *k;          /* where an allocation failure is recorded (kernelFault); NULL: nowhere */
    const source *src;         /* the source organization the stores' copies come from */
    int nservers;
    int64_t *gcn;              /* per server: the last folder counter handed out */
    int64_t items_made;        /* item ids handed out (1..items_made; the store assigns them) */
    int64_t rows_made;         /* folder, rule and import ids handed out */
    storeMailbox **mbx;        /* ascending id */
    size_t nmbx, capmbx;
    storeMailbox **byguid;     /* the same mailboxes, ascending (GUID, server) */
    uint32_t *seen;            /* storeCounters' marks, one per source item */
    uint32_t seen_gen;
    uint64_t visits;           /* rows the store has walked: its measure of work, for tests */
} store;

/* Open empty stores for nservers servers; src is the source they copy from,
** and must outlive x. */
msStatus storeOpen(store *x, const source *src, int nservers, char *err, size_t errsz);

/* Free what x owns. */
void storeClose(store *x);

/* Mailbox id, or NULL. */
storeMailbox *storeMailboxOf(const store *x, int64_t id);

/* storetable.c: make mailbox, folder, item, rule and import, the virtual
** tables over x, known to db (folder and item writable: tests alter a store
** through them); x must outlive db's use of them. */
msStatus storeTables(sqlite3 *db, store *x, char *err, size_t errsz);

/* The mailbox row id of mailbox g on server, or 0 if the store has none. */
int64_t storeFind(store *x, int server, const guid *g);

/* The mailbox row id of g on server if it is not disconnected, else 0:
** the mailbox an account carrying g with its homeMDB on server owns. */
int64_t storeFindLive(store *x, int server, const guid *g);

/* The mailbox row id of g on any server (lowest server index), 0 if none;
** *server receives the server. */
int64_t storeFindAny(store *x, const guid *g, int *server);

/*
** Initialize mailbox g on server for source user `user` (0 if unknown):
** the row, and with defaults the five default folders with new folder IDs.
*/
msStatus storeCreate(store *x, int server, const guid *g, uint32_t user, mbxInit how,
                     simtime now, int defaults, int64_t *id);

/* How mailbox id was initialized, and when (0 if no such mailbox). */
mbxInit storeInitOf(store *x, int64_t id, simtime *when);

/* Clone: copy every folder of source user u with its folder ID. */
msStatus storeCloneFolders(store *x, int64_t mbx, uint32_t u);

/* Merge: create the folders of source user u the mailbox lacks (matched by
** path), each with a new folder ID; *created receives how many. */
msStatus storeMergeFolders(store *x, int server, int64_t mbx, uint32_t u, int64_t *created);

/* Copy the rules of source user u the mailbox lacks (by name) as they are,
** folder IDs included; *copied receives how many. */
msStatus storeCopyRules(store *x, int64_t mbx, uint32_t u, int64_t *copied);

/* Clone batch: copy source items lo..hi (ids) with their folder IDs. */
msStatus storeCloneBatch(store *x, int64_t mbx, int64_t lo, int64_t hi, int64_t *copied);

/*
** Merge batch over source items lo..hi of user u: per item, a copy with the
** same search key as new or newer is kept (skipped), an older one replaced,
** an absent one copied into the folder with the source folder's path.  An
** item whose folder cannot be found there fails.
*/
msStatus storeMergeBatch(store *x, int64_t mbx, uint32_t u, int64_t lo, int64_t hi,
                         mergeCounts *out);

/* Deliver one message (search key skey) into the mailbox's Inbox. */
msStatus storeDeliver(store *x, int64_t mbx, int64_t skey, int64_t size, simtime now);

/* Mark mailbox id disconnected at now. */
msStatus storeDisconnect(store *x, int64_t id, simtime now);

/* Remove mailbox id and every row it owns. */
msStatus storePurge(store *x, int64_t id);

/* Mailboxes of server (-1: every server) in id order; *out malloc'd, *n rows. */
msStatus storeList(store *x, int server, mbxRow **out, size_t *n);

/* What storeCounters finds in a mailbox. */
typedef struct storeCopyCounts {
    int64_t c[4];             /* extra, dupes, missing, rules_broken */
    int64_t present;          /* distinct source items present */
    int64_t folders;          /* the user's source folders (asked for only) */
    int64_t folders_lost;     /* of them, not kept (asked for only) */
} storeCopyCounts;

/*
** The judge's counters over mailbox mbx for user (a source user), from
** one pass over its items (docs/semantics.md "Outcomes"); with folders,
** also the user's source folders mbx does not keep: a folder is kept when
** the mailbox has a folder with the source folder's ID and every copy of
** the source folder's items sits in it.  MS_INPUT if there is no such user.
*/
msStatus storeCounters(store *x, int64_t mbx, uint32_t user, storeCopyCounts *out, int folders);

/* Items in mbx that are copies of source user's items (search key one of
** theirs), surplus copies included; -1 on error. */
int64_t storeUserCopies(store *x, int64_t mbx, uint32_t user);

/* Open an import session into mailbox mbx at now: the batches that follow
** (storeCloneBatch, storeMergeBatch) are counted in it. */
msStatus storeImportBegin(store *x, int64_t mbx, simtime now);

/* The last import session into mbx, as the store performed it. */
typedef struct importInfo {
    char mode[8];              /* "clone", "merge", or "" (no batch yet) */
    simtime started;
    int64_t copied, skipped, replaced, failed;
} importInfo;

/* The last import session into mbx into *out; 0 if there was none. */
int storeLastImport(store *x, int64_t mbx, importInfo *out);

/* One folder of a mailbox as storeFolders lists it. */
typedef struct storeFolderInfo {
    int64_t fid;
    char path[128];
    int64_t items;
    int from_source;           /* the ID is one of the source user's folder IDs */
} storeFolderInfo;

/* The folders of mbx in folder-ID order, with their item counts; *out malloc'd, *n rows. */
msStatus storeFolders(store *x, int64_t mbx, uint32_t user, storeFolderInfo **out, size_t *n);

/* Items in mbx that are not copies of any source item (delivered mail). */
int64_t storeForeignItems(store *x, int64_t mbx);

/* Total items in mbx. */
int64_t storeItemCount(store *x, int64_t mbx);

/* The rules of mbx into *total, and how many of them name a folder ID the
** mailbox has no folder for (broken: the rule fires into nothing). */
msStatus storeRuleCounts(store *x, int64_t mbx, int64_t *total, int64_t *broken);

/*
** Move the items of mailbox from that are not copies of any source item
** (delivered mail) into mailbox to, on server (to's store), each into to's
** folder of the same path, made with a new folder ID when to lacks it.
** *moved: how many.  The copies stay where they are.  The items keep their
** ids and move folder by folder (in path order), each folder's at once:
** MS_FAIL, when one of a folder's ids is in to already (only SQL writes
** through storetable.c can bring that about), leaves that folder's items
** and the later folders' where they were, the earlier folders' moved.
*/
msStatus storeMoveForeign(store *x, int server, int64_t from, int64_t to, int64_t *moved);

/*
** The search keys of the items of mbx that are not copies of any source item,
** appended to *keys (*n of them, *cap its capacity; arrayGrow's convention).
*/
msStatus storeForeignKeys(store *x, int64_t mbx, int64_t **keys, size_t *n, size_t *cap);

/* 1 when mbx holds an item with search key skey, 0 when not, -1 on error. */
int storeHasKey(store *x, int64_t mbx, int64_t skey);

/*
** Put one item (search key, size, mtime) into mbx on server, in its folder of
** path, made with a new folder ID when the mailbox lacks it (an import).
*/
msStatus storeAddItem(store *x, int server, int64_t mbx, const char *path, int64_t skey, int64_t size,
                      simtime mtime);

#endif
