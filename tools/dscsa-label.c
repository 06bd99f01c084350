/*
 * dscsa-label: GS1 DataMatrix labels (PNG, SVG, EPS, ZPL II) for item
 * lines, with the in-line read-back check (dscsa-label(1)).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "diag.h"
#include "gs1.h"
#include "label.h"
#include "tool.h"

static const char usage_text[] =
    "usage: dscsa-label [-cv] [-f format] [-o dir | -o -] [--dpi dpi]\n"
    "       [--module-mm mm | --module-px n] [--hri where] [--ndc]\n"
    "       [--png-bits bits] [--zpl-mode mode] [file ...]\n"
    "\n"
    "  -c, --check          decode each label in memory: SUSPECT if wrong\n"
    "  -f, --format format  png (default), svg, eps or zpl\n"
    "  -o dir               write one file per item into dir (default .)\n"
    "  -o -                 write the single label to stdout\n"
    "  -v, --verbose        report the X-dimension and every label written\n"
    "  --dpi dpi            printer resolution (default 300)\n"
    "  --module-mm mm       wanted X-dimension (default 0.380, GS1 target)\n"
    "  --module-px n        dots per module, instead of --module-mm\n"
    "  --hri where          none (default), below or right: the DSCSA text\n"
    "  --ndc                show the NDC instead of the GTIN in the text\n"
    "  --png-bits bits      1 or 8 (default 8) bits per PNG pixel\n"
    "  --zpl-mode mode      native (^BX, default) or graphic (^GFA)\n"
    "  -h, --help           this help\n"
    "  --version            version and libraries\n";

enum {
	OPT_DPI = 256, OPT_MODULE_MM, OPT_MODULE_PX, OPT_HRI, OPT_NDC,
	OPT_PNG_BITS, OPT_ZPL_MODE, OPT_VERSION,
};

static const struct option longopts[] = {
	{ "check", no_argument, NULL, 'c' },
	{ "format", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "dpi", required_argument, NULL, OPT_DPI },
	{ "module-mm", required_argument, NULL, OPT_MODULE_MM },
	{ "module-px", required_argument, NULL, OPT_MODULE_PX },
	{ "hri", required_argument, NULL, OPT_HRI },
	{ "ndc", no_argument, NULL, OPT_NDC },
	{ "png-bits", required_argument, NULL, OPT_PNG_BITS },
	{ "zpl-mode", required_argument, NULL, OPT_ZPL_MODE },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static bool verbose;

static void
report(void *arg, const struct label_report *rep)
{
	(void)arg;
	if (rep->d != NULL) {
		if (rep->d->kind == DIAG_VERIFY) {
			/* The packaging line's reject line. */
			struct diag s = *rep->d;

			snprintf(s.msg, sizeof(s.msg), "SUSPECT %.*s",
			    (int)sizeof(s.msg) - 9, rep->d->msg);
			tool_report(&s);
		} else
			tool_report(rep->d);
		return;
	}
	if (verbose && rep->info != NULL)
		fprintf(stderr, "%s: %s: %dx%d modules, %zux%zu dots%s\n",
		    tool_name(), rep->path, rep->info->rows, rep->info->cols,
		    rep->info->w, rep->info->h, rep->checked ? ", checked" :
		    "");
}

/* A decimal like "0.38": strtod in the C locale, checked. */
static int
parse_mm(const char *s, double *out)
{
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	*out = strtod(s, &end);
	return *end == '\0' ? 0 : -1;
}

