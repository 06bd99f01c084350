# dscsa-tools: one non-recursive GNU Makefile (STYLE.md section 8).
#
#   make                 libcommon (static) and every tool, into build/
#   make check           everything built with ASan/UBSan into build/check,
#                        then every test (tests/run.sh)
#   make bench           -O2 build into build/bench, then bench/run.sh
#   make demo            the end-to-end sample pipeline (samples/demo.sh)
#   make fuzz            libFuzzer harnesses with clang, FUZZ_SECONDS each
#   make install         PREFIX (default /usr/local), DESTDIR
#
# Missing Debian packages are installed by scripts/deps.sh, run once per
# build directory when $(BUILD)/config.mk is made.

PREFIX	?= /usr/local
BUILD	?= build
CFLAGS	?= -O2 -g
JOBS	?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 60

WFLAGS	 = -std=c11 -Wall -Wextra -Werror -Wshadow -Wformat=2 \
	   -Wmissing-prototypes -Wstrict-prototypes -Wvla
DEFS	 = -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all \
	   -fno-omit-frame-pointer

# Libraries through pkg-config; zint ships no .pc file on Debian 12, so it
# is linked as -lzint.
PKGS	 = libxml-2.0 libcrypto libdmtx libpng sqlite3

ifeq ($(SAN),1)
CFLAGS	 = -O1 -g $(SANFLAGS)
LDFLAGS	+= $(SANFLAGS)
endif

ALL_CFLAGS = $(WFLAGS) $(DEFS) $(CFLAGS) $(SIZE_CFLAGS) -MMD -MP \
	     -Ilibcommon -Itools -I$(BUILD)/gen $(PKG_CFLAGS)
ALL_LDFLAGS = $(LDFLAGS) $(SIZE_LDFLAGS)

OBJ	 = $(BUILD)/obj
LIB	 = $(BUILD)/libdscsa.a
GEN	 = $(BUILD)/gen/gs1_aitable.inc
GENTOOL	 = $(BUILD)/gen/gen-aitable
DICT	 = schemas/gs1/gs1-syntax-dictionary.txt

