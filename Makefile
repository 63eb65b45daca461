# iouops: io_uring BPF loop programs, their loader, samples and selftests.
#
#   make            build everything into build/ (V=1 shows the commands)
#   make run        boot the newest kernel in a VM: the in-kernel echo server
#                   against its liburing and epoll baselines
#   make test       selftests on the host (SKIPs) and in the VM (KERNELS=...),
#                   then make bench QUICK=1 as a smoke test
#   make bench      BPF loops vs userspace loops in one VM run: a table, CSV,
#                   JSON and a plot in build/bench/ (QUICK=1: smoke test;
#                   BENCH_ARGS: more scripts/bench options, e.g. --icount)
#   make vmlinux.h  regenerate vmlinux.h from the default cached kernel
#   make install    install under PREFIX (default /usr/local), DESTDIR honoured
#   make uninstall  remove exactly what install put there
#   make clean

CC      ?= gcc
CLANG   ?= clang-19
BPFTOOL ?= bpftool
KERNELS ?= default

BUILD   := $(if $(filter 1,$(SANITIZE)),build-san,build)
ARCH    := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

WARN    := -Wall -Wextra -Werror
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE $(WARN) -Iloader -Iprogs
LDLIBS  := $(shell pkg-config --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz) -pthread

# -fms-extensions: the 7.x kernel BTF has unnamed members of named struct
# types, which vmlinux.h can only express with it (see progs/iouops.bpf.h).
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -fms-extensions \
	      $(WARN) -I. -Iprogs

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all run test bench clean FORCE

