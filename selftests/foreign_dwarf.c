// SPDX-License-Identifier: GPL-2.0
/*
 * Programs that keep all their state in the region through a local
 * pointer, as test programs posted with kernel patches do, so that only
 * the DWARF of -g describes it: foreign_dwarf_71.bpf.c (7.1 ABI, its own
 * declarations) and foreign_dwarf_72.bpf.c (7.2+ ABI, vmlinux.h). They
 * run to their own verdict, read with --shm-type and --expect shm.*
 * through nested structs, arrays, unions (named and anonymous) and
 * typedefs. Then what must fail in one line: a wrong --expect, bitfields,
 * an object without DWARF, and hostile DWARF (a type that contains
 * itself, a truncated .debug_info, nesting 70 deep, a 32 GiB struct);
 * those run on the host too.
 */
#include <fcntl.h>
#include <gelf.h>
#include <elfutils/libdw.h>
#include <dwarf.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "selftest.h"

#define O71	st_build_path("selftests/foreign_dwarf_71.bpf.o")
#define O72	st_build_path("selftests/foreign_dwarf_72.bpf.o")
#define OHUGE	st_build_path("selftests/foreign_dwarf_huge.bpf.o")

/* What the programs' own loaders would write, as iouops options. */
#define BIND71								\
	"--shm-type", "dwarf71_state",					\
	"--set", "shm.ring.entries=@cq_entries",			\
	"--set", "shm.ring.off.head=@cq_off.head",			\
	"--set", "shm.ring.off.tail=@cq_off.tail",			\
	"--set", "shm.ring.off.cqes=@cq_off.cqes",			\
	"--set", "shm.tag.half[1]=0x71"
#define BIND72								\
	"--shm-type", "dwarf72_state_t",				\
	"--set", "shm.geom.cq_entries=@cq_entries",			\
	"--set", "shm.geom.cq_off[0]=@cq_off.head",			\
	"--set", "shm.geom.cq_off[1]=@cq_off.tail",			\
	"--set", "shm.geom.cq_off[2]=@cq_off.cqes",			\
	"--set", "shm.width=24", "--set", "shm.first_round=0x72000"

TEST(foreign_dwarf_71, "7.1 ABI, state only through a local pointer (DWARF only): 1000 NOPs, its own verdict by --expect shm.*")
{
	struct st_cmd c;

	ST_REQUIRE_FEATURE();
	ASSERT_EQ(IOUOPS_EXIT_OK,
		  st_run_cli(&c, NULL, NULL, "load", O71, BIND71,
			     "--set", "shm.want=1000",
			     "--expect", "shm.verdict=1", "--expect", "shm.bad=0",
			     "--expect", "shm.reaped=1000", "--expect", "shm.sent=1000",
			     "--expect", "shm.lanes[0]=250", "--expect", "shm.lanes[3]=250",
			     "--print", "shm.tag.whole", "--print", "shm.ring.off.cqes",
			     NULL));
	ASSERT_STR_HAS(c.out, "EXIT: program stopped; it keeps no iouops exit record");
	ASSERT_STR_HAS(c.out, "shm.tag.whole=485331304448\n");	/* 0x71 << 32 */
	ASSERT_TRUE(!strstr(c.out, "shm.ring.off.cqes=0\n"));	/* @cq_off.cqes */
	return KSFT_PASS;
}

TEST(foreign_dwarf_72, "7.2+ ABI, state only through a local pointer, named by its typedef: 100 rounds of 24 NOPs, verdict by --expect")
{
	struct st_cmd c;

	ST_REQUIRE_FEATURE();
	ASSERT_EQ(IOUOPS_EXIT_OK,
		  st_run_cli(&c, NULL, NULL, "load", O72, BIND72,
			     "--set", "shm.rounds_wanted=100",
			     "--expect", "shm.verdict=1", "--expect", "shm.rounds_done=100",
			     "--expect", "shm.tally.cqes=2400", "--expect", "shm.tally.dups=0",
			     "--expect", "shm.tally.strays=0",
			     "--expect", "shm.round_cqes[0]=24", "--expect", "shm.round_cqes[7]=24",
			     "--expect", "shm.cur.number=467044",	/* 0x72000 + 100 */
			     "--print", "shm.first_round_half[0]",	/* anonymous union */
			     "--print", "shm.first_round_half[1]", NULL));
	ASSERT_STR_HAS(c.out, "shm.first_round_half[0]=466944\n");
	ASSERT_STR_HAS(c.out, "shm.first_round_half[1]=0\n");
	return KSFT_PASS;
}

VARIANT(foreign_dwarf_wrong) {
	bool prog72;
	const char *needle;
};

