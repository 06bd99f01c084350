/*
 * epcis_int: internals shared by the epcis_*.c files; tools never include
 * this.  A per-event arena, a growable byte buffer, the compact event tree
 * that every front end builds (epcis_tree.c) and the walkers over it: the
 * event fields (epcis_read.c), the canonical form (epcis_c14n.c) and the
 * CBV 2.0 pre-hash string (epcis_hash.c).
 */
#ifndef DSCSA_EPCIS_INT_H
#define DSCSA_EPCIS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <stdio.h>

#include <libxml/tree.h>

#include "diag.h"
#include "epcis.h"

/*
 * Arena: bump allocation in chunks, freed all at once.  epcis_arena_reset()
 * keeps the first chunk so that a steady stream of events allocates nothing.
 */
struct epcis_arena_chunk;
struct epcis_arena {
	struct epcis_arena_chunk *head;
	size_t		 total;		/* bytes in all chunks */
	size_t		 chunk;		/* first chunk size; 0: 64 KB */
};

void	*epcis_arena_alloc(struct epcis_arena *a, size_t n);	/* NULL: no memory */
char	*epcis_arena_strndup(struct epcis_arena *a, const char *s, size_t n);
void	 epcis_arena_reset(struct epcis_arena *a);
void	 epcis_arena_free(struct epcis_arena *a);

/* A growable buffer; `data` is NUL-terminated after every append. */
struct epcis_buf {
	char		*data;
	size_t		 len, cap;
	bool		 failed;	/* an allocation failed: data is stale */
};

void	epcis_buf_add(struct epcis_buf *b, const char *s, size_t n);
void	epcis_buf_adds(struct epcis_buf *b, const char *s);
/* n more bytes at the end, to be written by the caller; NULL: failed. */
char	*epcis_buf_reserve(struct epcis_buf *b, size_t n);
void	epcis_buf_free(struct epcis_buf *b);

/*
 * Count the bytes since the last '<' over a chunk of input (*run carries
 * over between chunks).  Returns false once a run exceeds `max`: no EPCIS
 * value is that long, and libxml2's schema validator is quadratic in the
 * length of one text node, so it must never see one.
 */
bool	epcis_text_run(size_t *run, const char *buf, size_t n, size_t max);

/* Is this an element the event walkers unwrap (1.2 extension wrappers)? */
bool	epcis_is_wrapper(const xmlNode *n);

/* Event type from an element's local name (no namespace); 0 if none. */
enum epcis_event_type epcis_event_type_of(const xmlNode *n);
enum epcis_event_type epcis_event_type_named(const char *local);

/* ---------------------------------------------------------------------- */
/*
 * The event tree.  One event element as the walkers need it, whoever
 * parsed it (the own scanner, libxml2 SAX2, or a libxml2 DOM subtree):
 *
 *  - an element has its namespace URI (NULL: none), local name,
 *    attributes (namespace declarations are not attributes), children in
 *    document order and the line of its start tag;
 *  - a text node is one run of character data: adjacent text, CDATA
 *    sections and character references are one run, a comment or
 *    processing instruction ends it (as libxml2's tree builder with
 *    XML_PARSE_NOCDATA makes text nodes), line ends normalised to LF,
 *    NUL-terminated;
 *  - except: a run of white space between two tags, with no other text in
 *    the parent element before it, is left out.  No walker can tell (they
 *    trim, and concatenate text only where such a run is leading white
 *    space), and it is most of the nodes of an indented document;
 *  - an xsi:type attribute carries the namespace its QName prefix is bound
 *    to where it is written (the canonical form declares it);
 *  - from a compact builder (only for the pre-hash, which reads them), an
 *    element that is a leaf (no attributes, text, no child element) may
 *    hold its text itself, in text and len, with no kids.
 *
 * Everything lives in one arena and is freed with it; the strings of
 * namespace URIs are shared within an event (compare them with strcmp).
 */
#define EPCIS_NS_XSI	"http://www.w3.org/2001/XMLSchema-instance"

struct epcis_xattr {
	const char	*uri;		/* namespace URI; NULL if none */
	const char	*local;
	const char	*value;		/* normalised value, NUL-terminated */
	size_t		 len;
	const char	*qprefix;	/* xsi:type: the QName prefix, or NULL */
	const char	*quri;		/* ... and its namespace */
};

struct epcis_xnode {
	struct epcis_xnode *next;	/* next sibling */
	struct epcis_xnode *kids;	/* first child */
	struct epcis_xnode *last;	/* last child */
	struct epcis_xnode *parent;
	const char	*uri;		/* element: namespace URI, NULL if none */
	const char	*local;		/* element: local name; NULL: text */
	const char	*text;		/* text: the characters (or a compact
					 * leaf's, see above) */
	size_t		 len;		/* text: their length */
	struct epcis_xattr *attrs;
	size_t		 nattr;
	unsigned long	 line;		/* element: line of the start tag */
	bool		 has_text;	/* element: text other than white
					 * space somewhere inside so far */
};

