# Kernel bug reproducers (kernel-issues/NAME/repro.c [+ repro.bpf.c]) and
# the diagnostic tools next to them (kernel-issues/NAME/TOOL.c [+ TOOL.bpf.c],
# e.g. set-task-cpu-warn/mdprobe), built into build/kernel-issues/NAME/ next
# to their BPF objects; the selftests in selftests/kernel_issue_*.c run the
# reproducers. Included by the Makefile.
KI_BPF      := $(wildcard kernel-issues/*/*.bpf.c)
KI_SRCS     := $(filter-out %.bpf.c,$(wildcard kernel-issues/*/*.c))
KI_HDRS     := $(wildcard kernel-issues/*/*.h)
KI_BINS     := $(patsubst %.c,$(BUILD)/%,$(KI_SRCS))
KI_BPF_OBJS := $(patsubst %.bpf.c,$(BUILD)/%.bpf.o,$(KI_BPF))

all: $(KI_BINS) $(KI_BPF_OBJS)

# standalone on purpose: vmlinux.h and libbpf only, no iouops header
$(BUILD)/kernel-issues/%.bpf.o: kernel-issues/%.bpf.c vmlinux.h $(KI_HDRS)
	@mkdir -p $(@D)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/kernel-issues/%: kernel-issues/%.c $(KI_HDRS)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $< $(LDLIBS) -o $@