VARIANT_ADD(foreign_dwarf_wrong, 71, "7.1 ABI, a wrong --expect shm.*: exit EXPECT, one line")
{ false, "expected shm.reaped=299, got 300" };
VARIANT_ADD(foreign_dwarf_wrong, 72, "7.2+ ABI, a wrong --expect shm.*: exit EXPECT, one line")
{ true, "expected shm.tally.cqes=7, got 72" };

TEST_VARIANTS(foreign_dwarf_wrong)
{
	struct st_cmd c;
	int status;

	ST_REQUIRE_FEATURE();
	if (variant->prog72)
		status = st_run_cli(&c, NULL, NULL, "load", O72, BIND72,
				    "--set", "shm.rounds_wanted=3",
				    "--expect", "shm.verdict=1",
				    "--expect", "shm.tally.cqes=7", NULL);
	else
		status = st_run_cli(&c, NULL, NULL, "load", O71, BIND71,
				    "--set", "shm.want=300",
				    "--expect", "shm.verdict=1",
				    "--expect", "shm.reaped=299", NULL);
	ASSERT_EQ(IOUOPS_EXIT_EXPECT, status);
	ASSERT_ONE_LINE_ERROR(&c);
	ASSERT_STR_HAS(c.err, variant->needle);
	return KSFT_PASS;
}

TEST(foreign_dwarf_inspect, "inspect lists the structs only DWARF has, from=dwarf, and their BTF lacks them")
{
	struct st_cmd c;

	ASSERT_EQ(IOUOPS_EXIT_OK, st_run_cli(&c, NULL, NULL, "inspect", O71, NULL));
	ASSERT_STR_HAS(c.out, "\nstruct dwarf71_state size=80 members=10 from=dwarf\n");
	ASSERT_STR_HAS(c.out, "\nstruct cq_geometry size=16 members=2 from=dwarf\n");
	ASSERT_STR_HAS(c.out, "\nstruct iou_loop_params size=4 members=1\n");	/* BTF */
	ASSERT_TRUE(!strstr(c.out, "struct dwarf71_state size=80 members=10\n"));
	ASSERT_EQ(IOUOPS_EXIT_OK, st_run_cli(&c, NULL, NULL, "inspect", O72, NULL));
	ASSERT_STR_HAS(c.out, "\nstruct dwarf72_state size=112 members=11 from=dwarf\n");
	ASSERT_STR_HAS(c.out, "\nstruct dwarf72_round size=16 members=3 from=dwarf\n");
	ASSERT_EQ(IOUOPS_EXIT_OK, st_run_cli(&c, NULL, NULL, "inspect", OHUGE, NULL));
	ASSERT_STR_HAS(c.out, "\nstruct deep_state from=dwarf unusable='");
	ASSERT_STR_HAS(c.out, "\nstruct huge_state from=dwarf unusable='");
	ASSERT_STR_HAS(c.out, "\nstruct g4 size=260 members=2 from=dwarf\n");	/* 65 deep */
	ASSERT_EQ(IOUOPS_EXIT_OK, st_run_cli(&c, NULL, NULL, "inspect",
			st_build_path("selftests/foreign_dwarf_71-linked.bpf.o"), NULL));
	ASSERT_STR_HAS(c.out, "\ndwarf none (");
	return KSFT_PASS;
}

VARIANT(foreign_dwarf_bad) {
	int status;
	const char *needle;
	const char *obj;	/* under the build folder */
	const char *args[6];	/* after "load OBJ" */
};

#define F71	"selftests/foreign_dwarf_71.bpf.o"
#define F72	"selftests/foreign_dwarf_72.bpf.o"
#define FHUGE	"selftests/foreign_dwarf_huge.bpf.o"

VARIANT_ADD(foreign_dwarf_bad, bitfield_71, "--print shm.BITFIELD of a DWARF struct: refused")
{ IOUOPS_EXIT_BADSET, "batches is a bitfield", F71,
  { "--shm-type", "dwarf71_state", "--print", "shm.batches" } };
VARIANT_ADD(foreign_dwarf_bad, bitfield_72, "--set shm.BITFIELD of a DWARF struct: refused")
{ IOUOPS_EXIT_BADSET, "started is a bitfield", F72,
  { "--shm-type", "dwarf72_state_t", "--set", "shm.started=1" } };
VARIANT_ADD(foreign_dwarf_bad, member, "--print shm.NOSUCH: names the DWARF struct and its members")
{ IOUOPS_EXIT_BADSET, "struct dwarf71_state has no member nosuch (members: ring, want, tag, sent, reaped, lanes, bad, verdict, batches, last_batch)", F71,
  { "--shm-type", "dwarf71_state", "--print", "shm.nosuch" } };
