/*
 * gs1_render: a struct gs1_msg in every output form.
 *
 * Separators (GenSpecs 7.8.5): FNC1 (GS in scan data and the raw message,
 * '^' in the engine's caret syntax) follows every element whose AI is not
 * of predefined length, except the last; never one at the end.  Compact
 * order puts the predefined-length AIs first, keeping the relative order
 * within each group, which saves separators (GenSpecs 7.8.5 recommends
 * it).  HRI text escapes '(' in values as "\(" so that it parses back.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "diag.h"
#include "gs1.h"
#include "gs1_int.h"

void
gs1_out_put(struct gs1_out *w, const char *s, size_t n)
{
	if (w->over || n >= w->cap - w->len) {
		w->over = true;
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

void
gs1_out_ch(struct gs1_out *w, char c)
{
	gs1_out_put(w, &c, 1);
}

bool
gs1_el_needs_fnc1(const struct gs1_element *e)
{
	return e->def == NULL || e->def->fnc1;
}

/* The order to write the elements in. */
static void
order(const struct gs1_msg *m, bool compact, size_t *ord)
{
	size_t n = 0;

	if (!compact) {
		for (size_t i = 0; i < m->n; i++)
			ord[i] = i;
		return;
	}
	for (size_t i = 0; i < m->n; i++)
		if (!gs1_el_needs_fnc1(&m->el[i]))
			ord[n++] = i;
	for (size_t i = 0; i < m->n; i++)
		if (gs1_el_needs_fnc1(&m->el[i]))
			ord[n++] = i;
}

static void
put_raw(const struct gs1_msg *m, const size_t *ord, char sep,
    struct gs1_out *w)
{
	for (size_t k = 0; k < m->n; k++) {
		const struct gs1_element *e = &m->el[ord[k]];

		gs1_out_put(w, e->ai, strlen(e->ai));
		gs1_out_put(w, e->value, e->len);
		if (k + 1 < m->n && gs1_el_needs_fnc1(e))
			gs1_out_ch(w, sep);
	}
}

static void
put_json_str(struct gs1_out *w, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";

	gs1_out_ch(w, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			gs1_out_ch(w, '\\');
			gs1_out_ch(w, (char)c);
		} else if (c < 0x20 || c == 0x7f) {
			gs1_out_put(w, "\\u00", 4);
			gs1_out_ch(w, hex[c >> 4]);
			gs1_out_ch(w, hex[c & 15]);
		} else {
			gs1_out_ch(w, (char)c);
		}
	}
	gs1_out_ch(w, '"');
}

int
gs1_render(const struct gs1_msg *m, enum gs1_form form,
    const struct gs1_render_opts *o, char *buf, size_t cap, size_t *outlen,
    struct diag *d)
{
	static const struct gs1_render_opts defaults = GS1_RENDER_OPTS_INIT;
	struct gs1_out w = { buf, cap, 0, false };
	size_t ord[GS1_MAX_AIS];
	const char *sym;

	if (o == NULL)
		o = &defaults;
	if (cap == 0)
		return diag_input(d, "no room to render");
	if (m->n == 0)
		return diag_input(d, "empty message");
	order(m, o->compact, ord);
	switch (form) {
	case GS1_FORM_BRACKETED:
	case GS1_FORM_HRI:
		for (size_t k = 0; k < m->n; k++) {
			const struct gs1_element *e = &m->el[ord[k]];

			gs1_out_ch(&w, form == GS1_FORM_HRI ? '(' : '[');
			gs1_out_put(&w, e->ai, strlen(e->ai));
			gs1_out_ch(&w, form == GS1_FORM_HRI ? ')' : ']');
			for (size_t i = 0; i < e->len; i++) {
				if (form == GS1_FORM_HRI && e->value[i] == '(')
					gs1_out_ch(&w, '\\');
				gs1_out_ch(&w, e->value[i]);
			}
		}
		break;
	case GS1_FORM_GS:
		put_raw(m, ord, '\x1d', &w);
		break;
	case GS1_FORM_CARET:
		gs1_out_ch(&w, '^');
		put_raw(m, ord, '^', &w);
		break;
	case GS1_FORM_SCAN:
		sym = o->sym != NULL ? o->sym : "]d2";
		if (!gs1_sym_is_gs1(sym))
			return diag_input(d, "symbology identifier '%s' does "
			    "not carry GS1 element strings (use ]d2, ]C1, ]Q3, "
			    "]e0 or ]J1)", sym);
		gs1_out_put(&w, sym, 3);
		put_raw(m, ord, '\x1d', &w);
		break;
	case GS1_FORM_DL:
	case GS1_FORM_DL_VRS:
		if (gs1_render_dl(m, form == GS1_FORM_DL_VRS, o, &w, d) != 0)
			return -1;
		break;
	case GS1_FORM_JSON:
		gs1_out_ch(&w, '{');
		for (size_t k = 0; k < m->n; k++) {
			const struct gs1_element *e = &m->el[ord[k]];
			bool dup = false;

			for (size_t j = 0; j < k; j++) {
				const struct gs1_element *f = &m->el[ord[j]];

				if (strcmp(f->ai, e->ai) != 0)
					continue;
				if (f->len != e->len ||
				    memcmp(f->value, e->value, e->len) != 0)
					return diag_input(d, "AI (%s) appears "
					    "twice with different values",
					    e->ai);
				dup = true;
			}
			if (dup)
				continue;
			if (k > 0)
				gs1_out_ch(&w, ',');
			put_json_str(&w, e->ai, strlen(e->ai));
			gs1_out_ch(&w, ':');
			put_json_str(&w, e->value, e->len);
		}
		gs1_out_ch(&w, '}');
		break;
	case GS1_FORM_HRI_LINES:
		for (size_t k = 0; k < m->n; k++) {
			const struct gs1_element *e = &m->el[ord[k]];

			if (k > 0)
				gs1_out_ch(&w, '\n');
			if (o->titles && e->def != NULL &&
			    m->table->pool[e->def->title] != '\0') {
				const char *title = gs1_ai_title(m->table,
				    e->def);

				gs1_out_put(&w, title, strlen(title));
				gs1_out_ch(&w, ' ');
			}
			gs1_out_ch(&w, '(');
			gs1_out_put(&w, e->ai, strlen(e->ai));
			gs1_out_put(&w, ") ", 2);
			gs1_out_put(&w, e->value, e->len);
		}
		break;
	default:
		return diag_input(d, "unknown output form");
	}
	if (w.over) {
		buf[0] = '\0';
		return diag_input(d, "%s form does not fit in %zu bytes",
		    gs1_form_name(form), cap);
	}
	buf[w.len] = '\0';
	if (outlen != NULL)
		*outlen = w.len;
	return 0;
}
