/*
 * image_png: 8-bit grey images to and from PNG (ISO/IEC 15948, the PNG
 * specification, second edition) with libpng 1.6.
 *
 * Reading uses libpng's simplified API (png_image_*), which handles every
 * colour type, bit depth, palette, tRNS and interlacing, converts to 8-bit
 * sRGB grey and reports errors through png_image.message without longjmp
 * reaching our frames.  The header is read first, so the pixel limits are
 * checked before any pixel buffer exists; the decompressed size is then
 * bounded by them, which defeats zlib bombs.
 *
 * Writing uses the low-level API, because the simplified writer cannot do
 * 1-bit output and we want fixed compression settings: no tIME, no text
 * chunks, zlib level 9 with the Z_RLE strategy, one filter, so the same
 * pixels give the same bytes (golden files of dscsa-label).  Labels are
 * runs of black and white: Z_RLE makes them about a fifth larger than the
 * default strategy but compresses them seven times faster, which is what
 * limits a packaging line writing PNG labels.
 */
#include <sys/stat.h>

#include <errno.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#include "diag.h"
#include "image.h"

void
image_free(struct image *im)
{
	if (im == NULL)
		return;
	free(im->px);
	memset(im, 0, sizeof(*im));
}

int
image_alloc(struct image *out, size_t w, size_t h, unsigned char fill,
    struct diag *d)
{
	memset(out, 0, sizeof(*out));
	if (w == 0 || h == 0 || w > SIZE_MAX / h)
		return diag_input(d, "bad image size %zux%zu", w, h);
	if ((out->px = malloc(w * h)) == NULL)
		return diag_system(d, "out of memory for a %zux%zu image", w,
		    h);
	memset(out->px, fill, w * h);
	out->w = w;
	out->h = h;
	out->stride = w;
	return 0;
}

int
image_png_read(struct image *out, const void *buf, size_t len,
    const struct image_limits *lim, struct diag *d)
{
	static const struct image_limits deflim = IMAGE_LIMITS_INIT;
	png_image pi;
	png_color white = { 255, 255, 255 };
	size_t w, h;

	memset(out, 0, sizeof(*out));
	if (lim == NULL)
		lim = &deflim;
	if (len < 8 || png_sig_cmp(buf, 0, 8) != 0)
		return diag_input(d, "not a PNG file");
	memset(&pi, 0, sizeof(pi));
	pi.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_memory(&pi, buf, len)) {
		diag_input(d, "bad PNG: %s", pi.message);
		png_image_free(&pi);
		return -1;
	}
	w = pi.width;
	h = pi.height;
	if (w == 0 || h == 0 || w > lim->max_side || h > lim->max_side ||
	    w > lim->max_pixels / h) {
		png_image_free(&pi);
		return diag_input(d, "image too large: %zux%zu pixels "
		    "(limit %zu per side, %zu in all)", w, h, lim->max_side,
		    lim->max_pixels);
	}
	pi.format = PNG_FORMAT_GRAY;
	if ((out->px = malloc(w * h)) == NULL) {
		png_image_free(&pi);
		return diag_system(d, "out of memory for a %zux%zu image", w,
		    h);
	}
	/* Alpha is composited on white: a transparent background is paper. */
	if (!png_image_finish_read(&pi, &white, out->px, (png_int_32)w,
	    NULL)) {
		diag_input(d, "bad PNG: %s", pi.message);
		png_image_free(&pi);
		image_free(out);
		return -1;
	}
	png_image_free(&pi);
	out->w = w;
	out->h = h;
	out->stride = w;
	return 0;
}

int
image_png_read_file(struct image *out, const char *path,
    const struct image_limits *lim, struct diag *d)
{
	static const struct image_limits deflim = IMAGE_LIMITS_INIT;
	struct stat st;
	unsigned char *buf;
	size_t len;
	FILE *f;
	int rc, e;

	memset(out, 0, sizeof(*out));
	if (lim == NULL)
		lim = &deflim;
	if ((f = fopen(path, "rb")) == NULL) {
		e = errno;
		if (e == ENOENT || e == ENOTDIR)
			diag_input(d, "no such file");
		else
			diag_system(d, "cannot open");
		diag_at(d, path, 0);
		return -1;
	}
	if (fstat(fileno(f), &st) != 0) {
		diag_system(d, "cannot stat");
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		diag_input(d, "is a directory");
		goto fail;
	}
	if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > lim->max_file) {
		diag_input(d, "file too large: %jd bytes (limit %zu)",
		    (intmax_t)st.st_size, lim->max_file);
		goto fail;
	}
	/* Read at most max_file + 1 bytes, so a growing pipe is caught. */
	if ((buf = malloc(lim->max_file + 1)) == NULL) {
		diag_system(d, "out of memory");
		goto fail;
	}
	len = fread(buf, 1, lim->max_file + 1, f);
	if (ferror(f)) {
		diag_system(d, "read error");
		free(buf);
		goto fail;
	}
	fclose(f);
	if (len > lim->max_file) {
		free(buf);
		diag_input(d, "file too large (limit %zu bytes)", lim->max_file);
		diag_at(d, path, 0);
		return -1;
	}
	rc = image_png_read(out, buf, len, lim, d);
	free(buf);
	if (rc != 0)
		diag_at(d, path, 0);
	return rc;
