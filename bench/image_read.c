/*
 * image_read: decode every image of a degrade(1) manifest with the field
 * cascade (isolated, as dscsa-verify will run it) and print one line per
 * image: "file <TAB> category <TAB> ok|miss|wrong <TAB> ms <TAB> pass".
 * "wrong" is an accepted (status OK) payload that differs from the one
 * encoded; it must never happen.
 *
 * usage: image_read [-t timeout_ms] dir
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "image.h"

static int
unhex(const char *hex, unsigned char *out, size_t cap, size_t *len)
{
	size_t n = 0;

	for (const char *p = hex; p[0] != '\0' && p[0] != '\n'; p += 2) {
		unsigned v;

		if (p[1] == '\0' || n >= cap || sscanf(p, "%2x", &v) != 1)
			return -1;
		out[n++] = (unsigned char)v;
	}
	*len = n;
	return 0;
}

int
main(int argc, char *argv[])
{
	struct image_decode_opts o = IMAGE_DECODE_OPTS_INIT;
	char line[4096], path[8192];
	FILE *man;
	int ch;

	while ((ch = getopt(argc, argv, "t:")) != -1) {
		if (ch != 't') {
			fprintf(stderr, "usage: image_read [-t ms] dir\n");
			return 2;
		}
		o.timeout_ms = (unsigned)strtoul(optarg, NULL, 10);
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: image_read [-t ms] dir\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/manifest.tsv", argv[optind]);
	if ((man = fopen(path, "r")) == NULL) {
		perror(path);
		return 3;
	}
	while (fgets(line, sizeof(line), man) != NULL) {
		char *file = line, *cat, *hex;
		unsigned char want[IMAGE_DM_DATA_MAX];
		struct image_dm_result r;
		struct diag d = DIAG_INIT;
		const char *verdict = "miss";
		size_t wantlen;

		if ((cat = strchr(file, '\t')) == NULL ||
		    (hex = strchr(cat + 1, '\t')) == NULL)
			continue;
		*cat++ = '\0';
		*hex++ = '\0';
		if (unhex(hex, want, sizeof(want), &wantlen) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", argv[optind], file);
		if (image_dm_decode_file(path, NULL, &o, &r, &d) == 0 &&
		    r.status == IMAGE_DM_OK)
			verdict = r.len == wantlen &&
			    memcmp(r.data, want, wantlen) == 0 ? "ok" : "wrong";
		printf("%s\t%s\t%s\t%.1f\t%s\n", file, cat, verdict, r.ms,
		    r.pass_name[0] != '\0' ? r.pass_name : "-");
	}
	fclose(man);
	return 0;
}
