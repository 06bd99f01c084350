/*
 * dscsa-ledger: keys, append, verify, show, checkpoints, proofs and
 * recovery for the ledger file (dscsa-ledger(1), dscsa-ledger(5)).
 * One function per verb; everything else is in libcommon/ledger.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/opensslv.h>

#include "diag.h"
#include "keyring.h"
#include "ledger.h"
#include "sig.h"
#include "tool.h"

static const char usage_text[] =
    "usage: dscsa-ledger keygen name -o key\n"
    "       dscsa-ledger append -k key [-K keyring] [-O origin] ledger "
    "[file ...]\n"
    "       dscsa-ledger verify [-v] [-K keyring] ledger\n"
    "       dscsa-ledger show ledger\n"
    "       dscsa-ledger checkpoint [-s size] ledger\n"
    "       dscsa-ledger prove inclusion [-s size] ledger hashid | index\n"
    "       dscsa-ledger prove consistency ledger m n\n"
    "       dscsa-ledger check-proof [-c checkpoint] -k vkey | -K keyring "
    "proof\n"
    "       dscsa-ledger recover ledger\n"
    "       dscsa-ledger index [-u] [-q item] ledger\n"
    "\n"
    "  -c checkpoint  the old checkpoint, for a consistency proof\n"
    "  -K keyring     the keyring file: parties, keys, company prefixes\n"
    "  -k key         private key file (keygen -o, append) or verifier key\n"
    "                 string or file (check-proof)\n"
    "  -O origin      origin line of a new ledger (default: the key name)\n"
    "  -q item        index: list the entries of an EPC, parent, lot or hash id\n"
    "  -o key         where keygen writes the private key; key.pub gets the\n"
    "                 verifier key\n"
    "  -s size        the seal of this size instead of the latest\n"
    "  -u             index: bring it up to date instead of rebuilding it\n"
    "  -v             list every problem and what was checked\n";

static const struct option longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "size", required_argument, NULL, 's' },
	{ NULL, 0, NULL, 0 },
};

struct args {
	const char	*key, *keyring, *origin, *out, *old, *query;
	uint64_t	 size;
	bool		 verbose, update;
	int		 argc;
	char		**argv;
};

static int
parse_u64_opt(const char *opt, const char *s, uint64_t *v)
{
	if (sig_parse_u64(s, strlen(s), v) != 0)
		return tool_usage("-%s: '%s' is not a number", opt, s);
	return 0;
}

static int
get_args(int argc, char *argv[], const char *allowed, struct args *a)
{
	int ch;

	memset(a, 0, sizeof(*a));
	optind = 1;
	while ((ch = getopt_long(argc, argv, allowed, longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			a->old = optarg;
			break;
		case 'K':
			a->keyring = optarg;
			break;
		case 'k':
			a->key = optarg;
			break;
		case 'O':
			a->origin = optarg;
			break;
		case 'o':
			a->out = optarg;
			break;
		case 's':
			if (parse_u64_opt("s", optarg, &a->size) != 0)
				return TOOL_INPUT;
			break;
		case 'q':
			a->query = optarg;
			break;
		case 'u':
			a->update = true;
			break;
		case 'v':
			a->verbose = true;
			break;
		default:
			return tool_usage(NULL);
		}
	}
	a->argc = argc - optind;
	a->argv = argv + optind;
	return 0;
}

/* SOURCE_DATE_EPOCH (seconds) fixes the time, for reproducible ledgers. */
static uint64_t
fixed_time_ms(void)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	uint64_t v;

	if (s != NULL && sig_parse_u64(s, strlen(s), &v) == 0 &&
	    v < UINT64_MAX / 1000)
		return v * 1000;
	return 0;
}

