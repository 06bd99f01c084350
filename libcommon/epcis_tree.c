/*
 * epcis_tree: the compact event tree (epcis_int.h) and its builder, which
 * every front end feeds (the own scanner epcis_scan.c, libxml2 SAX2 in
 * epcis_xml.c, and a libxml2 DOM subtree through epcis_x_from_dom() in
 * epcis_convert.c), so that the fields, the canonical form and the pre-hash
 * have one walker each and cannot differ between front ends.  Nothing here
 * calls libxml2, so that the reader without validation does not link it.
 *
 * Text runs follow libxml2's tree builder with XML_PARSE_NOCDATA
 * (SAX2.c, xmlSAX2Characters): character data, CDATA sections and
 * character references that follow each other are one text node; a
 * comment or processing instruction, a start tag or an end tag ends it.
 */
#include <stdint.h>
#include <string.h>

#include <libxml/tree.h>

#include "epcis.h"
#include "epcis_int.h"

void
epcis_tb_init(struct epcis_tb *b, struct epcis_arena *a)
{
	/* not memset(b): the tables are filled before they are read */
	b->a = a;
	b->nws = 0;
	b->lean = false;
	b->compact = false;
	epcis_tb_reset(b);
}

void
epcis_tb_reset(struct epcis_tb *b)
{
	b->root = b->cur = b->open_text = NULL;
	b->tp = b->te = NULL;
	b->np = b->ne = NULL;
	b->last_ws = NULL;
	b->last_ws_len = 0;
	b->leaf_name = NULL;
	b->leaf_len = 0;
	b->held = false;
	b->nuris = b->nnames = 0;
	memset(b->names, 0, sizeof(b->names));
	b->nomem = false;
}

void
epcis_tb_free(struct epcis_tb *b)
{
	(void)b;
}

/*
 * Text and nodes come in blocks from the arena: most of an event is short
 * text runs, and the arena rounds every allocation up and checks its
 * chunk each time.  The blocks are small, so that a small event (the
 * ledger's: one EPC) still fits the arena's first chunks and a steady
 * stream of them allocates nothing.
 */
#define TB_TEXT_BLOCK	1024
#define TB_NODE_BLOCK	16

/* A new text block for n bytes and a NUL; NULL if memory ran out. */
static char *
text_block(struct epcis_tb *b, size_t n)
{
	char *p;

	if (n >= TB_TEXT_BLOCK / 4)
		return epcis_arena_alloc(b->a, n + 1);	/* long: its own */
	if ((b->tp = epcis_arena_alloc(b->a, TB_TEXT_BLOCK)) == NULL) {
		b->te = NULL;
		return NULL;
	}
	b->te = b->tp + TB_TEXT_BLOCK;
	p = b->tp;
	b->tp += n + 1;
	return p;
}

/* n bytes of text plus a NUL; NULL if memory ran out. */
static inline char *
text_alloc(struct epcis_tb *b, size_t n)
{
	char *p;

	if (n >= TB_TEXT_BLOCK / 4 || (size_t)(b->te - b->tp) < n + 1)
		return text_block(b, n);
	p = b->tp;
	b->tp += n + 1;
	return p;
}

