# mhp: Linux memory hotplug test harness.
#   make          build build/mhp and build/mhp-init
#   make run      install missing packages, run the default suite
#   make check    install missing packages, run every test
#   make bench    print speed ratios measured in one run
#   make soak-gate  N clean gates in a row (MHP_SOAK_GATES, default 10): must never block
#   make soak     the suite N times under a CPU hog, -j 2 (MHP_SOAK_RUNS, default 10): no false failure

CC      ?= cc
SHELL   := /bin/bash
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wpedantic
PKGS    := json-c libarchive libxml-2.0 libkmod libvirt libvirt-qemu
B       := build

# harness/ is in layers, one folder each (harness/README.md is the map);
# includes name the folder ("lib/util.h"), and `make layers` checks that no
# file includes a header of a layer above its own.
HARNESS_SRC := $(filter-out harness/cli/main.c,$(wildcard harness/*/*.c))
HARNESS_HDR := $(wildcard harness/*/*.h) $(wildcard guest-init/*.h)
INC         := -Iharness -I.
GUEST_INIT  := $(abspath $(B)/mhp-init)
DEFS        := -DMHP_DEFAULT_GUEST_INIT='"$(GUEST_INIT)"' -DMHP_SOURCE_DIR='"$(abspath .)"'

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test-*.c))
FUZZ_TARGETS := topology qmp guest-report
FUZZ_SECONDS ?= 60

.PHONY: all deps layers sizes check-ci-files run check unit unit-asan integration fuzz-parsers fuzz-parsers-check no-shell bench soak soak-gate clean
all: $(B)/mhp $(B)/mhp-init

deps:
	@ci/install-deps

# The harness is compiled once, plain and with ASan+UBSan, into archives
# that mhp and the tests link.
ASAN := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
HARNESS_OBJ := $(patsubst harness/%.c,$(B)/obj/%.o,$(HARNESS_SRC))
ASAN_OBJ := $(patsubst harness/%.c,$(B)/asan-obj/%.o,$(HARNESS_SRC))

$(B)/obj/%.o: harness/%.c $(HARNESS_HDR) | $(B)
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(DEFS) $(INC) $(PKG_CFLAGS) -c -o $@ $<
$(B)/asan-obj/%.o: harness/%.c $(HARNESS_HDR) | $(B)
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(ASAN) $(DEFS) $(INC) $(PKG_CFLAGS) -c -o $@ $<
# Built anew each time: ar keeps members whose source is gone.
$(B)/libmhp.a: $(HARNESS_OBJ)
	rm -f $@ && ar rcs $@ $^
$(B)/libmhp-asan.a: $(ASAN_OBJ)
	rm -f $@ && ar rcs $@ $^

$(B)/mhp: harness/cli/main.c $(B)/libmhp.a $(HARNESS_HDR) | $(B)
	$(CC) $(WARN) $(CFLAGS) $(DEFS) $(INC) $(PKG_CFLAGS) -o $@ harness/cli/main.c $(B)/libmhp.a $(PKG_LIBS)

# PID 1 in the guest: static, so the initrd needs nothing else.
GUEST_SRC := $(wildcard guest-init/*.c)
$(B)/mhp-init: $(GUEST_SRC) $(wildcard guest-init/*.h) | $(B)
	$(CC) $(WARN) -O2 -static -I. -o $@ $(GUEST_SRC)

$(B):
	mkdir -p $@

# Unit tests, once plain and once with ASan+UBSan.  TEST_LDFLAGS: a test's
# own link options (ld --wrap puts a test's function in place of one the
# harness calls across object files).
$(B)/test-%: tests/unit/test-%.c $(B)/libmhp.a $(HARNESS_HDR) tests/unit/testutil.h tests/ktap-check.h | $(B)
	$(CC) $(WARN) $(CFLAGS) $(DEFS) $(PKG_CFLAGS) $(INC) $(TEST_LDFLAGS) -o $@ $< $(B)/libmhp.a $(PKG_LIBS) $(CMOCKA_LIBS)
$(B)/asan-test-%: tests/unit/test-%.c $(B)/libmhp-asan.a $(HARNESS_HDR) tests/unit/testutil.h tests/ktap-check.h | $(B)
	$(CC) $(WARN) $(ASAN) $(DEFS) $(PKG_CFLAGS) $(INC) $(TEST_LDFLAGS) -o $@ $< $(B)/libmhp-asan.a $(PKG_LIBS) $(CMOCKA_LIBS)
$(B)/test-stale-errno $(B)/asan-test-stale-errno: TEST_LDFLAGS := -Wl,--wrap=mhp_write_file_atomic,--wrap=snprintf

UNIT_BINS := $(addprefix $(B)/,$(UNIT_TESTS))
ASAN_BINS := $(addprefix $(B)/asan-,$(UNIT_TESTS))
unit: $(UNIT_BINS)
	@for t in $^; do echo "== $$t"; ./$$t || exit 1; done
unit-asan: $(ASAN_BINS)
	@for t in $^; do echo "== $$t"; ASAN_OPTIONS=detect_leaks=1 ./$$t || exit 1; done

INTEGRATION_BINS := $(B)/test-integration $(B)/test-kernels $(B)/test-campaigns $(B)/test-slurm $(B)/test-interrupts \
		    $(B)/test-libvirt
$(INTEGRATION_BINS): $(B)/test-%: tests/integration/test-%.c tests/integration/itest.h tests/integration/kernel-repo.h tests/unit/testutil.h tests/ktap-check.h $(B)/libmhp.a | $(B)
	$(CC) $(WARN) $(CFLAGS) $(PKG_CFLAGS) $(INC) -o $@ $< $(B)/libmhp.a $(PKG_LIBS) $(CMOCKA_LIBS)

$(B)/fake-qemu: tests/fixtures/fake-qemu.c | $(B)
	$(CC) $(WARN) $(CFLAGS) -o $@ $<

# test-kernels builds a minimal 6.1 (5-10 minutes on a fresh machine, then
# incremental rebuilds), gates the regression patches and bisects.
integration: all $(INTEGRATION_BINS) $(B)/fake-qemu
	MHP=$(abspath $(B)/mhp) ./$(B)/test-integration
	MHP=$(abspath $(B)/mhp) ./$(B)/test-kernels
	MHP=$(abspath $(B)/mhp) ./$(B)/test-campaigns
	MHP=$(abspath $(B)/mhp) ./$(B)/test-slurm
	MHP=$(abspath $(B)/mhp) ./$(B)/test-interrupts
	MHP=$(abspath $(B)/mhp) ./$(B)/test-libvirt

# libFuzzer targets (clang, ASan+UBSan) over the parsers that take untrusted
# input.  New inputs go to build/corpus-*; the checked-in seeds stay as they are.
$(B)/fuzz-%: tests/fuzz/fuzz-%.c $(HARNESS_SRC) $(HARNESS_HDR) | $(B)
	clang $(WARN) -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all $(DEFS) $(PKG_CFLAGS) \
		$(INC) -o $@ $< $(HARNESS_SRC) $(PKG_LIBS)

fuzz-parsers: $(addprefix $(B)/fuzz-,$(FUZZ_TARGETS))
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(B)/corpus-$$t && \
		echo "== fuzz-$$t for $(FUZZ_SECONDS) s" && \
		./$(B)/fuzz-$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -artifact_prefix=$(B)/ -rss_limit_mb=2048 -print_final_stats=1 \
			$(B)/corpus-$$t tests/fuzz/corpus/$$t 2>&1 | grep -E "^(#[0-9]+ +DONE|==|stat::number_of_executed_units|Done)|ERROR|SUMMARY" ; \
		test $${PIPESTATUS[0]} -eq 0 || exit 1; \
	done

fuzz-parsers-check:
	$(MAKE) fuzz-parsers FUZZ_SECONDS=30

# No shell anywhere: processes are started from an argv.
no-shell:
	@if grep -nE '\b(system|popen)[[:space:]]*\(|"sh"|"/bin/sh"|sh -c' harness/*/*.[ch] guest-init/*.[ch]; then \
		echo "no-shell: FAIL: a shell call in the sources (use an argv)"; exit 1; \
	else echo "no-shell: ok, no system(), popen() or sh -c in harness/ or guest-init/"; fi

# No file includes a header of a layer above its own (harness/README.md).
layers:
	@ci/check-layers
	@ci/check-layers --self-test

# The CI files users copy, by GitHub's and GitLab's validators (from npm).
check-ci-files:
	@ci/check-ci-files
	@ci/check-ci-files --self-test

# Small files and functions: none over 450 lines, none over 60.
sizes:
	@ci/check-sizes

check: deps
	$(MAKE) layers
	$(MAKE) sizes
	$(MAKE) -j2 all $(UNIT_BINS) $(ASAN_BINS) $(INTEGRATION_BINS) $(B)/fake-qemu
	$(MAKE) no-shell
	$(MAKE) check-ci-files
	$(MAKE) unit
	$(MAKE) unit-asan
	$(MAKE) fuzz-parsers-check
	$(MAKE) integration

run: deps
	$(MAKE) all
	./$(B)/mhp run topologies/*.json

bench: deps
	$(MAKE) all
	ci/bench

# Not in check: 2 kernels x 10 suites under load take about 10 minutes here.
soak: deps
	$(MAKE) all
	ci/soak

# Not in check: ten gates take about 17 minutes here.
soak-gate: deps
	$(MAKE) all
	ci/soak-gate

clean:
	rm -rf $(B)