static int
cmd_keygen(int argc, char *argv[])
{
	struct args a;
	struct sig_key *k = NULL;
	struct diag d = DIAG_INIT;
	char vkey[SIG_VKEY_MAX], pub[4096];
	FILE *f;
	int rc;

	if ((rc = get_args(argc, argv, "o:", &a)) != 0)
		return rc;
	if (a.argc != 1 || a.out == NULL)
		return tool_usage("keygen needs a name and -o key");
	if (snprintf(pub, sizeof(pub), "%s.pub", a.out) >= (int)sizeof(pub))
		return tool_usage("key path too long");
	if (sig_key_generate(&k, a.argv[0], &d) != 0)
		return tool_fail(&d);
	if (sig_key_save(k, a.out, &d) != 0) {
		sig_key_free(k);
		return tool_fail(&d);
	}
	sig_vkey_format(sig_key_public(k), vkey, sizeof(vkey));
	sig_key_free(k);
	if ((f = fopen(pub, "wx")) == NULL) {
		diag_system(&d, "%s: cannot create", pub);
		return tool_fail(&d);
	}
	if (fprintf(f, "%s\n", vkey) < 0 || fclose(f) != 0) {
		diag_system(&d, "%s: cannot write", pub);
		return tool_fail(&d);
	}
	printf("%s\n", vkey);
	return tool_close_stdout(&d) == 0 ? TOOL_OK : tool_fail(&d);
}

static void
report_dup(void *ctx, const struct ledger_event *e, uint64_t existing)
{
	const char *input = ctx;

	if (e->line)
		fprintf(stderr, "%s: %s:%lu: event %s is already entry "
		    "%" PRIu64 ": not appended again\n", tool_name(), input,
		    e->line, e->hash_id, existing);
	else
		fprintf(stderr, "%s: %s: event %s is already entry %" PRIu64
		    ": not appended again\n", tool_name(), input, e->hash_id,
		    existing);
}

/* Say when the index had to be rebuilt or could not be updated. */
static void
report_index(const char *path, const struct ledger_index_stats *is)
{
	if (is->why != NULL && (!is->rebuilt || is->caught_up > 0))
		fprintf(stderr, "%s: %s.idx: %s%s%s\n", tool_name(), path,
		    is->rebuilt ? "rebuilt from the ledger (it " : "",
		    is->why, is->rebuilt ? ")" : "");
	if (is->keys_why != NULL && is->keys_caught_up > 0)
		fprintf(stderr, "%s: %s.idx.keys: rebuilt from the ledger (it "
		    "%s)\n", tool_name(), path, is->keys_why);
}

static int
load_keyring(const char *path, struct keyring **kr, struct diag *d)
{
	*kr = NULL;
	if (path == NULL)
		return 0;
	return keyring_load(kr, path, d);
}

/*
 * Append one document (`path`, NULL: stdin) as its own batch: read it
 * whole (all or nothing), append it with its own seal and fsync, and
 * report it.  The ledger is opened (*lg) after the first document has
 * been read, so that bad input never creates one.  Returns 0 (appended,
 * or only duplicates: *dupes counts them) or -1 with `d` filled (nothing
 * of this document was appended).
 */
static int
append_one(struct ledger **lg, const char *lpath, const char *path,
    const struct sig_key *k, struct ledger_opts *o, uint64_t *dupes,
    struct diag *d)
{
	const char *name = path ? tool_input_name(path) : "<stdin>";
	struct ledger_events evs;
	struct ledger_stats st;
	FILE *in = path ? tool_open_input(path, d) : stdin;
	int rc;

	if (in == NULL)
		return -1;
	o->input = name;
	o->report_ctx = (void *)name;
	/* all or nothing: the whole document is read before anything is written */
	rc = ledger_events_read(&evs, in, name, d);
	if (path != NULL)
		tool_close_input(in);
	if (rc != 0)
		return -1;
	if (evs.n == 0) {
		ledger_events_free(&evs);
		diag_input(d, "no events in the input");
		diag_at(d, name, 0);
		return -1;
	}
	if (*lg == NULL && (ledger_open(lg, lpath, true, d) != 0 ||
	    ledger_index_use(*lg, NULL, d) != 0)) {
		ledger_events_free(&evs);
		return -1;
	}
	rc = ledger_append(*lg, evs.ev, evs.n, k, o, &st, d);
	ledger_events_free(&evs);
	if (rc != 0)
		return -1;
	report_index(lpath, &st.index);
	/* the acknowledgement: the batch is on disk (fsync) */
	if (path == NULL)
		fprintf(stderr, "%s: %s: %" PRIu64 " appended, %" PRIu64
		    " refused as duplicates, %" PRIu64 " entries\n", tool_name(),
		    lpath, st.appended, st.duplicates, st.entries);
	else
		fprintf(stderr, "%s: %s: %s: %" PRIu64 " appended, %" PRIu64
		    " refused as duplicates, %" PRIu64 " entries\n", tool_name(),
		    lpath, name, st.appended, st.duplicates, st.entries);
	*dupes += st.duplicates;
	return 0;
}

