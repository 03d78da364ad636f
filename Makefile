# migsim build.  Everything built goes under $(BUILD) (default build/).
#
#   make            build build/migsim (runs `make deps` first)
#   make demo       build, then run the KB 842101 reproduction and its fix
#   make check      build and run every test (unit programs, scenarios, docs)
#                   on a checking build of its own, build/check
#   make san        the tests again, built with ASan+UBSan under build/san
#   make fuzz       the scenario-parser fuzzer for FUZZ_SECONDS (default 60), then
#                   the whole-run fuzzer for FUZZ_RUN_SECONDS (default FUZZ_SECONDS)
#                   (parse and run), the rest for the parser target
#   make bench      the speed and memory figures (bench: NAME VALUE UNIT)
#   make figures    docs/img/reproduce-timeline.png, the reproduction's timeline
#                   (--html) as headless Chromium draws it
#   make install    PREFIX=/usr/local DESTDIR=: migsim, its man page, and the
#                   C API (docs/migrators.md): headers under include/migsim/,
#                   libmigsim.a and libmigsim.so, pkgconfig/migsim.pc
#   make uninstall  the same PREFIX and DESTDIR: removes what install put there
#
# Sources are found by wildcard: every .c under sim/ and model/ (one level of
# layer folders: sim/kernel/, model/directory/, ...) but sim/cli/main.c goes
# into the library, every tests/test_*.c is one test program.  Headers are
# included by their layer path ("kernel/clock.h"), from -Isim -Imodel.
#
# Checking and release builds (sim/kernel/invariant.h): CHECKS=1 compiles the
# invariant checks in (-DMIGSIM_CHECKS).  check, san, valgrind and fuzz build
# with them, each in a directory of its own; all, demo, bench and install are
# the release build under build/, checks off.

CC      ?= cc
BUILD   ?= build
PREFIX  ?= /usr/local
LIBDIR  ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
VERSION := 0.1.0
SOVERSION := 0
FUZZ_SECONDS ?= 60
FUZZ_RUN_SECONDS ?= $(FUZZ_SECONDS)

PKGS    := sqlite3 uuid jansson libedit
CSTD    := -std=c11 -D_POSIX_C_SOURCE=200809L
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
OPT     ?= -O2 -g
SAN_FLAGS :=
ifeq ($(SAN),1)
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
endif
CHECKS  ?= 0
CHECK_FLAGS :=
ifeq ($(CHECKS),1)
CHECK_FLAGS := -DMIGSIM_CHECKS
endif
DEPS_OK := $(BUILD)/.deps-ok
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -ldl
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null)
ALL_CFLAGS = $(CSTD) $(WARN) $(OPT) $(SAN_FLAGS) $(CHECK_FLAGS) -Isim -Imodel \
             -DMIGSIM_VERSION='"$(VERSION)"' $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SAN_FLAGS) $(LDFLAGS)

LIB_SRC  := $(sort $(filter-out sim/cli/main.c,$(wildcard sim/*/*.c model/*/*.c)))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
LIB      := $(BUILD)/libmigsim.a
BIN      := $(BUILD)/migsim
TEST_SRC := $(sort $(wildcard tests/test_*.c))
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
BENCH_SRC := $(sort $(wildcard tools/bench_*.c))
BENCH_BIN := $(BENCH_SRC:tools/%.c=$(BUILD)/tools/%)

