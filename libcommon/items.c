/*
 * items: reading and writing item lines (items.h, dscsa-items(5),
 * DESIGN.md section 2).
 *
 * The reader keeps one block buffer and finds line ends with memchr, so a
 * line costs one scan.  It read(2)s the descriptor behind the FILE, so a
 * line is handled as soon as it arrives (a scanner on a pipe), and falls
 * back to fread(3) for streams without one (fmemopen); it never holds more than ITEMS_LINE_MAX bytes of a
 * line (a longer line is skipped to its end and reported, and reading goes
 * on).  Attribute values are decoded into a second buffer, so that the
 * line itself stays as written and unknown attributes pass through
 * byte for byte.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "epc.h"
#include "gs1.h"
#include "items.h"

#define BLOCK	(2 * ITEMS_LINE_MAX)

struct items_reader {
	FILE			*f;
	int			 fd;		/* -1: no descriptor, use stdio */
	const char		*name;
	const struct gs1_table	*table;
	struct gs1_parse_opts	 parse;
	unsigned long		 line;
	size_t			 start, end;	/* unread bytes of buf */
	bool			 eof;
	char			 buf[BLOCK];
	char			 dec[ITEMS_LINE_MAX];	/* decoded values */
};

int
items_reader_open(struct items_reader **out, FILE *f, const char *name,
    const struct items_opts *o, struct diag *d)
{
	struct items_reader *r;

	*out = NULL;
	if ((r = malloc(sizeof(*r))) == NULL)
		return diag_system(d, "out of memory");
	r->f = f;
	r->fd = fileno(f);
	r->name = name;
	r->table = o != NULL && o->table != NULL ? o->table :
	    gs1_table_embedded();
	if (o != NULL)
		r->parse = o->parse;
	else {
		struct gs1_parse_opts po = GS1_PARSE_OPTS_INIT;

		r->parse = po;
	}
	r->line = 0;
	r->start = r->end = 0;
	r->eof = false;
	*out = r;
	return 0;
}

void
items_reader_free(struct items_reader *r)
{
	free(r);
}

/* Read more into the buffer; 0 at EOF with nothing read, -1 on error. */
static int
fill(struct items_reader *r, struct diag *d)
{
	size_t n;

	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->eof || r->end == sizeof(r->buf))
		return 0;
	if (r->fd >= 0) {
		ssize_t k;

		do
			k = read(r->fd, r->buf + r->end,
			    sizeof(r->buf) - r->end);
		while (k < 0 && errno == EINTR);
		if (k < 0) {
			diag_system(d, "read error");
			diag_at(d, r->name, r->line + 1);
			return -1;
		}
		n = (size_t)k;
	} else
		n = fread(r->buf + r->end, 1, sizeof(r->buf) - r->end, r->f);
	r->end += n;
	if (n == 0) {
		if (r->fd < 0 && ferror(r->f)) {
			diag_system(d, "read error");
			diag_at(d, r->name, r->line + 1);
			return -1;
		}
		r->eof = true;
		return 0;
	}
	return 1;
}

/*
 * The next raw line, without its '\n': 1, 0 at EOF, -1 on error.  A line
 * over ITEMS_LINE_MAX is consumed to its end and reported.
 */
static int
next_line(struct items_reader *r, char **line, size_t *len, struct diag *d)
{
	bool toolong = false;

	for (;;) {
		char *s = r->buf + r->start;
		size_t avail = r->end - r->start;
		char *nl = memchr(s, '\n', avail);
		int rc;

		if (nl != NULL && !toolong && (size_t)(nl - s) + 1 >
		    ITEMS_LINE_MAX)
			toolong = true;
		if (nl != NULL) {
			r->start += (size_t)(nl - s) + 1;
			r->line++;
			if (toolong)
				break;
			*line = s;
			*len = (size_t)(nl - s);
			return 1;
		}
		if (avail >= ITEMS_LINE_MAX) {
			/* No end in sight: drop what we have, keep looking. */
			toolong = true;
			r->start = r->end;
		}
		if ((rc = fill(r, d)) < 0)
			return -1;
		if (rc == 0 && r->eof) {
			avail = r->end - r->start;
			if (avail == 0 && !toolong)
				return 0;
			r->line++;
			r->start = r->end;
			if (toolong)
				break;
			/* A last line without '\n'. */
			*line = r->buf + r->end - avail;
			*len = avail;
			return 1;
		}
	}
	diag_input(d, "line longer than %d bytes", ITEMS_LINE_MAX);
	diag_at(d, r->name, r->line);
	return -1;
}

static bool
key_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
	    c == ':';
}

/* Split and decode the attributes; `dec` has room for len bytes. */
static int
parse_attrs(struct items_item *it, const char *s, size_t len, char *dec,
    struct diag *d)
{
	size_t i = 0, o = 0;

