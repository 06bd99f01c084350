/*
 * Unit tests of the sidecar index (libcommon/ledger_index.c, its
 * invariants I1-I6): catch-up after appends it did not see, rebuild after
 * it is deleted, corrupted or swapped for a stale or foreign one, a crash
 * between the ledger's fsync and the index commit (simulated by putting
 * back the index of before the append), duplicates refused across
 * processes, and lookups by EPC and hash id; and the hash-id table
 * (libcommon/ledger_keys.c, K1-K6): rebuilt when deleted, damaged or
 * foreign, caught up when behind, stale slots, growth, its header moved
 * only at close.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <sqlite3.h>

#include "diag.h"
#include "ledger.h"
#include "sig.h"
#include "testutil.h"

static char dir[64];
static struct sig_key *KEY;

static const char *
tpath(const char *name)
{
	static char buf[4][400];
	static int i;

	i = (i + 1) & 3;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

/* Event i: a real (small) EPCIS event, so that items are indexed. */
struct evs {
	struct ledger_event	ev[64];
	char			id[64][96], canon[64][200];
};

/* A path that stays: tpath's buffers are reused. */
#define LOCAL_PATH(var, name) \
	char var[300]; \
	snprintf(var, sizeof(var), "%s", tpath(name))

static void
make_events(struct evs *e, size_t n, size_t base)
{
	for (size_t i = 0; i < n; i++) {
		snprintf(e->id[i], 96, "ni:///sha-256;%016zx%048x?ver=CBV2.0",
		    base + i, 0);
		snprintf(e->canon[i], 200, "<ObjectEvent><epcList><epc>"
		    "urn:epc:id:sgtin:030001.0012345.%zu</epc></epcList>"
		    "<action>ADD</action></ObjectEvent>", base + i);
		e->ev[i].canon = e->canon[i];
		e->ev[i].canon_len = strlen(e->canon[i]);
		e->ev[i].hash_id = e->id[i];
		e->ev[i].line = i + 1;
		e->ev[i].user = NULL;
	}
}

static const struct ledger_opts OPTS = { .origin = "example.com/ledger",
    .time_ms = 1767225600000ULL };

/*
 * Append events base..base+n-1 through a fresh handle, with the index or
 * without; returns the number appended, -1 on failure; *dup the refused.
 */
static long
append(const char *path, bool index, size_t n, size_t base, uint64_t *dup,
    struct ledger_index_stats *is)
{
	struct ledger *lg;
	struct diag d = DIAG_INIT;
	struct ledger_stats st;
	struct evs *e = calloc(1, sizeof(*e));
	long rc = -1;

	make_events(e, n, base);
	if (ledger_open(&lg, path, true, &d) == 0 &&
	    (!index || ledger_index_use(lg, NULL, &d) == 0) &&
	    ledger_append(lg, e->ev, n, KEY, &OPTS, &st, &d) == 0) {
		rc = (long)st.appended;
		if (dup != NULL)
			*dup = st.duplicates;
		if (is != NULL)
			*is = st.index;
	}
	if (rc < 0)
		fprintf(stderr, "append: %s\n", d.msg);
	ledger_close(lg);
	free(e);
	return rc;
}

