/*
 * epcis: EPCIS 1.2 and 2.0 XML for DSCSA (DESIGN.md section 5).
 *
 * Three parts behind this one header:
 *
 *  - a streaming reader (epcis_read.c) that gives one event at a time with
 *    its fields, its canonical bytes (epcis_c14n.c) and its CBV 2.0 event
 *    hash id (epcis_hash.c).  It parses with its own strict scanner
 *    (epcis_scan.c), which also feeds libxml2's XSD validator when
 *    validating (epcis_xml.c, handed to the reader as epcis_read_libxml2,
 *    so that a reader without it links no libxml2).  Hostile input is
 *    refused: no network, no DTD at all (so
 *    no entity expansion, no XXE), depth and size limits
 *    (epcis_xml_options() is the one place that sets libxml2's parser
 *    options);
 *  - a streaming writer (epcis_write.c, libxml2 xmlTextWriter) of whole
 *    documents, in constant memory;
 *  - conversion between EPCIS 1.2 and 2.0 (epcis_convert.c).
 *
 * Standards: EPCIS 1.2 (GS1, 2016) and EPCIS 2.0 (GS1, 2022) XML bindings
 * and their XSDs (schemas/epcis-1.2, schemas/epcis-2.0); CBV 1.2 and 2.0;
 * CBV 2.0 section 8.9 (event hash id) as the reference implementation
 * RalphTro/epcis-event-hash-generator computes it; W3C Exclusive XML
 * Canonicalization 1.0 (canonical form).  The canonical form and the
 * extension namespace are specified in dscsa-epcis(1).
 *
 * Thread-safety: a reader or writer belongs to one thread.  epcis_init() must
 * have run (every open function calls it) before threads share libxml2.
 */
#ifndef DSCSA_EPCIS_H
#define DSCSA_EPCIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "diag.h"

/* "ni:///sha-256;" + 64 hex + "?ver=CBV2.0" + NUL */
#define EPCIS_HASH_ID_MAX	96

/* The project's namespace for per-item attributes (dscsa-epcis(1)). */
#define EPCIS_NS_DSCSA		"https://dscsa-tools.org/ns/1"
#define EPCIS_NS_1_2		"urn:epcglobal:epcis:xsd:1"
#define EPCIS_NS_2_0		"urn:epcglobal:epcis:xsd:2"
#define EPCIS_NS_CBVMDA		"urn:epcglobal:cbv:mda"
#define EPCIS_NS_GS1USHC	"http://epcis.gs1us.org/hc/ns"
#define EPCIS_NS_SBDH \
	"http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader"

/* Limits of the reader (defaults; epcis_read_opts can lower them). */
#define EPCIS_MAX_DEPTH		64	/* element nesting in a document */
#define EPCIS_MAX_EVENT_BYTES	(64UL << 20) /* bytes of XML in one event */
#define EPCIS_MAX_TEXT_BYTES	(1UL << 20) /* bytes between two '<' */

enum epcis_version {
	EPCIS_V1_2 = 12,
	EPCIS_V2_0 = 20,
};

enum epcis_event_type {
	EPCIS_OBJECT = 1,
	EPCIS_AGGREGATION,
	EPCIS_TRANSACTION,
	EPCIS_TRANSFORMATION,
	EPCIS_ASSOCIATION,
	EPCIS_QUANTITY,		/* EPCIS 1.x only (deprecated) */
};

/* "ObjectEvent" ...; NULL for a bad value. */
const char *epcis_event_type_name(enum epcis_event_type t);

/* A typed reference: bizTransaction, source or destination. */
struct epcis_ref {
	const char	*type;		/* the type attribute; NULL if absent */
	const char	*id;		/* the element's text */
};

/* A per-item attribute in the project namespace (dscsa-epcis(1)). */
struct epcis_item_attr {
	const char	*epc;
	const char	*key;
	const char	*value;
};

/*
 * One event.  Everything is borrowed from the reader until the next
 * epcis_reader_next() or epcis_reader_free().  Strings are UTF-8, trimmed of
 * leading and trailing white space, NUL-terminated; NULL when absent.
 */
