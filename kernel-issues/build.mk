# Kernel bug reproducers (kernel-issues/NAME/repro.c [+ repro.bpf.c]),
# built into build/kernel-issues/NAME/ next to their loop programs; the
# selftests in selftests/kernel_issue_*.c run them. Included by the Makefile.
KI_SRCS     := $(wildcard kernel-issues/*/repro.c)
KI_BPF      := $(wildcard kernel-issues/*/repro.bpf.c)
KI_BINS     := $(patsubst %.c,$(BUILD)/%,$(KI_SRCS))
KI_BPF_OBJS := $(patsubst %.bpf.c,$(BUILD)/%.bpf.o,$(KI_BPF))

all: $(KI_BINS) $(KI_BPF_OBJS)

# standalone on purpose: vmlinux.h and libbpf only, no iouops header
$(BUILD)/kernel-issues/%/repro.bpf.o: kernel-issues/%/repro.bpf.c vmlinux.h
	@mkdir -p $(@D)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/kernel-issues/%/repro: kernel-issues/%/repro.c
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $< $(LDLIBS) -o $@