static void
rm_index(const char *path)
{
	char p[400];

	snprintf(p, sizeof(p), "%s.idx", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s.idx-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s.idx-shm", path);
	unlink(p);
}

static void
copy_file(const char *from, const char *to)
{
	FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
	char buf[65536];
	size_t n;

	CU_ASSERT_FATAL(a != NULL && b != NULL);
	while ((n = fread(buf, 1, sizeof(buf), a)) > 0)
		fwrite(buf, 1, n, b);
	fclose(a);
	fclose(b);
}

/* Save the index (checkpointed into one file) as `to`. */
static void
save_index(const char *path, const char *to)
{
	struct ledger *lg;
	struct diag d = DIAG_INIT;
	char p[400];

	/* closing the last connection checkpoints the WAL into the file */
	CU_ASSERT_EQUAL_FATAL(ledger_open(&lg, path, true, &d), 0);
	CU_ASSERT_EQUAL(ledger_index_sync(lg, false, NULL, &d), 0);
	ledger_close(lg);
	snprintf(p, sizeof(p), "%s.idx", path);
	copy_file(p, to);
}

static void
put_index(const char *path, const char *from)
{
	char p[400];

	rm_index(path);
	snprintf(p, sizeof(p), "%s.idx", path);
	copy_file(from, p);
}

static int
count_hit(void *ctx, int kind, uint64_t index, uint64_t offset)
{
	(void)kind;
	(void)offset;
	((uint64_t *)ctx)[0]++;
	((uint64_t *)ctx)[1] = index;
	return 0;
}

/* How many entries the index lists for `item`; *last the last one. */
static uint64_t
lookup(const char *path, int kind, const char *item, uint64_t *last)
{
	struct ledger *lg;
	struct diag d = DIAG_INIT;
	uint64_t c[2] = { 0, UINT64_MAX };

	CU_ASSERT_EQUAL_FATAL(ledger_open(&lg, path, true, &d), 0);
	CU_ASSERT_EQUAL(ledger_index_find(lg, kind, item, count_hit, c, &d), 0);
	ledger_close(lg);
	if (last != NULL)
		*last = c[1];
	return c[0];
}

static bool
verifies(const char *path)
{
	struct ledger *lg;
	struct diag d = DIAG_INIT;
	struct ledger_stats st;
	int rc;

	if (ledger_open(&lg, path, false, &d) != 0)
		return false;
	rc = ledger_verify(lg, NULL, &st, &d);
	ledger_close(lg);
	return rc == 0;
}

static void
test_catch_up(void)
{
	LOCAL_PATH(l, "c.dsl");
	struct ledger_index_stats is;
	uint64_t dup = 0, last;

	unlink(l);
	rm_index(l);
	CU_ASSERT_EQUAL(append(l, true, 10, 0, NULL, &is), 10);
	/* appends that do not maintain the index: it falls behind */
	CU_ASSERT_EQUAL(append(l, false, 7, 10, NULL, NULL), 7);
	CU_ASSERT_EQUAL(append(l, false, 5, 17, NULL, NULL), 5);
	/* the next one catches up (12 entries read) and refuses repeats */
	CU_ASSERT_EQUAL(append(l, true, 8, 18, &dup, &is), 4);
	CU_ASSERT_EQUAL(dup, 4);
	CU_ASSERT_FALSE(is.rebuilt);
	CU_ASSERT_EQUAL(is.caught_up, 12);
	CU_ASSERT_EQUAL(lookup(l, 0, "urn:epc:id:sgtin:030001.0012345.21",
	    &last), 1);
	CU_ASSERT_EQUAL(last, 21);
	CU_ASSERT_EQUAL(lookup(l, -1,
	    "ni:///sha-256;000000000000000b0000000000000000000000000000000"
	    "00000000000000000?ver=CBV2.0", &last), 1);
	CU_ASSERT_EQUAL(last, 11);
	CU_ASSERT_EQUAL(lookup(l, 0, "urn:epc:id:sgtin:030001.0012345.99",
	    NULL), 0);
	CU_ASSERT_TRUE(verifies(l));
}

static void
test_rebuild(void)
{
	static const struct {
		const char	*name;
		const char	*bytes;	/* written at offset 0; NULL: delete */
		size_t		 off;
	} rows[] = {
		{ "deleted", NULL, 0 },
		{ "garbage header", "garbage garbage", 0 },
		{ "page damaged", "\xff\xff\xff\xff\xff\xff\xff\xff", 4200 },
		{ "truncated", "", 0 },
	};
	LOCAL_PATH(l, "r.dsl");

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct ledger_index_stats is;
		uint64_t dup = 0;
		char p[400];

		unlink(l);
		rm_index(l);
		TEST_INT_EQ(i, append(l, true, 40, 0, NULL, NULL), 40);
		TEST_INT_EQ(i, append(l, true, 20, 40, NULL, NULL), 20);
		snprintf(p, sizeof(p), "%s.idx", l);
		save_index(l, tpath("saved.idx"));
		put_index(l, tpath("saved.idx"));
		if (rows[i].bytes == NULL)
			unlink(p);
		else if (rows[i].bytes[0] == '\0') {
			CU_ASSERT_EQUAL(truncate(p, 4096), 0);
		} else {
			int fd = open(p, O_WRONLY);

			CU_ASSERT(pwrite(fd, rows[i].bytes,
			    strlen(rows[i].bytes), (off_t)rows[i].off) > 0);
			close(fd);
		}
		/* half old, half new: the old half must be refused */
		TEST_INT_EQ(i, append(l, true, 30, 45, &dup, &is), 15);
		TEST_INT_EQ(i, (long long)dup, 15);
		TEST_INT_EQ(i, is.entries, 75);
		CU_ASSERT_TRUE(verifies(l));
	}
}