struct epcis_event {
	enum epcis_event_type type;
	enum epcis_version version;	/* of the document it came from */
	const char	*action, *biz_step, *disposition;
	const char	*event_time, *event_time_zone_offset, *record_time;
	const char	*event_id;
	const char	*read_point, *biz_location;
	const char	*parent_id;
	const char	*transformation_id;
	/* epcList (Object, Transaction), childEPCs (Aggregation, Association),
	 * outputEPCList (Transformation), in document order */
	size_t		 nepc;
	const char *const *epcs;
	size_t		 ninput;	/* inputEPCList (Transformation) */
	const char *const *inputs;
	size_t		 nbiz_tx;
	const struct epcis_ref *biz_tx;
	size_t		 nsource;
	const struct epcis_ref *sources;
	size_t		 ndest;
	const struct epcis_ref *dests;
	/* ILMD (cbvmda, or the legacy gs1ushc names) */
	const char	*lot, *expiry;
	/* errorDeclaration */
	const char	*error_time, *error_reason;
	size_t		 ncorrective;
	const char *const *corrective;
	/* per-item attributes (EPCIS_NS_DSCSA) */
	size_t		 nattr;
	const struct epcis_item_attr *attrs;
	/* the canonical form (dscsa-epcis(1) "CANONICAL FORM") */
	const unsigned char *canon;
	size_t		 canon_len;
	/* the CBV 2.0 pre-hash string and event hash id */
	const char	*prehash;
	size_t		 prehash_len;
	char		 hash_id[EPCIS_HASH_ID_MAX];
	unsigned long	 line;		/* where the event element starts */
};

struct epcis_read_opts {
	bool		 validate;	/* against the XSD of the version */
	const char	*schema_dir;	/* NULL: epcis_schema_dir() */
	unsigned	 max_depth;	/* 0: EPCIS_MAX_DEPTH */
	size_t		 max_event_bytes; /* 0: EPCIS_MAX_EVENT_BYTES */
	bool		 no_canon;	/* skip the canonical form */
	bool		 no_hash;	/* skip pre-hash and hash id */
	bool		 libxml2;	/* parse with libxml2 SAX2 even without
					 * validate (differential tests) */
	/* &epcis_read_libxml2 for validate or libxml2 (epcis_xml.c, which
	 * links libxml2: NULL keeps it out of a program that needs neither) */
	const struct epcis_read_xml *xml;
	bool		 no_fields;	/* skip the fields (type, version and
					 * line are still set): for a caller
					 * that wants only hash ids or
					 * canonical bytes */
};
#define EPCIS_READ_OPTS_INIT	{ false, NULL, 0, 0, false, false, false, \
	NULL, false }

struct epcis_read_xml;
extern const struct epcis_read_xml epcis_read_libxml2;

struct epcis_reader;		/* opaque */

/*
 * Read EPCIS events from `f` (named `name` in messages) or from `len` bytes
 * at `buf`.  The input is an EPCISDocument (1.2 or 2.0: the root's
 * namespace says which), an EPCISQueryDocument, or one bare event element
 * such as the canonical form.  With o->validate the whole input is checked
 * against the XSD of its version while it is read (a bare event cannot be
 * validated: DIAG_INPUT).  The own scanner reads UTF-8 only (unless
 * o->libxml2): another declared encoding is DIAG_INPUT.
 *
 * Ownership: *out is the caller's, freed with epcis_reader_free(); `f`,
 * `buf` and `name` are borrowed for the reader's life; `o` (may be NULL) is
 * copied.  Errors: DIAG_SYSTEM (no memory, schema not loadable, o->validate
 * or o->libxml2 without o->xml).
 */
int	epcis_reader_open(struct epcis_reader **out, FILE *f, const char *name,
	    const struct epcis_read_opts *o, struct diag *d);
int	epcis_reader_open_mem(struct epcis_reader **out, const void *buf,
	    size_t len, const char *name, const struct epcis_read_opts *o,
	    struct diag *d);

/*
 * The next event: 1, 0 at the end of the document, -1 on error.  An error
 * names file and line; after it the reader only returns -1.
 * Errors: DIAG_INPUT (not well-formed, DTD, too deep, too big, not
 * EPCIS); DIAG_VERIFY (o->validate and the document is
 * not valid against its XSD); DIAG_SYSTEM (read error, no memory).
 */
int	epcis_reader_next(struct epcis_reader *r, struct epcis_event *ev,
	    struct diag *d);

/* The version of the document (after the first epcis_reader_next()). */
enum epcis_version epcis_reader_version(const struct epcis_reader *r);

void	epcis_reader_free(struct epcis_reader *r);

/*
 * Where the schemas are: $DSCSA_SCHEMAS if set, else the compiled-in
 * default ($(PREFIX)/share/dscsa-tools/schemas).  Borrowed, static.
 */
const char *epcis_schema_dir(void);

/*
 * The XSD of `v` under `dir` (NULL: epcis_schema_dir()) into buf: the
 * main one, or with `query` the query schema (EPCISQueryDocument, which
 * imports the main one).  Returns 0, or -1 (DIAG_SYSTEM) if it does not
 * fit.
 */
int	epcis_schema_path(enum epcis_version v, bool query, const char *dir,
	    char *buf, size_t cap, struct diag *d);

