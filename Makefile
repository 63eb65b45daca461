# iouops: io_uring BPF loop programs, their loader, samples and selftests.
#
#   make            build everything into build/ (V=1 shows the commands)
#   make run        boot the newest kernel in a VM: the in-kernel echo server
#                   against its liburing and epoll baselines
#   make test       make fuzz-smoke, selftests on the host (SKIPs) and in the
#                   VM (KERNELS=...), then make bench QUICK=1 as a smoke test
#   make fuzz, fuzz-smoke, chaos, soak, SANITIZE=1: see the hostile block below
#   make bench      BPF loops vs userspace loops in one VM run: a table, CSV,
#                   JSON and a plot in build/bench/ (QUICK=1: smoke test
#                   and the --icount regression check; PROFILE=1: perf
#                   profiles, buckets and flame graphs in build/bench/profile/;
#                   BENCH_ARGS: more scripts/bench options, e.g. --icount)
#   make vmlinux.h  regenerate vmlinux.h from the default cached kernel
#   make shellcheck every shell script of the tree (make test checks it too)
#   make install    install under PREFIX (default /usr/local), DESTDIR honoured
#   make uninstall  remove exactly what install put there
#   make clean
#   make help       the targets and the variables they take

CC      ?= gcc
CLANG   ?= clang-19
BPFTOOL ?= bpftool
KERNELS ?= default
# The default kernel series: named once, in scripts/lib.sh. The loader's
# help text gets it as the string IOUOPS_DEFAULT_SERIES.
DEFAULT_SERIES := $(shell sed -n 's/^IOUOPS_DEFAULT_SERIES=//p' scripts/lib.sh)
SERIES_DEF := -DIOUOPS_DEFAULT_SERIES='"$(DEFAULT_SERIES)"'

BUILD   := $(if $(filter 1,$(SANITIZE)),build-san,build)
ARCH    := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

WARN    := -Wall -Wextra -Werror
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE $(WARN) -Iloader -Iprogs
# libdw (elfutils): --shm-type reads a struct only DWARF has (loader/dwarf_btf.c)
LDLIBS  := $(shell pkg-config --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz) \
	   $(shell pkg-config --libs libdw 2>/dev/null || echo -ldw -lelf) -pthread

# -fms-extensions: the 7.x kernel BTF has unnamed members of named struct
# types, which vmlinux.h can only express with it (see progs/iouops.bpf.h).
# -mcpu=v3: 32-bit ALU and jumps, so __u32 ring arithmetic needs no
# zero-extending shift pairs (scripts/bench --icount: 2-3% fewer guest
# instructions per NOP at QD 1 and 8); every 7.x kernel takes it
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) \
	      -fms-extensions $(WARN) -I. -Iprogs

# Every compile writes OUTPUT.d next to its output (foo.o -> foo.d, a
# sample binary foo -> foo.d) listing the headers it read; -MP adds an
# empty rule per header so deleting one does not break the build.
DEPFLAGS := -MMD -MP

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all run test bench shellcheck clean help FORCE