	it->nattr = 0;
	while (i <= len) {
		const char *a = s + i;
		const char *tab = memchr(a, '\t', len - i);
		size_t alen = tab != NULL ? (size_t)(tab - a) : len - i;
		const char *eq = memchr(a, '=', alen);
		struct items_attr *at;
		size_t klen;

		if (alen == 0)
			return diag_input(d, "empty attribute (two TABs in a "
			    "row, or a TAB at the end)");
		if (eq == NULL)
			return diag_input(d, "attribute '%.*s' has no '='",
			    (int)(alen > 40 ? 40 : alen), a);
		klen = (size_t)(eq - a);
		if (klen == 0)
			return diag_input(d, "attribute with an empty key");
		for (size_t k = 0; k < klen; k++)
			if (!key_char((unsigned char)a[k]))
				return diag_input(d, "attribute key '%.*s': "
				    "only letters, digits and _ - . : are "
				    "allowed", (int)(klen > 40 ? 40 : klen), a);
		if (it->nattr == ITEMS_MAX_ATTRS)
			return diag_input(d, "more than %d attributes",
			    ITEMS_MAX_ATTRS);
		for (size_t k = 0; k < it->nattr; k++)
			if (it->attr[k].klen == klen &&
			    memcmp(it->attr[k].key, a, klen) == 0)
				return diag_input(d, "attribute '%.*s' given "
				    "twice", (int)klen, a);
		at = &it->attr[it->nattr++];
		at->key = a;
		at->klen = klen;
		at->val = dec + o;
		for (size_t k = klen + 1; k < alen; k++) {
			unsigned char c = (unsigned char)a[k];

			if (c == '%') {
				int hi = k + 2 < alen ?
				    gs1_hex_value((unsigned char)a[k + 1]) : -1;
				int lo = k + 2 < alen ?
				    gs1_hex_value((unsigned char)a[k + 2]) : -1;

				if (hi < 0 || lo < 0)
					return diag_input(d, "attribute "
					    "'%.*s': '%%' not followed by two "
					    "hex digits", (int)klen, a);
				c = (unsigned char)(hi << 4 | lo);
				k += 2;
			} else if (c == '\r')
				return diag_input(d, "attribute '%.*s': raw "
				    "CR (write %%0D)", (int)klen, a);
			dec[o++] = (char)c;
		}
		at->vlen = (size_t)(dec + o - at->val);
		i += alen + 1;
	}
	return 0;
}

static bool
blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

int
items_next(struct items_reader *r, struct items_item *it, struct diag *d)
{
	char *s;
	size_t len;
	int rc;

	for (;;) {
		const char *tab;

		if ((rc = next_line(r, &s, &len, d)) <= 0)
			return rc;
		if (len > 0 && s[len - 1] == '\r')	/* CRLF files */
			len--;
		if (len == 0 || s[0] == '#' || blank(s, len))
			continue;
		it->line = r->line;
		if (memchr(s, '\0', len) != NULL) {
			diag_input(d, "NUL byte in the line");
			break;
		}
		tab = memchr(s, '\t', len);
		it->gs1 = s;
		it->gs1_len = tab != NULL ? (size_t)(tab - s) : len;
		it->attrs_raw = tab != NULL ? tab + 1 : s + len;
		it->attrs_raw_len = tab != NULL ? len - it->gs1_len - 1 : 0;
		it->nattr = 0;
		if (epc_is_uri(it->gs1, it->gs1_len))
			rc = epc_parse_uri(&it->msg, r->table, it->gs1,
			    it->gs1_len, d);
		else
			rc = gs1_parse(&it->msg, r->table, it->gs1,
			    it->gs1_len, &r->parse, d);
		if (rc != 0)
			break;
		if (it->msg.n == 0) {	/* "^^" parses to nothing */
			diag_input(d, "no element strings");
			break;
		}
		if (tab != NULL && parse_attrs(it, it->attrs_raw,
		    it->attrs_raw_len, r->dec, d) != 0)
			break;
		return 1;
	}
	diag_at(d, r->name, r->line);
	return -1;
}

const char *
items_attr_get(const struct items_item *it, const char *key, size_t *len)
{
	size_t klen = strlen(key);

	for (size_t i = 0; i < it->nattr; i++)
		if (it->attr[i].klen == klen &&
		    memcmp(it->attr[i].key, key, klen) == 0) {
			if (len != NULL)
				*len = it->attr[i].vlen;
			return it->attr[i].val;
		}
	return NULL;
}

int
items_write_line(FILE *f, const char *item, size_t len,
    const char *attrs_raw, size_t attrs_raw_len, struct diag *d)
{
	bool bad = fwrite(item, 1, len, f) != len;

	if (!bad && attrs_raw != NULL && attrs_raw_len > 0)
		bad = putc('\t', f) == EOF ||
		    fwrite(attrs_raw, 1, attrs_raw_len, f) != attrs_raw_len;
	if (!bad)
		bad = putc('\n', f) == EOF;
	if (bad) {
		if (errno == 0)
			errno = EIO;
		diag_system(d, "write error");
		diag_at(d, f == stdout ? "<stdout>" : NULL, 0);
		return -1;
	}
	return 0;
}

