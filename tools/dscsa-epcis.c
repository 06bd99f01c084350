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
#include <openssl/opensslv.h>

#include "epcis.h"
#include "tool.h"

static const char usage_text[] =
    "usage: dscsa-epcis read [--validate] [--schemas dir] [file ...]\n"
    "       dscsa-epcis hash [--prehash] [file ...]\n"
    "       dscsa-epcis canon [file ...]\n"
    "       dscsa-epcis convert --to version [file]\n"
    "       dscsa-epcis correct [--corrective id] [--reason reason]\n"
    "           [--select id] --time time [file]\n"
    "\n"
    "  --corrective id  a corrective event id (correct; repeatable)\n"
    "  --prehash        print the CBV 2.0 pre-hash strings (hash)\n"
    "  --reason reason  did_not_occur or incorrect_data (correct)\n"
    "  --schemas dir    XSD directory (default: $DSCSA_SCHEMAS, else\n"
    "                   the installed schemas)\n"
    "  --select id      hash id or eventID of an event to declare (correct;\n"
    "                   repeatable; default: every event)\n"
    "  --time time      declarationTime (correct; xsd:dateTime)\n"
    "  --to version     1.2 or 2.0 (convert)\n"
    "  --validate       check against the XSD of the document's version\n";

enum {
	OPT_CORRECTIVE = 256, OPT_PREHASH, OPT_REASON, OPT_SCHEMAS,
	OPT_SELECT, OPT_TIME, OPT_TO, OPT_VALIDATE, OPT_VERSION,
};

static const struct option longopts[] = {
	{ "corrective", required_argument, NULL, OPT_CORRECTIVE },
	{ "help", no_argument, NULL, 'h' },
	{ "prehash", no_argument, NULL, OPT_PREHASH },
	{ "reason", required_argument, NULL, OPT_REASON },
	{ "schemas", required_argument, NULL, OPT_SCHEMAS },
	{ "select", required_argument, NULL, OPT_SELECT },
	{ "time", required_argument, NULL, OPT_TIME },
	{ "to", required_argument, NULL, OPT_TO },
	{ "validate", no_argument, NULL, OPT_VALIDATE },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

#define MAX_LIST	64

enum verb { V_READ, V_HASH, V_CANON, V_CONVERT, V_CORRECT };

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

int
main(int argc, char *argv[])
{
	struct epcis_read_opts ro = EPCIS_READ_OPTS_INIT;
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
		return tool_version("libxml2 " LIBXML_DOTTED_VERSION ", "
		    OPENSSL_VERSION_TEXT);
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
	else
		return tool_usage("unknown command '%s'", verbname);
	argc--;
	argv++;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			return tool_help();
		case OPT_VERSION:
			return tool_version("libxml2 " LIBXML_DOTTED_VERSION ", "
			    OPENSSL_VERSION_TEXT);
		case OPT_VALIDATE:
			ro.validate = true;
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
				return tool_usage("--to is for convert");
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
			break;
		default:
			return tool_usage(NULL);
		}
	}
	argc -= optind;
	argv += optind;

	switch (verb) {
	case V_READ:
	case V_HASH:
	case V_CANON:
		if (verb != V_READ && ro.validate)
			return tool_usage("--validate is for read");
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
			return tool_usage("--validate is for read");
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