/*
 * Each document is its own batch: a failed one stops the run there, the
 * ones before it stay appended (they were reported).
 */
static int
cmd_append(int argc, char *argv[])
{
	struct args a;
	struct sig_key *k = NULL;
	struct keyring *kr = NULL;
	struct ledger *lg = NULL;
	struct ledger_opts o;
	struct diag d = DIAG_INIT;
	uint64_t dupes = 0;
	int rc;

	if ((rc = get_args(argc, argv, "K:k:O:", &a)) != 0)
		return rc;
	if (a.argc < 1 || a.key == NULL)
		return tool_usage("append needs -k key and a ledger");
	memset(&o, 0, sizeof(o));
	o.origin = a.origin;
	o.time_ms = fixed_time_ms();
	o.dup = report_dup;
	rc = -1;
	if (sig_key_load(&k, a.key, &d) != 0 ||
	    load_keyring(a.keyring, &kr, &d) != 0)
		goto out;
	o.keyring = kr;
	if (kr != NULL)
		o.policy = ledger_epcis_policy;
	if (a.argc == 1)
		rc = append_one(&lg, a.argv[0], NULL, k, &o, &dupes, &d);
	else
		for (int i = 1; i < a.argc; i++)
			if ((rc = append_one(&lg, a.argv[0], a.argv[i], k, &o,
			    &dupes, &d)) != 0)
				break;
	if (rc == 0)
		rc = dupes > 0 ? TOOL_VERIFY : TOOL_OK;
out:
	ledger_close(lg);
	keyring_free(kr);
	sig_key_free(k);
	return rc < 0 ? tool_fail(&d) : rc;
}

struct vctx {
	const char	*path;
	bool		 tty;
};

static void
print_problem(void *ctx, uint64_t off, int64_t entry, const char *msg)
{
	struct vctx *v = ctx;

	if (v->tty)
		fputs("\r\033[K", stderr);
	if (entry >= 0)
		printf("%s: offset %" PRIu64 " (entry %" PRId64 "): %s\n",
		    v->path, off, entry, msg);
	else
		printf("%s: offset %" PRIu64 ": %s\n", v->path, off, msg);
}

static void
progress(void *ctx, uint64_t done, uint64_t total)
{
	(void)ctx;
	fprintf(stderr, "\r%s: verify %3d%%", tool_name(),
	    total ? (int)(done * 100 / total) : 100);
}

static int
cmd_verify(int argc, char *argv[])
{
	struct args a;
	struct keyring *kr = NULL;
	struct ledger *lg = NULL;
	struct ledger_opts o;
	struct ledger_stats st;
	struct diag d = DIAG_INIT;
	struct vctx v;
	int rc;

	if ((rc = get_args(argc, argv, "K:v", &a)) != 0)
		return rc;
	if (a.argc != 1)
		return tool_usage("verify needs a ledger");
	if (load_keyring(a.keyring, &kr, &d) != 0 ||
	    ledger_open(&lg, a.argv[0], false, &d) != 0) {
		keyring_free(kr);
		return tool_fail(&d);
	}
	memset(&o, 0, sizeof(o));
	v.path = a.argv[0];
	v.tty = isatty(2);
	o.keyring = kr;
	o.policy = kr ? ledger_epcis_policy : NULL;
	o.all = a.verbose;
	o.problem = print_problem;
	o.report_ctx = &v;
	if (v.tty) {
		o.progress = progress;
	}
	rc = ledger_verify(lg, &o, &st, &d);
	if (v.tty)
		fputs("\r\033[K", stderr);
	ledger_close(lg);
	keyring_free(kr);
	if (rc != 0 && d.kind != DIAG_VERIFY)
		return tool_fail(&d);
	if (rc == 0) {
		char root[48];

		sig_base64_encode(st.last.root, 32, root, sizeof(root));
		printf("%s: ok: %" PRIu64 " entries, %" PRIu64 " seals%s%s%s\n",
		    a.argv[0], st.entries, st.seals, st.seals ? ", root " : "",
		    st.seals ? root : "", kr ? ", signers and policy checked "
		    "against the keyring" : ", no keyring: signers not "
		    "authenticated");
	} else if (a.verbose)
		printf("%s: %" PRIu64 " problems\n", a.argv[0], st.problems);
	if (tool_close_stdout(&d) != 0)
		return tool_fail(&d);
	return rc == 0 ? TOOL_OK : TOOL_VERIFY;
}

