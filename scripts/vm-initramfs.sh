# shellcheck shell=bash
# scripts/vm-initramfs.sh: what the guest of scripts/vm gets (sourced by it;
# the globals it reads are scripts/vm's). build_initrd writes $TMP/initrd:
# a base archive (busybox, bpftool, their libraries, vm-init as /init),
# cached by what goes into it, then this run's: the current folder, the
# tree's build/ and selftests/, the --copy paths, the libraries of every
# ELF file among them, and /iouops/run.sh (the command, for vm-init).

# shell-quote one word
q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

# libraries (as the dynamic loader resolves them) of ELF files given on stdin
elf_libs() {
	local f
	while IFS= read -r f; do
		ldd "$f" 2>/dev/null | awk '
			$2 == "=>" && $3 ~ /^\// { print $3; next }
			$2 == "=>" && $3 == "not" { print "MISSING " $1 > "/dev/stderr"; next }
			$1 ~ /^\// { print $1 }' || true
	done | sort -u
}

is_elf() { [[ -f $1 && $(LC_ALL=C head -c 4 "$1" 2>/dev/null) == $'\177ELF' ]]; }

# ELF executables and shared objects under the given paths
find_elfs() {
	local f
	find "$@" -type f \( -perm -u+x -o -name '*.so' -o -name '*.so.*' \) -print 2>/dev/null |
		while IFS= read -r f; do is_elf "$f" && printf '%s\n' "$f"; done
}

# copy a host file to the same path under staging dir $1, as a real file
put_file() { # staging path
	local dst=$1$2
	mkdir -p "$(dirname "$dst")"
	cp -L --preserve=mode "$2" "$dst"
}

# mirror the host's merged-/usr top-level links (bin -> usr/bin, ...)
mk_toplinks() { # staging
	local d
	mkdir -p "$1/usr"
	for d in bin sbin lib lib64; do
		if [[ -L /$d ]]; then
			ln -sfn "$(readlink "/$d")" "$1/$d"
			mkdir -p "$1/$(readlink "/$d")"
		else
			mkdir -p "$1/$d"
		fi
	done
}

# A tiny newc archive with the device nodes the kernel needs before /init
# mounts devtmpfs (GNU cpio cannot invent device nodes without root).
mk_devnodes() { # out
	local ino=1 node name mode maj min len pad
	{
		for node in 'dev 040755 0 0' 'dev/console 020600 5 1' 'dev/null 020666 1 3' 'TRAILER!!! 0 0 0'; do
			read -r name mode maj min <<<"$node"
			mode=$((8#$mode)) len=$((${#name} + 1))
			[[ $name == 'TRAILER!!!' ]] && mode=0 ino=0
			printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%s\0' \
				"$ino" "$mode" 0 0 1 0 0 0 0 "$maj" "$min" "$len" 0 "$name"
			# pad header (110) + name to a multiple of 4
			pad=$(((4 - (110 + len) % 4) % 4))
			((pad)) && head -c "$pad" /dev/zero
			ino=$((ino + 1))
		done
		head -c 508 /dev/zero
	} >"$1"
}

# cpio_dir DIR OUT: DIR's contents as a newc archive owned by root
cpio_dir() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) >"$2"
}

# build_base: the base archive (busybox, bpftool and their libraries, the
# guest init), cached in the cache by what goes into it; sets BASE and
# BASE_LIBS (those libraries, which the per-run archive need not repeat)
build_base() {
	local files=("$BUSYBOX") key f a S
	[[ -n $BPFTOOL ]] && files+=("$BPFTOOL")
	mapfile -t BASE_LIBS < <(printf '%s\n' "${files[@]}" | elf_libs)
	key=$({
		echo "v1"
		cat "$VM_INIT"
		for f in "${files[@]}" ${BASE_LIBS[@]+"${BASE_LIBS[@]}"}; do stat -L -c '%n %s %Y' "$f"; done
	} | sha256sum | cut -c1-16)
	BASE=$CACHE/initramfs/base-$key.cpio
	[[ -f $BASE ]] && return 0
	verbose "building base initramfs $BASE"
	S=$TMP/base
	mk_toplinks "$S"
	mkdir -p "$S"/{dev,proc,sys,tmp,run,root,etc,iouops,usr/bin,usr/sbin,usr/local/bin}
	put_file "$S" "$BUSYBOX"
	while IFS= read -r a; do
		[[ -e $S/$a || -L $S/$a ]] && continue
		mkdir -p "$S/$(dirname "$a")"
		ln -s "$BUSYBOX" "$S/$a"
	done < <("$BUSYBOX" --list-full)
	for f in "${files[@]:1}" ${BASE_LIBS[@]+"${BASE_LIBS[@]}"}; do put_file "$S" "$f"; done
	install -m 755 "$VM_INIT" "$S/init"
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$S/etc/passwd"
	printf 'root:x:0:\n' >"$S/etc/group"
	echo iouops-vm >"$S/etc/hostname"
	mk_devnodes "$TMP/devnodes.cpio"
	cpio_dir "$S" "$TMP/base.cpio" || die "cpio failed building the base initramfs"
	cat "$TMP/devnodes.cpio" "$TMP/base.cpio" >"$BASE.tmp.$$"
	mv "$BASE.tmp.$$" "$BASE"
	find "$CACHE/initramfs" -name 'base-*.cpio' ! -name "base-$key.cpio" -mmin +60 -delete 2>/dev/null || true
}