int
items_write(FILE *f, const struct gs1_msg *m, enum gs1_form form,
    const struct gs1_render_opts *ro, const char *attrs_raw,
    size_t attrs_raw_len, struct diag *d)
{
	static const struct gs1_render_opts defaults = GS1_RENDER_OPTS_INIT;
	char buf[GS1_RENDER_MAX];
	size_t n;

	if (form == GS1_FORM_HRI_LINES)
		return diag_input(d, "HRI lines cannot be an item line");
	if (gs1_render(m, form, ro != NULL ? ro : &defaults, buf, sizeof(buf),
	    &n, d) != 0)
		return -1;
	if (memchr(buf, '\n', n) != NULL)
		return diag_input(d, "the %s form of this item holds a line "
		    "feed", gs1_form_name(form));
	return items_write_line(f, buf, n, attrs_raw, attrs_raw_len, d);
}

size_t
items_attr_encode(const char *val, size_t len, char *buf, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)val[i];
		const char *esc = c == '%' ? "%25" : c == '\t' ? "%09" :
		    c == '\r' ? "%0D" : c == '\n' ? "%0A" : NULL;

		if (esc != NULL) {
			if (cap - o < 4)
				return (size_t)-1;
			memcpy(buf + o, esc, 3);
			o += 3;
		} else {
			if (cap - o < 2)
				return (size_t)-1;
			buf[o++] = (char)c;
		}
	}
	if (cap == 0)
		return (size_t)-1;
	buf[o] = '\0';
	return o;
}

static const struct {
	unsigned	 bit;
	const char	*text;
} note_texts[] = {
	{ GS1_NOTE_NO_SYMBOLOGY_ID, "scan data without a symbology identifier" },
	{ GS1_NOTE_LEADING_GS, "GS right after the symbology identifier" },
	{ GS1_NOTE_VISIBLE_GS, "U+241D written for GS" },
	{ GS1_NOTE_TRAILING_GS, "GS at the end" },
	{ GS1_NOTE_DL_CONVENIENCE, "Digital Link convenience names "
	    "(gtin, lot, ser, exp)" },
};

static void
report_notes(const struct items_convert_opts *o, const char *name,
    const struct items_item *it)
{
	for (size_t i = 0; i < sizeof(note_texts) / sizeof(note_texts[0]);
	    i++) {
		struct diag w = DIAG_INIT;

		if ((it->msg.notes & note_texts[i].bit) == 0)
			continue;
		diag_input(&w, "lenient: %s", note_texts[i].text);
		diag_at(&w, name, it->line);
		o->report(o->report_ctx, &w, true);
	}
}

int
items_convert_stream(FILE *in, const char *name, FILE *out,
    const struct items_convert_opts *o, unsigned long *nbad,
    struct diag *d)
{
	struct items_reader *r;
	struct items_item *it;
	struct diag e = DIAG_INIT;
	int rc = 0;

	if ((it = malloc(sizeof(*it))) == NULL)
		return diag_system(d, "out of memory");
	if (items_reader_open(&r, in, name, &o->read, d) != 0) {
		free(it);
		return -1;
	}
	for (;;) {
		char uri[EPC_URI_MAX];
		size_t n;
		int k;

		/* Cleared only when used: DIAG_INIT writes 800 bytes a line. */
		if (e.kind != DIAG_OK || e.msg[0] != '\0' ||
		    e.where[0] != '\0' || e.line != 0 || e.offset != -1 ||
		    e.sys_errno != 0)
			diag_clear(&e);
		k = items_next(r, it, &e);

		if (k == 0)
			break;
		if (k > 0 && it->msg.notes != 0 && o->report != NULL)
			report_notes(o, name, it);
		if (k > 0 && gs1_validate(&it->msg, &o->check, &e) == 0 &&
		    !o->validate && o->to_epc)
			k = epc_render_uri(&it->msg, EPC_SCHEME_AUTO, o->gcp,
			    uri, sizeof(uri), &n, &e) == 0 ? 1 : -1;
		if (e.kind == DIAG_SYSTEM) {
			*d = e;
			rc = -1;
			break;
		}
		if (e.kind != DIAG_OK) {
			diag_at(&e, name, it->line);
			(*nbad)++;
			if (o->report != NULL)
				o->report(o->report_ctx, &e, false);
			continue;
		}
		if (o->validate || out == NULL)
			continue;
		if (o->to_epc)
			rc = items_write_line(out, uri, n, it->attrs_raw,
			    it->attrs_raw_len, d);
		else
			rc = items_write(out, &it->msg, o->to, &o->render,
			    it->attrs_raw, it->attrs_raw_len, d);
		if (rc != 0) {
			if (d->kind != DIAG_SYSTEM) {
				/* The form cannot carry this item. */
				diag_at(d, name, it->line);
				(*nbad)++;
				if (o->report != NULL)
					o->report(o->report_ctx, d, false);
				diag_clear(d);
				rc = 0;
				continue;
			}
			break;
		}
	}
	items_reader_free(r);
	free(it);
	return rc;
}