static void
test_stale_or_foreign(void)
{
	LOCAL_PATH(a, "a.dsl");
	LOCAL_PATH(b, "b.dsl");
	struct ledger_index_stats is;
	uint64_t dup = 0;

	/* another ledger's index of the same size: rebuilt, not trusted */
	unlink(a);
	unlink(b);
	rm_index(a);
	rm_index(b);
	CU_ASSERT_EQUAL(append(a, true, 10, 0, NULL, NULL), 10);
	CU_ASSERT_EQUAL(append(b, true, 10, 100, NULL, NULL), 10);
	save_index(b, tpath("b.saved"));
	put_index(a, tpath("b.saved"));
	CU_ASSERT_EQUAL(append(a, true, 10, 0, &dup, &is), 0);
	CU_ASSERT_EQUAL(dup, 10);
	CU_ASSERT_TRUE(is.rebuilt);

	/*
	 * An index ahead of its ledger: the ledger was replaced by a new one
	 * (here: emptied, then appended to).  The seal at the recorded
	 * offset does not match.
	 */
	CU_ASSERT_EQUAL(append(a, true, 5, 10, NULL, NULL), 5);
	save_index(a, tpath("a15.idx"));
	put_index(a, tpath("a15.idx"));
	CU_ASSERT_EQUAL(truncate(a, 0), 0);	/* a new ledger in its place */
	CU_ASSERT_EQUAL(append(a, true, 3, 200, NULL, &is), 3);
	CU_ASSERT_TRUE(is.rebuilt);
	CU_ASSERT_EQUAL(append(a, true, 3, 0, &dup, &is), 3);
	CU_ASSERT_EQUAL(dup, 0);
	CU_ASSERT_EQUAL(is.entries, 6);
	CU_ASSERT_TRUE(verifies(a));
}

/*
 * I4: a crash after the ledger's fsync and before the index commit leaves
 * the index of before the append; the next append catches up.
 */
static void
test_crash_between(void)
{
	LOCAL_PATH(l, "k.dsl");
	struct ledger_index_stats is;
	uint64_t dup = 0;

	unlink(l);
	rm_index(l);
	CU_ASSERT_EQUAL(append(l, true, 20, 0, NULL, NULL), 20);
	save_index(l, tpath("k.before"));
	CU_ASSERT_EQUAL(append(l, true, 20, 20, NULL, NULL), 20);
	put_index(l, tpath("k.before"));	/* the commit never happened */
	CU_ASSERT_EQUAL(append(l, true, 30, 30, &dup, &is), 20);
	CU_ASSERT_EQUAL(dup, 10);
	CU_ASSERT_FALSE(is.rebuilt);
	CU_ASSERT_EQUAL(is.caught_up, 20);
	CU_ASSERT_EQUAL(is.entries, 60);
	CU_ASSERT_TRUE(verifies(l));
}