# folder_files: NUL-separated paths relative to $FOLDER, git's view first
folder_files() {
	local b
	if git -C "$FOLDER" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git -C "$FOLDER" ls-files -z --cached --others --exclude-standard 2>/dev/null
		for b in build ${IOUOPS_BUILD:+"$IOUOPS_BUILD"}; do	# make SANITIZE=1: build-san
			[[ -d $FOLDER/$b ]] && (cd "$FOLDER" && find "$b" -path "${OUT#"$FOLDER"/}" -prune -o \( -type f -o -type l \) -print0)
		done
	else
		(cd "$FOLDER" && find . -mindepth 1 -path ./.git -prune -o \( -type f -o -type l -o -type d \) -print0)
	fi
}

# copy_folder S: the current folder (what git tracks or would track, plus
# build/; everything in a folder outside git) into staging S, up to
# IOUOPS_VM_FOLDER_MAX MiB; sets FOLDER and FOLDER_NOTE
copy_folder() {
	local S=$1 max f_n f_sz f_lo f_losz
	FOLDER=$CWD FOLDER_NOTE=""
	if ((!FOLDER_COPY)); then
		FOLDER="" FOLDER_NOTE="folder not copied (--no-folder)"
		return 0
	elif [[ $CWD == / ]]; then
		FOLDER="" FOLDER_NOTE="folder / not copied"
		return 0
	fi
	max=${IOUOPS_VM_FOLDER_MAX:-256}	# MiB
	[[ $max =~ ^[0-9]+$ ]] || die "IOUOPS_VM_FOLDER_MAX wants a number of MiB, not '$max'"
	# sizes in list order; what passes the bound is left out and said
	folder_files | LC_ALL=C sort -zu | (cd "$FOLDER" && xargs -0r stat --printf '%s\t%n\0' 2>/dev/null) |
		awk -v RS='\0' -v ORS='\0' -v max=$((max << 20)) -v left="$TMP/left-out" '
			{ i = index($0, "\t"); sz = substr($0, 1, i - 1); n = substr($0, i + 1)
			  if (tot + sz > max) { lo++; losz += sz; next }
			  tot += sz; nf++; print n }
			END { printf "%d %d %d %d\n", nf, tot, lo, losz > left }' >"$TMP/folder.list"
	read -r f_n f_sz f_lo f_losz <"$TMP/left-out"
	(cd "$FOLDER" && cpio -0 -pdm --quiet "$S$FOLDER" <"$TMP/folder.list") 2>"$TMP/cpio.err" ||
		die "cannot copy the folder $FOLDER into the guest: $(head -n 1 "$TMP/cpio.err")"
	# shellcheck disable=SC2034 # scripts/vm's banner says it
	FOLDER_NOTE="folder $FOLDER copied in ($f_n files, $(((f_sz + 524288) >> 20)) MiB), changes copied back"
	((f_lo)) && note "left $f_lo files ($(((f_losz + 524288) >> 20)) MiB) of $FOLDER out of the guest:" \
		"past the ${max} MiB bound (IOUOPS_VM_FOLDER_MAX)"
	COPY_SRC+=("$S$FOLDER")
}

