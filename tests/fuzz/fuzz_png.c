/*
 * libFuzzer harness: PNG loading (image_png_read) on arbitrary bytes.
 * Properties: no crash or sanitizer report; a refused input leaves no
 * image and a DIAG_INPUT or DIAG_SYSTEM diag; an accepted image written
 * back as an 8-bit PNG and read again gives the same pixels.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "image.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct image_limits lim = IMAGE_LIMITS_INIT;
	struct image im, back;
	struct diag d = DIAG_INIT;
	char *buf = NULL;
	size_t n = 0;
	FILE *f;

	lim.max_pixels = 4UL * 1000 * 1000;	/* keep fuzzing fast */
	if (image_png_read(&im, data, len, &lim, &d) != 0) {
		if (im.px != NULL || (d.kind != DIAG_INPUT &&
		    d.kind != DIAG_SYSTEM) || d.msg[0] == '\0')
			abort();
		return 0;
	}
	if (im.w == 0 || im.h == 0 || im.stride < im.w ||
	    im.w * im.h > lim.max_pixels)
		abort();
	if ((f = open_memstream(&buf, &n)) == NULL)
		abort();
	if (image_png_write(f, &im, 8, &d) != 0)
		abort();
	fclose(f);
	if (image_png_read(&back, buf, n, &lim, &d) != 0 ||
	    back.w != im.w || back.h != im.h)
		abort();
	for (size_t y = 0; y < im.h; y++)
		if (memcmp(back.px + y * back.stride, im.px + y * im.stride,
		    im.w) != 0)
			abort();
	image_free(&back);
	image_free(&im);
	free(buf);
	return 0;
}