static void
keys_path(char *p, size_t cap, const char *ledger)
{
	snprintf(p, cap, "%s.idx.keys", ledger);
}

/*
 * The hash-id table (ledger_keys.c K2): deleted, damaged or swapped for
 * another ledger's, it is rebuilt and duplicates are still refused; left
 * behind (the table of before an append), it catches up.
 */
static void
test_keys_rebuild(void)
{
	static const struct {
		const char	*name;
		const char	*bytes;	/* written at `off`; NULL: delete */
		size_t		 off;
		bool		 rebuilt;
	} rows[] = {
		{ "deleted", NULL, 0, true },
		{ "bad magic", "DSLKEYZ", 0, true },
		{ "header CRC", "\x01", 50, true },
		{ "truncated", "", 0, true },
		{ "foreign", "-", 0, true },
		{ "behind", "<", 0, false },
	};
	LOCAL_PATH(l, "kr.dsl");
	LOCAL_PATH(o, "ko.dsl");

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct ledger_index_stats is;
		uint64_t dup = 0;
		char p[400], q[400];

		unlink(l);
		rm_index(l);
		keys_path(p, sizeof(p), l);
		unlink(p);
		TEST_INT_EQ(i, append(l, true, 40, 0, NULL, NULL), 40);
		copy_file(p, tpath("keys.saved"));
		TEST_INT_EQ(i, append(l, true, 20, 40, NULL, NULL), 20);
		if (rows[i].bytes == NULL)
			unlink(p);
		else if (rows[i].bytes[0] == '\0')
			TEST_INT_EQ(i, truncate(p, 4096), 0);
		else if (rows[i].bytes[0] == '<')
			copy_file(tpath("keys.saved"), p);
		else if (rows[i].bytes[0] == '-') {
			/* another ledger with as many entries */
			unlink(o);
			rm_index(o);
			keys_path(q, sizeof(q), o);
			unlink(q);
			TEST_INT_EQ(i, append(o, true, 40, 500, NULL, NULL), 40);
			TEST_INT_EQ(i, append(o, true, 20, 540, NULL, NULL), 20);
			copy_file(q, p);
		} else {
			int fd = open(p, O_RDWR);

			TEST_INT_EQ(i, pwrite(fd, rows[i].bytes,
			    strlen(rows[i].bytes), (off_t)rows[i].off) > 0, 1);
			close(fd);
		}
		/* half old, half new: the old half must be refused */
		TEST_INT_EQ(i, append(l, true, 30, 45, &dup, &is), 15);
		TEST_INT_EQ(i, (long long)dup, 15);
		TEST_INT_EQ(i, is.keys_why != NULL, rows[i].rebuilt);
		TEST_INT_EQ(i, (long long)is.keys_caught_up,
		    rows[i].rebuilt ? 60 : 20);
		CU_ASSERT_TRUE(verifies(l));
	}
}

/* Write the first `n` bytes of file `from` over those of `to`. */
static void
copy_head(const char *from, const char *to, size_t n)
{
	char buf[4096];
	int a = open(from, O_RDONLY), b = open(to, O_WRONLY);

	CU_ASSERT_FATAL(a >= 0 && b >= 0 && n <= sizeof(buf));
	CU_ASSERT_EQUAL(pread(a, buf, n, 0), (ssize_t)n);
	CU_ASSERT_EQUAL(pwrite(b, buf, n, 0), (ssize_t)n);
	close(a);
	close(b);
}

/*
 * K4: slots the header does not cover are stale.  A table whose slots are
 * those of 20 entries but whose header covers the first 10, beside the
 * ledger of those 10 (an append that crashed between adding its keys and
 * moving the header, then the ledger restored from its copy of before):
 * re-appending the lost events is not refused, and after other events
 * took entries 10..19, a slot naming entry 10..19 with another key is no
 * duplicate either (confirmed against the file).
 */
