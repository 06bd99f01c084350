/*
 * Crash safety of ledger_append (dscsa-ledger(5) invariants 1, 2 and 8),
 * in-process so that hundreds of rounds fit in the test budget: a forked
 * child appends batch after batch and reports each acknowledged batch on a
 * pipe; the parent kills it with SIGKILL after a random delay, then
 * recovers the ledger and checks that every acknowledged batch is present
 * and that verify passes.  tests/reliability/ledger-crash.sh does the same
 * through the dscsa-ledger tool, with fewer rounds.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "diag.h"
#include "ledger.h"
#include "sig.h"
#include "testutil.h"
#include "ledger_data.h"

#define ROUNDS	(rounds())
#define BATCH	200

static char dir[64];

/* $LEDGER_CRASH_ROUNDS, default 200. */
static unsigned
rounds(void)
{
	const char *s = getenv("LEDGER_CRASH_ROUNDS");
	unsigned long v;
	char *end;

	if (s == NULL)
		return 200;
	v = strtoul(s, &end, 10);
	return *end == '\0' && v > 0 && v < 100000 ? (unsigned)v : 200;
}
static struct sig_key *KEY;

static void
child(const char *path, int fd, unsigned round)
{
	struct ledger *lg;
	struct diag d = DIAG_INIT;
	struct ledger_event ev[BATCH];
	static char ids[BATCH][80], canon[BATCH][400];

	if (ledger_open(&lg, path, true, &d) != 0)
		_exit(3);
	for (unsigned b = 0;; b++) {
		unsigned tag = round * 100000 + b;

		for (int i = 0; i < BATCH; i++) {
			snprintf(ids[i], sizeof(ids[i]),
			    "ni:///sha-256;%08x%02d?ver=CBV2.0", tag, i);
			snprintf(canon[i], sizeof(canon[i]), "<E t=\"%u\" i=\"%d\""
			    " pad=\"%0300d\"/>", tag, i, 0);
			ev[i].canon = canon[i];
			ev[i].canon_len = strlen(canon[i]);
			ev[i].hash_id = ids[i];
			ev[i].line = 0;
			ev[i].user = NULL;
		}
		if (ledger_append(lg, ev, BATCH, KEY, NULL, NULL, &d) != 0)
			_exit(4);
		if (write(fd, &tag, sizeof(tag)) != sizeof(tag))
			_exit(5);
	}
}

struct present {
	size_t		 n;
	unsigned	*tags;	/* tag of each entry with i == 0 */
};

static int
collect(void *ctx, const struct ledger_entry *e, struct diag *d)
{
	struct present *p = ctx;
	unsigned tag;
	int i;

	(void)d;
	if (sscanf(e->hash_id, "ni:///sha-256;%8x%2d", &tag, &i) == 2 && i == 0)
		p->tags[p->n++] = tag;
	return 0;
}

static void
test_kill_rounds(void)
{
	char path[128];
	uint64_t seed = 12345, total_acked = 0, kills_mid = 0;
	unsigned *acked = calloc(1 << 20, sizeof(*acked));
	size_t nacked = 0;

	snprintf(path, sizeof(path), "%s/crash.dsl", dir);
	for (unsigned r = 1; r <= ROUNDS; r++) {
		int p[2];
		pid_t pid;
		unsigned tag;
		struct timespec ts;
		struct ledger *lg;
		struct diag d = DIAG_INIT;
		uint64_t removed, rent;

		CU_ASSERT_EQUAL_FATAL(pipe(p), 0);
		pid = fork();
		CU_ASSERT_FATAL(pid >= 0);
		if (pid == 0) {
			close(p[0]);
			child(path, p[1], r);
		}
		close(p[1]);
		/*
		 * Kill when the file has grown past a random point of the next
		 * append (the appender writes in 64 KiB pieces), or after a
		 * random time: both "before", "during" and "after" happen.
		 */
		{
			struct stat sb;
			off_t start = stat(path, &sb) == 0 ? sb.st_size : 0;
			off_t target = start + 1 + (off_t)(ld_rand(&seed) %
			    (BATCH * 420));
			long waited = 0, limit = (long)(ld_rand(&seed) % 20000);

			ts.tv_sec = 0;
			ts.tv_nsec = 20000;	/* 20 us */
			while (waited < limit && (stat(path, &sb) != 0 ||
			    sb.st_size < target)) {
				nanosleep(&ts, NULL);
				waited += 20;
			}
		}
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		while (read(p[0], &tag, sizeof(tag)) == sizeof(tag))
			if (nacked < (1 << 20))
				acked[nacked++] = tag;
		close(p[0]);
		/* recover, whatever state the kill left */
		if (ledger_open(&lg, path, true, &d) != 0) {
			/* killed before the file existed */
			continue;
		}
		if (ledger_recover(lg, &removed, &rent, NULL, &d) != 0) {
			fprintf(stderr, "round %u: recover: %s\n", r, d.msg);
			CU_FAIL("recover failed");
		}
		if (removed > 0)
			kills_mid++;
		ledger_close(lg);
	}
	{
		struct ledger *lg;
		struct diag d = DIAG_INIT;
		struct ledger_stats st;
		struct present pr = { 0, calloc(1 << 20, sizeof(unsigned)) };
		size_t missing = 0;

		CU_ASSERT_EQUAL_FATAL(ledger_open(&lg, path, false, &d), 0);
		if (ledger_verify(lg, NULL, &st, &d) != 0)
			fprintf(stderr, "verify: %s\n", d.msg);
		CU_ASSERT_EQUAL(d.kind, DIAG_OK);
		CU_ASSERT_EQUAL(ledger_scan(lg, collect, &pr, NULL, &d), 0);
		ledger_close(lg);
		for (size_t i = 0; i < nacked; i++) {
			bool found = false;

			for (size_t j = 0; j < pr.n && !found; j++)
				found = pr.tags[j] == acked[i];
			missing += !found;
		}
		total_acked = nacked;
		fprintf(stderr, "%u rounds: %zu batches acknowledged, %zu "
		    "present, %llu kills left a torn tail, %zu lost\n", ROUNDS,
		    nacked, pr.n, (unsigned long long)kills_mid, missing);
		TEST_INT_EQ(0, missing, 0);
		/* the test must have killed appends in the middle */
		CU_ASSERT(kills_mid > 0);
		CU_ASSERT(total_acked > 0);
		free(pr.tags);
	}
	free(acked);
}

int
main(void)
{
	static const struct test_case tests[] = {
		{ "SIGKILL rounds", test_kill_rounds },
		{ NULL, NULL },
	};
	struct diag d = DIAG_INIT;
	uint8_t seed[32] = { 9 };
	char path[128];
	int rc;

	/* SIGKILL does not lose the page cache: a RAM file system will do */
	snprintf(dir, sizeof(dir), "%s/test_ledger_crash.XXXXXX",
	    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(dir) == NULL ||
	    sig_key_from_seed(&KEY, "example.com/crash", seed, &d) != 0)
		return 3;
	rc = test_run("ledger crash", tests);
	sig_key_free(KEY);
	snprintf(path, sizeof(path), "%s/crash.dsl", dir);
	unlink(path);
	rmdir(dir);
	return rc;
}
