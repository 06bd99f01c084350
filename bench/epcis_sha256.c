/*
 * bench/epcis_sha256: the own SHA-256 (libcommon/sha256.c, SHA-NI and
 * portable) against OpenSSL's EVP on inputs of 64 bytes (a short pre-hash),
 * 1 KB and 4 KB, and the cost of a process's first digest (OpenSSL's
 * provider start-up).  One digest of each size and implementation is
 * checked against OpenSSL's; rates are per CPU second of this process.
 * usage: epcis_sha256 [megabytes per size]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "sha256.h"

static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum impl { OWN, PORTABLE, OPENSSL };

static int
run(enum impl im, const uint8_t *msg, size_t len, size_t n, uint8_t acc[32])
{
	EVP_MD_CTX *x = NULL;
	const EVP_MD *md = EVP_sha256();

	if (im == OPENSSL && (x = EVP_MD_CTX_new()) == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		uint8_t out[32];
		struct sha256_ctx c;

		if (im == OPENSSL) {
			if (EVP_DigestInit_ex(x, md, NULL) != 1 ||
			    EVP_DigestUpdate(x, msg, len) != 1 ||
			    EVP_DigestFinal_ex(x, out, NULL) != 1)
				return -1;
		} else {
			sha256_init(&c);
			if (im == PORTABLE)
				sha256_force_portable(&c);
			sha256_update(&c, msg, len);
			sha256_final(&c, out);
		}
		for (int k = 0; k < 32; k++)
			acc[k] ^= out[k];	/* keep every digest live */
	}
	EVP_MD_CTX_free(x);
	return 0;
}

int
main(int argc, char *argv[])
{
	static const size_t sizes[] = { 64, 1024, 4096 };
	static const char *const names[] = { "own", "portable", "openssl" };
	unsigned long mb = 200;
	static uint8_t msg[4096];
	uint8_t first[32];
	double t0, t1;
	char *end;

	if (argc > 1) {
		mb = strtoul(argv[1], &end, 10);
		if (*end != '\0' || mb == 0 || mb > 100000) {
			fprintf(stderr, "usage: epcis_sha256 [megabytes]\n");
			return 2;
		}
	}
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 131 + 7);
	t0 = cpu_now();
	sha256(msg, 64, first);
	t1 = cpu_now();
	printf("sha256 first digest: own %.3f ms", (t1 - t0) * 1e3);
	t0 = cpu_now();
	if (EVP_Digest(msg, 64, first, NULL, EVP_sha256(), NULL) != 1)
		return 3;
	t1 = cpu_now();
	printf(", OpenSSL %.3f ms (provider start-up); SHA-NI %s\n",
	    (t1 - t0) * 1e3, sha256_have_shani() ? "used" : "not available");
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size_t len = sizes[s], n = mb * 1000000 / len;
		double rate[3];
		uint8_t acc[3][32];

		memset(acc, 0, sizeof(acc));
		for (int im = 0; im < 3; im++) {
			size_t nn = im == PORTABLE ? n / 4 : n;

			t0 = cpu_now();
			if (run((enum impl)im, msg, len, nn, acc[im]) != 0)
				return 3;
			t1 = cpu_now();
			rate[im] = (double)nn * (double)len / 1e6 /
			    (t1 - t0 > 1e-6 ? t1 - t0 : 1e-6);
		}
		{
			uint8_t d[3][32];

			memset(d, 0, sizeof(d));
			for (int im = 0; im < 3; im++)
				if (run((enum impl)im, msg, len, 1, d[im]) != 0)
					return 3;
			if (memcmp(d[OWN], d[OPENSSL], 32) != 0 ||
			    memcmp(d[PORTABLE], d[OPENSSL], 32) != 0) {
				fprintf(stderr, "sha256: digests differ from "
				    "OpenSSL's\n");
				return 1;
			}
		}
		printf("sha256 %5zu-byte inputs:", len);
		for (int im = 0; im < 3; im++)
			printf("  %s %7.0f MB/s-cpu", names[im], rate[im]);
		printf("  ratio own/openssl %.2f\n", rate[OWN] / rate[OPENSSL]);
	}
	return 0;
}