VARIANT_ADD(foreign_dwarf_bad, index, "--expect shm.lanes[4]: index out of range")
{ IOUOPS_EXIT_BADSET, "index 4 out of range (shm.lanes has 4 elements)", F71,
  { "--shm-type", "dwarf71_state", "--expect", "shm.lanes[4]=1" } };
VARIANT_ADD(foreign_dwarf_bad, union_leaf, "--print of a whole union: name a member")
{ IOUOPS_EXIT_BADSET, "shm.tag is union (anonymous), not a number: name one of its members (whole, half)", F71,
  { "--shm-type", "dwarf71_state", "--print", "shm.tag" } };
VARIANT_ADD(foreign_dwarf_bad, typedef_leaf, "--print of a typedef'd struct: name a member")
{ IOUOPS_EXIT_BADSET, "shm.tally is struct (anonymous), not a number: name one of its members (cqes, dups, strays)", F72,
  { "--shm-type", "dwarf72_state", "--print", "shm.tally" } };
VARIANT_ADD(foreign_dwarf_bad, missing, "--shm-type of a type neither BTF nor DWARF has")
{ IOUOPS_EXIT_SHMTYPE, "the program has no struct nosuch", F71, { "--shm-type", "nosuch" } };
VARIANT_ADD(foreign_dwarf_bad, not_struct, "--shm-type of a DWARF typedef of an integer")
{ IOUOPS_EXIT_SHMTYPE, "the program has no struct seqno_t", F71, { "--shm-type", "seqno_t" } };
VARIANT_ADD(foreign_dwarf_bad, no_g, "built without -g (no BTF, no DWARF): rebuild with -g")
{ IOUOPS_EXIT_SHMTYPE, "foreign_dwarf_71-nog.bpf.o has no BTF and no DWARF: rebuild it with clang -g",
  "selftests/foreign_dwarf_71-nog.bpf.o", { "--shm-type", "dwarf71_state" } };
VARIANT_ADD(foreign_dwarf_bad, no_dwarf, "linked by bpftool gen object (BTF, no DWARF): rebuild with -g")
{ IOUOPS_EXIT_SHMTYPE, "no struct dwarf71_state in the program's BTF, and no DWARF to look in: rebuild it with -g",
  "selftests/foreign_dwarf_71-linked.bpf.o", { "--shm-type", "dwarf71_state" } };
VARIANT_ADD(foreign_dwarf_bad, deep, "a struct nested 70 deep: refused, no stack overflow")
{ IOUOPS_EXIT_SHMTYPE, "types nested more than 64 deep", FHUGE, { "--shm-type", "deep_state" } };
VARIANT_ADD(foreign_dwarf_bad, huge, "a 32 GiB struct: refused")
{ IOUOPS_EXIT_SHMTYPE, "struct huge_state without a size under 4 GiB", FHUGE, { "--shm-type", "huge_state" } };

TEST_VARIANTS(foreign_dwarf_bad)
{
	const char *const *a = variant->args;
	struct st_cmd c;

	/* fails before the kernel is asked anything: runs on the host too */
	ASSERT_CLI_ERROR(&c, variant->status, variant->needle, "load",
			 st_build_path(variant->obj), a[0], a[1], a[2], a[3],
			 a[4], a[5]);
	return KSFT_PASS;
}

/* ---- hostile DWARF: foreign_dwarf_71.bpf.o with a few bytes changed ---- */

struct patched {
	char dir[64];
	char path[96];
	int fd;			/* the copy, read-write */
	Elf *elf;		/* the original, read */
	int orig_fd;
	Elf_Scn *info;		/* its .debug_info */
	GElf_Shdr info_sh;
	size_t info_ndx;
};

/* A copy of foreign_dwarf_71.bpf.o to change, and the original's
 * .debug_info section. */
