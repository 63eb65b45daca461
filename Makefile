# iouops: io_uring BPF loop programs, their loader, samples and selftests.
#
#   make            build everything into build/ (V=1 shows the commands)
#   make run        boot the newest kernel in a VM and run the main sample
#   make test       selftests on the host (SKIPs) and in the VM (KERNELS=...)
#   make vmlinux.h  regenerate vmlinux.h from the default cached kernel
#   make clean

CC      ?= gcc
CLANG   ?= clang-19
BPFTOOL ?= bpftool
KERNELS ?= default

BUILD   := build
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
.PHONY: all run test clean FORCE

PROG_SRCS   := $(wildcard progs/*.bpf.c)
PROG_OBJS   := $(patsubst progs/%.bpf.c,$(BUILD)/progs/%.bpf.o,$(PROG_SRCS))
LIB_SRCS    := $(filter-out loader/main.c,$(wildcard loader/*.c))
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

$(CLI): $(BUILD)/loader/main.o $(LIB)
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

run: $(CLI) $(PROG_OBJS)
	scripts/vm -- $(CLI) load nops --set total=1000000 --set qd=64

test: all
	scripts/test $(KERNELS)

clean:
	$(call msg,CLEAN,$(BUILD))
	$(Q)rm -rf $(BUILD)

# mbox: BPF atomic exchange (a full barrier) needs the v3 instruction set
$(BUILD)/progs/mbox.bpf.o: BPF_CFLAGS += -mcpu=v3
LIB_HDRS += loader/mbox.h progs/mbox.h
