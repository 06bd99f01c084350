/*
 * label_msg: a parsed GS1 message to a label (see label.h): the element
 * string in compact order for zint, the bytes the check expects, the HRI
 * lines, and the file name.  Kept apart from label.c so that the renderer
 * can be used without the gs1 module.
 */
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "gs1.h"
#include "label.h"
#include "label_int.h"

/* "EXP: 2027-12-31"; day 00 (GenSpecs 7.12: end of month) as 2027-12. */
static void
hri_expiry(char *buf, size_t cap, const struct gs1_element *e,
    const struct gs1_date *today)
{
	struct gs1_date dt;
	bool day00 = false;

	if (e->len == 6 && gs1_date_from_yymmdd(e->value, today, &dt,
	    &day00) == 0) {
		if (day00)
			snprintf(buf, cap, "EXP: %04d-%02d", dt.year, dt.month);
		else
			snprintf(buf, cap, "EXP: %04d-%02d-%02d", dt.year,
			    dt.month, dt.day);
	} else
		snprintf(buf, cap, "EXP: %.*s", (int)e->len, e->value);
}

int
label_encode(struct label *l, const struct gs1_msg *m, struct diag *d)
{
	struct gs1_render_opts ro = GS1_RENDER_OPTS_INIT;
	char hri[LABEL_HRI_LINES][LABEL_HRI_LINE_MAX];
	const struct gs1_element *e;
	size_t nhri = 0, gs_len;

	ro.compact = true;
	if (gs1_render(m, GS1_FORM_BRACKETED, &ro, l->bracketed,
	    sizeof(l->bracketed), NULL, d) != 0)
		return -1;
	if (gs1_render(m, GS1_FORM_GS, &ro, l->gs, sizeof(l->gs), &gs_len,
	    d) != 0)
		return -1;
	if ((e = gs1_msg_find(m, "01")) != NULL) {
		/*
		 * A US NDC rides in a GTIN-14 as indicator, "03", the 10-digit
		 * NDC, check digit (GS1 US: NDC in GTIN).  Its 4-4-2 / 5-3-2 /
		 * 5-4-1 split is not in the GTIN, so it is shown unsplit.
		 */
		if (l->o.ndc) {
			if (e->len != 14 || e->value[1] != '0' ||
			    e->value[2] != '3')
				return diag_input(d, "GTIN %.*s carries no NDC "
				    "(not 0 and 3 in its 2nd and 3rd digits)",
				    (int)e->len, e->value);
			snprintf(hri[nhri++], LABEL_HRI_LINE_MAX, "NDC: %.10s",
			    e->value + 3);
		} else
			snprintf(hri[nhri++], LABEL_HRI_LINE_MAX, "GTIN: %.*s",
			    (int)e->len, e->value);
	} else if ((e = gs1_msg_find(m, "00")) != NULL)
		snprintf(hri[nhri++], LABEL_HRI_LINE_MAX, "SSCC: %.*s",
		    (int)e->len, e->value);
	if ((e = gs1_msg_find(m, "21")) != NULL)
		snprintf(hri[nhri++], LABEL_HRI_LINE_MAX, "SN: %.*s",
		    (int)e->len, e->value);
	if ((e = gs1_msg_find(m, "10")) != NULL)
		snprintf(hri[nhri++], LABEL_HRI_LINE_MAX, "LOT: %.*s",
		    (int)e->len, e->value);
	if ((e = gs1_msg_find(m, "17")) != NULL && nhri < LABEL_HRI_LINES)
		hri_expiry(hri[nhri++], LABEL_HRI_LINE_MAX, e, &l->o.today);
	/* label_encode_raw() copies from its arguments: use locals. */
	{
		char br[GS1_RENDER_MAX], gs[GS1_RENDER_MAX];

		memcpy(br, l->bracketed, sizeof(br));
		memcpy(gs, l->gs, gs_len + 1);
		return label_encode_raw(l, br, gs, gs_len,
		    (const char (*)[LABEL_HRI_LINE_MAX])hri, nhri, d);
	}
}


int
label_names_next(struct label_names *n, const struct gs1_msg *m,
    enum label_format fmt, char buf[LABEL_NAME_MAX], struct diag *d)
{
	const struct gs1_element *e = gs1_msg_find(m, "21");

	if (e == NULL)
		e = gs1_msg_find(m, "00");
	if (e == NULL)
		return diag_input(d, "item has neither a serial (21) nor an "
		    "SSCC (00) to name its label file");
	return label_names_next_raw(n, e->value, e->len, fmt, buf, d);
}