PROG_SRCS   := $(wildcard progs/*.bpf.c)
PROG_OBJS   := $(patsubst progs/%.bpf.c,$(BUILD)/progs/%.bpf.o,$(PROG_SRCS))
# loader/: the library (generic) and the command (main.c, cmd_*.c);
# loader/services/: the library's parts that serve one kind of program
CLI_SRCS    := loader/main.c $(wildcard loader/cmd_*.c)
LIB_SRCS    := $(filter-out $(CLI_SRCS),$(wildcard loader/*.c loader/services/*.c))
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

all: $(PROG_OBJS) $(LIB) $(CLI) $(SAMPLES) $(TEST_BPF_OBJS) $(TEST_RUNNER)

$(BUILD)/progs/%.bpf.o: progs/%.bpf.c
	@mkdir -p $(@D)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/selftests/%.bpf.o: selftests/%.bpf.c
	@mkdir -p $(@D)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -Iselftests -c $< -o $@

# Programs written the way outside ones are (plain uapi headers, no
# iouops header): Debian keeps asm/ under the multiarch folder, and
# BPF_PROG leaves ctx unused.
MULTIARCH_INC := /usr/include/$(shell gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)
$(BUILD)/selftests/foreign_%.bpf.o: selftests/foreign_%.bpf.c
	@mkdir -p $(@D)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -Wno-unused-parameter $(DEPFLAGS) -idirafter $(MULTIARCH_INC) -c $< -o $@

# foreign_dwarf_71 without its DWARF, as users can end up with it: built
# without -g (no BTF either), and linked by bpftool gen object (BTF kept,
# DWARF dropped); --shm-type then says to rebuild with -g.
NODWARF_OBJS := $(BUILD)/selftests/foreign_dwarf_71-nog.bpf.o \
		$(BUILD)/selftests/foreign_dwarf_71-linked.bpf.o
all: $(NODWARF_OBJS)
$(BUILD)/selftests/foreign_dwarf_71-nog.bpf.o: selftests/foreign_dwarf_71.bpf.c
	@mkdir -p $(@D)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(filter-out -g,$(BPF_CFLAGS)) -Wno-unused-parameter -idirafter $(MULTIARCH_INC) -c $< -o $@
$(BUILD)/selftests/foreign_dwarf_71-linked.bpf.o: $(BUILD)/selftests/foreign_dwarf_71.bpf.o
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $<

$(BUILD)/loader/%.o: loader/%.c
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) $(SERIES_DEF) -c $< -o $@

# rebuilt from scratch: ar would keep the object of a removed source
$(LIB): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

# `iouops new` writes progs/hello.bpf.c (the README's first program, which
# the suite builds and runs), so the command carries it: a C string made
# from the file, which an installed iouops needs no source tree for.
# Escaped: backslash, double quote, and '?' (no trigraph can form).
%/gen/hello_bpf.h: progs/hello.bpf.c
	@mkdir -p $(@D)
	$(call msg,GEN,$@)
	$(Q)sed -e 's/[\\"?]/\\&/g' -e 's/^/"/' -e 's/$$/\\n"/' \
		-e '1i /* Generated from $< by the Makefile: do not edit. */' \
		-e '1i static const char hello_bpf_c[] =' -e '$$a ;' $< > $@
$(BUILD)/loader/cmd_new.o: $(BUILD)/gen/hello_bpf.h
$(BUILD)/loader/cmd_new.o: CFLAGS += -I$(BUILD)/gen

$(CLI): $(patsubst loader/%.c,$(BUILD)/loader/%.o,$(CLI_SRCS)) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/selftests/%.o: selftests/%.c
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -Iselftests -c $< -o $@

$(TEST_RUNNER): $(TEST_OBJS) $(LIB)
	@mkdir -p $(@D)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(TEST_OBJS) $(LIB) $(LDLIBS) -o $@

# samples: one binary per samples/NAME.c; baselines use liburing
$(BUILD)/samples/%: samples/%.c $(LIB)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) $< $(LIB) $(LDLIBS) -luring -o $@

# vmlinux.h is committed; regenerate it only when asked by name.
ifneq ($(filter vmlinux.h,$(MAKECMDGOALS)),)
vmlinux.h: FORCE
	$(call msg,GEN,$@)
	$(Q)scripts/gen-vmlinux-h
endif

# make bench: bench/timeit times the contenders that do not time themselves
BENCH_TOOLS := $(BUILD)/tools/timeit $(BUILD)/tools/costs
all: $(BENCH_TOOLS)
$(BUILD)/tools/%: bench/%.c
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -Isamples $< -o $@

include kernel-issues/build.mk

run: $(CLI) $(PROG_OBJS) $(SAMPLES)
	scripts/vm --copy samples/run-echo-demo.sh -- sh samples/run-echo-demo.sh

test: all
	scripts/test $(KERNELS)
	$(if $(filter 1,$(SANITIZE)),,scripts/bench --quick)

bench: all
	scripts/bench $(if $(filter-out 0,$(QUICK)),--quick) $(if $(filter-out 0,$(PROFILE)),--profile) $(BENCH_ARGS)

shellcheck:
	scripts/check-shell

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
	       loader/mbox.h progs/mbox_shared.h $(wildcard progs/iou_*.bpf.h)
INST_SCRIPTS := scripts/vm scripts/get-kernel
# what they source and read, found beside them (scripts/vm's --help)
INST_SCRIPT_PARTS := scripts/lib.sh scripts/vm-initramfs.sh scripts/vm-init \
	       scripts/klog-scan.sh scripts/known-kernel-issues
INST_DIRS   := lib/iouops/progs lib/iouops include/iouops
INST_FILES  := bin/iouops lib/libiouops.a lib/pkgconfig/iouops.pc \
	       share/man/man8/iouops.8 \
	       $(addprefix include/iouops/,$(notdir $(INST_HDRS))) \
	       $(addprefix lib/iouops/,$(notdir $(INST_SCRIPTS) $(INST_SCRIPT_PARTS))) \
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
	$(Q)$(INSTALL) -m 644 $(INST_SCRIPT_PARTS) $(INST)/lib/iouops/
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
		 $(PROG_OBJS) $(LIB) $(CLI) $(INST_HDRS) $(INST_SCRIPTS) $(INST_SCRIPT_PARTS) \
		 iouops.pc.in man/iouops.8
	$(call msg,PREP,$(@D))
	+$(Q)selftests/install/prep $(@D)