LIB_SRCS   = $(wildcard libcommon/*.c)
LIB_OBJS   = $(LIB_SRCS:%.c=$(OBJ)/%.o)
TOOL_SRCS  = $(wildcard tools/dscsa-*.c)
TOOLS	   = $(TOOL_SRCS:tools/%.c=$(BUILD)/bin/%)
UNIT_SRCS  = $(wildcard tests/unit/test_*.c)
UNITS	   = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
UNIT_HELP  = $(filter-out $(UNIT_SRCS),$(wildcard tests/unit/*.c))
FUZZ_SRCS  = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_SMOKE = $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz-smoke/%)
BENCH_SRCS = $(wildcard bench/*.c)
BENCHES	   = $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/%)
MAN1	   = $(wildcard man/man1/*.1)
MAN5	   = $(wildcard man/man5/*.5)

NOCONFIG_GOALS = clean distclean
ifeq ($(filter $(NOCONFIG_GOALS),$(MAKECMDGOALS)),)
include $(BUILD)/config.mk
endif

.PHONY: all check check-build check-run bench bench-build demo fuzz install \
	clean distclean
.DELETE_ON_ERROR:
.SECONDARY:

all: $(LIB) $(TOOLS)

# Made first of all (GNU make restarts after remaking an included file):
# install what is missing, then record the library and size flags.
$(BUILD)/config.mk: scripts/deps.sh scripts/ccflags.sh
	@sh scripts/deps.sh
	@mkdir -p $(BUILD)
	@{ echo "PKG_CFLAGS = $$(pkg-config --cflags $(PKGS))"; \
	   echo "PKG_LIBS = $$(pkg-config --libs $(PKGS)) -lzint -lm"; \
	   echo "CUNIT_LIBS = $$(pkg-config --libs cunit 2>/dev/null || echo -lcunit)"; \
	   sh scripts/ccflags.sh "$(CC)"; \
	} > $@.tmp && mv $@.tmp $@

# The AI table is generated from the GS1 Barcode Syntax Dictionary by a
# generator that shares the run-time dictionary loader (libcommon/gs1_dict.c).
$(GENTOOL): scripts/gen-aitable.c libcommon/gs1_dict.c libcommon/diag.c \
	    libcommon/mem.c libcommon/gs1_int.h libcommon/gs1.h libcommon/diag.h \
	    libcommon/mem.h
	@mkdir -p $(@D)
	$(CC) $(WFLAGS) $(DEFS) -O1 -g -Ilibcommon -o $@ $(filter %.c,$^)

$(GEN): $(GENTOOL) $(DICT)
	$(GENTOOL) $(DICT) > $@.tmp && mv $@.tmp $@

$(OBJ)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(OBJ)/libcommon/gs1_table.o: $(GEN)

# dscsa-epcis finds its XSDs here once installed (DSCSA_SCHEMAS overrides).
$(OBJ)/libcommon/epcis_util.o: DEFS += \
	-DEPCIS_SCHEMA_DIR='"$(PREFIX)/share/dscsa-tools/schemas"'

$(LIB): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/bin/%: $(OBJ)/tools/%.o $(OBJ)/tools/tool.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(OBJ)/tools/tool.o $(LIB) $(PKG_LIBS)

$(BUILD)/tests/%: $(OBJ)/tests/unit/%.o $(UNIT_HELP:%.c=$(OBJ)/%.o) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(UNIT_HELP:%.c=$(OBJ)/%.o) $(LIB) \
	    $(CUNIT_LIBS) $(PKG_LIBS)

# Fuzz harnesses, smoke build: gcc with the sanitizers and a plain driver
# that runs each harness over its committed corpus (part of make check).
$(BUILD)/fuzz-smoke/%: $(OBJ)/tests/fuzz/%.o $(OBJ)/tests/fuzz/driver/main.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(OBJ)/tests/fuzz/driver/main.o $(LIB) $(PKG_LIBS)

$(BUILD)/bench/%: $(OBJ)/bench/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS)

check:
	@$(MAKE) --no-print-directory -j$(JOBS) BUILD=build/check SAN=1 check-build
	@$(MAKE) --no-print-directory BUILD=build/check SAN=1 check-run

check-build: $(LIB) $(TOOLS) $(UNITS) $(FUZZ_SMOKE)

check-run:
	@BUILD=$(BUILD) sh tests/run.sh

bench:
	@$(MAKE) --no-print-directory -j$(JOBS) BUILD=build/bench CFLAGS="-O2 -g" bench-build
	@BUILD=build/bench sh bench/run.sh

bench-build: $(LIB) $(TOOLS) $(BENCHES)

demo: all
	@BUILD=$(BUILD) sh samples/demo.sh

# libFuzzer builds need clang (Debian's clang and libclang-rt-14-dev).
fuzz:
	@$(MAKE) --no-print-directory -j$(JOBS) BUILD=build/fuzz CC=clang \
	    CFLAGS="-O1 -g -fsanitize=fuzzer-no-link,address,undefined" build/fuzz/libdscsa.a
	@set -e; for src in $(FUZZ_SRCS); do \
	    n=$$(basename $$src .c); \
	    clang $(WFLAGS) $(DEFS) -O1 -g -fsanitize=fuzzer,address,undefined \
		-Ilibcommon -Ibuild/fuzz/gen $$(cat build/fuzz/config.mk | sed -n 's/^PKG_CFLAGS = //p') \
		-o build/fuzz/$$n $$src build/fuzz/libdscsa.a \
		$$(sed -n 's/^PKG_LIBS = //p' build/fuzz/config.mk); \
	    mkdir -p build/fuzz/corpus-$$n; \
	    build/fuzz/$$n -max_total_time=$(FUZZ_SECONDS) build/fuzz/corpus-$$n \
		tests/fuzz/corpus/$${n#fuzz_}; \
	done

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 755 $(TOOLS) $(DESTDIR)$(PREFIX)/bin
	install -m 644 $(MAN1) $(DESTDIR)$(PREFIX)/share/man/man1
	$(if $(MAN5),install -m 644 $(MAN5) $(DESTDIR)$(PREFIX)/share/man/man5)
	for d in schemas/epcis-*; do \
	    install -d $(DESTDIR)$(PREFIX)/share/dscsa-tools/$$d && \
	    install -m 644 $$d/* $(DESTDIR)$(PREFIX)/share/dscsa-tools/$$d || exit 1; \
	done

clean distclean:
	rm -rf build

-include $(shell find $(OBJ) -name '*.d' 2>/dev/null)
