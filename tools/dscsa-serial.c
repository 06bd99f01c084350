/*
 * dscsa-serial: random serials (or SSCCs) as item lines.  See
 * dscsa-serial(1); the generator and the registry are libcommon/serial.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "gs1.h"
#include "serial.h"
#include "tool.h"

static const char usage_text[] =
    "usage: dscsa-serial -g GTIN -l LOT -e YYYY-MM-DD -n COUNT [--allow-past]\n"
    "           [--alphabet NAME|CHARS] [--length L] [--registry FILE]\n"
    "           [--today YYYY-MM-DD]\n"
    "       dscsa-serial --sscc -g GTIN|SSCC --gcp-length N [--extension D]\n"
    "           -n COUNT [--registry FILE]\n"
    "\n"
    "  -g GTIN             GTIN-14 of the product (SSCC mode: a GTIN or SSCC\n"
    "                      of the company, for its GS1 Company Prefix)\n"
    "  -l LOT              batch/lot, AI (10): 1-20 CSET 82 characters\n"
    "  -e YYYY-MM-DD       expiry, AI (17)\n"
    "  -n COUNT            how many serials (1-100000000)\n"
    "  --allow-past        accept an expiry before --today\n"
    "  --alphabet NAME|CHARS  digits, upper (default), alnum, safe, or the\n"
    "                      symbols themselves (CSET 82)\n"
    "  --extension D       SSCC extension digit (default 0)\n"
    "  --gcp-length N      length of the GS1 Company Prefix (6-12)\n"
    "  --length L          serial length, 1-20 (default 12)\n"
    "  --registry FILE     SQLite file of issued serials: never repeat one\n"
    "  --sscc              make SSCCs, AI (00), instead of serials\n"
    "  --today YYYY-MM-DD  reference date for the expiry check (default:\n"
    "                      today, UTC)\n"
    "  -h, --help          this help;  --version  the version\n";

enum {
	OPT_ALLOW_PAST = 256, OPT_ALPHABET, OPT_EXTENSION, OPT_GCP_LENGTH,
	OPT_LENGTH, OPT_REGISTRY, OPT_SSCC, OPT_TODAY, OPT_VERSION,
};

static const struct option longopts[] = {
	{ "allow-past",	no_argument,		NULL, OPT_ALLOW_PAST },
	{ "alphabet",	required_argument,	NULL, OPT_ALPHABET },
	{ "extension",	required_argument,	NULL, OPT_EXTENSION },
	{ "gcp-length",	required_argument,	NULL, OPT_GCP_LENGTH },
	{ "help",	no_argument,		NULL, 'h' },
	{ "length",	required_argument,	NULL, OPT_LENGTH },
	{ "registry",	required_argument,	NULL, OPT_REGISTRY },
	{ "sscc",	no_argument,		NULL, OPT_SSCC },
	{ "today",	required_argument,	NULL, OPT_TODAY },
	{ "version",	no_argument,		NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

#define TEST_SEED_ENV	"DSCSA_SERIAL_TEST_SEED"

struct args {
	const char	*gtin, *lot, *expiry, *alphabet, *registry, *today;
	unsigned long	 count, length, gcp_length, extension;
	bool		 allow_past, sscc, have_shape, have_ext;
};

/*
 * The expiry as AI (17) YYMMDD: a real calendar day (gs1 lints it), whose
 * century GenSpecs 7.12 resolves back to the same year from `today`, and
 * not before `today` unless allowed.
 */
static int
expiry_value(const char *iso, const struct gs1_date *today, bool allow_past,
    char yymmdd[7], struct diag *d)
{
	struct gs1_date e, back;
	bool day00;

	if (strlen(iso) != 10)
		return diag_input(d, "-e: '%s' is not a date YYYY-MM-DD", iso);
	memcpy(yymmdd, iso + 2, 2);
	memcpy(yymmdd + 2, iso + 5, 2);
	memcpy(yymmdd + 4, iso + 8, 2);
	yymmdd[6] = '\0';
	if (gs1_date_parse(iso, &e) != 0 ||
	    gs1_date_from_yymmdd(yymmdd, today, &back, &day00) != 0)
		return diag_input(d, "-e: '%s' is not a date YYYY-MM-DD", iso);
	if (back.year != e.year)
		return diag_input(d, "-e: %d is more than 49 years back or 50 "
		    "ahead of %04d: YYMMDD would read it as %d (GenSpecs "
		    "7.12)", e.year, today->year, back.year);
	if (!allow_past && gs1_date_diff(today, &e) < 0)
		return diag_input(d, "-e: expiry %s is before today "
		    "(%04d-%02d-%02d); --allow-past if that is meant", iso,
		    today->year, today->month, today->day);
	return 0;
}