static inline bool
epcis_x_is_elem(const struct epcis_xnode *n)
{
	return n->local != NULL;
}

/*
 * memcmp(a, b, n) == 0, without the call for the short names of tags
 * (the scanner's end tags, the tree builder's name table).
 */
static inline bool
epcis_same(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	if (n > 16)
		return memcmp(x, y, n) == 0;
	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return false;
	return true;
}

/*
 * The builder: the front ends call start/text/end in document order for
 * the event element and everything in it.  lean (false after init): a
 * run of white space between two tags is left out even where the parent
 * already has text, for a reader that does not fill the fields (whose
 * leaf() concatenates the text of descendants): the canonical form drops
 * white-space-only text, and the pre-hash reads only the text before an
 * element's first child, which it strips, so a run followed by a tag
 * changes neither.  Strings are copied (the
 * caller's buffers may move); URIs are interned.  A failed allocation makes
 * the builder `nomem`, and later calls do nothing.
 */
#define EPCIS_TB_URIS	32
#define EPCIS_TB_NAMES	64
struct epcis_tb {
	struct epcis_arena *a;
	struct epcis_xnode *root, *cur;
	struct epcis_xnode *open_text;	/* the text run still growing */
	char		 ws[128];	/* a white-space run held back */
	size_t		 nws;
	bool		 held;
	const char	*uris[EPCIS_TB_URIS];
	size_t		 nuris;
	const char	*names[EPCIS_TB_NAMES];	/* interned local names */
	size_t		 name_len[EPCIS_TB_NAMES];
	size_t		 nnames;
	char		*tp, *te;	/* text bytes: a bump pool in `a` */
	struct epcis_xnode *np, *ne;	/* nodes: the same */
	const char	*last_ws;	/* the last white-space run kept */
	size_t		 last_ws_len;
	const char	*leaf_name;	/* the last leaf's interned name */
	size_t		 leaf_len;
	bool		 lean;		/* set after init: see below */
	bool		 compact;	/* set after init: leaves hold their
					 * text (for the pre-hash alone) */
	bool		 nomem;
};

void	epcis_tb_init(struct epcis_tb *b, struct epcis_arena *a);
void	epcis_tb_reset(struct epcis_tb *b);	/* after an arena reset */
void	epcis_tb_free(struct epcis_tb *b);
/* `attrs` are copied; their quri, uri may be NULL. */
void	epcis_tb_start(struct epcis_tb *b, const char *uri, const char *local,
	    size_t llen, const struct epcis_xattr *attrs, size_t nattr,
	    unsigned long line);
void	epcis_tb_text(struct epcis_tb *b, const char *s, size_t n);
void	epcis_tb_break(struct epcis_tb *b);	/* a comment or PI */
void	epcis_tb_end(struct epcis_tb *b);
/*
 * start, text (n > 0) and end of an element without attributes, then
 * text(ws, nws) if nws > 0, where ws is white space that a tag follows.
 */
void	epcis_tb_leaf(struct epcis_tb *b, const char *uri, const char *local,
	    size_t llen, const char *s, size_t n, unsigned long line,
	    const char *ws, size_t nws);
/* The prefix of an xsi:type QName value as the walkers use it, or 0. */
size_t	epcis_qname_prefix_len(const char *v, size_t len);

/*
 * The tree of a libxml2 DOM element (epcis_convert.c, the DOM front end).
 * Returns NULL if memory ran out.
 */
struct epcis_xnode *epcis_x_from_dom(const xmlNode *n, struct epcis_arena *a);

/*
 * Is this a 1.2 <extension>/<baseExtension> wrapper?  The same rule as
 * epcis_is_wrapper() (epcis_util.c); inline, as every walker asks it of
 * every element.
 */
static inline bool
epcis_x_is_wrapper(const struct epcis_xnode *n)
{
	if (n->local == NULL || n->uri != NULL || n->nattr != 0)
		return false;
	/* the second byte first: "epc" and "bizStep" are common */
	if (n->local[0] == 'e' && n->local[1] == 'x')
		return strcmp(n->local, "extension") == 0;
	if (n->local[0] == 'b' && n->local[1] == 'a')
		return strcmp(n->local, "baseExtension") == 0;
	return false;
}

/*
 * The canonical form of the event element `ev` into out (reset first).
 * Errors: DIAG_INPUT (too many namespaces), DIAG_SYSTEM (no memory).
 */
int	epcis_c14n_tree(const struct epcis_xnode *ev, struct epcis_buf *out,
	    struct diag *d);

/*
 * The CBV 2.0 pre-hash string of the event element `ev` into out (reset
 * first), with `a` as scratch memory.  Errors: DIAG_SYSTEM (no memory).
 */