# mbox: BPF atomic exchange (a full barrier) needs the v3 instruction set,
# which every program is built for (BPF_CFLAGS)

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
# fuzz/cli.c: the command's own objects, main() renamed (libFuzzer has one)
FUZZ_CLI_OBJS := $(patsubst loader/%.c,$(FUZZ_BUILD)/loader/%.o,$(CLI_SRCS))
FUZZERS     := $(patsubst fuzz/%.c,$(FUZZ_BUILD)/%,$(wildcard fuzz/*.c))

$(FUZZ_BUILD)/loader/%.o: loader/%.c
	@mkdir -p $(@D)
	$(call msg,FUZZCC,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(DEPFLAGS) $(SERIES_DEF) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_BUILD)/loader/main.o: FUZZ_CFLAGS += -Dmain=iouops_main
$(FUZZ_BUILD)/loader/cmd_new.o: $(FUZZ_BUILD)/gen/hello_bpf.h
$(FUZZ_BUILD)/loader/cmd_new.o: FUZZ_CFLAGS += -I$(FUZZ_BUILD)/gen
$(FUZZ_BUILD)/cli: FUZZ_EXTRA_OBJS := $(FUZZ_CLI_OBJS)
$(FUZZ_BUILD)/cli: $(FUZZ_CLI_OBJS)

$(FUZZ_BUILD)/%: fuzz/%.c $(FUZZ_LIB_OBJS)
	@mkdir -p $(@D)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(DEPFLAGS) -fsanitize=fuzzer $< \
		$(FUZZ_EXTRA_OBJS) $(FUZZ_LIB_OBJS) $(LDLIBS) -o $@

.PHONY: fuzz fuzz-smoke chaos soak
fuzz: $(FUZZERS) $(PROG_OBJS) $(TEST_BPF_OBJS)
	scripts/fuzz $(FUZZ_SECONDS)

fuzz-smoke: $(FUZZERS) $(PROG_OBJS) $(TEST_BPF_OBJS)
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

# The headers each output read when it was last built (see DEPFLAGS).
DEP_OUTPUTS := $(PROG_OBJS) $(TEST_BPF_OBJS) $(LIB_OBJS) \
	       $(CLI_SRCS:loader/%.c=$(BUILD)/loader/%.o) $(TEST_OBJS) \
	       $(SAMPLES) $(BENCH_TOOLS) $(FUZZ_LIB_OBJS) $(FUZZ_CLI_OBJS) $(FUZZERS)
DEP_FILES := $(addsuffix .d,$(basename $(DEP_OUTPUTS)))
-include $(DEP_FILES)
# An output built before dependency tracking has no .d, so nothing says
# which headers it read: rebuild it once (a stale object otherwise
# survives a header change, e.g. a struct iou_res that grew).
$(foreach o,$(DEP_OUTPUTS),$(if $(wildcard $(o)),$(if $(wildcard $(basename $(o)).d),,$(eval $(o): FORCE))))

help:
	@echo 'Targets:'
	@echo '  all (default)  programs, libiouops, iouops, samples, selftests, bench tools in $(BUILD)/'
	@echo '  run            the echo server demo in a VM (scripts/vm)'
	@echo '  test           fuzz-smoke, selftests on the host and in the VM, then make bench QUICK=1'
	@echo '  bench          BPF loops vs userspace loops in a VM: $(BUILD)/bench/'
	@echo '  vmlinux.h      regenerate vmlinux.h from the default cached kernel'
	@echo '  shellcheck     shellcheck every shell script of the tree (make test does it too)'
	@echo '  install        install under $$(DESTDIR)$$(PREFIX)'
	@echo '  uninstall      remove exactly what install wrote'
	@echo '  clean          remove $(BUILD)/ (and build-fuzz/, build-san/)'
	@echo '  fuzz           every fuzz/NAME.c libFuzzer harness for FUZZ_SECONDS (build-fuzz/)'
	@echo '  fuzz-smoke     each harness on its saved corpus, then FUZZ_SMOKE_SECONDS (make test runs it)'
	@echo '  chaos          kill every program at any moment, CHAOS_KILLS times, in a VM'
	@echo '  soak           every program under load for SOAK_SECONDS in a VM'
	@echo '  help           this list'
	@echo 'Variables (make VAR=value):'
	@echo '  KERNELS=...    kernels for make test (scripts/test; default: default, the newest $(DEFAULT_SERIES))'
	@echo '  QUICK=1        make bench: a short smoke run'
	@echo '  BENCH_ARGS=... make bench: more scripts/bench options, e.g. --icount'
	@echo '  PREFIX=dir     install prefix (default /usr/local)'
	@echo '  DESTDIR=dir    staging root for install/uninstall'
	@echo '  SANITIZE=1     build with ASan+UBSan into build-san/ (make SANITIZE=1 test: the suite on it, no bench)'
	@echo '  FUZZ_SECONDS=N make fuzz: seconds per harness (default 60)'
	@echo '  FUZZ_SMOKE_SECONDS=N  make fuzz-smoke: seconds per harness (default 3)'
	@echo '  CHAOS_KILLS=N  make chaos: kills (default 200)'
	@echo '  SOAK_SECONDS=N make soak: seconds (default 300)'
	@echo '  V=1            show the full commands'
	@echo '  CC=cc          userspace compiler (default gcc; clang-19 works too)'
	@echo '  CLANG=clang    BPF compiler (default clang-19)'