static int
open_rng(struct serial_rng **rng, struct diag *d)
{
	const char *seed = getenv(TEST_SEED_ENV);

	if (seed == NULL || seed[0] == '\0')
		return serial_rng_open(rng, d);
	tool_warn("%s is set: serials are predictable, for tests only",
	    TEST_SEED_ENV);
	return serial_rng_open_test_seed(rng, seed, d);
}

/* Write the batch: `head` + serial (+ SSCC check digit) + "\n" each. */
static int
print_batch(const struct serial_batch *b, const char *head,
    const char *sscc_lead, struct diag *d)
{
	char line[128];
	size_t hlen = strlen(head), slen = serial_batch_length(b);
	size_t llen = sscc_lead != NULL ? strlen(sscc_lead) : 0;

	memcpy(line, head, hlen);
	if (llen > 0)
		memcpy(line + hlen, sscc_lead, llen);
	for (size_t i = 0; i < serial_batch_count(b); i++) {
		size_t n = hlen + llen;

		memcpy(line + n, serial_batch_get(b, i), slen);
		n += slen;
		if (sscc_lead != NULL) {
			line[n] = gs1_check_digit(line + hlen, llen + slen);
			n++;
		}
		line[n++] = '\n';
		if (fwrite(line, 1, n, stdout) != n)
			break;
	}
	return tool_close_stdout(d);
}