static int patch_open(struct patched *p)
{
	size_t strndx;
	int in, n;
	char buf[4096];

	memset(p, 0, sizeof(*p));
	snprintf(p->dir, sizeof(p->dir), "/tmp/iouops-dwarf.XXXXXX");
	ASSERT_TRUE(mkdtemp(p->dir) != NULL);
	snprintf(p->path, sizeof(p->path), "%s/patched.bpf.o", p->dir);
	in = open(O71, O_RDONLY | O_CLOEXEC);
	p->fd = open(p->path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	ASSERT_LE(0, in);
	ASSERT_LE(0, p->fd);
	while ((n = (int)read(in, buf, sizeof(buf))) > 0)
		ASSERT_EQ(n, (int)write(p->fd, buf, (size_t)n));
	close(in);
	elf_version(EV_CURRENT);
	p->orig_fd = open(O71, O_RDONLY | O_CLOEXEC);
	p->elf = elf_begin(p->orig_fd, ELF_C_READ, NULL);
	ASSERT_TRUE(p->elf != NULL);
	ASSERT_EQ(0, elf_getshdrstrndx(p->elf, &strndx));
	while ((p->info = elf_nextscn(p->elf, p->info))) {
		ASSERT_TRUE(gelf_getshdr(p->info, &p->info_sh) != NULL);
		if (!strcmp(elf_strptr(p->elf, strndx, p->info_sh.sh_name),
			    ".debug_info"))
			break;
	}
	ASSERT_TRUE(p->info != NULL);
	p->info_ndx = elf_ndxscn(p->info);
	return KSFT_PASS;
}

static void patch_close(struct patched *p)
{
	elf_end(p->elf);
	close(p->orig_fd);
	close(p->fd);
	unlink(p->path);
	rmdir(p->dir);
}

/* iouops on the patched copy: --shm-type fails in one line with NEEDLE,
 * and inspect still lists what it can (exit 0). */
static int check_refused(struct patched *p, const char *needle)
{
	struct st_cmd c;

	ASSERT_CLI_ERROR(&c, IOUOPS_EXIT_SHMTYPE, needle, "load", p->path,
			 "--shm-type", "dwarf71_state", "--print", "shm.want");
	ASSERT_EQ(IOUOPS_EXIT_OK, st_run_cli(&c, NULL, NULL, "inspect", p->path,
					     NULL));
	ASSERT_STR_HAS(c.out, "\nops dwarf71_ops ");
	return KSFT_PASS;
}

/* The DIE of struct dwarf71_state in DW. */
static bool find_state(Dwarf *dw, Dwarf_Die *out)
{
	Dwarf_CU *cu = NULL;
	Dwarf_Die cudie;

	while (dwarf_get_units(dw, cu, &cu, NULL, NULL, &cudie, NULL) == 0) {
		if (dwarf_child(&cudie, out))
			continue;
		do {
			if (dwarf_tag(out) == DW_TAG_structure_type &&
			    dwarf_diename(out) &&
			    !strcmp(dwarf_diename(out), "dwarf71_state"))
				return true;
		} while (dwarf_siblingof(out, out) == 0);
	}
	return false;
}

TEST(foreign_dwarf_cycle, "hostile DWARF: a struct whose first member is itself: one line, exit SHMTYPE, no endless walk")
{
	struct patched p;
	Dwarf_Attribute a;
	Dwarf_Die state, member;
	Elf_Data *data;
	Dwarf *dw;
	__u32 self;
	off_t at;

	if (patch_open(&p) != KSFT_PASS)
		return KSFT_FAIL;
	dw = dwarf_begin_elf(p.elf, DWARF_C_READ, NULL);
	ASSERT_TRUE(dw != NULL);
	ASSERT_TRUE(find_state(dw, &state));
	ASSERT_EQ(0, dwarf_child(&state, &member));	/* "ring" */
	ASSERT_TRUE(dwarf_attr(&member, DW_AT_type, &a) != NULL);
	ASSERT_EQ(DW_FORM_ref4, (int)dwarf_whatform(&a));
	/* the attribute's bytes in the file: libdw reads the section
	 * through the Elf_Data that elf_getdata() hands out */
	data = elf_getdata(p.info, NULL);
	ASSERT_TRUE(data != NULL);
	at = (off_t)p.info_sh.sh_offset +
	     ((const char *)a.valp - (const char *)data->d_buf);
	self = (__u32)dwarf_cuoffset(&state);	/* ref4: from the unit's start */
	ASSERT_EQ(4, (int)pwrite(p.fd, &self, 4, at));
	dwarf_end(dw);
	if (check_refused(&p, "a type that contains itself") != KSFT_PASS)
		return KSFT_FAIL;
	patch_close(&p);
	return KSFT_PASS;
}

TEST(foreign_dwarf_truncated, "hostile DWARF: .debug_info cut short of its unit: one line, exit SHMTYPE")
{
	struct patched p;
	GElf_Ehdr eh;
	__u64 size = 40;	/* shorter than its unit says it is */

	if (patch_open(&p) != KSFT_PASS)
		return KSFT_FAIL;
	ASSERT_TRUE(gelf_getehdr(p.elf, &eh) != NULL);
	ASSERT_EQ(8, (int)pwrite(p.fd, &size, 8, (off_t)(eh.e_shoff +
			p.info_ndx * eh.e_shentsize +
			offsetof(Elf64_Shdr, sh_size))));
	if (check_refused(&p, "the program's DWARF: ") != KSFT_PASS)
		return KSFT_FAIL;
	patch_close(&p);
	return KSFT_PASS;
}