static int
show_entry(void *ctx, const struct ledger_entry *e, struct diag *d)
{
	char event[256], items[65536], when[32];
	time_t t = (time_t)(e->time_ms / 1000);
	struct tm tm;

	(void)ctx;
	if (ledger_describe(e, event, sizeof(event), items, sizeof(items),
	    d) != 0)
		return -1;
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	printf("%" PRIu64 "\t%s.%03uZ\t%.*s\t%.*s\t%s\t%s\n", e->index, when,
	    (unsigned)(e->time_ms % 1000), (int)e->key_name_len, e->key_name,
	    (int)e->hash_id_len, e->hash_id, event, items);
	return 0;
}

static int
cmd_show(int argc, char *argv[])
{
	struct args a;
	struct ledger *lg;
	struct diag d = DIAG_INIT;
	int rc;

	if ((rc = get_args(argc, argv, "", &a)) != 0)
		return rc;
	if (a.argc != 1)
		return tool_usage("show needs a ledger");
	if (ledger_open(&lg, a.argv[0], false, &d) != 0)
		return tool_fail(&d);
	printf("# index\ttime\tsigner\thash id\tevent\titems\n");
	rc = ledger_scan(lg, show_entry, NULL, NULL, &d);
	ledger_close(lg);
	if (rc != 0) {
		struct diag ignored = DIAG_INIT;

		tool_close_stdout(&ignored);	/* the first error is reported */
		return tool_fail(&d);
	}
	return tool_close_stdout(&d) == 0 ? TOOL_OK : tool_fail(&d);
}

static int
write_out(char *buf, size_t len, int rc, struct diag *d)
{
	if (rc != 0)
		return tool_fail(d);
	fwrite(buf, 1, len, stdout);
	free(buf);
	return tool_close_stdout(d) == 0 ? TOOL_OK : tool_fail(d);
}

static int
cmd_checkpoint(int argc, char *argv[])
{
	struct args a;
	struct ledger *lg;
	struct diag d = DIAG_INIT;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if ((rc = get_args(argc, argv, "s:", &a)) != 0)
		return rc;
	if (a.argc != 1)
		return tool_usage("checkpoint needs a ledger");
	if (ledger_open(&lg, a.argv[0], false, &d) != 0)
		return tool_fail(&d);
	rc = ledger_checkpoint(lg, a.size, &buf, &len, &d);
	ledger_close(lg);
	return write_out(buf, len, rc, &d);
}

static int
cmd_prove(int argc, char *argv[])
{
	struct args a;
	struct ledger *lg;
	struct diag d = DIAG_INIT;
	char *buf = NULL;
	size_t len = 0;
	int rc;
	bool incl;

	if (argc < 2)
		return tool_usage("prove needs inclusion or consistency");
	if (strcmp(argv[1], "inclusion") == 0)
		incl = true;
	else if (strcmp(argv[1], "consistency") == 0)
		incl = false;
	else
		return tool_usage("prove: unknown proof '%s'", argv[1]);
	if ((rc = get_args(argc - 1, argv + 1, incl ? "s:" : "", &a)) != 0)
		return rc;
	if (a.argc != (incl ? 2 : 3))
		return tool_usage(incl ? "prove inclusion needs a ledger and a "
		    "hash id or index" : "prove consistency needs a ledger and "
		    "two sizes");
	if (ledger_open(&lg, a.argv[0], false, &d) != 0)
		return tool_fail(&d);
	if (incl) {
		uint64_t idx = 0;
		const char *id = a.argv[1];

		if (sig_parse_u64(id, strlen(id), &idx) == 0)
			id = NULL;
		rc = ledger_prove_inclusion(lg, id, idx, a.size, &buf, &len, &d);
	} else {
		uint64_t m, n;

		if (parse_u64_opt("m", a.argv[1], &m) != 0 ||
		    parse_u64_opt("n", a.argv[2], &n) != 0) {
			ledger_close(lg);
			return TOOL_INPUT;
		}
		if (n == 0) {
			ledger_close(lg);
			return tool_usage("prove consistency: n must be a seal "
			    "size");
		}
		rc = ledger_prove_consistency(lg, m, n, &buf, &len, &d);
	}
	ledger_close(lg);
	return write_out(buf, len, rc, &d);
}