static int
run(const struct args *a, struct diag *d)
{
	const struct gs1_table *t = gs1_table_embedded();
	struct gs1_render_opts ro = GS1_RENDER_OPTS_INIT;
	struct serial_alphabet alpha;
	struct serial_request rq;
	struct serial_rng *rng = NULL;
	struct serial_registry *g = NULL;
	struct serial_batch *b = NULL;
	struct gs1_msg *m = NULL;
	struct gs1_date today;
	char head[GS1_RENDER_MAX], lead[20], yymmdd[7];
	size_t hlen;
	int rc = -1;

	if ((m = malloc(sizeof(*m))) == NULL)
		return diag_system(d, "out of memory");
	gs1_msg_init(m, t);
	memset(&rq, 0, sizeof(rq));
	rq.count = a->count;
	rq.prefix = "";
	if (a->sscc) {
		size_t klen = strlen(a->gtin);

		/* A GTIN or an SSCC of the company, check digit and all. */
		if (gs1_msg_add(m, klen == 18 ? "00" : "01", a->gtin, klen,
		    d) != 0)
			goto out;
		if (serial_alphabet_parse(&alpha, "digits", d) != 0)
			goto out;
		lead[0] = (char)('0' + a->extension);
		memcpy(lead + 1, a->gtin + 1, a->gcp_length);
		lead[1 + a->gcp_length] = '\0';
		rq.alphabet = &alpha;
		rq.length = 16 - a->gcp_length;
		rq.margin = SERIAL_MARGIN_SSCC;
		rq.key = "00";
		rq.prefix = lead;
		rq.sscc = true;
		snprintf(head, sizeof(head), "[00]");
	} else {
		if (a->today != NULL) {
			if (gs1_date_parse(a->today, &today) != 0) {
				rc = diag_input(d, "--today: '%s' is not a "
				    "date YYYY-MM-DD", a->today);
				goto out;
			}
		} else if (gs1_date_today(&today) != 0) {
			rc = diag_system(d, "cannot tell today's date");
			goto out;
		}
		if (gs1_msg_add(m, "01", a->gtin, strlen(a->gtin), d) != 0 ||
		    expiry_value(a->expiry, &today, a->allow_past, yymmdd,
		    d) != 0 ||
		    gs1_msg_add(m, "17", yymmdd, 6, d) != 0 ||
		    gs1_msg_add(m, "10", a->lot, strlen(a->lot), d) != 0 ||
		    serial_alphabet_parse(&alpha, a->alphabet, d) != 0)
			goto out;
		if (gs1_render(m, GS1_FORM_BRACKETED, &ro, head,
		    sizeof(head) - 8, &hlen, d) != 0)
			goto out;
		memcpy(head + hlen, "[21]", 5);
		rq.alphabet = &alpha;
		rq.length = a->length;
		rq.margin = SERIAL_MARGIN_AI21;
		rq.key = gs1_msg_find(m, "01")->value;
	}
	if (open_rng(&rng, d) != 0)
		goto out;
	if (a->registry != NULL &&
	    serial_registry_open(&g, a->registry, d) != 0)
		goto out;
	/* All serials exist (and are committed) before the first byte out. */
	if (serial_generate(&b, rng, g, &rq, d) != 0)
		goto out;
	rc = print_batch(b, head, a->sscc ? lead : NULL, d);
out:
	serial_batch_free(b);
	serial_registry_free(g);
	serial_rng_free(rng);
	free(m);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct args a = { NULL, NULL, NULL, "upper", NULL, NULL, 0, 12, 0, 0,
	    false, false, false, false };
	struct diag d = DIAG_INIT;
	bool have_gcp = false;
	int ch;

	tool_init("dscsa-serial", usage_text);
	while ((ch = getopt_long(argc, argv, "e:g:hl:n:", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'e':
			a.expiry = optarg;
			break;
		case 'g':
			a.gtin = optarg;
			break;
		case 'h':
			return tool_help();
		case 'l':
			a.lot = optarg;
			break;
		case 'n':
			if (tool_parse_ulong("-n", optarg, 1,
			    SERIAL_COUNT_MAX, &a.count) != 0)
				return TOOL_INPUT;
			break;
		case OPT_ALLOW_PAST:
			a.allow_past = true;
			break;
		case OPT_ALPHABET:
			a.alphabet = optarg;
			a.have_shape = true;
			break;
		case OPT_EXTENSION:
			if (tool_parse_ulong("--extension", optarg, 0, 9,
			    &a.extension) != 0)
				return TOOL_INPUT;
			a.have_ext = true;
			break;
		case OPT_GCP_LENGTH:
			if (tool_parse_ulong("--gcp-length", optarg, 6, 12,
			    &a.gcp_length) != 0)
				return TOOL_INPUT;
			have_gcp = true;
			break;
		case OPT_LENGTH:
			if (tool_parse_ulong("--length", optarg, 1,
			    SERIAL_LEN_MAX, &a.length) != 0)
				return TOOL_INPUT;
			a.have_shape = true;
			break;
		case OPT_REGISTRY:
			a.registry = optarg;
			break;
		case OPT_SSCC:
			a.sscc = true;
			break;
		case OPT_TODAY:
			a.today = optarg;
			break;
		case OPT_VERSION: {
			char libs[64];

			snprintf(libs, sizeof(libs), "SQLite %s",
			    serial_registry_version());
			return tool_version(libs);
		}
		default:
			return tool_usage(NULL);
		}
	}
	if (optind != argc)
		return tool_usage("unexpected argument '%s'", argv[optind]);
	if (a.gtin == NULL || a.count == 0)
		return tool_usage("-g and -n are required");
	if (a.sscc) {
		if (!have_gcp)
			return tool_usage("--sscc needs --gcp-length");
		if (a.lot != NULL || a.expiry != NULL || a.have_shape ||
		    a.allow_past || a.today != NULL)
			return tool_usage("--sscc takes no -l, -e, --length, "
			    "--alphabet, --allow-past or --today");
		if (strlen(a.gtin) != 14 && strlen(a.gtin) != 18)
			return tool_usage("-g: with --sscc, a GTIN-14 or an "
			    "SSCC (18 digits)");
	} else {
		if (a.lot == NULL || a.expiry == NULL)
			return tool_usage("-l and -e are required");
		if (have_gcp || a.have_ext)
			return tool_usage("--gcp-length and --extension are "
			    "for --sscc");
	}
	if (run(&a, &d) != 0)
		return tool_fail(&d);
	return TOOL_OK;
}