# copy_tree S: the repo's build/ and selftests/, unless the folder already
# holds them (make SANITIZE=1: build-san as well, IOUOPS_BUILD)
copy_tree() {
	local S=$1 san f
	[[ -n $REPO && ( -z $FOLDER || ( $REPO != "$FOLDER" && $REPO != "$FOLDER"/* ) ) ]] || return 0
	san=${IOUOPS_BUILD:-build}
	[[ $san == build || $san == /* ]] && san=""
	for f in "$REPO"/build/* "$REPO"/build/.[!.]* ${san:+"$REPO/$san"} "$REPO/selftests"; do
		[[ -e $f || -L $f ]] || continue
		[[ $f == "$OUT" ]] && continue
		mkdir -p "$S$(dirname "$f")"
		cp -a "$f" "$S$(dirname "$f")/" || die "cannot copy $f"
		COPY_SRC+=("$f")
	done
}

# copy_paths S: the --copy paths
copy_paths() {
	local S=$1 c
	for c in ${COPIES[@]+"${COPIES[@]}"}; do
		[[ -e $c ]] || die "--copy: '$c' does not exist"
		c=$(readlink -f "$c")
		mkdir -p "$S$(dirname "$c")"
		cp -a "$c" "$S$(dirname "$c")/" || die "cannot copy $c"
		COPY_SRC+=("$c")
	done
}

# copy_libs S: the libraries the copied ELF files need, beyond the base's
copy_libs() {
	local S=$1 f libs=()
	((${#COPY_SRC[@]})) || return 0
	mapfile -t libs < <(find_elfs "${COPY_SRC[@]}" | elf_libs 2>"$TMP/missing" || true)
	if [[ -s $TMP/missing ]]; then
		warn "libraries not found on the host: $(sort -u "$TMP/missing" | awk '{print $2}' | tr '\n' ' ')"
	fi
	for f in ${libs[@]+"${libs[@]}"}; do
		printf '%s\n' ${BASE_LIBS[@]+"${BASE_LIBS[@]}"} | grep -qxF "$f" || put_file "$S" "$f"
	done
}

# write_run_sh FILE: what vm-init sources (see there): the folder, and the
# command under env -i with a fixed environment, cwd = host cwd, /bin/sh -c
write_run_sh() {
	local cmdline="" a n skip names=() envs=(TERM=dumb HOME=/root USER=root LOGNAME=root SHELL=/bin/sh
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
	for a in "${CMD[@]}"; do cmdline+="${cmdline:+ }$(q "$a")"; done
	read -ra names <<<"${IOUOPS_VM_ENV:-}"
	for n in V KSFT_TIMEOUT ${names[@]+"${names[@]}"}; do
		[[ $n =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || die "IOUOPS_VM_ENV: bad variable name '$n'"
		[[ -n ${!n+x} ]] && envs+=("$n=${!n}")
	done
	envs+=(${ENVS[@]+"${ENVS[@]}"})
	skip=${OUT#"$FOLDER"/}
	[[ $skip == /* ]] && skip=.iouops-none
	{
		echo "IOUOPS_INTERACTIVE=$INTERACTIVE"
		echo "IOUOPS_FOLDER=$(q "$FOLDER")"
		echo "IOUOPS_FOLDER_SKIP=$(q "$skip")"
		echo "IOUOPS_COPYBACK_MAX=$((${IOUOPS_VM_COPYBACK_MAX:-256} << 10))"
		printf 'iouops_run() {\n'
		printf '\tcd %s || { echo "vm: cannot cd to %s in the guest" >&2; exit 125; }\n' "$(q "$CWD")" "${CWD//[\"\$\`\\]/_}"
		printf '\texec env -i'
		for a in "${envs[@]}"; do printf ' %s' "$(q "$a")"; done
		printf ' /bin/sh -c %s\n}\n' "$(q "$cmdline")"
	} >"$1"
}

# build_initrd: $TMP/initrd, the base archive and this run's: the folder,
# the tree's build/ and selftests/, the --copy paths, their libraries, the
# command
build_initrd() {
	local S=$TMP/run
	build_base
	mk_toplinks "$S"
	mkdir -p "$S/iouops" "$S$CWD"
	COPY_SRC=()
	copy_folder "$S"
	copy_tree "$S"
	copy_paths "$S"
	copy_libs "$S"
	write_run_sh "$S/iouops/run.sh"
	cpio_dir "$S" "$TMP/run.cpio" || die "cpio failed building the initramfs"
	cat "$BASE" "$TMP/run.cpio" >"$TMP/initrd"
}

