/*
 * bench: the library's ledger_append with events already in memory, in
 * batches of 1,000 with one fsync each, without the sidecar index; then
 * ledger_verify and a plain SHA-256 of the same file in the same run.
 * Then, given EPCIS files, what dscsa-ledger append does in one process
 * with files, phase by phase: the key load (OpenSSL start-up included),
 * and for each document ledger_events_read, then ledger_append with the
 * index (duplicate lookups, records, signature, write and fsync, index
 * rows, those it holds written at ledger_close counted too); beside it one seal signature alone, and the same batches
 * appended without the index, so the index's share shows.
 *
 * usage: ledger_append LEDGER BATCHES KEY [events.xml ...]
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "ledger.h"
#include "sig.h"

#define BATCH	1000

/*
 * CPU seconds of this process: the machine the benches run on may be
 * shared, and wall time then measures the neighbours.  Wall time is
 * printed too.
 */
static double
cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double
wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int
sha256_file(const char *path, struct sig_hasher *h)
{
	FILE *f = fopen(path, "rb");
	static uint8_t buf[1 << 20];
	uint8_t out[32];
	size_t n;

	if (f == NULL)
		return -1;
	sig_hash_init(h);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sig_hash_update(h, buf, n);
	sig_hash_final(h, out);
	fclose(f);
	return 0;
}

/* Read one EPCIS file; the CPU seconds it took into *t. */
static int
read_doc(const char *path, struct ledger_events *evs, double *t,
    struct diag *d)
{
	FILE *f = fopen(path, "rb");
	double a = cpu();

	if (f == NULL)
		return -1;
	if (ledger_events_read(evs, f, path, d) != 0) {
		fclose(f);
		return -1;
	}
	fclose(f);
	*t += cpu() - a;
	return 0;
}

/*
 * dscsa-ledger append LEDGER FILE..., phase by phase, on a new ledger
 * LEDGER.files (with the index), then the same documents again on
 * LEDGER.noidx without the index.
 */