int
main(int argc, char *argv[])
{
	struct label_opts lo = LABEL_OPTS_INIT;
	struct label_batch_opts bo = { ".", NULL, false, { 2000, 1, 1 } };
	struct label_batch_stats st = { 0, 0, 0, 0 };
	struct label_names *names = NULL;
	struct label *l = NULL;
	struct diag d = DIAG_INIT;
	unsigned long v;
	double mm = LABEL_X_TARGET_MM, x;
	bool have_mm = false, have_px = false;
	char zv[64];
	struct stat sb;
	int ch, rc = 0;

	tool_init("dscsa-label", usage_text);
	while ((ch = getopt_long(argc, argv, "cf:ho:v", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'c':
			bo.check = true;
			break;
		case 'f':
			if (label_format_from_name(optarg, &lo.format) != 0)
				return tool_usage("unknown format '%s'",
				    optarg);
			break;
		case 'h':
			return tool_help();
		case 'o':
			bo.outdir = strcmp(optarg, "-") == 0 ? NULL : optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case OPT_DPI:
			if (tool_parse_ulong("--dpi", optarg, LABEL_DPI_MIN,
			    LABEL_DPI_MAX, &v) != 0)
				return TOOL_INPUT;
			lo.dpi = (unsigned)v;
			break;
		case OPT_MODULE_MM:
			if (parse_mm(optarg, &mm) != 0)
				return tool_usage("--module-mm: not a size in "
				    "mm: '%s'", optarg);
			have_mm = true;
			break;
		case OPT_MODULE_PX:
			if (tool_parse_ulong("--module-px", optarg, 1,
			    LABEL_MODULE_PX_MAX, &v) != 0)
				return TOOL_INPUT;
			lo.module_px = (unsigned)v;
			have_px = true;
			break;
		case OPT_HRI:
			if (label_hri_from_name(optarg, &lo.hri) != 0)
				return tool_usage("--hri: unknown placement "
				    "'%s'", optarg);
			break;
		case OPT_NDC:
			lo.ndc = true;
			break;
		case OPT_PNG_BITS:
			if (strcmp(optarg, "1") != 0 &&
			    strcmp(optarg, "8") != 0)
				return tool_usage("--png-bits: '%s' is not 1 "
				    "or 8", optarg);
			lo.png_bits = optarg[0] - '0';
			break;
		case OPT_ZPL_MODE:
			if (label_zpl_mode_from_name(optarg, &lo.zpl_mode) != 0)
				return tool_usage("--zpl-mode: unknown mode "
				    "'%s'", optarg);
			break;
		case OPT_VERSION:
			label_zint_version(zv, sizeof(zv));
			return tool_version(zv);
		default:
			return tool_usage(NULL);
		}
	}
	argc -= optind;
	argv += optind;

	if (have_mm && have_px)
		return tool_usage("--module-mm and --module-px exclude each "
		    "other");
	if (!have_px && label_module_px(mm, lo.dpi, &lo.module_px, &d) != 0)
		return tool_fail(&d);
	x = label_x_mm(lo.module_px, lo.dpi);
	if (!label_x_in_range(x))
		tool_warn("X-dimension %.3f mm (%u dots at %u dpi) is outside "
		    "the GS1 healthcare range %.3f-%.3f mm", x, lo.module_px,
		    lo.dpi, LABEL_X_MIN_MM, LABEL_X_MAX_MM);
	if (verbose)
		fprintf(stderr, "%s: X-dimension %.3f mm (%u dots at %u dpi)\n",
		    tool_name(), x, lo.module_px, lo.dpi);
	if (bo.outdir != NULL && (stat(bo.outdir, &sb) != 0 ||
	    !S_ISDIR(sb.st_mode))) {
		diag_input(&d, "not a directory");
		diag_at(&d, bo.outdir, 0);
		return tool_fail(&d);
	}
	if (gs1_date_today(&lo.today) != 0) {
		diag_system(&d, "cannot tell today's date");
		return tool_fail(&d);
	}
	bo.today = lo.today;
	bo.out = stdout;
	if (label_new(&l, &lo, &d) != 0 || (bo.outdir != NULL &&
	    label_names_new(&names, &d) != 0)) {
		label_free(l);
		return tool_fail(&d);
	}

	if (argc == 0)
		rc = label_batch_stream(l, names, stdin, "<stdin>", &bo, report,
		    NULL, &st, &d);
	for (int i = 0; rc == 0 && i < argc; i++) {
		FILE *in = tool_open_input(argv[i], &d);

		if (in == NULL) {
			/* A missing input is that input's failure. */
			if (d.kind != DIAG_INPUT)
				rc = -1;
			else {
				tool_report(&d);
				diag_clear(&d);
				st.failed++;
			}
			continue;
		}
		rc = label_batch_stream(l, names, in, tool_input_name(argv[i]),
		    &bo, report, NULL, &st, &d);
		tool_close_input(in);
	}
	if (rc == 0)
		rc = label_batch_finish(l, &bo, &st, &d);
	if (rc == 0)
		rc = tool_close_stdout(&d);
	label_free(l);
	label_names_free(names);
	if (rc != 0)
		return tool_fail(&d);
	if (bo.outdir == NULL && st.ok == 0 && st.failed == 0 &&
	    st.suspect == 0) {
		diag_input(&d, "no item to label");
		return tool_fail(&d);
	}
	if (st.failed > 0)
		return TOOL_INPUT;
	return st.suspect > 0 ? TOOL_VERIFY : TOOL_OK;
}