static char *
read_small(const char *path, size_t *len, struct diag *d)
{
	FILE *f = tool_open_input(path, d);
	char *buf;
	size_t cap = 64 * 1024 * 1024;

	if (f == NULL)
		return NULL;
	if ((buf = malloc(cap + 1)) == NULL) {
		tool_close_input(f);
		diag_system(d, "out of memory");
		return NULL;
	}
	*len = fread(buf, 1, cap + 1, f);
	if (ferror(f) || *len > cap) {
		diag_input(d, ferror(f) ? "cannot read" : "too large");
		diag_at(d, tool_input_name(path), 0);
		free(buf);
		tool_close_input(f);
		return NULL;
	}
	tool_close_input(f);
	buf[*len] = '\0';
	return buf;
}

static int
cmd_check_proof(int argc, char *argv[])
{
	struct args a;
	struct diag d = DIAG_INIT;
	struct keyring *kr = NULL;
	struct sig_vkey one, *keys = NULL;
	size_t nkeys = 0, plen = 0, olen = 0;
	char *proof = NULL, *old = NULL;
	struct ledger_proof_result r;
	int rc;

	if ((rc = get_args(argc, argv, "c:K:k:", &a)) != 0)
		return rc;
	if (a.argc != 1 || (a.key == NULL) == (a.keyring == NULL))
		return tool_usage("check-proof needs a proof and either -k vkey "
		    "or -K keyring");
	rc = -1;
	if (a.key != NULL) {
		const char *s = a.key;
		char *file = NULL;
		size_t flen;

		if (strchr(s, '+') == NULL) {	/* a file holding the vkey */
			if ((file = read_small(s, &flen, &d)) == NULL)
				goto out;
			while (flen > 0 && (file[flen - 1] == '\n'))
				file[--flen] = '\0';
			s = file;
		}
		rc = sig_vkey_parse(&one, s, strlen(s), &d);
		free(file);
		if (rc != 0) {
			rc = -1;
			goto out;
		}
		keys = &one;
		nkeys = 1;
	} else {
		if (keyring_load(&kr, a.keyring, &d) != 0)
			goto out;
		for (size_t i = 0; i < keyring_count(kr); i++)
			nkeys += keyring_party_at(kr, i)->nkey;
		if ((keys = calloc(nkeys ? nkeys : 1, sizeof(*keys))) == NULL) {
			diag_system(&d, "out of memory");
			goto out;
		}
		nkeys = 0;
		for (size_t i = 0; i < keyring_count(kr); i++) {
			const struct keyring_party *p = keyring_party_at(kr, i);

			for (size_t j = 0; j < p->nkey; j++)
				keys[nkeys++] = p->key[j];
		}
	}
	if ((proof = read_small(a.argv[0], &plen, &d)) == NULL)
		goto out;
	if (a.old != NULL && (old = read_small(a.old, &olen, &d)) == NULL)
		goto out;
	rc = ledger_check_proof(proof, plen, old, olen, keys, nkeys, &r, &d);
	if (rc != 0) {
		diag_at(&d, tool_input_name(a.argv[0]), 0);
		goto out;
	}
	if (r.consistency)
		printf("ok: size %" PRIu64 " is consistent with size %" PRIu64
		    ", signed by %s\n", r.old_size, r.size, r.signer);
	else
		printf("ok: entry %" PRIu64 " (%s) is in the ledger at size %"
		    PRIu64 ", signed by %s\n", r.index, r.hash_id, r.size,
		    r.signer);
	rc = tool_close_stdout(&d) == 0 ? TOOL_OK : -1;
out:
	if (keys != &one)
		free(keys);
	keyring_free(kr);
	free(proof);
	free(old);
	return rc < 0 ? tool_fail(&d) : rc;
}

