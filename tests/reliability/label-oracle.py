"""Independent decoders for dscsa-label's output (tests/reliability/label-oracles.sh).

usage: python3 label-oracle.py pgm FILE.zpl OUT.pgm     ^GFA graphic -> PGM
       python3 label-oracle.py zxing LIST               decode with zxing-cpp

LIST has one "file<TAB>expected-hex" line per label: PNG or ZPL (^GFA)
files, and the GS1 raw message they must carry (no leading FNC1, GS
separators).  The PNG reader here is our own minimal one (zlib + the five
PNG filters, grey 1 or 8 bit, not interlaced), independent of libpng and of
the code under test.  Prints one line per mismatch and a summary; exit 1 on
any mismatch.  Needs Debian's python3 with python3-zxing-cpp and numpy.
"""
import re
import struct
import sys
import zlib

import numpy
import zxingcpp


def read_png(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = hdr
    if ctype != 0 or depth not in (1, 8) or interlace != 0:
        raise ValueError("unexpected PNG type %d depth %d" % (ctype, depth))
    raw = zlib.decompress(idat)
    stride = (w * depth + 7) // 8
    bpp = 1
    out = numpy.zeros((h, w), dtype=numpy.uint8)
    prev = bytearray(stride)
    for y in range(h):
        ft = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ft == 1:
                line[i] = (line[i] + a) & 255
            elif ft == 2:
                line[i] = (line[i] + b) & 255
            elif ft == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 255
        if depth == 8:
            out[y, :] = numpy.frombuffer(bytes(line[:w]), dtype=numpy.uint8)
        else:
            bits = numpy.unpackbits(numpy.frombuffer(bytes(line),
                                                     dtype=numpy.uint8))
            out[y, :] = bits[:w] * 255
        prev = line
    return out


def read_gfa(path):
    with open(path) as f:
        zpl = f.read()
    m = re.search(r"\^GFA,(\d+),(\d+),(\d+),([0-9A-F]+)\^FS", zpl)
    total, bpr, hexdata = int(m.group(1)), int(m.group(3)), m.group(4)
    if len(hexdata) != 2 * total:
        raise ValueError("^GFA byte count does not match")
    bits = numpy.unpackbits(numpy.frombuffer(bytes.fromhex(hexdata),
                                             dtype=numpy.uint8))
    img = (1 - bits.reshape(total // bpr, bpr * 8)) * 255
    # the label is white beyond the graphic: pad, as a printer would
    return numpy.pad(img.astype(numpy.uint8), 8, constant_values=255)


def load(path):
    return read_gfa(path) if path.endswith(".zpl") else read_png(path)


def main():
    if sys.argv[1] == "pgm":
        img = read_gfa(sys.argv[2])
        with open(sys.argv[3], "wb") as f:
            f.write(b"P5\n%d %d\n255\n" % (img.shape[1], img.shape[0]))
            f.write(img.tobytes())
        return 0
    bad = n = 0
    for line in open(sys.argv[2]):
        path, want = line.rstrip("\n").split("\t")
        want = bytes.fromhex(want)
        n += 1
        res = zxingcpp.read_barcodes(load(path),
                                     formats=zxingcpp.BarcodeFormat.DataMatrix)
        got = [(r.symbology_identifier, r.text.encode("latin-1"))
               for r in res]
        if got != [("]d2", want)]:
            print("zxing: %s: got %r, want ]d2 %r" % (path, got, want))
            bad += 1
    print("zxing-cpp: %d of %d labels read back exactly" % (n - bad, n))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
