/*
 * label_batch: the per-item loop of dscsa-label (see label.h).
 *
 * Invariants:
 *  1. A bad item (syntax, pairing rules, zint refusal, no serial to name
 *     the file) writes no file, is reported once, and the loop goes on.
 *  2. A label that fails --check is never written: the report is the
 *     packaging line's reject signal.
 *  3. A file is only ever created whole (label_write_file: temporary file,
 *     fsync, rename); the directory is fsync'ed once at the end.
 *  4. Stdout gets one label or nothing: the label is held until the end
 *     and written only if it was the only item and nothing failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "gs1.h"
#include "items.h"
#include "label.h"
#include "label_int.h"

static void
report_item(label_report_fn report, void *arg, const struct diag *d,
    const char *path, const struct label_info *li, bool checked)
{
	struct label_report rep = { d, path, li, checked };

	if (report != NULL)
		report(arg, &rep);
}

static int
one_item(struct label *l, struct label_names *n, struct items_item *it,
    const char *name, const struct label_batch_opts *o, label_report_fn report,
    void *arg, struct label_batch_stats *st, struct diag *d)
{
	struct gs1_validate_opts vo = { GS1_PROFILE_GS1, o->today };
	char fname[LABEL_NAME_MAX], path[LABEL_NAME_MAX + 4096];
	struct label_info li;
	bool checked = false;

	if (o->outdir == NULL && (st->pending > 0 || st->ok > 0)) {
		diag_input(d, "-o - writes a single label, and this is "
		    "another item");
		goto bad;
	}
	if (gs1_validate(&it->msg, &vo, d) != 0 ||
	    label_encode(l, &it->msg, d) != 0)
		goto bad;
	label_info(l, &li);
	if (o->check) {
		if (label_check(l, d) != 0) {
			if (d->kind != DIAG_VERIFY)
				goto bad;
			diag_at(d, name, it->line);
			st->suspect++;
			report_item(report, arg, d, NULL, &li, false);
			diag_clear(d);
			return 0;
		}
		checked = true;
	}
	if (o->outdir == NULL) {
		st->pending = 1;
		report_item(report, arg, NULL, "<stdout>", &li, checked);
		return 0;
	}
	if (label_names_next(n, &it->msg, li.format, fname,
	    d) != 0)
		goto bad;
	if (label_write_file(l, o->outdir, fname, d) != 0) {
		/* The file system failed us: stop, do not report per item. */
		return -1;
	}
	label_path(path, sizeof(path), o->outdir, fname);
	st->ok++;
	report_item(report, arg, NULL, path, &li, checked);
	return 0;
bad:
	if (d->kind == DIAG_SYSTEM)
		return -1;
	diag_at(d, name, it->line);
	st->failed++;
	report_item(report, arg, d, NULL, NULL, false);
	diag_clear(d);
	return 0;
}

int
label_batch_stream(struct label *l, struct label_names *n, FILE *in,
    const char *name, const struct label_batch_opts *o,
    label_report_fn report, void *arg, struct label_batch_stats *st,
    struct diag *d)
{
	struct items_reader *r;
	struct items_item *it;
	int rc;

	it = malloc(sizeof(*it));
	if (it == NULL)
		return diag_system(d, "cannot allocate an item");
	if (items_reader_open(&r, in, name, NULL, d) != 0) {
		free(it);
		return -1;
	}
	while ((rc = items_next(r, it, d)) != 0) {
		if (rc < 0) {
			if (d->kind == DIAG_SYSTEM)
				break;
			/* A bad line: one report, then the next line. */
			diag_at(d, name, 0);
			st->failed++;
			report_item(report, arg, d, NULL, NULL, false);
			diag_clear(d);
			continue;
		}
		if (one_item(l, n, it, name, o, report, arg, st, d) != 0) {
			rc = -1;
			break;
		}
	}
	items_reader_free(r);
	free(it);
	return rc < 0 ? -1 : 0;
}

int
label_batch_finish(struct label *l, const struct label_batch_opts *o,
    struct label_batch_stats *st, struct diag *d)
{
	if (o->outdir != NULL)
		return st->ok > 0 ? label_sync_dir(o->outdir, d) : 0;
	if (st->pending == 0 || st->failed > 0 || st->suspect > 0)
		return 0;
	if (label_write(l, o->out, d) != 0) {
		diag_at(d, "<stdout>", 0);
		return -1;
	}
	st->pending = 0;
	st->ok++;
	return 0;
}
