/*
 * dscsa-epcis: write EPCIS events from item lines, read them back, hash
 * them, convert between EPCIS 1.2 and 2.0, declare errors.  The work is
 * libcommon/epcis*.c; this is options, files and exit codes.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlversion.h>

#include "epcis.h"
#include "tool.h"

static const char usage_text[] =
    "usage: dscsa-epcis event [--statement] [--batch n] [--desadv id]\n"
    "           [--epcis version] [--from party] [--from-location sgln]\n"
    "           [--gcp length | file] [--inv id] [--location sgln]\n"
    "           [--masterdata file] [--po id] [--read-point sgln]\n"
    "           [--receiver sgln] [--sender sgln] [--time time] [--to party]\n"
    "           [--to-location sgln] [--tz offset] [file ...]\n"
    "       dscsa-epcis read [--validate] [--schemas dir] [file ...]\n"
    "       dscsa-epcis hash [--prehash] [--validate] [--schemas dir]\n"
    "           [file ...]\n"
    "       dscsa-epcis canon [--validate] [--schemas dir] [file ...]\n"
    "       dscsa-epcis convert --to version [file]\n"
    "       dscsa-epcis correct [--corrective id] [--reason reason]\n"
    "           [--select id] --time time [file]\n"
    "\n"
    "  event is commission, pack, unpack, ship, receive, decommission,\n"
    "  destroy, dispense, recall, return or void-shipping\n"
    "  --batch n             at most n EPCs an event (default 10000)\n"
    "  --corrective id       a corrective event id (correct; repeatable)\n"
    "  --desadv id           despatch advice, qualified by the ship-from GLN\n"
    "  --epcis version       1.2 (default) or 2.0\n"
    "  --from party          source owning_party (SGLN)\n"
    "  --from-location sgln  source location\n"
    "  --gcp length | file   GS1 Company Prefix length, or a prefix file\n"
    "  --inv id              invoice, qualified by the seller's GLN\n"
    "  --location sgln       bizLocation (and readPoint)\n"
    "  --masterdata file     products and locations for the header\n"
    "  --po id               purchase order, qualified by the buyer's GLN\n"
    "  --prehash             print the CBV 2.0 pre-hash strings (hash)\n"
    "  --read-point sgln     readPoint\n"
    "  --reason reason       did_not_occur or incorrect_data (correct)\n"
    "  --receiver sgln       SBDH receiver (default: --to)\n"
    "  --schemas dir         XSD directory (default: $DSCSA_SCHEMAS, else\n"
    "                        the installed schemas)\n"
    "  --select id           hash id or eventID to declare (correct)\n"
    "  --sender sgln         SBDH sender (default: --from)\n"
    "  --statement           the DSCSA transaction statement (gs1ushc)\n"
    "  --time time           eventTime, or declarationTime (correct)\n"
    "  --to party            destination owning_party; convert: 1.2 or 2.0\n"
    "  --to-location sgln    destination location\n"
    "  --tz offset           eventTimeZoneOffset (default: from --time)\n"
    "  --validate            check against the XSD of the version first\n";

enum {
	OPT_BATCH = 256, OPT_CORRECTIVE, OPT_DESADV, OPT_EPCIS, OPT_FROM,
	OPT_FROM_LOC, OPT_GCP, OPT_INV, OPT_LOCATION, OPT_MASTERDATA, OPT_PO,
	OPT_PREHASH, OPT_READ_POINT, OPT_REASON, OPT_RECEIVER, OPT_SCHEMAS,
	OPT_SELECT, OPT_SENDER, OPT_STATEMENT, OPT_TIME, OPT_TO, OPT_TO_LOC,
	OPT_TZ, OPT_VALIDATE, OPT_VERSION,
};

static const struct option longopts[] = {
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "corrective", required_argument, NULL, OPT_CORRECTIVE },
	{ "desadv", required_argument, NULL, OPT_DESADV },
	{ "epcis", required_argument, NULL, OPT_EPCIS },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "from-location", required_argument, NULL, OPT_FROM_LOC },
	{ "gcp", required_argument, NULL, OPT_GCP },
	{ "help", no_argument, NULL, 'h' },
	{ "inv", required_argument, NULL, OPT_INV },
	{ "location", required_argument, NULL, OPT_LOCATION },
	{ "masterdata", required_argument, NULL, OPT_MASTERDATA },
	{ "po", required_argument, NULL, OPT_PO },
	{ "prehash", no_argument, NULL, OPT_PREHASH },
	{ "read-point", required_argument, NULL, OPT_READ_POINT },
	{ "reason", required_argument, NULL, OPT_REASON },
	{ "receiver", required_argument, NULL, OPT_RECEIVER },
	{ "schemas", required_argument, NULL, OPT_SCHEMAS },
	{ "select", required_argument, NULL, OPT_SELECT },
	{ "sender", required_argument, NULL, OPT_SENDER },
	{ "statement", no_argument, NULL, OPT_STATEMENT },
	{ "time", required_argument, NULL, OPT_TIME },
	{ "to", required_argument, NULL, OPT_TO },
	{ "to-location", required_argument, NULL, OPT_TO_LOC },
	{ "tz", required_argument, NULL, OPT_TZ },
	{ "validate", no_argument, NULL, OPT_VALIDATE },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

#define MAX_LIST	64

enum verb { V_EVENT, V_READ, V_HASH, V_CANON, V_CONVERT, V_CORRECT };

#define MAX_INPUTS	1024

static int
version_from_name(const char *s, enum epcis_version *v)
{
	if (strcmp(s, "1.2") == 0)
		*v = EPCIS_V1_2;
	else if (strcmp(s, "2.0") == 0)
		*v = EPCIS_V2_0;
	else
		return -1;
	return 0;
}

/* read, hash, canon over one input */
static int
each_event(enum verb verb, FILE *in, const char *name,
    const struct epcis_read_opts *ro, bool prehash, struct diag *d)
{
	struct epcis_reader *r;
	struct epcis_event ev;
	int rc;

	if (epcis_reader_open(&r, in, name, ro, d) != 0)
		return -1;
	while ((rc = epcis_reader_next(r, &ev, d)) == 1) {
		if (verb == V_READ)
			rc = epcis_event_write_items(stdout, "<stdout>", &ev, d);
		else if (verb == V_HASH)
			rc = printf("%s\n", prehash ? ev.prehash : ev.hash_id) < 0 ?
			    diag_system(d, "write error") : 0;
		else
			rc = fwrite(ev.canon, 1, ev.canon_len, stdout) !=
			    ev.canon_len || putchar('\n') == EOF ?
			    diag_system(d, "write error") : 0;
		if (rc != 0)
			break;
	}
	epcis_reader_free(r);
	return rc < 0 ? -1 : 0;
}