# The C API (docs/migrators.md).  The shared library is built from objects of
# its own, compiled -fPIC, so the static library and migsim stay as they were.
# A plugin links against nothing of migsim's; the examples: a plugin and a
# program embedding libmigsim; the test plugins show each load error.
PIC_OBJ  := $(LIB_SRC:%.c=$(BUILD)/pic/obj/%.o)
SOLIB    := $(BUILD)/libmigsim.so.$(VERSION)
PUBLIC_ROOTS := model/migration/migrator.h sim/run/sim.h sim/run/result.h sim/scenario/scenario.h
PLUGINS  := $(BUILD)/tools/migrators/librefuse.so
EMBED    := $(BUILD)/tools/migrators/embed
TEST_PLUGINS := $(patsubst tests/plugins/%.c,$(BUILD)/tests/plugins/lib%.so,$(sort $(wildcard tests/plugins/*.c)))

.PHONY: all deps demo check unit scenarios cioutputs sweeps doccheck layers installcheck html figures san valgrind fuzz bench \
        install uninstall clean
.DELETE_ON_ERROR:

all: $(BIN) $(PLUGINS) $(EMBED)

deps: $(DEPS_OK)
$(DEPS_OK): tools/deps.sh
	@sh tools/deps.sh
	@mkdir -p $(@D) && touch $@

$(BUILD)/obj/%.o: %.c $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

# migsim itself takes SQLite, libuuid, jansson and libedit (with the
# libraries it needs) from their static archives when they are installed
# (Debian's -dev packages ship them): resolving and calling through the
# shared libraries was an eighth of a small run's instructions
# (docs/performance.md, "Instructions per run").  The test programs, the
# benchmarks and libmigsim.so link them as shared libraries.
HAVE_ARCHIVE = $(wildcard $(shell $(CC) -print-file-name=lib$(1).a))
STATIC_LIBS := $(foreach l,sqlite3 uuid jansson,$(if $(call HAVE_ARCHIVE,$(l)),-l$(l))) \
               $(if $(and $(call HAVE_ARCHIVE,edit),$(call HAVE_ARCHIVE,tinfo),$(call HAVE_ARCHIVE,bsd),\
                    $(call HAVE_ARCHIVE,md)),-ledit -ltinfo -lbsd -lmd)
$(BIN): $(BUILD)/obj/sim/cli/main.o $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -Wl,--as-needed -Wl,-Bstatic $(STATIC_LIBS) -Wl,-Bdynamic $(PKG_LIBS) -lm

$(BUILD)/pic/obj/%.o: %.c $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fPIC -MMD -MP -c -o $@ $<

$(SOLIB): $(PIC_OBJ)
	$(CC) $(ALL_LDFLAGS) -shared -Wl,-soname,libmigsim.so.$(SOVERSION) -o $@ $^ $(PKG_LIBS) -lm

# A plugin: one source, one shared library, no migsim library linked in.
$(BUILD)/tools/migrators/lib%.so: tools/migrators/%.c $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fPIC -shared -MMD -MP -o $@ $< $(ALL_LDFLAGS)

$(BUILD)/tests/plugins/lib%.so: tests/plugins/%.c $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fPIC -shared -MMD -MP -o $@ $< $(ALL_LDFLAGS)

$(EMBED): tools/migrators/embed.c $(LIB) $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -o $@ $< $(LIB) $(ALL_LDFLAGS) $(PKG_LIBS) -lm

$(BUILD)/tests/%: tests/%.c $(LIB) $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(shell pkg-config --cflags cmocka) -MMD -MP -o $@ $< $(LIB) \
	    $(ALL_LDFLAGS) $(TEST_LDFLAGS) $(CMOCKA_LIBS) $(PKG_LIBS) -lm

# The allocation-failure injection test (tests/test_oom.c): every malloc,
# calloc, realloc and strdup of the statically linked objects (the library
# and the test) goes through its counting wrappers; SQLite, a shared library,
# gets the same counter through SQLITE_CONFIG_MALLOC.
OOM_WRAP := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup
$(BUILD)/tests/test_oom: TEST_LDFLAGS = $(OOM_WRAP)

$(BUILD)/tools/%: tools/%.c $(LIB) $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -o $@ $< $(LIB) $(ALL_LDFLAGS) $(PKG_LIBS) -lm

demo: $(BIN)
	@$(BIN) run scenarios/kb842101/reproduce.scn; \
	 s=$$?; echo; $(BIN) run scenarios/kb842101/fix.scn; t=$$?; \
	 [ $$s -le 1 ] && [ $$t -eq 0 ]

# The tests run on a checking build (CHECKS=1).  Asked for without it, check
# and valgrind start over in build/check, so the checking objects never mix
# with the release build's.
ifneq ($(CHECKS),1)
check valgrind:
	@$(MAKE) --no-print-directory $@ BUILD=build/check CHECKS=1
else
# Every test program runs even if an earlier one fails; the target fails
# if any did.  The three parts run one after another so the log reads in order.
check: $(TEST_BIN) $(BIN) $(PLUGINS) $(TEST_PLUGINS)
	@fail=0; for t in layers unit scenarios cioutputs sweeps doccheck installcheck html; do \
	    $(MAKE) -s --no-print-directory $$t || fail=1; done; exit $$fail
endif

unit: $(TEST_BIN) $(BIN) $(PLUGINS) $(TEST_PLUGINS)
	@fail=0; for t in $(TEST_BIN); do \
	    echo "== $$t"; MIGSIM=$(BIN) MIGSIM_PLUGINS=$(BUILD) $$t || fail=1; \
	 done; \
	 echo "== the lab on a terminal (tmux)"; sh tools/test_lab_tmux.sh $(BIN) || fail=1; \
	 exit $$fail

# The lab scenarios (scenarios/labs/) carry no expectations: the trainee
# predicts them, and the worksheets' predictions are checked by doccheck.
scenarios: $(BIN)
	@echo "== migsim check scenarios/"
	@$(BIN) check --allow-external $(filter-out scenarios/labs,$(wildcard scenarios/*)) && \
	 $(BIN) check --allow-empty scenarios/labs/

# check's CI outputs: --junit and --json over the fixtures in tests/check/
# (failing on purpose, so not under scenarios/), parsed by python3.
cioutputs: $(BIN)
	@echo "== check --junit/--json: every failed expectation, parsed"
	@python3 tools/test_junit.py $(BIN)

# A sweep sharded through GNU parallel and merged equals the unsharded one.
sweeps: $(BIN)
	@echo "== migsim sweep --shard through GNU parallel, then migsim merge"
	@sh tools/test_sweep_parallel.sh $(BIN)

# The one-way layers: no file includes a header of a higher layer; the
# checker's own test shows it catches an upward include.
layers:
	@echo "== layers: includes point down"
	@sh tools/test_layercheck.sh && sh tools/layercheck.sh

# make install into a scratch DESTDIR, then the examples built against the
# installed files alone with pkg-config, and run.
installcheck: $(BIN)
	@echo "== make install DESTDIR=...; the C examples built with pkg-config migsim"
	@EXAMPLE_CFLAGS="$(SAN_FLAGS)" CC="$(CC)" sh tools/test_install.sh $(MAKE) BUILD=$(BUILD) CHECKS=$(CHECKS) \
	    SAN=$(SAN) CC=$(CC)

# The timeline picture (--html) of the reproduction in headless Chromium:
# lanes, arrows, hover, picker, no script error; a screenshot in $(BUILD)/html.
html: $(BIN)
	@echo "== migsim run --html in headless Chromium"
	@sh tools/test_html.sh $(BIN) $(BUILD)/html

figures: $(BIN)
	@sh tools/test_html.sh $(BIN) $(BUILD)/html docs/img/reproduce-timeline.png

doccheck: $(BIN)
	@echo "== docs quote the real narrative; the repository cites nothing outside it"
	@sh tools/doccheck.sh $(BIN) && sh tools/worksheetcheck.sh $(BIN)

# The injection test (tests/test_oom.c) tries every 17th allocation here:
# every one under the sanitizers would take many minutes.
san:
	OOM_STEP=$${OOM_STEP:-17} $(MAKE) check BUILD=build/san SAN=1 CHECKS=1 CC=$${SAN_CC:-clang}

# Every test program and every scenario run under valgrind: leaks or invalid
# accesses fail it.
VALGRIND = valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
ifeq ($(CHECKS),1)
valgrind: $(TEST_BIN) $(BIN) $(PLUGINS) $(TEST_PLUGINS)
	@command -v valgrind >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq valgrind >/dev/null; }
	@fail=0; for t in $(TEST_BIN); do \
	    echo "== valgrind $$t"; OOM_STEP=$${OOM_STEP:-500} MIGSIM=$(BIN) MIGSIM_PLUGINS=$(BUILD) $(VALGRIND) $$t >/dev/null || fail=1; done; \
	 echo "== valgrind migsim check scenarios/"; \
	 $(VALGRIND) $(BIN) check --allow-external $(filter-out scenarios/labs,$(wildcard scenarios/*)) >/dev/null || fail=1; \
	 $(VALGRIND) $(BIN) check --allow-empty scenarios/labs/ >/dev/null || fail=1; \
	 exit $$fail
endif

# The fuzz targets link one copy of the library built with clang, ASan, UBSan
# (any report is a crash) and libFuzzer's coverage; each target has its own
# corpus seeded from the shipped scenarios and tests/fuzz/corpus/.  The
# invariant checks are on: a broken one is a crash the fuzzer reports.
FUZZ_CFLAGS = $(CSTD) $(WARN) -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
              -DMIGSIM_CHECKS -Isim -Imodel -DMIGSIM_VERSION='"$(VERSION)"' $(PKG_CFLAGS)
FUZZ_OBJ := $(LIB_SRC:%.c=$(BUILD)/fuzz/obj/%.o)
FUZZ_LIB := $(BUILD)/fuzz/libmigsim.a
FUZZ_OPTS = -timeout=5 -rss_limit_mb=2048 -dict=tests/fuzz/scenario.dict -print_final_stats=1

$(BUILD)/fuzz/.clang-ok: $(DEPS_OK)
	@sh tools/deps.sh clang
	@mkdir -p $(@D) && touch $@

$(BUILD)/fuzz/obj/%.o: %.c $(BUILD)/fuzz/.clang-ok
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_LIB): $(FUZZ_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -MMD -MP -o $@ $< $(FUZZ_LIB) $(PKG_LIBS) -lm

# Each target runs at least 1 s: libFuzzer reads -max_total_time=0 as no limit.
fuzz: $(BUILD)/fuzz/fuzz_parser $(BUILD)/fuzz/fuzz_run
	@for t in parser run; do mkdir -p $(BUILD)/fuzz/corpus-$$t; \
	    cp scenarios/*/*.scn tests/fuzz/corpus/* $(BUILD)/fuzz/corpus-$$t/ 2>/dev/null || true; done
	@p=$(FUZZ_SECONDS); r=$(FUZZ_RUN_SECONDS); \
	 [ $$p -ge 1 ] || p=1; [ $$r -ge 1 ] || r=1; \
	 echo "== fuzz_parser $${p}s, fuzz_run $${r}s"; \
	 $(BUILD)/fuzz/fuzz_parser -max_total_time=$$p $(FUZZ_OPTS) $(BUILD)/fuzz/corpus-parser && \
	 $(BUILD)/fuzz/fuzz_run -max_total_time=$$r $(FUZZ_OPTS) $(BUILD)/fuzz/corpus-run

bench: $(BIN) $(BENCH_BIN)
	@for b in $(BENCH_BIN); do MIGSIM=$(BIN) $$b || exit 1; done

# The headers installed are the public roots and every project header they
# include (tools/publicheaders.sh), under include/migsim/ by layer path, so
# `#include "migration/migrator.h"` works with -I$(INCLUDEDIR)/migsim.
install: $(BIN) $(LIB) $(SOLIB)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/migsim
	install -m 644 docs/migsim.1 $(DESTDIR)$(PREFIX)/share/man/man1/migsim.1
	@for h in $$(sh tools/publicheaders.sh $(CC) $(PUBLIC_ROOTS)); do \
	    d=$(DESTDIR)$(INCLUDEDIR)/migsim/$$(echo $$h | cut -d/ -f2-); \
	    install -d $$(dirname $$d) && install -m 644 $$h $$d || exit 1; done
	install -m 644 $(LIB) $(DESTDIR)$(LIBDIR)/libmigsim.a
	install -m 755 $(SOLIB) $(DESTDIR)$(LIBDIR)/libmigsim.so.$(VERSION)
	ln -sf libmigsim.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libmigsim.so.$(SOVERSION)
	ln -sf libmigsim.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libmigsim.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	    -e 's|@VERSION@|$(VERSION)|' tools/migsim.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/migsim.pc

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/migsim $(DESTDIR)$(PREFIX)/share/man/man1/migsim.1
	rm -rf $(DESTDIR)$(INCLUDEDIR)/migsim
	rm -f $(DESTDIR)$(LIBDIR)/libmigsim.a $(DESTDIR)$(LIBDIR)/libmigsim.so.$(VERSION) \
	      $(DESTDIR)$(LIBDIR)/libmigsim.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libmigsim.so \
	      $(DESTDIR)$(LIBDIR)/pkgconfig/migsim.pc

clean:
	rm -rf $(BUILD)

-include $(LIB_OBJ:.o=.d) $(PIC_OBJ:.o=.d) $(BUILD)/obj/sim/cli/main.d $(TEST_BIN:=.d) \
         $(PLUGINS:.so=.d) $(TEST_PLUGINS:.so=.d) $(EMBED).d \
         $(FUZZ_OBJ:.o=.d) $(BUILD)/fuzz/fuzz_parser.d $(BUILD)/fuzz/fuzz_run.d