static int
phases(const char *base, const char *keyfile, int n, char **files)
{
	struct diag d = DIAG_INIT;
	struct sig_key *key;
	struct ledger *lg;
	struct ledger_stats st;
	char path[4096], path2[4096], idx[4200];
	double t, tkey, tread = 0, tapp = 0, tapp2 = 0, tread2 = 0, tsign;
	uint8_t sig[SIG_ED25519_SIG_LEN];
	uint64_t events = 0;

	snprintf(path, sizeof(path), "%s.files", base);
	snprintf(path2, sizeof(path2), "%s.noidx", base);
	unlink(path);
	unlink(path2);
	snprintf(idx, sizeof(idx), "%s.idx", path);
	unlink(idx);
	snprintf(idx, sizeof(idx), "%s.idx.keys", path);
	unlink(idx);
	t = cpu();
	if (sig_init(&d) != 0 || sig_key_load(&key, keyfile, &d) != 0) {
		fprintf(stderr, "%s: %s\n", keyfile, d.msg);
		return -1;
	}
	tkey = cpu() - t;
	if (ledger_open(&lg, path, true, &d) != 0 ||
	    ledger_index_use(lg, NULL, &d) != 0)
		return -1;
	for (int i = 0; i < n; i++) {
		struct ledger_events evs;

		if (read_doc(files[i], &evs, &tread, &d) != 0) {
			fprintf(stderr, "%s: %s\n", files[i], d.msg);
			return -1;
		}
		t = cpu();
		if (ledger_append(lg, evs.ev, evs.n, key, NULL, &st, &d) != 0) {
			fprintf(stderr, "append: %s\n", d.msg);
			return -1;
		}
		tapp += cpu() - t;
		events += evs.n;
		ledger_events_free(&evs);
	}
	t = cpu();
	ledger_close(lg);	/* writes the index rows it held */
	tapp += cpu() - t;
	if (ledger_open(&lg, path2, true, &d) != 0)
		return -1;
	for (int i = 0; i < n; i++) {
		struct ledger_events evs;

		if (read_doc(files[i], &evs, &tread2, &d) != 0)
			return -1;
		t = cpu();
		if (ledger_append(lg, evs.ev, evs.n, key, NULL, &st, &d) != 0)
			return -1;
		tapp2 += cpu() - t;
		ledger_events_free(&evs);
	}
	t = cpu();
	ledger_close(lg);
	tapp2 += cpu() - t;
	t = cpu();
	for (int i = 0; i < 100; i++)
		if (sig_sign(key, path, strlen(path), sig, &d) != 0)
			return -1;
	tsign = (cpu() - t) / 100;
	sig_key_free(key);
	printf("one process, %d documents of %.0f events, fsync each: %.0f "
	    "events/s CPU in the library (read + append)\n", n,
	    (double)events / n, (double)events / (tread + tapp));
	printf("  per document (ms CPU): EPCIS read %.2f, append with index "
	    "%.2f (without the index %.2f, so the index %.2f; of it one seal "
	    "signature %.3f); once per process: key load with OpenSSL "
	    "start-up %.2f\n", tread * 1e3 / n, tapp * 1e3 / n,
	    tapp2 * 1e3 / n, (tapp - tapp2) * 1e3 / n, tsign * 1e3,
	    tkey * 1e3);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct diag d = DIAG_INIT;
	struct sig_key *key;
	struct ledger *lg;
	struct ledger_stats st;
	struct ledger_event *ev;
	struct sig_hasher *h;
	struct rusage ru;
	struct stat sb;
	uint8_t seed[32] = { 1 };
	char (*ids)[80], (*canon)[520];
	unsigned long batches;
	double t0, t1, t2, t3, w0, w1, w2, gen = 0;

	if (argc < 4 || (batches = strtoul(argv[2], NULL, 10)) == 0) {
		fprintf(stderr, "usage: ledger_append LEDGER BATCHES KEY "
		    "[xml ...]\n");
		return 2;
	}
	/* first: the key load is the process's first use of OpenSSL */
	if (argc > 4 && phases(argv[1], argv[3], argc - 4, argv + 4) != 0)
		return 3;
	ev = calloc(BATCH, sizeof(*ev));
	ids = calloc(BATCH, sizeof(*ids));
	canon = calloc(BATCH, sizeof(*canon));
	if (ev == NULL || ids == NULL || canon == NULL ||
	    sig_key_from_seed(&key, "bench.example", seed, &d) != 0 ||
	    sig_hasher_new(&h, &d) != 0)
		return 3;
	unlink(argv[1]);
	if (ledger_open(&lg, argv[1], true, &d) != 0)
		return 3;
	t0 = cpu();
	w0 = wall();
	for (unsigned long b = 0; b < batches; b++) {
		double g = cpu();

		for (int i = 0; i < BATCH; i++) {
			int n = snprintf(canon[i], sizeof(canon[i]),
			    "<ObjectEvent><eventTime>2026-01-01T00:00:00.000Z"
			    "</eventTime><eventTimeZoneOffset>+00:00"
			    "</eventTimeZoneOffset><epcList><epc>urn:epc:id:"
			    "sgtin:030001.0012345.B%lu-%d</epc></epcList><action>"
			    "ADD</action><bizStep>urn:epcglobal:cbv:bizstep:"
			    "commissioning</bizStep><disposition>urn:epcglobal:"
			    "cbv:disp:active</disposition></ObjectEvent>", b, i);
			uint8_t hh[32];

			sig_sha256(canon[i], (size_t)n, hh);
			snprintf(ids[i], sizeof(ids[i]), "ni:///sha-256;%02x%02x"
			    "%02x%02x%02x%02x%02x%02x%lu-%d?ver=CBV2.0", hh[0],
			    hh[1], hh[2], hh[3], hh[4], hh[5], hh[6], hh[7], b, i);
			ev[i].canon = canon[i];
			ev[i].canon_len = (size_t)n;
			ev[i].hash_id = ids[i];
		}
		gen += cpu() - g;	/* not the ledger's time */
		if (ledger_append(lg, ev, BATCH, key, NULL, &st, &d) != 0) {
			fprintf(stderr, "append: %s\n", d.msg);
			return 3;
		}
	}
	t1 = cpu();
	w1 = wall();
	ledger_close(lg);
	if (ledger_open(&lg, argv[1], false, &d) != 0 ||
	    ledger_verify(lg, NULL, &st, &d) != 0) {
		fprintf(stderr, "verify: %s\n", d.msg);
		return 1;
	}
	t2 = cpu();
	w2 = wall();
	ledger_close(lg);
	sha256_file(argv[1], h);
	t3 = cpu();
	stat(argv[1], &sb);
	getrusage(RUSAGE_SELF, &ru);
	printf("library append: %lu events in batches of %d, fsync each: "
	    "%.0f events/s CPU (%.0f events/s wall)\n", batches * BATCH, BATCH,
	    (double)(batches * BATCH) / (t1 - t0 - gen),
	    (double)(batches * BATCH) / (w1 - w0));
	printf("library verify: %.0f entries/s CPU, %.0f MB/s (%.0f entries/s "
	    "wall); SHA-256 (sha256.c) of the same %lld-byte file: %.0f MB/s "
	    "CPU; "
	    "verify/SHA-256 CPU time %.2f\n", (double)st.entries / (t2 - t1),
	    (double)sb.st_size / (t2 - t1) / 1e6, (double)st.entries / (w2 - w1),
	    (long long)sb.st_size, (double)sb.st_size / (t3 - t2) / 1e6,
	    (t2 - t1) / (t3 - t2));
	printf("peak RSS: %ld KiB\n", ru.ru_maxrss);
	sig_hasher_free(h);
	sig_key_free(key);
	free(ev);
	free(ids);
	free(canon);
	return 0;
}