int	epcis_prehash_tree(const struct epcis_xnode *ev, struct epcis_arena *a,
	    struct epcis_buf *out, struct diag *d);
/*
 * The same with a cache across events (c, NULL: none) of what does not
 * change between them: the rendered names and the canonical values
 * (bounded, emptied between events when full).  The pre-hash is the same
 * with or without it.  A cache is one reader's (not shared between
 * threads); epcis_prehash_cache_new() returns NULL if memory ran out.
 */
struct epcis_prehash_cache;
struct epcis_prehash_cache *epcis_prehash_cache_new(void);
void	epcis_prehash_cache_free(struct epcis_prehash_cache *c);
int	epcis_prehash_tree_cached(const struct epcis_xnode *ev,
	    struct epcis_arena *a, struct epcis_prehash_cache *c,
	    struct epcis_buf *out, struct diag *d);
/* The same for a libxml2 DOM event element (through epcis_x_from_dom). */
int	epcis_prehash_event(const xmlNode *ev, struct epcis_arena *a,
	    struct epcis_buf *out, struct diag *d);
/*
 * For the tests: the number of built-in rule names whose precomputed
 * flags differ from what the pre-hash would compute from the name, or
 * that its name table does not find (0).
 */
int	epcis_prehash_selfcheck(void);

/*
 * "[01]<GTIN-14>[21]<serial>" of an urn:epc:id:sgtin: URI whose serial has
 * no escapes, by the rules epcis_dl_normalise() applies (EPC TDS section
 * 6.3.1), into buf; its length, 0 if it is no valid SGTIN, or (size_t)-1
 * if it is not of that simple form (the caller takes the general path).
 */
size_t	epcis_sgtin_bracketed(const char *uri, char *buf, size_t cap);

/* ---------------------------------------------------------------------- */
/*
 * The own XML scanner (epcis_scan.c): a strict, streaming parser of the
 * XML 1.0 + Namespaces subset that EPCIS uses (no DTD beyond a bare
 * "<!DOCTYPE name>", UTF-8 only), feeding a sink.  Well-formedness is
 * checked in full; the first error ends the scan.
 */
struct epcis_scan_sink {
	void	*ctx;
	/* Each returns 0 to go on, 1 to pause the scan after this call, or
	 * -1 to stop it (the sink keeps its own error). */
	int	(*start)(void *ctx, const char *uri, const char *local,
		    size_t llen, const struct epcis_xattr *attrs, size_t nattr,
		    unsigned long line);
	int	(*end)(void *ctx);
	int	(*text)(void *ctx, const char *s, size_t n);
	int	(*brk)(void *ctx);	/* a comment or PI */
	/*
	 * Optional (NULL: not called), for the XSD validator, which needs
	 * what libxml2's SAX2 parser would tell it.  nsdecl: each namespace
	 * declaration of the element about to start, in document order,
	 * just before start(): the prefix (plen bytes, not NUL-terminated;
	 * NULL for the default namespace) and the namespace name
	 * (NUL-terminated; "" undeclares the default).  Both are borrowed
	 * for the call.  cdata: the content of a CDATA section (NULL: it
	 * goes to text()).
	 */
	int	(*nsdecl)(void *ctx, const char *prefix, size_t plen,
		    const char *uri);
	int	(*cdata)(void *ctx, const char *s, size_t n);
	/*
	 * Optional (NULL: start, text and end are called): an element with
	 * no attributes, not the root, whose content is one run of plain
	 * text (ASCII, no control but TAB and LF, no '&' or ']'; at least
	 * one byte) directly followed by its end tag, in one call instead
	 * of those three, with start()'s arguments and the text (n bytes,
	 * not NUL-terminated, borrowed for the call).  ws (nws bytes,
	 * borrowed, maybe none): white space (space, TAB, LF) after the end
	 * tag that a start or end tag follows, instead of a text() call
	 * after end(); ws is just after the end tag's '>' even if nws is 0,
	 * so [s + n, ws) is the end tag.  Returns as end().
	 */
	int	(*leaf)(void *ctx, const char *uri, const char *local,
		    size_t llen, const char *s, size_t n, unsigned long line,
		    const char *ws, size_t nws);
};

/* Reads up to cap bytes into buf; 0 at the end (or on a read error). */
typedef size_t (*epcis_scan_read_fn)(void *ctx, void *buf, size_t cap);

struct epcis_scan;

/*
 * A scanner over `read` (or, with read NULL, over the `len` bytes at
 * `mem`, borrowed), elements nested at most max_depth deep.  NULL if
 * memory ran out.
 */
struct epcis_scan *epcis_scan_new(epcis_scan_read_fn read, void *rctx,
	    const void *mem, size_t len, unsigned max_depth);
void	epcis_scan_free(struct epcis_scan *s);

