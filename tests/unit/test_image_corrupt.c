/*
 * Reliability of libcommon/image against broken input, through the public
 * API: every sample PNG truncated at many lengths and with bytes flipped
 * must load or be refused with DIAG_INPUT (never crash, never DIAG_SYSTEM);
 * the isolated decoder must turn such files, and a decoder that aborts or
 * hangs (sanitizer builds' failure hook), into "unreadable image" or a
 * plain result, and the caller carries on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "diag.h"
#include "image.h"
#include "testutil.h"

#define IMAGES	"tests/data/images/zxing-cpp/"

static const char *const samples[] = {
	"0123456789.png", "C40.png", "abcd-36x12-mirrored.png",
	"distorted.png", "dm-2.png", "gs1-figure-4.15.1-2-32x32.png",
	"mod-size-1.png",
};
#define NSAMPLES	(sizeof(samples) / sizeof(samples[0]))

/*
 * Load from memory; a refusal must be a clean DIAG_INPUT.  If `whole` is
 * given, an accepted image must be exactly it (libpng accepts a file cut
 * after its last IDAT byte: all pixels are there; a partial image must
 * never be accepted).
 */
static int
load_ok_or_refused(size_t row, const unsigned char *buf, size_t len,
    const struct image *whole)
{
	struct image im;
	struct diag d = DIAG_INIT;
	int rc = image_png_read(&im, buf, len, NULL, &d);

	if (rc == 0) {
		CU_ASSERT(im.px != NULL && im.w > 0 && im.h > 0);
		if (whole != NULL && (im.w != whole->w || im.h != whole->h ||
		    memcmp(im.px, whole->px, im.w * im.h) != 0))
			TEST_INT_EQ(row, (long long)len, -1);
		image_free(&im);
		return 0;
	}
	TEST_INT_EQ(row, d.kind, DIAG_INPUT);
	CU_ASSERT_PTR_NULL(im.px);
	CU_ASSERT(d.msg[0] != '\0');
	return -1;
}

static void
test_truncated(void)
{
	for (size_t i = 0; i < NSAMPLES; i++) {
		char path[256];
		unsigned char *png;
		size_t len = 0, refused = 0;
		struct image whole;
		struct diag d = DIAG_INIT;

		snprintf(path, sizeof(path), IMAGES "%s", samples[i]);
		png = test_slurp(path, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(png);
		CU_ASSERT_EQUAL_FATAL(image_png_read(&whole, png, len, NULL, &d),
		    0);
		for (size_t cut = 0; cut < len; cut += 1 + cut / 16)
			refused += load_ok_or_refused(cut, png, cut, &whole) != 0;
		/* Cuts inside the header and the first half always fail. */
		CU_ASSERT(refused > 16);
		for (size_t cut = 0; cut < len / 2; cut += 7)
			TEST_INT_EQ(cut, load_ok_or_refused(cut, png, cut, NULL),
			    -1);
		image_free(&whole);
		free(png);
	}
}

/* xorshift64: a fixed, seeded sequence (rand() is banned). */
static unsigned long long
next(unsigned long long *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void
test_flipped(void)
{
	unsigned long long seed = 0x9E3779B97F4A7C15ULL;

	for (size_t i = 0; i < NSAMPLES; i++) {
		char path[256];
		unsigned char *png;
		size_t len = 0;

		snprintf(path, sizeof(path), IMAGES "%s", samples[i]);
		png = test_slurp(path, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(png);
		for (int k = 0; k < 200; k++) {
			size_t at = 8 + (size_t)(next(&seed) % (len - 8));
			unsigned char was = png[at];

			png[at] ^= (unsigned char)(1 + next(&seed) % 255);
			load_ok_or_refused(i, png, len, NULL);
			png[at] = was;
		}
		free(png);
	}
}

/* Write `n` bytes of `buf` to a new temporary file; returns its path. */
static void
temp_file(char *path, size_t cap, const unsigned char *buf, size_t n)
{
	int fd;

	snprintf(path, cap, "/tmp/test_image_corrupt.XXXXXX");
	fd = mkstemp(path);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(write(fd, buf, n) == (ssize_t)n);
	close(fd);
}

/* Broken files through the isolated decoder: a result or DIAG_INPUT. */
static void
test_isolated_files(void)
{
	size_t len = 0;
	unsigned char *png = test_slurp(IMAGES "gs1-figure-4.15.1-2-32x32.png",
	    &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(png);
	for (size_t cut = 8 + len / 8; cut <= len;
	    cut = cut < len / 2 ? len / 2 : cut < len ? len : len + 1) {
		struct image_decode_opts o = IMAGE_DECODE_OPTS_INIT;
		struct image_dm_result r;
		struct diag d = DIAG_INIT;
		char path[64];
		int rc;

		temp_file(path, sizeof(path), png, cut);
		o.timeout_ms = 300;
		rc = image_dm_decode_file(path, NULL, &o, &r, &d);
		if (cut < len) {
			TEST_INT_EQ(cut, rc, -1);
			TEST_INT_EQ(cut, d.kind, DIAG_INPUT);
			TEST_STR_EQ(cut, d.where, path);
		} else {
			TEST_INT_EQ(cut, rc, 0);
			TEST_INT_EQ(cut, r.status, IMAGE_DM_OK);
		}
		unlink(path);
	}
	free(png);
}

/*
 * A decoder child that aborts (a libdmtx assert) or hangs becomes
 * "unreadable image", DIAG_INPUT, and the next image still decodes.
 * The hook exists in sanitizer builds only; elsewhere the child decodes
 * normally and the test checks that instead.
 */
static void
test_child_dies(void)
{
	static const char *const modes[] = { "abort", "hang" };
	bool hooked;

#if defined(__SANITIZE_ADDRESS__)
	hooked = true;
#else
	hooked = false;
#endif
	for (size_t i = 0; i < 2; i++) {
		struct image_decode_opts o = IMAGE_DECODE_OPTS_INIT;
		struct image_dm_result r;
		struct diag d = DIAG_INIT;
		int rc;

		o.timeout_ms = 100;
		setenv("DSCSA_IMAGE_TEST_CHILD", modes[i], 1);
		rc = image_dm_decode_file(IMAGES "C40.png", NULL, &o, &r, &d);
		unsetenv("DSCSA_IMAGE_TEST_CHILD");
		if (!hooked) {
			TEST_INT_EQ(i, rc, 0);
			continue;
		}
		TEST_INT_EQ(i, rc, -1);
		TEST_INT_EQ(i, d.kind, DIAG_INPUT);
		TEST_INT_EQ(i, r.status, IMAGE_DM_UNREADABLE);
		if (strncmp(d.msg, "unreadable image", 16) != 0)
			TEST_STR_EQ(i, d.msg, "unreadable image...");
		TEST_STR_EQ(i, d.where, IMAGES "C40.png");

		o.timeout_ms = IMAGE_DECODE_TIMEOUT_MS;
		diag_clear(&d);
		rc = image_dm_decode_file(IMAGES
		    "gs1-figure-4.15.1-2-32x32.png", NULL, &o, &r, &d);
		TEST_INT_EQ(i, rc, 0);
		TEST_INT_EQ(i, r.status, IMAGE_DM_OK);
	}
}

int
main(void)
{
	static const struct test_case tests[] = {
		{ "truncated PNGs", test_truncated },
		{ "flipped bytes", test_flipped },
		{ "isolated decoder on broken files", test_isolated_files },
		{ "decoder child dies", test_child_dies },
		{ NULL, NULL },
	};

	return test_run("image_corrupt", tests);
}
