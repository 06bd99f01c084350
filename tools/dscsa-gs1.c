/*
 * dscsa-gs1: validate and convert GS1 element strings and item lines.
 * See dscsa-gs1(1); the work is libcommon's items_convert_stream().
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "epc.h"
#include "gs1.h"
#include "items.h"
#include "tool.h"

static const char usage_text[] =
    "usage: dscsa-gs1 [validate | convert] [--lenient] [--gcp-file FILE]\n"
    "           [--gcp-length N] [--profile gs1|dscsa]\n"
    "           [--syntax-dictionary FILE] [--to FORM] [--today YYYY-MM-DD]\n"
    "           [file ...]\n"
    "\n"
    "  validate            check every item; print only the bad ones\n"
    "  convert             write every item in --to form (the default)\n"
    "  --lenient           accept scanner quirks, with a warning\n"
    "  --gcp-file FILE     GS1 Company Prefix lengths, for --to epc\n"
    "  --gcp-length N      one GS1 Company Prefix length (6-12), for --to epc\n"
    "  --profile gs1|dscsa rules beyond syntax: GS1 pairing rules (the\n"
    "                      default), or those plus the DSCSA identifier\n"
    "  --syntax-dictionary FILE  a GS1 Barcode Syntax Dictionary to use\n"
    "                      instead of the built-in one\n"
    "  --to FORM           bracketed (default), hri, gs, scan, dl, epc, json\n"
    "  --today YYYY-MM-DD  reference date for the DSCSA expiry check\n"
    "  -h, --help          this help;  --version  the version\n";

enum {
	OPT_GCP_FILE = 256, OPT_GCP_LENGTH, OPT_LENIENT, OPT_PROFILE,
	OPT_SYNDICT, OPT_TO, OPT_TODAY, OPT_VERSION,
};

static const struct option longopts[] = {
	{ "gcp-file",		required_argument,	NULL, OPT_GCP_FILE },
	{ "gcp-length",		required_argument,	NULL, OPT_GCP_LENGTH },
	{ "help",		no_argument,		NULL, 'h' },
	{ "lenient",		no_argument,		NULL, OPT_LENIENT },
	{ "profile",		required_argument,	NULL, OPT_PROFILE },
	{ "syntax-dictionary",	required_argument,	NULL, OPT_SYNDICT },
	{ "to",			required_argument,	NULL, OPT_TO },
	{ "today",		required_argument,	NULL, OPT_TODAY },
	{ "version",		no_argument,		NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static void
report(void *ctx, const struct diag *d, bool warning)
{
	char buf[sizeof(d->where) + sizeof(d->msg) + 64];

	(void)ctx;
	if (warning)
		tool_warn("%s", diag_format(d, buf, sizeof(buf)));
	else
		tool_report(d);
}

/* Copy the spooled output to stdout, then close stdout. */
static int
flush_spool(FILE *spool, struct diag *d)
{
	char buf[65536];
	size_t n;

	rewind(spool);
	while ((n = fread(buf, 1, sizeof(buf), spool)) > 0)
		if (fwrite(buf, 1, n, stdout) != n)
			break;
	if (ferror(spool)) {
		diag_system(d, "cannot read back the output");
		return -1;
	}
	return tool_close_stdout(d);
}

int
main(int argc, char *argv[])
{
	struct items_convert_opts o;
	struct gs1_table *loaded = NULL;
	struct epc_gcp *gcp = NULL;
	const char *gcp_file = NULL, *syndict = NULL, *today = NULL;
	unsigned long gcp_len = 0, nbad = 0;
	struct diag d = DIAG_INIT;
	FILE *spool = NULL;
	int ch, rc = 0;

	memset(&o, 0, sizeof(o));
	o.to = GS1_FORM_BRACKETED;
	o.check.profile = GS1_PROFILE_GS1;
	o.report = report;
	o.render.dl_stem = NULL;

	tool_init("dscsa-gs1", usage_text);
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			return tool_help();
		case OPT_GCP_FILE:
			gcp_file = optarg;
			break;
		case OPT_GCP_LENGTH:
			if (tool_parse_ulong("--gcp-length", optarg, 6, 12,
			    &gcp_len) != 0)
				return TOOL_INPUT;
			break;
		case OPT_LENIENT:
			o.read.parse.lenient = true;
			break;
		case OPT_PROFILE:
			if (strcmp(optarg, "gs1") == 0)
				o.check.profile = GS1_PROFILE_GS1;
			else if (strcmp(optarg, "dscsa") == 0)
				o.check.profile = GS1_PROFILE_DSCSA;
			else
				return tool_usage("unknown profile '%s'",
				    optarg);
			break;
		case OPT_SYNDICT:
			syndict = optarg;
			break;
		case OPT_TO:
			if (strcmp(optarg, "epc") == 0)
				o.to_epc = true;
			else if (gs1_form_from_name(optarg, &o.to) != 0 ||
			    o.to == GS1_FORM_HRI_LINES)
				return tool_usage("unknown form '%s'", optarg);
			else
				o.to_epc = false;
			break;
		case OPT_TODAY:
			today = optarg;
			break;
		case OPT_VERSION:
			return tool_version(NULL);
		default:
			return tool_usage(NULL);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 0 && strcmp(argv[0], "validate") == 0) {
		o.validate = true;
		argc--;
		argv++;
	} else if (argc > 0 && strcmp(argv[0], "convert") == 0) {
		argc--;
		argv++;
	}
	if (gcp_file != NULL && gcp_len != 0)
		return tool_usage("--gcp-length and --gcp-file exclude each "
		    "other");
	if (o.to_epc && !o.validate && gcp_file == NULL && gcp_len == 0)
		return tool_usage("--to epc needs --gcp-length or --gcp-file");
	if (today != NULL && gs1_date_parse(today, &o.check.today) != 0)
		return tool_usage("--today: '%s' is not a date YYYY-MM-DD",
		    today);
	if (today == NULL && gs1_date_today(&o.check.today) != 0) {
		diag_system(&d, "cannot tell today's date");
		return tool_fail(&d);
	}

	if (syndict != NULL) {
		if (gs1_table_load(&loaded, syndict, &d) != 0)
			return tool_fail(&d);
		o.read.table = loaded;
	}
	if ((gcp_file != NULL && epc_gcp_load(&gcp, gcp_file, &d) != 0) ||
	    (gcp_len != 0 && epc_gcp_fixed(&gcp, (unsigned)gcp_len, &d) != 0))
		goto fail;
	o.gcp = gcp;
	/* All or nothing: convert into a spool, copy out only if all is well. */
	if (!o.validate && (spool = tmpfile()) == NULL) {
		diag_system(&d, "cannot make a temporary file");
		goto fail;
	}

	if (argc == 0)
		rc = items_convert_stream(stdin, "<stdin>", spool, &o, &nbad,
		    &d);
	for (int i = 0; rc == 0 && i < argc; i++) {
		FILE *in = tool_open_input(argv[i], &d);

		rc = in != NULL ? items_convert_stream(in,
		    tool_input_name(argv[i]), spool, &o, &nbad, &d) : -1;
		tool_close_input(in);
	}
	if (rc != 0)
		goto fail;
	if (nbad > 0) {
		rc = TOOL_INPUT;
		goto out;
	}
	if ((spool != NULL ? flush_spool(spool, &d) : tool_close_stdout(&d)) !=
	    0)
		goto fail;
	rc = TOOL_OK;
	goto out;
fail:
	rc = tool_fail(&d);
out:
	if (spool != NULL)
		fclose(spool);
	epc_gcp_free(gcp);
	gs1_table_free(loaded);
	return rc;
}