fail:
	fclose(f);
	diag_at(d, path, 0);
	return -1;
}

struct png_sink {
	FILE	*f;
	int	 err;		/* errno of the first failed write, or -1 */
};

static void
sink_write(png_structp png, png_bytep data, size_t len)
{
	struct png_sink *s = png_get_io_ptr(png);

	if (s->err == 0 && fwrite(data, 1, len, s->f) != len)
		s->err = errno != 0 ? errno : EIO;
}

static void
sink_flush(png_structp png)
{
	(void)png;
}

static void
png_error_fn(png_structp png, png_const_charp msg)
{
	(void)msg;
	png_longjmp(png, 1);
}

static void
png_warning_fn(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

static int
write_png(FILE *f, const struct image *im, const struct image_png_opts *o,
    struct diag *d)
{
	struct png_sink sink = { f, 0 };
	png_structp png;
	png_infop info = NULL;
	unsigned char *volatile row = NULL;
	size_t rowlen;

	if (o->bits != 1 && o->bits != 8)
		return diag_input(d, "PNG bit depth must be 1 or 8, not %d",
		    o->bits);
	if (im == NULL || im->px == NULL || im->w == 0 || im->h == 0 ||
	    im->stride < im->w || im->w > 0x7fffffff || im->h > 0x7fffffff)
		return diag_input(d, "cannot write an empty image");
	rowlen = o->bits == 1 ? (im->w + 7) / 8 : im->w;
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL,
	    png_error_fn, png_warning_fn);
	if (png == NULL || (info = png_create_info_struct(png)) == NULL) {
		png_destroy_write_struct(&png, NULL);
		return diag_system(d, "out of memory");
	}
	if (setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		free(row);
		if (sink.err != 0) {
			errno = sink.err;
			return diag_system(d, "cannot write PNG");
		}
		return diag_system(d, "libpng failed to write the PNG");
	}
	png_set_write_fn(png, &sink, sink_write, sink_flush);
	png_set_IHDR(png, info, (png_uint_32)im->w, (png_uint_32)im->h,
	    o->bits, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
	    PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	if (o->dpi != 0) {
		/* pHYs is pixels per metre (PNG spec 11.3.5.3). */
		png_uint_32 ppm = (png_uint_32)((o->dpi * 10000UL + 127) / 254);

		png_set_pHYs(png, info, ppm, ppm, PNG_RESOLUTION_METER);
	}
	png_set_compression_level(png, 9);
	png_set_compression_strategy(png, 3);	/* Z_RLE: labels are runs */
	png_set_filter(png, PNG_FILTER_TYPE_BASE,
	    o->bits == 1 ? PNG_FILTER_NONE : PNG_FILTER_UP);
	png_write_info(png, info);
	if ((row = malloc(rowlen)) == NULL)
		png_error(png, "out of memory");
	for (size_t y = 0; y < im->h; y++) {
		const unsigned char *src = im->px + y * im->stride;

		if (o->bits == 8) {
			memcpy(row, src, im->w);
		} else {
			/* 1-bit grey: bit 1 is white (PNG spec 11.2.2). */
			memset(row, 0, rowlen);
			for (size_t x = 0; x < im->w; x++)
				if (src[x] >= 128)
					row[x >> 3] |= (unsigned char)
					    (0x80 >> (x & 7));
		}
		png_write_row(png, row);
		if (sink.err != 0)
			png_error(png, "write failed");
	}
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	free(row);
	if (sink.err != 0) {
		errno = sink.err;
		return diag_system(d, "cannot write PNG");
	}
	return 0;
}

int
image_png_write_opts(FILE *f, const struct image *im,
    const struct image_png_opts *o, struct diag *d)
{
	static const struct image_png_opts defo = IMAGE_PNG_OPTS_INIT;

	return write_png(f, im, o != NULL ? o : &defo, d);
}

int
image_png_write(FILE *f, const struct image *im, int bits, struct diag *d)
{
	struct image_png_opts o = IMAGE_PNG_OPTS_INIT;

	o.bits = bits;
	return image_png_write_opts(f, im, &o, d);
}