static int
cmd_recover(int argc, char *argv[])
{
	struct args a;
	struct ledger *lg;
	struct ledger_stats st;
	struct diag d = DIAG_INIT;
	uint64_t removed, rent;
	int rc;

	if ((rc = get_args(argc, argv, "", &a)) != 0)
		return rc;
	if (a.argc != 1)
		return tool_usage("recover needs a ledger");
	if (ledger_open(&lg, a.argv[0], true, &d) != 0)
		return tool_fail(&d);
	rc = ledger_recover(lg, &removed, &rent, &st, &d);
	ledger_close(lg);
	if (rc != 0)
		return tool_fail(&d);
	if (removed == 0)
		printf("%s: nothing to recover: %" PRIu64 " entries, %" PRIu64
		    " seals\n", a.argv[0], st.entries, st.seals);
	else
		printf("%s: removed %" PRIu64 " bytes from offset %" PRIu64
		    " (%" PRIu64 " unsealed entries); %" PRIu64 " entries, %"
		    PRIu64 " seals remain\n", a.argv[0], removed, st.sealed_end,
		    rent, st.entries, st.seals);
	return tool_close_stdout(&d) == 0 ? TOOL_OK : tool_fail(&d);
}

static const char *const kind_names[] = {
	"hashid", "?", "epc", "parent", "input", "lot",
};

static int
print_hit(void *ctx, int kind, uint64_t index, uint64_t offset)
{
	(void)ctx;
	printf("%" PRIu64 "\t%" PRIu64 "\t%s\n", index, offset,
	    kind >= -1 && kind <= LEDGER_ITEM_LOT ? kind_names[kind + 1] : "?");
	return 0;
}

static int
cmd_index(int argc, char *argv[])
{
	struct args a;
	struct ledger *lg;
	struct ledger_index_stats st;
	struct diag d = DIAG_INIT;
	int rc;

	if ((rc = get_args(argc, argv, "q:u", &a)) != 0)
		return rc;
	if (a.argc != 1)
		return tool_usage("index needs a ledger");
	if (ledger_open(&lg, a.argv[0], true, &d) != 0)
		return tool_fail(&d);
	if (a.query != NULL) {
		printf("# entry\toffset\tkind\n");
		rc = ledger_index_find(lg, strncmp(a.query, "ni:", 3) == 0 ?
		    -1 : 0, a.query, print_hit, NULL, &d);
		ledger_close(lg);
		if (rc != 0)
			return tool_fail(&d);
		return tool_close_stdout(&d) == 0 ? TOOL_OK : tool_fail(&d);
	}
	rc = ledger_index_sync(lg, !a.update, &st, &d);
	ledger_close(lg);
	if (rc != 0)
		return tool_fail(&d);
	printf("%s.idx: %s%s%s%s: %" PRIu64 " entries (%" PRIu64 " read "
	    "from the ledger, %" PRIu64 " items)\n", a.argv[0], st.rebuilt ?
	    "rebuilt" : "up to date", st.rebuilt && a.update ? " (it " : "",
	    st.rebuilt && a.update ? st.why : "", st.rebuilt && a.update ?
	    ")" : "", st.entries, st.caught_up, st.items);
	return tool_close_stdout(&d) == 0 ? TOOL_OK : tool_fail(&d);
}

int
main(int argc, char *argv[])
{
	static const struct {
		const char	*name;
		int		(*fn)(int, char *[]);
	} verbs[] = {
		{ "keygen", cmd_keygen }, { "append", cmd_append },
		{ "verify", cmd_verify }, { "show", cmd_show },
		{ "checkpoint", cmd_checkpoint }, { "prove", cmd_prove },
		{ "check-proof", cmd_check_proof }, { "recover", cmd_recover },
		{ "index", cmd_index },
	};
	struct diag d = DIAG_INIT;

	tool_init("dscsa-ledger", usage_text);
	if (sig_init(&d) != 0)
		return tool_fail(&d);
	if (argc < 2)
		return tool_usage(NULL);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return tool_help();
	if (strcmp(argv[1], "--version") == 0)
		return tool_version(OPENSSL_VERSION_TEXT);
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(argv[1], verbs[i].name) == 0)
			return verbs[i].fn(argc - 1, argv + 1);
	return tool_usage("unknown command '%s'", argv[1]);
}