static void
test_keys_stale(void)
{
	LOCAL_PATH(l, "ks.dsl");
	char p[400];
	uint64_t dup = 99;

	unlink(l);
	rm_index(l);
	keys_path(p, sizeof(p), l);
	unlink(p);
	CU_ASSERT_EQUAL(append(l, true, 10, 0, NULL, NULL), 10);
	copy_file(l, tpath("ks.ledger10"));
	copy_file(p, tpath("ks.keys10"));
	CU_ASSERT_EQUAL(append(l, true, 10, 10, NULL, NULL), 10);
	copy_head(tpath("ks.keys10"), p, 4096);
	copy_file(tpath("ks.ledger10"), l);
	rm_index(l);	/* the SQLite rows: rebuilt from the file */
	/* events 100..109 take entries 10..19: the stale slots name them */
	CU_ASSERT_EQUAL(append(l, true, 10, 100, &dup, NULL), 10);
	CU_ASSERT_EQUAL(dup, 0);
	/* events 10..19 again: their slots are stale, so not refused */
	CU_ASSERT_EQUAL(append(l, true, 10, 10, &dup, NULL), 10);
	CU_ASSERT_EQUAL(dup, 0);
	/* and now they are there */
	CU_ASSERT_EQUAL(append(l, true, 10, 10, &dup, NULL), 0);
	CU_ASSERT_EQUAL(dup, 10);
	CU_ASSERT_TRUE(verifies(l));
}

/* K5: past half full the table doubles, and every key stays found. */
static void
test_keys_grow(void)
{
	LOCAL_PATH(l, "kg.dsl");
	char p[400];
	struct stat st0, st1;
	uint64_t dup = 0;
	size_t n = 0;

	unlink(l);
	rm_index(l);
	keys_path(p, sizeof(p), l);
	unlink(p);
	CU_ASSERT_EQUAL(append(l, true, 60, n, NULL, NULL), 60);
	n += 60;
	CU_ASSERT_EQUAL_FATAL(stat(p, &st0), 0);
	while (n < 2100) {
		CU_ASSERT_EQUAL_FATAL(append(l, true, 60, n, NULL, NULL), 60);
		n += 60;
	}
	CU_ASSERT_EQUAL_FATAL(stat(p, &st1), 0);
	CU_ASSERT_EQUAL(st1.st_size - 4096, (st0.st_size - 4096) * 2);
	for (size_t b = 0; b < n; b += 700) {
		CU_ASSERT_EQUAL(append(l, true, 50, b, &dup, NULL), 0);
		CU_ASSERT_EQUAL(dup, 50);
	}
	CU_ASSERT_TRUE(verifies(l));
}

/* Append events base..base+n-1 through the open handle `lg`. */
static long
append_on(struct ledger *lg, size_t n, size_t base, uint64_t *dup)
{
	struct diag d = DIAG_INIT;
	struct ledger_stats st;
	struct evs *e = calloc(1, sizeof(*e));
	long rc = -1;

	make_events(e, n, base);
	if (ledger_append(lg, e->ev, n, KEY, &OPTS, &st, &d) == 0) {
		rc = (long)st.appended;
		*dup = st.duplicates;
	} else
		fprintf(stderr, "append: %s\n", d.msg);
	free(e);
	return rc;
}

/*
 * K3: a handle that appends several batches moves the table's header only
 * at close (or every 65536 keys).  Another handle appending in between
 * catches up from the older header and still refuses the first handle's
 * events; a handle that never closes (a process killed) leaves the header
 * behind, and the next append catches up and refuses them too.
 */