/*
 * libxml2 parser options used for every EPCIS input: XML_PARSE_NONET,
 * XML_PARSE_NOCDATA; never NOENT, DTDLOAD, DTDATTR, DTDVALID or HUGE.
 */
int	epcis_xml_options(void);

/*
 * Initialise libxml2 once for the process: no external entity loading
 * other than local schema files, no network.  Idempotent.
 */
void	epcis_init(void);

/*
 * CBV 2.0 section 8.9 hash id of the pre-hash string `s` (`len` bytes):
 * "ni:///sha-256;<hex>?ver=CBV2.0" into out (EPCIS_HASH_ID_MAX bytes),
 * with the own SHA-256 (sha256.h).  Returns 0: it cannot fail (d is kept
 * for the callers' error paths).
 */
int	epcis_hash_id(const char *s, size_t len, char out[EPCIS_HASH_ID_MAX],
	    struct diag *d);

/*
 * The canonical GS1 Digital Link form (https://id.gs1.org/...) of an EPC
 * URI (urn:epc:id:, urn:epc:class:, urn:epc:idpat:) or a Digital Link URI,
 * as CBV 2.0 section 8.9 hashes it, into buf (cap bytes).  Returns its
 * length, or 0 if `uri` has no such form (or it does not fit).
 */
size_t	epcis_dl_normalise(const char *uri, size_t len, char *buf, size_t cap);

/* ---------------------------------------------------------------------- */
/* Master data (dscsa-epcis(1), MASTER DATA FILES) */

struct epcis_md_attr {
	const char	*id;		/* urn:epcglobal:cbv:mda#... */
	const char	*value;
};

struct epcis_md_element {
	bool		 location;	/* Location vocabulary, else EPCClass */
	const char	*id;		/* idpat URI, SGLN URI, ... */
	size_t		 nattr;
	struct epcis_md_attr *attrs;
	unsigned long	 line;
};

struct epcis_masterdata {
	size_t		 n;
	struct epcis_md_element *el;
	void		*priv;		/* the storage of the strings */
};

/*
 * Load a master data file:
 *
 *   # comment
 *   product urn:epc:idpat:sgtin:0312345.012345.*
 *       ndc 0312-3456-78
 *       name Examplamab 10 mg/mL injection
 *   location urn:epc:id:sgln:0312345.00000.0
 *       name Example Pharma Plant 1
 *
 * A line "product ID" or "location ID" starts an element; indented
 * "key value" lines give its attributes (keys in dscsa-epcis(1); a key
 * starting "urn:" is written as the attribute id itself).  A product id
 * may also be a GTIN-14 with `gtin_to_idpat` converting it (NULL: only
 * URIs).  Ownership: *out is the caller's, freed with
 * epcis_masterdata_free().  Errors: DIAG_INPUT naming file:line,
 * DIAG_SYSTEM.
 */
typedef int (*epcis_gtin_to_idpat_fn)(const char *gtin, char *buf, size_t cap,
    void *arg, struct diag *d);
int	epcis_masterdata_load(struct epcis_masterdata **out, const char *path,
	    epcis_gtin_to_idpat_fn gtin_to_idpat, void *arg, struct diag *d);
void	epcis_masterdata_free(struct epcis_masterdata *md);

/* ---------------------------------------------------------------------- */
/* Writer */

struct epcis_doc_opts {
	enum epcis_version version;	/* 0: EPCIS_V1_2 */
	const char	*creation_date;	/* xsd:dateTime, required */
	const char	*sender, *receiver; /* SBDH party ids (SGLN URIs) */
	const char	*document_id;	/* SBDH InstanceIdentifier */
	const struct epcis_masterdata *md; /* may be NULL */
	bool		 statement;	/* gs1ushc DSCSA transaction statement */
	const char	*legal_notice;	/* NULL: the FD&C Act 581(27) text */
	bool		 indent;
};

struct epcis_writer;		/* opaque */

/*
 * Start a document on `f` (named `name` in messages): the root, the
 * header (SBDH when sender and receiver are given; EPCIS 1.2 needs them
 * for master data or the statement), EPCISBody and EventList.  Nothing
 * is buffered beyond libxml2's output buffer and the bytes of one event
 * (reused): memory stays constant, the size of the biggest event.
 * Ownership: *out is the caller's, freed with epcis_writer_free(); `f`
 * and everything in `o` are borrowed for the writer's life.
 * Errors: DIAG_INPUT (options that the version cannot carry), DIAG_SYSTEM.
 */
int	epcis_writer_open(struct epcis_writer **out, FILE *f, const char *name,
	    const struct epcis_doc_opts *o, struct diag *d);