/*
 * Scan on: 1 when a sink call asked to pause, 0 at the end of a complete
 * document, -1 on an error (the sink's, or a well-formedness error in d
 * with its line; d->kind is DIAG_OK if the sink stopped the scan).
 */
int	epcis_scan_next(struct epcis_scan *s, const struct epcis_scan_sink *k,
	    struct diag *d);

/* Bytes consumed so far, and the current line (1-based). */
unsigned long long epcis_scan_offset(const struct epcis_scan *s);
unsigned long epcis_scan_line(const struct epcis_scan *s);

/* ---------------------------------------------------------------------- */
/*
 * The reader (epcis_read.c) and its libxml2 part (epcis_xml.c): the XSD
 * validator between the scanner and the reader's document driver, and
 * libxml2's SAX2 parser as a second front end.  They are apart so that a
 * program that reads without either (dscsa-ledger) does not link libxml2;
 * a caller that wants them sets epcis_read_opts.xml to
 * &epcis_read_libxml2.
 */
struct epcis_xml_state;		/* epcis_xml.c */

struct epcis_qevent {
	struct epcis_xnode *root;
	enum epcis_event_type type;
	struct epcis_arena *a;
};

struct epcis_reader {
	FILE		*f;
	const unsigned char *mem;
	size_t		 memlen, mempos;
	const char	*name;
	struct epcis_read_opts o;

	unsigned char	*sniff;		/* bytes read ahead to find the version */
	size_t		 sniff_len, sniff_pos;

	unsigned long long fed;		/* bytes read */
	unsigned long long event_start;	/* offset where the current event began */
	size_t		 text_run;	/* bytes since the last '<' */
	bool		 read_error, eof;
	int		 read_errno;

	enum epcis_version version;
	bool		 query;		/* the root sniffed is EPCISQueryDocument's */
	bool		 root_seen, bare, done;
	int		 open;		/* elements open */
	int		 eventlist_depth;	/* -1: not inside EventList */
	bool		 building;
	enum epcis_event_type building_type;

	struct diag	 err;		/* the first error (invariant 4) */
	bool		 dead;

	/* events (invariant 3) */
	struct epcis_tb	 tb;
	struct epcis_arena *build_arena;
	struct epcis_qevent *q;
	size_t		 qcap, qhead, qn;
	struct epcis_arena **pool;
	size_t		 npool, poolcap;
	struct epcis_arena *handed;	/* the event the caller holds */
	struct epcis_buf canon, prehash, tmp;
	struct epcis_prehash_cache *hcache;	/* NULL until the first hash */

	struct epcis_scan *scan;	/* the own scanner */
	struct epcis_xml_state *xs;	/* libxml2's part, or NULL */
};

/*
 * What epcis_xml.c does for the reader.  valid_open: after the sniff,
 * the XSD of r->version, the validator, and r->scan feeding valid_sink
 * (ctx: the reader), which validates and hands everything on to the
 * driver; valid_end: 1 if the whole document was valid.  sax_open,
 * sax_step (one chunk into the driver, r->eof at the end, errors in
 * r->err), sax_line: the SAX2 front end.  free: everything of r->xs.
 */
struct epcis_read_xml {
	int	(*valid_open)(struct epcis_reader *r, struct diag *d);
	const struct epcis_scan_sink *valid_sink;
	int	(*valid_end)(struct epcis_reader *r);
	int	(*sax_open)(struct epcis_reader *r, struct diag *d);
	void	(*sax_step)(struct epcis_reader *r);
	unsigned long (*sax_line)(const struct epcis_reader *r);
	void	(*free)(struct epcis_reader *r);
};

/*
 * The reader's side (epcis_read.c): its input (an epcis_scan_read_fn,
 * ctx the reader), its first error as DIAG_INPUT at `line` (returns -1),
 * the current line, the event size check (-1 and the error if the event
 * being built is too big), and the document driver, an epcis_scan_sink
 * with the reader as ctx.
 */
size_t	epcis_rd_fetch(void *r, void *buf, size_t want);
int	epcis_rd_input(struct epcis_reader *r, unsigned long line,
	    const char *msg);
unsigned long epcis_rd_line(const struct epcis_reader *r);
int	epcis_rd_too_big(struct epcis_reader *r);
int	epcis_rd_start(void *r, const char *uri, const char *local,
	    size_t llen, const struct epcis_xattr *attrs, size_t nattr,
	    unsigned long line);
int	epcis_rd_end(void *r);
int	epcis_rd_text(void *r, const char *s, size_t n);
int	epcis_rd_brk(void *r);
int	epcis_rd_leaf(void *r, const char *uri, const char *local,
	    size_t llen, const char *s, size_t n, unsigned long line,
	    const char *ws, size_t nws);

#endif /* DSCSA_EPCIS_INT_H */