static void
test_keys_deferred(void)
{
	LOCAL_PATH(l, "kd.dsl");
	struct ledger *a, *b;
	struct diag d = DIAG_INIT;
	struct ledger_index_stats is;
	uint64_t dup = 99;
	pid_t pid;
	int ws;

	unlink(l);
	rm_index(l);
	CU_ASSERT_EQUAL_FATAL(ledger_open(&a, l, true, &d), 0);
	CU_ASSERT_EQUAL_FATAL(ledger_index_use(a, NULL, &d), 0);
	CU_ASSERT_EQUAL_FATAL(ledger_open(&b, l, true, &d), 0);
	CU_ASSERT_EQUAL_FATAL(ledger_index_use(b, NULL, &d), 0);
	CU_ASSERT_EQUAL(append_on(a, 10, 0, &dup), 10);
	CU_ASSERT_EQUAL(append_on(a, 10, 10, &dup), 10);
	CU_ASSERT_EQUAL(append_on(b, 10, 15, &dup), 5);	/* 15..19 are a's */
	CU_ASSERT_EQUAL(dup, 5);
	CU_ASSERT_EQUAL(append_on(a, 10, 20, &dup), 5);	/* 20..24 are b's */
	CU_ASSERT_EQUAL(dup, 5);
	ledger_close(a);
	ledger_close(b);
	CU_ASSERT_EQUAL(append(l, true, 30, 0, &dup, NULL), 0);
	CU_ASSERT_EQUAL(dup, 30);
	/* a process that appends twice and is gone without closing */
	if ((pid = fork()) == 0) {
		struct ledger *c;
		struct diag cd = DIAG_INIT;
		uint64_t cdup;

		if (ledger_open(&c, l, true, &cd) != 0 ||
		    ledger_index_use(c, NULL, &cd) != 0 ||
		    append_on(c, 10, 30, &cdup) != 10 ||
		    append_on(c, 10, 40, &cdup) != 10)
			_exit(1);
		_exit(0);	/* no ledger_close: the header stays behind */
	}
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(waitpid(pid, &ws, 0), pid);
	CU_ASSERT_TRUE(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
	memset(&is, 0, sizeof(is));
	CU_ASSERT_EQUAL(append(l, true, 50, 0, &dup, &is), 0);
	CU_ASSERT_EQUAL(dup, 50);
	CU_ASSERT_EQUAL(is.keys_caught_up, 20);	/* from the older header */
	CU_ASSERT_PTR_NULL(is.keys_why);	/* caught up, not rebuilt */
	CU_ASSERT_TRUE(verifies(l));
}

/*
 * I8: a handle that appends several documents holds their item rows and
 * writes them at close, or before another writer's work is caught up, or
 * before a lookup.  Steps: a handle opens ('o'), appends 10 events from
 * `base` ('p'), closes ('c'); 'k' is a process that appends twice and is
 * killed while holding; 'f' a lookup through a fresh handle (1 hit).  At
 * the end every event 0..n-1 is found once, the index is up to date
 * without reading the ledger, and the ledger verifies.
 */
static void
test_rows_held(void)
{
	static const struct {
		const char	*name;
		const char	*steps;	/* handle, op, base/10 */
		int		 n;
	} cases[] = {
		{ "held until close", "ao0 ap0 ap1 ap2 ac0", 30 },
		{ "another writer between", "ao0 bo0 ap0 ap1 bp2 ap3 bc0 ac0",
		  40 },
		{ "another writer's catch-up between",
		  "ao0 ap0 ap1 bf1 ap2 bf2 ac0", 30 },
		{ "a lookup between", "ao0 ap0 ap1 af1 ap2 ac0", 30 },
		{ "killed while holding", "ao0 ap0 ac0 xk1 xf2", 30 },
	};
	LOCAL_PATH(l, "held.dsl");

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct ledger *h[2] = { NULL, NULL };
		struct ledger_index_stats is;
		struct diag d = DIAG_INIT;
		const char *s = cases[c].steps;
		uint64_t dup;

		unlink(l);
		rm_index(l);
		for (; *s != '\0'; s += s[3] == ' ' ? 4 : 3) {
			int w = s[0] == 'b', base = (s[2] - '0') * 10;
			char item[80];
			pid_t pid;
			int ws;

			switch (s[1]) {
			case 'o':
				CU_ASSERT_EQUAL_FATAL(ledger_open(&h[w], l, true,
				    &d), 0);
				CU_ASSERT_EQUAL_FATAL(ledger_index_use(h[w],
				    NULL, &d), 0);
				break;
			case 'p':
				CU_ASSERT_EQUAL(append_on(h[w], 10, (size_t)base,
				    &dup), 10);
				break;
			case 'c':
				ledger_close(h[w]);
				h[w] = NULL;
				break;
			case 'f':
				snprintf(item, sizeof(item), "urn:epc:id:sgtin:"
				    "030001.0012345.%d", base + 5);
				if (lookup(l, LEDGER_ITEM_EPC, item, NULL) != 1)
					fprintf(stderr, "%s: %s\n",
					    cases[c].name, item);
				CU_ASSERT_EQUAL(lookup(l, LEDGER_ITEM_EPC, item,
				    NULL), 1);
				break;
			case 'k':
				if ((pid = fork()) == 0) {
					struct ledger *k;
					struct diag kd = DIAG_INIT;
					uint64_t kdup;

					if (ledger_open(&k, l, true, &kd) != 0 ||
					    ledger_index_use(k, NULL, &kd) != 0 ||
					    append_on(k, 10, (size_t)base,
					    &kdup) != 10 || append_on(k, 10,
					    (size_t)base + 10, &kdup) != 10)
						_exit(1);
					_exit(0);	/* holding */
				}
				CU_ASSERT_FATAL(pid > 0);
				CU_ASSERT_EQUAL(waitpid(pid, &ws, 0), pid);
				CU_ASSERT_TRUE(WIFEXITED(ws) &&
				    WEXITSTATUS(ws) == 0);
				break;
			}
		}
		for (int i = 0; i < cases[c].n; i++) {
			char item[80];
			uint64_t last = 0, hits;

			snprintf(item, sizeof(item),
			    "urn:epc:id:sgtin:030001.0012345.%d", i);
			hits = lookup(l, LEDGER_ITEM_EPC, item, &last);
			if (hits != 1)
				fprintf(stderr, "%s: %s: %llu hits\n",
				    cases[c].name, item,
				    (unsigned long long)hits);
			CU_ASSERT_EQUAL(hits, 1);
		}
		CU_ASSERT_EQUAL_FATAL(ledger_open(&h[0], l, true, &d), 0);
		CU_ASSERT_EQUAL(ledger_index_sync(h[0], false, &is, &d), 0);
		CU_ASSERT_FALSE(is.rebuilt);
		CU_ASSERT_EQUAL(is.caught_up, 0);
		CU_ASSERT_EQUAL(is.entries, (uint64_t)cases[c].n);
		ledger_close(h[0]);
		CU_ASSERT_TRUE(verifies(l));
	}
}