PROG_SRCS   := $(wildcard progs/*.bpf.c)
PROG_OBJS   := $(patsubst progs/%.bpf.c,$(BUILD)/progs/%.bpf.o,$(PROG_SRCS))
CLI_SRCS    := loader/main.c $(wildcard loader/cmd_*.c)
LIB_SRCS    := $(filter-out $(CLI_SRCS),$(wildcard loader/*.c))
LIB_OBJS    := $(patsubst loader/%.c,$(BUILD)/loader/%.o,$(LIB_SRCS))
LIB         := $(BUILD)/libiouops.a
CLI         := $(BUILD)/iouops
TEST_BPF    := $(wildcard selftests/*.bpf.c)
TEST_BPF_OBJS := $(patsubst selftests/%.bpf.c,$(BUILD)/selftests/%.bpf.o,$(TEST_BPF))
TEST_SRCS   := $(filter-out %.bpf.c,$(wildcard selftests/*.c))
TEST_OBJS   := $(patsubst selftests/%.c,$(BUILD)/selftests/%.o,$(TEST_SRCS))
TEST_RUNNER := $(BUILD)/selftests/runner
SAMPLE_SRCS := $(wildcard samples/*.c)
SAMPLES     := $(patsubst samples/%.c,$(BUILD)/samples/%,$(SAMPLE_SRCS))
BPF_HDRS    := vmlinux.h progs/iouops.bpf.h progs/iouops_shared.h $(filter-out progs/iouops_shared.h,$(wildcard progs/*.h))
LIB_HDRS    := loader/iouops.h progs/iouops_shared.h $(wildcard loader/*_internal.h)

all: $(PROG_OBJS) $(LIB) $(CLI) $(SAMPLES) $(TEST_BPF_OBJS) $(TEST_RUNNER)

$(BUILD)/progs/%.bpf.o: progs/%.bpf.c $(BPF_HDRS)
	@mkdir -p $(@D)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/selftests/%.bpf.o: selftests/%.bpf.c $(BPF_HDRS)
	@mkdir -p $(@D)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -Iselftests -c $< -o $@

$(BUILD)/loader/%.o: loader/%.c $(LIB_HDRS)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)$(AR) rcs $@ $^

$(CLI): $(patsubst loader/%.c,$(BUILD)/loader/%.o,$(CLI_SRCS)) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/selftests/%.o: selftests/%.c $(LIB_HDRS) $(wildcard selftests/*.h)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Iselftests -c $< -o $@

$(TEST_RUNNER): $(TEST_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(TEST_OBJS) $(LIB) $(LDLIBS) -o $@

# samples: one binary per samples/NAME.c; baselines use liburing
$(BUILD)/samples/%: samples/%.c $(LIB) $(LIB_HDRS)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $< $(LIB) $(LDLIBS) -luring -o $@

# vmlinux.h is committed; regenerate it only when asked by name.
ifneq ($(filter vmlinux.h,$(MAKECMDGOALS)),)
vmlinux.h: FORCE
	$(call msg,GEN,$@)
	$(Q)scripts/gen-vmlinux-h
endif

# make bench: bench/timeit times the contenders that do not time themselves
BENCH_TOOLS := $(BUILD)/tools/timeit
all: $(BENCH_TOOLS)
$(BUILD)/tools/%: bench/%.c
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $< -o $@

run: $(CLI) $(PROG_OBJS) $(SAMPLES)
	scripts/vm --copy samples/run-echo-demo.sh -- sh samples/run-echo-demo.sh

test: all
	scripts/test $(KERNELS)
	$(if $(filter 1,$(SANITIZE)),,scripts/bench --quick)

bench: all
	scripts/bench $(if $(filter-out 0,$(QUICK)),--quick) $(BENCH_ARGS)

clean:
	$(call msg,CLEAN,$(BUILD))
	$(Q)rm -rf $(BUILD)

# ---- install: `make install PREFIX=/opt/iouops DESTDIR=/tmp/stage` ----
# PREFIX/bin/iouops finds the rest relative to itself (lib/iouops/progs,
# include/iouops, lib/iouops/vm), so the layout under PREFIX is fixed.
PREFIX      ?= /usr/local
INSTALL     ?= install
VERSION     := $(shell sed -n 's/^\#define IOUOPS_VERSION "\(.*\)"/\1/p' loader/iouops.h)
INST        := $(DESTDIR)$(PREFIX)
INST_HDRS   := loader/iouops.h progs/iouops_shared.h progs/iouops.bpf.h vmlinux.h \
	       loader/mbox.h progs/mbox_shared.h
INST_SCRIPTS := scripts/vm scripts/get-kernel
INST_DIRS   := lib/iouops/progs lib/iouops include/iouops
INST_FILES  := bin/iouops lib/libiouops.a lib/pkgconfig/iouops.pc \
	       share/man/man8/iouops.8 \
	       $(addprefix include/iouops/,$(notdir $(INST_HDRS))) \
	       $(addprefix lib/iouops/,$(notdir $(INST_SCRIPTS))) \
	       $(addprefix lib/iouops/progs/,$(notdir $(PROG_OBJS)))

.PHONY: install uninstall
install: $(PROG_OBJS) $(LIB) $(CLI)
	$(call msg,INSTALL,$(INST))
	$(Q)$(INSTALL) -d $(addprefix $(INST)/,bin lib/pkgconfig share/man/man8 $(INST_DIRS))
	$(Q)$(INSTALL) -m 755 $(CLI) $(INST)/bin/
	$(Q)$(INSTALL) -m 644 $(LIB) $(INST)/lib/
	$(Q)$(INSTALL) -m 644 $(INST_HDRS) $(INST)/include/iouops/
	$(Q)$(INSTALL) -m 644 $(PROG_OBJS) $(INST)/lib/iouops/progs/
	$(Q)$(INSTALL) -m 755 $(INST_SCRIPTS) $(INST)/lib/iouops/
	$(Q)$(INSTALL) -m 644 man/iouops.8 $(INST)/share/man/man8/
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' \
		iouops.pc.in > $(INST)/lib/pkgconfig/iouops.pc

# Exactly what install wrote, and iouops's own folders once empty.
uninstall:
	$(call msg,UNINSTALL,$(INST))
	$(Q)rm -f $(addprefix $(INST)/,$(INST_FILES))
	$(Q)for d in $(INST_DIRS); do \
		if [ -d $(INST)/$$d ]; then rmdir --ignore-fail-on-non-empty $(INST)/$$d; fi; done

# Host half of the install tests (selftests/install.c): the VM guest has no
# clang, so selftests/install/prep installs into build/selftests/install/
# prefix and builds the `iouops new` output there from the installed files
# only; the tests then load it in the VM.
INSTALL_TEST := $(BUILD)/selftests/install/stamp
all: $(INSTALL_TEST)
$(INSTALL_TEST): selftests/install/prep selftests/install/loader.c \
		 $(PROG_OBJS) $(LIB) $(CLI) $(INST_HDRS) $(INST_SCRIPTS) \
		 iouops.pc.in man/iouops.8
	$(call msg,PREP,$(@D))
	+$(Q)selftests/install/prep $(@D)

# mbox: BPF atomic exchange (a full barrier) needs the v3 instruction set
$(BUILD)/progs/mbox.bpf.o: BPF_CFLAGS += -mcpu=v3
LIB_HDRS += loader/mbox.h progs/mbox_shared.h

# ---- issue 12, a hostile world: sanitizers, fuzzing, chaos, soak ----
#
#   make SANITIZE=1 [test]   everything built with ASan+UBSan into build-san/
#                            (scripts/test and scripts/vm take IOUOPS_BUILD)
#   make fuzz                each fuzz/NAME.c harness (libFuzzer, ASan, UBSan)
#                            for FUZZ_SECONDS (60); make test runs each for
#                            FUZZ_SMOKE_SECONDS (3) on fuzz/corpus/NAME/
#   make chaos               the kill-at-any-moment test, CHAOS_KILLS (200)
#   make soak                the soak test for SOAK_SECONDS (300) in the VM
ifeq ($(SANITIZE),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=undefined
# the install test links the installed (sanitized) libiouops.a
$(INSTALL_TEST): export CC := $(CC) -fsanitize=address,undefined
endif
export IOUOPS_BUILD := $(BUILD)

FUZZ_SECONDS       ?= 60
FUZZ_SMOKE_SECONDS ?= 3
CHAOS_KILLS        ?= 200
SOAK_SECONDS       ?= 300
FUZZ_BUILD  := build-fuzz
FUZZ_CFLAGS := -g -O1 -std=c11 -D_GNU_SOURCE $(WARN) -Iloader -Iprogs -Ifuzz \
	       -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	       -fno-omit-frame-pointer
FUZZ_LIB_OBJS := $(patsubst loader/%.c,$(FUZZ_BUILD)/loader/%.o,$(LIB_SRCS))
FUZZERS     := $(patsubst fuzz/%.c,$(FUZZ_BUILD)/%,$(wildcard fuzz/*.c))

$(FUZZ_BUILD)/loader/%.o: loader/%.c $(LIB_HDRS)
	@mkdir -p $(@D)
	$(call msg,FUZZCC,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_BUILD)/%: fuzz/%.c fuzz/fuzz.h $(FUZZ_LIB_OBJS) $(LIB_HDRS)
	@mkdir -p $(@D)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer $< $(FUZZ_LIB_OBJS) \
		$(LDLIBS) -o $@

.PHONY: fuzz fuzz-smoke chaos soak
fuzz: $(FUZZERS) $(PROG_OBJS)
	scripts/fuzz $(FUZZ_SECONDS)

fuzz-smoke: $(FUZZERS) $(PROG_OBJS)
	scripts/fuzz --smoke $(FUZZ_SMOKE_SECONDS)

test: fuzz-smoke

chaos: all
	scripts/vm --timeout 7200 -- env IOU_CHAOS_KILLS=$(CHAOS_KILLS) \
		KSFT_TIMEOUT=7000 $(BUILD)/selftests/runner -t chaos_kill

soak: all
	scripts/vm --timeout $$(( $(SOAK_SECONDS) + 900 )) -- env \
		IOU_SOAK_SECONDS=$(SOAK_SECONDS) \
		KSFT_TIMEOUT=$$(( $(SOAK_SECONDS) + 600 )) \
		$(BUILD)/selftests/runner -t soak

.PHONY: clean-hostile
clean: clean-hostile
clean-hostile:
	$(Q)rm -rf $(FUZZ_BUILD) build-san