/* dscsa-epcis EVENT: every input into one document */
static int
events(struct epcis_items_opts *eo, const char *cmd, int argc, char *argv[],
    struct diag *d)
{
	FILE *in[MAX_INPUTS];
	const char *names[MAX_INPUTS];
	size_t n = 0;
	int rc;

	eo->command = cmd;
	if (argc > MAX_INPUTS)
		return diag_input(d, "more than %d inputs", MAX_INPUTS);
	if (argc == 0) {
		in[n] = stdin;
		names[n++] = "<stdin>";
	}
	for (int i = 0; i < argc; i++) {
		if ((in[n] = tool_open_input(argv[i], d)) == NULL)
			break;
		names[n++] = tool_input_name(argv[i]);
	}
	rc = n == (size_t)(argc == 0 ? 1 : argc) ? epcis_write_items(stdout,
	    in, names, n, eo, d) : -1;
	for (size_t i = 0; i < n; i++)
		tool_close_input(in[i]);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct epcis_read_opts ro = EPCIS_READ_OPTS_INIT;
	struct epcis_items_opts eo = EPCIS_ITEMS_OPTS_INIT;
	struct epcis_convert_opts co;
	struct diag d = DIAG_INIT;
	const char *corrective[MAX_LIST], *select[MAX_LIST], *verbname;
	bool prehash = false;
	enum verb verb;
	int ch, rc = 0;

	tool_init("dscsa-epcis", usage_text);
	memset(&co, 0, sizeof(co));
	co.corrective = corrective;
	co.select = select;
	co.indent = true;
	if (argc < 2)
		return tool_usage(NULL);
	verbname = argv[1];
	if (strcmp(verbname, "--help") == 0 || strcmp(verbname, "-h") == 0)
		return tool_help();
	if (strcmp(verbname, "--version") == 0)
		return tool_version("libxml2 " LIBXML_DOTTED_VERSION);
	if (strcmp(verbname, "read") == 0)
		verb = V_READ;
	else if (strcmp(verbname, "hash") == 0)
		verb = V_HASH;
	else if (strcmp(verbname, "canon") == 0)
		verb = V_CANON;
	else if (strcmp(verbname, "convert") == 0)
		verb = V_CONVERT;
	else if (strcmp(verbname, "correct") == 0)
		verb = V_CORRECT;
	else if (epcis_items_command(verbname))
		verb = V_EVENT;
	else
		return tool_usage("unknown command '%s'", verbname);
	argc--;
	argv++;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		unsigned long n;

