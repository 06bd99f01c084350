/*
 * bench: the EPCIS writer alone (libcommon/epcis_write.c), with the events
 * already in memory: EVENTS commissioning events of EPCS SGTINs each, EPCIS
 * 1.2, indented, the shape of `dscsa-epcis commission --batch EPCS`.  The
 * baseline, in the same run, writes the same events element by element
 * through libxml2's xmlTextWriter, as the writer did before it composed
 * events itself; both documents go to files so that the caller can check
 * they are the same bytes (cmp).
 *
 * usage: epcis_write EVENTS EPCS OUT-WRITER OUT-XMLTEXTWRITER
 */
#include <sys/resource.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/xmlwriter.h>

#include "diag.h"
#include "epcis.h"

#define POOL	100	/* distinct events, cycled (EPC strings are built once) */

/* CPU seconds of this process: the machine may be shared. */
static double
cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const xmlChar *
xs(const char *s)
{
	return (const xmlChar *)s;
}

#define R(call)	do { if ((call) < 0) return -1; } while (0)

static int
ref_elem(xmlTextWriterPtr w, const char *name, const char *text)
{
	R(xmlTextWriterWriteElement(w, xs(name), xs(text)));
	return 0;
}

static int
ref_id(xmlTextWriterPtr w, const char *name, const char *id)
{
	R(xmlTextWriterStartElement(w, xs(name)));
	R(ref_elem(w, "id", id));
	R(xmlTextWriterEndElement(w));
	return 0;
}

/* The baseline: one commissioning event, element by element. */
static int
ref_event(xmlTextWriterPtr w, const struct epcis_event *ev)
{
	R(xmlTextWriterStartElement(w, xs("ObjectEvent")));
	R(ref_elem(w, "eventTime", ev->event_time));
	R(ref_elem(w, "eventTimeZoneOffset", ev->event_time_zone_offset));
	R(xmlTextWriterStartElement(w, xs("epcList")));
	for (size_t i = 0; i < ev->nepc; i++)
		R(ref_elem(w, "epc", ev->epcs[i]));
	R(xmlTextWriterEndElement(w));
	R(ref_elem(w, "action", ev->action));
	R(ref_elem(w, "bizStep", ev->biz_step));
	R(ref_elem(w, "disposition", ev->disposition));
	R(ref_id(w, "readPoint", ev->read_point));
	R(ref_id(w, "bizLocation", ev->biz_location));
	R(xmlTextWriterStartElement(w, xs("extension")));
	R(xmlTextWriterStartElement(w, xs("ilmd")));
	R(xmlTextWriterWriteElementNS(w, xs("cbvmda"), xs("lotNumber"), NULL,
	    xs(ev->lot)));
	R(xmlTextWriterWriteElementNS(w, xs("cbvmda"),
	    xs("itemExpirationDate"), NULL, xs(ev->expiry)));
	R(xmlTextWriterEndElement(w));
	R(xmlTextWriterEndElement(w));
	R(xmlTextWriterEndElement(w));
	return 0;
}

static int
ref_doc(FILE *f, const struct epcis_event *ev, unsigned long nev,
    const char *creation)
{
	xmlOutputBufferPtr ob = xmlOutputBufferCreateFile(f, NULL);
	xmlTextWriterPtr w = ob != NULL ? xmlNewTextWriter(ob) : NULL;
	int rc = -1;

	if (w == NULL)
		return -1;
	if (xmlTextWriterSetIndent(w, 1) < 0 ||
	    xmlTextWriterSetIndentString(w, xs("  ")) < 0 ||
	    xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL) < 0 ||
	    xmlTextWriterStartElementNS(w, xs("epcis"), xs("EPCISDocument"),
	    xs(EPCIS_NS_1_2)) < 0 ||
	    xmlTextWriterWriteAttribute(w, xs("xmlns:cbvmda"),
	    xs(EPCIS_NS_CBVMDA)) < 0 ||
	    xmlTextWriterWriteAttribute(w, xs("xmlns:dscsa"),
	    xs(EPCIS_NS_DSCSA)) < 0 ||
	    xmlTextWriterWriteAttribute(w, xs("schemaVersion"), xs("1.2")) < 0 ||
	    xmlTextWriterWriteAttribute(w, xs("creationDate"), xs(creation)) < 0 ||
	    xmlTextWriterStartElement(w, xs("EPCISBody")) < 0 ||
	    xmlTextWriterStartElement(w, xs("EventList")) < 0)
		goto done;
	for (unsigned long i = 0; i < nev; i++)
		if (ref_event(w, &ev[i % POOL]) != 0)
			goto done;
	if (xmlTextWriterEndDocument(w) >= 0 && xmlTextWriterFlush(w) >= 0)
		rc = 0;
