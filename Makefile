# mhp: Linux memory hotplug test harness.
#   make          build build/mhp and build/mhp-init
#   make run      install missing packages, run the default suite
#   make check    install missing packages, run every test
#   make bench    print speed ratios measured in one run

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wpedantic
PKGS    := json-c libarchive libxml-2.0
B       := build

HARNESS_SRC := $(filter-out harness/main.c,$(wildcard harness/*.c))
HARNESS_HDR := $(wildcard harness/*.h) guest-init/wire.h
GUEST_INIT  := $(abspath $(B)/mhp-init)
DEFS        := -DMHP_DEFAULT_GUEST_INIT='"$(GUEST_INIT)"'

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test-*.c))

.PHONY: all deps run check unit unit-asan integration bench clean
all: $(B)/mhp $(B)/mhp-init

deps:
	@ci/install-deps

$(B)/mhp: harness/main.c $(HARNESS_SRC) $(HARNESS_HDR) | $(B)
	$(CC) $(WARN) $(CFLAGS) $(DEFS) $(PKG_CFLAGS) -o $@ harness/main.c $(HARNESS_SRC) $(PKG_LIBS)

# PID 1 in the guest: static, so the initrd needs nothing else.
$(B)/mhp-init: guest-init/init.c guest-init/wire.h | $(B)
	$(CC) $(WARN) -O2 -static -o $@ guest-init/init.c

$(B):
	mkdir -p $@

# Unit tests, once plain and once with ASan+UBSan.
$(B)/%: tests/unit/%.c $(HARNESS_SRC) $(HARNESS_HDR) tests/unit/testutil.h | $(B)
	$(CC) $(WARN) $(CFLAGS) $(DEFS) $(PKG_CFLAGS) -Iharness -o $@ $< $(HARNESS_SRC) $(PKG_LIBS) $(CMOCKA_LIBS)
$(B)/asan-%: tests/unit/%.c $(HARNESS_SRC) $(HARNESS_HDR) tests/unit/testutil.h | $(B)
	$(CC) $(WARN) -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
		$(DEFS) $(PKG_CFLAGS) -Iharness -o $@ $< $(HARNESS_SRC) $(PKG_LIBS) $(CMOCKA_LIBS)

unit: $(addprefix $(B)/,$(UNIT_TESTS))
	@for t in $^; do echo "== $$t"; ./$$t || exit 1; done
unit-asan: $(addprefix $(B)/asan-,$(UNIT_TESTS))
	@for t in $^; do echo "== $$t"; ASAN_OPTIONS=detect_leaks=1 ./$$t || exit 1; done

$(B)/test-integration: tests/integration/test-integration.c tests/unit/testutil.h | $(B)
	$(CC) $(WARN) $(CFLAGS) $(PKG_CFLAGS) -Iharness -o $@ $< harness/util.c $(PKG_LIBS) $(CMOCKA_LIBS)

integration: all $(B)/test-integration
	MHP=$(abspath $(B)/mhp) ./$(B)/test-integration

check: deps
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) unit-asan
	$(MAKE) integration

run: deps
	$(MAKE) all
	./$(B)/mhp run topologies/*.json

bench: deps
	$(MAKE) all
	ci/bench

clean:
	rm -rf $(B)