/* Rows in table `t` of the index of `path`; -1 if it cannot be read. */
static long
index_rows(const char *path, const char *t)
{
	char p[400], q[64];
	sqlite3 *db;
	sqlite3_stmt *s;
	long n = -1;

	snprintf(p, sizeof(p), "%s.idx", path);
	snprintf(q, sizeof(q), "SELECT count(*) FROM %s", t);
	if (sqlite3_open_v2(p, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, q, -1, &s, NULL) == SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			n = (long)sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	sqlite3_close(db);
	return n;
}

/*
 * I9: appends through a handle each (a process per append) put their
 * rows in `pending`; past 8192 they move to `item`.  Lookups find rows of
 * both (a row in both counts once: test_rows_held, "another writer's
 * catch-up between").
 */
static void
test_pending(void)
{
	LOCAL_PATH(l, "pend.dsl");
	long items, pend;

	unlink(l);
	rm_index(l);
	for (size_t b = 0; b < 130; b++)	/* 8,320 events */
		CU_ASSERT_EQUAL_FATAL(append(l, true, 64, b * 64, NULL, NULL),
		    64);
	items = index_rows(l, "item");
	pend = index_rows(l, "pending");
	CU_ASSERT_EQUAL(items + pend, 130 * 64);
	CU_ASSERT_TRUE(items >= 8192 && pend < 8192);
	for (int i = 0; i < 130 * 64; i += 97) {
		char item[80];

		snprintf(item, sizeof(item),
		    "urn:epc:id:sgtin:030001.0012345.%d", i);
		CU_ASSERT_EQUAL(lookup(l, LEDGER_ITEM_EPC, item, NULL), 1);
	}
	/* the last append's rows are pending; the first's are in item */
	CU_ASSERT_EQUAL(lookup(l, LEDGER_ITEM_EPC,
	    "urn:epc:id:sgtin:030001.0012345.8319", NULL), 1);
	CU_ASSERT_EQUAL(lookup(l, LEDGER_ITEM_EPC,
	    "urn:epc:id:sgtin:030001.0012345.0", NULL), 1);
	CU_ASSERT_TRUE(verifies(l));
}

/* Duplicates across processes: 4 children append overlapping ranges. */
static void
test_processes(void)
{
	LOCAL_PATH(l, "p.dsl");
	pid_t pid[4];
	struct ledger *lg;
	struct diag d = DIAG_INIT;
	struct ledger_stats st;

	unlink(l);
	rm_index(l);
	for (int c = 0; c < 4; c++) {
		if ((pid[c] = fork()) == 0) {
			/* rounds of 10 events, 5 of them another child's */
			for (size_t r = 0; r < 8; r++)
				if (append(l, true, 10, r * 10 + (size_t)c * 5,
				    NULL, NULL) < 0)
					_exit(1);
			_exit(0);
		}
		CU_ASSERT_FATAL(pid[c] > 0);
	}
	for (int c = 0; c < 4; c++) {
		int ws;

		CU_ASSERT_EQUAL(waitpid(pid[c], &ws, 0), pid[c]);
		CU_ASSERT_TRUE(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
	}
	/* events 0..94, each once; verify checks uniqueness from the file */
	CU_ASSERT_EQUAL(ledger_open(&lg, l, false, &d), 0);
	CU_ASSERT_EQUAL(ledger_verify(lg, NULL, &st, &d), 0);
	CU_ASSERT_EQUAL(st.entries, 95);
	ledger_close(lg);
}

int
main(void)
{
	static const struct test_case tests[] = {
		{ "catch up", test_catch_up },
		{ "rebuild deleted or corrupt", test_rebuild },
		{ "stale or foreign index", test_stale_or_foreign },
		{ "crash between ledger fsync and index commit",
		  test_crash_between },
		{ "duplicates across processes", test_processes },
		{ "hash-id table rebuilt or caught up", test_keys_rebuild },
		{ "stale hash-id slots", test_keys_stale },
		{ "hash-id table grows", test_keys_grow },
		{ "hash-id table header moved at close", test_keys_deferred },
		{ "item rows held by an appending handle", test_rows_held },
		{ "pending rows and their merge", test_pending },
		{ NULL, NULL },
	};
	struct diag d = DIAG_INIT;
	uint8_t seed[32] = { 9 };
	int rc;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s/test_lindex.XXXXXX",
	    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(dir) == NULL ||
	    sig_key_from_seed(&KEY, "example.com/mfr", seed, &d) != 0)
		return 3;
	rc = test_run("ledger_index", tests);
	sig_key_free(KEY);
	if ((dp = opendir(dir)) != NULL) {
		struct dirent *de;

		while ((de = readdir(dp)) != NULL)
			if (de->d_name[0] != '.')
				unlink(tpath(de->d_name));
		closedir(dp);
	}
	rmdir(dir);
	return rc;
}