/*
 * Write one event (the fields of struct epcis_event that describe it: type,
 * action, biz_step, disposition, event_time, event_time_zone_offset,
 * event_id, read_point, biz_location, parent_id, epcs, biz_tx, sources,
 * dests, lot, expiry, the error declaration and attrs; the rest is
 * ignored).  Element order and 1.2 wrappers follow the version's XSD.
 * The bytes are those of libxml2's xmlTextWriter writing the elements one
 * by one (its escaping and indentation), composed without it for speed.
 * Errors: DIAG_INPUT (a field the event type or version cannot carry),
 * DIAG_SYSTEM (write error, no memory).
 */
int	epcis_writer_event(struct epcis_writer *w, const struct epcis_event *ev,
	    struct diag *d);

/*
 * Close EventList, EPCISBody (2.0: then the gs1ushc statement) and the
 * root, and flush.  Only a closed document is well-formed: a writer freed
 * without this leaves a truncated document on purpose (all or nothing).
 * Errors: DIAG_SYSTEM.
 */
int	epcis_writer_close(struct epcis_writer *w, struct diag *d);
void	epcis_writer_free(struct epcis_writer *w);

/* ---------------------------------------------------------------------- */
/* Conversion and error declarations */

struct epcis_convert_opts {
	enum epcis_version to;
	bool		 indent;
	/* error declaration mode (dscsa-epcis correct): */
	bool		 declare;
	const char	*declaration_time;
	const char	*reason;	/* CBV error reason URI, may be NULL */
	size_t		 ncorrective;
	const char *const *corrective;
	size_t		 nselect;	/* hash ids or eventIDs to keep; 0: all */
	const char *const *select;
};

/*
 * Copy the EPCIS document `in` (named `name`) to `out` as EPCIS o->to:
 * root namespace and schemaVersion, 1.2 extension wrappers removed or
 * added, gs1ushc header elements moved between EPCISHeader (1.2) and
 * after EPCISBody (2.0).  With o->declare, only the selected events are
 * written, each with an errorDeclaration added (EPCIS 1.2 section 7.4.1.2,
 * 2.0 section 7.4.1.2): the hash id of a declared event equals the
 * original's, as the hash ignores errorDeclaration.
 * Errors: DIAG_INPUT (a field the target version has no place for, such
 * as a 2.0 sensorElementList or an AssociationEvent in 1.2; input errors
 * as epcis_reader_next()), DIAG_SYSTEM.  On error the output is left
 * unterminated.
 */
int	epcis_convert(FILE *in, const char *name, FILE *out,
	    const struct epcis_convert_opts *o, struct diag *d);

/*
 * Write the item lines of one event (dscsa-epcis(1), READ OUTPUT): one line
 * per EPC (per child of an AggregationEvent), the EPC as a bracketed GS1
 * element string (with (17) and (10) from the ILMD) or, if it has no GS1
 * form, as the URI; then TAB-separated attributes.
 * Errors: DIAG_SYSTEM (write error, naming `name`).
 */
int	epcis_event_write_items(FILE *out, const char *name,
	    const struct epcis_event *ev, struct diag *d);

/*
 * The bracketed GS1 element string of an EPC URI or Digital Link URI
 * (via epcis_dl_normalise()) into buf; returns its length, 0 if none.
 */
size_t	epcis_epc_to_bracketed(const char *uri, char *buf, size_t cap);

/* ---------------------------------------------------------------------- */
/* Item lines to events (dscsa-epcis(1), EVENTS) */

struct epcis_items_opts {
	const char	*command;	/* commission, pack, ... */
	enum epcis_version version;	/* 0: 1.2 */
	size_t		 batch;		/* EPCs per event at most */
	const char	*gcp;		/* prefix length digits, or a file */
	const char	*time, *tz;	/* NULL: now, from the time */
	const char	*location, *read_point;
	const char	*from_party, *from_location, *to_party, *to_location;
	const char	*po, *desadv, *inv;
	const char	*masterdata;	/* a master data file, or NULL */
	const char	*sender, *receiver; /* NULL: the from and to parties */
	bool		 statement;
};
#define EPCIS_ITEMS_OPTS_INIT	{ NULL, 0, 10000, NULL, NULL, NULL, NULL, \
	NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, false }

/* Is `name` one of the event commands? */
bool	epcis_items_command(const char *name);

/*
 * Read the item lines of in[0..nin) (named names[i]) and write one EPCIS
 * document of o->command events to `out`, in constant memory.  Borrowed:
 * everything.  Errors: DIAG_INPUT (an item, option or file, naming file and
 * line; the document is left unterminated), DIAG_SYSTEM.
 */
int	epcis_write_items(FILE *out, FILE *const *in, const char *const *names,
	    size_t nin, const struct epcis_items_opts *o, struct diag *d);

#endif /* DSCSA_EPCIS_H */