done:
	xmlFreeTextWriter(w);
	return rc;
}

static int
our_doc(FILE *f, const struct epcis_event *ev, unsigned long nev,
    const char *creation, struct diag *d)
{
	struct epcis_doc_opts o = { 0 };
	struct epcis_writer *w = NULL;
	int rc = -1;

	o.version = EPCIS_V1_2;
	o.creation_date = creation;
	o.indent = true;
	if (epcis_writer_open(&w, f, "out", &o, d) != 0)
		goto done;
	for (unsigned long i = 0; i < nev; i++)
		if (epcis_writer_event(w, &ev[i % POOL], d) != 0)
			goto done;
	rc = epcis_writer_close(w, d);
done:
	epcis_writer_free(w);
	return rc;
}

int
main(int argc, char *argv[])
{
	static const char creation[] = "2026-12-01T08:00:00.000Z";
	struct epcis_event ev[POOL];
	struct diag d = DIAG_INIT;
	struct rusage ru;
	unsigned long nev, nepc;
	char (*uri)[48];
	const char **epcs;
	double t0, tw, tr;
	FILE *fw, *fr;

	if (argc != 5) {
		fprintf(stderr, "usage: epcis_write EVENTS EPCS OUT-WRITER "
		    "OUT-XMLTEXTWRITER\n");
		return 2;
	}
	nev = strtoul(argv[1], NULL, 10);
	nepc = strtoul(argv[2], NULL, 10);
	if (nev == 0 || nepc == 0 || nepc > 100000) {
		fprintf(stderr, "epcis_write: bad EVENTS or EPCS\n");
		return 2;
	}
	uri = calloc(POOL * nepc, sizeof(*uri));
	epcs = calloc(POOL * nepc, sizeof(*epcs));
	if (uri == NULL || epcs == NULL) {
		fprintf(stderr, "epcis_write: out of memory\n");
		return 3;
	}
	for (size_t i = 0; i < POOL; i++) {
		memset(&ev[i], 0, sizeof(ev[i]));
		ev[i].type = EPCIS_OBJECT;
		ev[i].action = "ADD";
		ev[i].biz_step = "urn:epcglobal:cbv:bizstep:commissioning";
		ev[i].disposition = "urn:epcglobal:cbv:disp:active";
		ev[i].event_time = creation;
		ev[i].event_time_zone_offset = "+00:00";
		ev[i].read_point = ev[i].biz_location =
		    "urn:epc:id:sgln:0312345.00000.0";
		ev[i].lot = "A1B2C3";
		ev[i].expiry = "2027-12-31";
		ev[i].nepc = nepc;
		ev[i].epcs = epcs + i * nepc;
		for (size_t k = 0; k < nepc; k++) {
			snprintf(uri[i * nepc + k], sizeof(uri[0]),
			    "urn:epc:id:sgtin:0312345.067890.S%09zu",
			    i * nepc + k);
			epcs[i * nepc + k] = uri[i * nepc + k];
		}
	}
	if ((fw = fopen(argv[3], "w")) == NULL ||
	    (fr = fopen(argv[4], "w")) == NULL) {
		perror("epcis_write");
		return 3;
	}
	epcis_init();
	t0 = cpu();
	if (our_doc(fw, ev, nev, creation, &d) != 0) {
		fprintf(stderr, "epcis_write: %s\n", d.msg);
		return 1;
	}
	tw = cpu() - t0;
	t0 = cpu();
	if (ref_doc(fr, ev, nev, creation) != 0) {
		fprintf(stderr, "epcis_write: xmlTextWriter failed\n");
		return 1;
	}
	tr = cpu() - t0;
	if (fclose(fw) != 0 || fclose(fr) != 0) {
		perror("epcis_write");
		return 3;
	}
	getrusage(RUSAGE_SELF, &ru);
	if (tw <= 0)
		tw = 1e-6;
	if (tr <= 0)
		tr = 1e-6;
	printf("epcis writer alone: %lu events x %lu EPCs in %.2f s CPU: "
	    "%.0f EPCs/s; xmlTextWriter element by element %.2f s: %.0f EPCs/s; "
	    "ratio %.2f; peak RSS %ld KB (EPC strings in memory: %lu KB)\n",
	    nev, nepc, tw, (double)(nev * nepc) / tw, tr,
	    (double)(nev * nepc) / tr, tr / tw, ru.ru_maxrss,
	    (unsigned long)(POOL * nepc * sizeof(*uri) / 1024));
	free(uri);
	free(epcs);
	return 0;
}