		switch (ch) {
		case 'h':
			return tool_help();
		case OPT_VERSION:
			return tool_version("libxml2 " LIBXML_DOTTED_VERSION);
		case OPT_VALIDATE:
			ro.validate = true;
			ro.xml = &epcis_read_libxml2;
			break;
		case OPT_SCHEMAS:
			ro.schema_dir = optarg;
			break;
		case OPT_PREHASH:
			prehash = true;
			break;
		case OPT_TO:
			if (verb == V_CONVERT) {
				if (version_from_name(optarg, &co.to) != 0)
					return tool_usage("--to: '%s' is not 1.2 "
					    "or 2.0", optarg);
			} else
				eo.to_party = optarg;
			break;
		case OPT_CORRECTIVE:
			if (co.ncorrective == MAX_LIST)
				return tool_usage("too many --corrective");
			corrective[co.ncorrective++] = optarg;
			break;
		case OPT_SELECT:
			if (co.nselect == MAX_LIST)
				return tool_usage("too many --select");
			select[co.nselect++] = optarg;
			break;
		case OPT_REASON:
			if (strcmp(optarg, "did_not_occur") == 0)
				co.reason = "urn:epcglobal:cbv:er:did_not_occur";
			else if (strcmp(optarg, "incorrect_data") == 0)
				co.reason = "urn:epcglobal:cbv:er:incorrect_data";
			else if (strncmp(optarg, "urn:", 4) == 0 ||
			    strncmp(optarg, "https:", 6) == 0)
				co.reason = optarg;
			else
				return tool_usage("--reason: '%s' is not "
				    "did_not_occur or incorrect_data", optarg);
			break;
		case OPT_TIME:
			co.declaration_time = optarg;
			eo.time = optarg;
			break;
		case OPT_BATCH:
			if (tool_parse_ulong("--batch", optarg, 1, 1000000, &n) != 0)
				return TOOL_INPUT;
			eo.batch = n;
			break;
		case OPT_EPCIS:
			if (version_from_name(optarg, &eo.version) != 0)
				return tool_usage("--epcis: '%s' is not 1.2 or "
				    "2.0", optarg);
			break;
		case OPT_DESADV:
			eo.desadv = optarg;
			break;
		case OPT_FROM:
			eo.from_party = optarg;
			break;
		case OPT_FROM_LOC:
			eo.from_location = optarg;
			break;
		case OPT_GCP:
			eo.gcp = optarg;
			break;
		case OPT_INV:
			eo.inv = optarg;
			break;
		case OPT_LOCATION:
			eo.location = optarg;
			break;
		case OPT_MASTERDATA:
			eo.masterdata = optarg;
			break;
		case OPT_PO:
			eo.po = optarg;
			break;
		case OPT_READ_POINT:
			eo.read_point = optarg;
			break;
		case OPT_RECEIVER:
			eo.receiver = optarg;
			break;
		case OPT_SENDER:
			eo.sender = optarg;
			break;
		case OPT_STATEMENT:
			eo.statement = true;
			break;
		case OPT_TO_LOC:
			eo.to_location = optarg;
			break;
		case OPT_TZ:
			eo.tz = optarg;
			break;
		default:
			return tool_usage(NULL);
		}
	}
	argc -= optind;
	argv += optind;

	switch (verb) {
	case V_EVENT:
		rc = events(&eo, verbname, argc, argv, &d);
		break;
	case V_READ:
	case V_HASH:
	case V_CANON:
		/* compute only what is printed */
		ro.no_canon = verb != V_CANON;
		ro.no_hash = verb == V_CANON;
		ro.no_fields = verb != V_READ;
		if (argc == 0)
			rc = each_event(verb, stdin, "<stdin>", &ro, prehash, &d);
		for (int i = 0; rc == 0 && i < argc; i++) {
			FILE *in = tool_open_input(argv[i], &d);

			rc = in != NULL ? each_event(verb, in,
			    tool_input_name(argv[i]), &ro, prehash, &d) : -1;
			tool_close_input(in);
		}
		break;
	case V_CONVERT:
	case V_CORRECT:
		if (argc > 1)
			return tool_usage("one input at a time");
		if (ro.validate)
			return tool_usage("--validate is for read, hash and "
			    "canon");
		if (verb == V_CONVERT && co.to == 0)
			return tool_usage("convert needs --to 1.2 or 2.0");
		if (verb == V_CORRECT) {
			co.declare = true;
			if (co.declaration_time == NULL)
				return tool_usage("correct needs --time");
		}
		{
			const char *path = argc > 0 ? argv[0] : "-";
			FILE *in = tool_open_input(path, &d);

			rc = in != NULL ? epcis_convert(in, tool_input_name(path),
			    stdout, &co, &d) : -1;
			tool_close_input(in);
		}
		break;
	}
	if (rc == 0)
		rc = tool_close_stdout(&d);
	return rc == 0 ? TOOL_OK : tool_fail(&d);
}