/* Inline: every leaf's text (an EPC) is copied. */
static inline char *
text_dup(struct epcis_tb *b, const char *s, size_t n)
{
	char *p = text_alloc(b, n);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* Local names repeat: one copy of each per event (open addressing). */
static const char *
intern_name(struct epcis_tb *b, const char *s, size_t n)
{
	size_t h = n == 0 ? 0 : (n * 31 + (unsigned char)s[0] * 7 +
	    (unsigned char)s[n - 1]) % EPCIS_TB_NAMES;
	char *p;

	for (size_t k = 0; k < EPCIS_TB_NAMES; k++) {
		size_t i = (h + k) % EPCIS_TB_NAMES;

		if (b->names[i] == NULL) {
			if ((p = text_dup(b, s, n)) == NULL)
				return NULL;
			if (b->nnames < EPCIS_TB_NAMES * 3 / 4) {
				b->names[i] = p;
				b->name_len[i] = n;
				b->nnames++;
			}
			return p;
		}
		if (b->name_len[i] == n && epcis_same(b->names[i], s, n))
			return b->names[i];
	}
	return text_dup(b, s, n);
}

static const char *
intern(struct epcis_tb *b, const char *uri)
{
	char *p;

	if (uri == NULL)
		return NULL;
	for (size_t i = 0; i < b->nuris; i++)
		if (b->uris[i] == uri || strcmp(b->uris[i], uri) == 0)
			return b->uris[i];
	if ((p = epcis_arena_strndup(b->a, uri, strlen(uri))) == NULL) {
		b->nomem = true;
		return "";
	}
	if (b->nuris < EPCIS_TB_URIS)
		b->uris[b->nuris++] = p;
	return p;
}

/* A new block of nodes; false: no memory (b->nomem set). */
static bool
node_block(struct epcis_tb *b)
{
	b->np = epcis_arena_alloc(b->a, TB_NODE_BLOCK * sizeof(*b->np));
	if (b->np == NULL) {
		b->ne = NULL;
		b->nomem = true;
		return false;
	}
	b->ne = b->np + TB_NODE_BLOCK;
	return true;
}

/* Inline: two for every leaf (element and text). */
static inline struct epcis_xnode *
new_node(struct epcis_tb *b)
{
	struct epcis_xnode *n;

	if (b->np == b->ne && !node_block(b))
		return NULL;
	n = b->np++;
	/*
	 * Field by field, not memset(): for these 96 bytes GCC emits
	 * `rep stosq`, whose start-up cost made this the second hottest
	 * function of `dscsa-epcis hash` (perf).
	 */
	n->next = n->kids = n->last = n->parent = NULL;
	n->uri = n->local = n->text = NULL;
	n->len = 0;
	n->attrs = NULL;
	n->nattr = 0;
	n->line = 0;
	n->has_text = false;
	return n;
}

static void
append(struct epcis_tb *b, struct epcis_xnode *n)
{
	struct epcis_xnode *p = b->cur;

	n->parent = p;
	if (p == NULL) {
		if (b->root == NULL)
			b->root = n;
		return;
	}
	if (p->last != NULL)
		p->last->next = n;
	else
		p->kids = n;
	p->last = n;
}

/* A tag: a held-back white-space run between two tags goes. */
static void
flush_text(struct epcis_tb *b)
{
	b->open_text = NULL;
	b->held = false;
}

static void add_text(struct epcis_tb *b, const char *s, size_t n);

/* Something other than a tag follows the held run: it is kept. */
static void
unhold(struct epcis_tb *b)
{
	if (b->held) {
		b->held = false;
		add_text(b, b->ws, b->nws);
	}
}

void
epcis_tb_start(struct epcis_tb *b, const char *uri, const char *local,
    size_t llen, const struct epcis_xattr *attrs, size_t nattr,
    unsigned long line)
{
	struct epcis_xnode *n;

	flush_text(b);
	if (b->nomem || (n = new_node(b)) == NULL)
		return;
	n->uri = uri != NULL ? intern(b, uri) : NULL;
	n->local = intern_name(b, local, llen);
	n->line = line;
	if (nattr > 0) {
		n->attrs = epcis_arena_alloc(b->a, nattr * sizeof(*n->attrs));
		if (n->attrs == NULL) {
			b->nomem = true;
			return;
		}
		for (size_t i = 0; i < nattr; i++) {
			struct epcis_xattr *t = &n->attrs[i];
			const struct epcis_xattr *s = &attrs[i];

			t->uri = intern(b, s->uri);
			t->local = intern_name(b, s->local, strlen(s->local));
			t->value = epcis_arena_strndup(b->a, s->value, s->len);
			t->len = s->len;
			t->qprefix = s->qprefix == NULL ? NULL :
			    epcis_arena_strndup(b->a, s->qprefix,
			    strlen(s->qprefix));
			t->quri = intern(b, s->quri);
			if (t->local == NULL || t->value == NULL ||
			    (s->qprefix != NULL && t->qprefix == NULL))
				b->nomem = true;
		}
		n->nattr = nattr;
	}
	if (n->local == NULL) {
		b->nomem = true;
		return;
	}
	append(b, n);
	b->cur = n;
}

static void
add_text(struct epcis_tb *b, const char *s, size_t n)
{
	struct epcis_xnode *t = b->open_text;
	char *p;

	if (t != NULL) {
		/* a run in pieces (references, CDATA): rare, copied again */
		if (n > SIZE_MAX / 2 - t->len ||
		    (p = text_alloc(b, t->len + n)) == NULL) {
			b->nomem = true;
			return;
		}
		memcpy(p, t->text, t->len);
		memcpy(p + t->len, s, n);
		p[t->len + n] = '\0';
		t->text = p;
		t->len += n;
		return;
	}
	if ((t = new_node(b)) == NULL ||
	    (t->text = text_dup(b, s, n)) == NULL) {
		b->nomem = true;
		return;
	}
	t->len = n;
	append(b, t);
	b->open_text = t;
}

/* White space as the scanner leaves it (CR is normalised away). */
static const unsigned char tb_space[256] = {
	[' '] = 1, ['\n'] = 1, ['\t'] = 1,
};

void
epcis_tb_text(struct epcis_tb *b, const char *s, size_t n)
{
	size_t i = 0;

	if (b->cur == NULL || n == 0 || b->nomem)
		return;		/* text outside the event is not kept */
	while (i < n && tb_space[(unsigned char)s[i]])
		i++;
	if (i == n && b->open_text == NULL && !b->held &&
	    (!b->cur->has_text || b->lean) && n <= sizeof(b->ws)) {
		memcpy(b->ws, s, n);
		b->nws = n;
		b->held = true;
		return;
	}
	unhold(b);
	if (i < n) {
		b->cur->has_text = true;
		add_text(b, s, n);
		return;
	}
	/*
	 * White space kept: indentation repeats, and text is never written
	 * once a node has it, so the same bytes can be shared.
	 */
	if (b->open_text == NULL && b->last_ws_len == n &&
	    memcmp(b->last_ws, s, n) == 0) {
		struct epcis_xnode *t = new_node(b);

		if (t == NULL)
			return;
		t->text = b->last_ws;
		t->len = n;
		append(b, t);
		b->open_text = t;
		return;
	}
	add_text(b, s, n);
	if (b->open_text != NULL && b->open_text->len == n && !b->nomem) {
		b->last_ws = b->open_text->text;
		b->last_ws_len = n;
	}
}

void
epcis_tb_leaf(struct epcis_tb *b, const char *uri, const char *local,
    size_t llen, const char *s, size_t n, unsigned long line,
    const char *ws, size_t nws)
{
	struct epcis_xnode *e, *t;
	size_t i = 0;

	while (i < n && tb_space[(unsigned char)s[i]])
		i++;
	if (i == n || b->cur == NULL || b->nomem) {
		/* white space only (held back, or kept if long): as ever */
		epcis_tb_start(b, uri, local, llen, NULL, 0, line);
		epcis_tb_text(b, s, n);
		epcis_tb_end(b);
		if (nws > 0)
			epcis_tb_text(b, ws, nws);
		return;
	}
	/*
	 * What start, text and end would leave: an element with text; a
	 * compact builder keeps the text in the element (epcis_int.h).
	 */
	flush_text(b);
	t = NULL;
	if ((e = new_node(b)) == NULL || (!b->compact &&
	    (t = new_node(b)) == NULL))
		return;
	e->uri = uri != NULL ? intern(b, uri) : NULL;
	/* a leaf is mostly the same as the one before (the EPCs of a list) */
	if (b->leaf_name != NULL && b->leaf_len == llen &&
	    epcis_same(b->leaf_name, local, llen))
		e->local = b->leaf_name;
	else if ((e->local = intern_name(b, local, llen)) != NULL) {
		b->leaf_name = e->local;
		b->leaf_len = llen;
	}
	e->line = line;
	e->has_text = true;
	if (t == NULL)
		t = e;		/* compact */
	t->text = text_dup(b, s, n);
	t->len = n;
	if (e->local == NULL || t->text == NULL) {
		b->nomem = true;
		return;
	}
	if (t != e) {
		t->parent = e;
		e->kids = e->last = t;
	}
	append(b, e);
	b->cur->has_text = true;
	/*
	 * The white space after it: a tag follows, so lean drops a short
	 * run as epcis_tb_text() would (held back, then gone at the tag).
	 */
	if (nws > 0 && (!b->lean || nws > sizeof(b->ws)))
		epcis_tb_text(b, ws, nws);
}

void
epcis_tb_break(struct epcis_tb *b)
{
	unhold(b);
	b->open_text = NULL;
}

void
epcis_tb_end(struct epcis_tb *b)
{
	flush_text(b);
	if (b->cur != NULL) {
		struct epcis_xnode *p = b->cur->parent;

		if (p != NULL && b->cur->has_text)
			p->has_text = true;
		b->cur = p;
	}
}

size_t
epcis_qname_prefix_len(const char *v, size_t len)
{
	const char *colon = memchr(v, ':', len);
	size_t n;

	/* as the canonicaliser always did: a prefix of 1 to 63 bytes */
	if (colon == NULL)
		return 0;
	n = (size_t)(colon - v);
	return n > 0 && n < 64 ? n : 0;
}

