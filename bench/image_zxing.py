#!/usr/bin/python3
"""Decode every image of a degrade manifest with zxing-cpp (Debian's
python3-zxing-cpp) and print "file TAB category TAB ok|miss|wrong TAB ms".

usage: image_zxing.py dir     (reads the .pgm twins of the .png files)
"""
import sys
import time

import numpy
import zxingcpp


def read_pgm(path):
    with open(path, "rb") as f:
        data = f.read()
    fields = data.split(maxsplit=4)     # P5 w h 255 pixels
    w, h = int(fields[1]), int(fields[2])
    return numpy.frombuffer(fields[4][:w * h], dtype=numpy.uint8).reshape(h, w)


def main():
    d = sys.argv[1]
    for line in open(d + "/manifest.tsv"):
        f, cat, hexdata = line.rstrip("\n").split("\t")
        want = bytes.fromhex(hexdata)
        img = read_pgm(d + "/" + f[:-4] + ".pgm")
        t0 = time.perf_counter()
        res = zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.DataMatrix)
        ms = (time.perf_counter() - t0) * 1000
        verdict = "miss"
        for r in res:
            got = r.text.encode("latin-1", "replace")
            verdict = "ok" if got == want or r.bytes == want else "wrong"
            if verdict == "ok":
                break
        print("%s\t%s\t%s\t%.1f" % (f, cat, verdict, ms))


main()
