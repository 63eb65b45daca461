# bench/buckets.awk: folded stacks of make bench --profile sorted into named
# buckets of "where the time goes". Input: the @p lines of raw.txt without
# their "@p," (WORKLOAD,CASE,CONTENDER,SAMPLES,STACK). Output (CSV):
#	workload,case,contender,bucket,samples,share
# share: percent of the work samples (all but "idle" and "setup"); for idle
# and setup the percent of all samples.
#
# A sample goes to the bucket of the deepest frame (from the leaf up) that
# names one; a user-space leaf is "user". setup: the contender's start and
# end (bpf(), execve, exit, ring setup), inside the profile window for the
# one-shot NOP contenders (for the BPF loop: all outside io_uring_enter).

function bucket_of(name) {
	if (name ~ /^bpf_prog_/) return "bpf_prog"
	if (name ~ /^(rep_movs_alternative|rep_stos_alternative|copy_user_generic.*|_copy_to_iter|_copy_from_iter|copy_page.*|memcpy.*|__memcpy.*|memmove|__memmove|_copy_to_user|_copy_from_user|memcpy_orig|csum_partial_copy.*)$/) return "copy"
	if (name ~ /^(bpf__.*|bpf_trampoline_.*|__bpf_prog_enter.*|__bpf_prog_exit.*|__bpf_tramp_.*|io_bpf_ops__loop_step|bpf_struct_ops_.*)$/) return "trampoline"
	if (name ~ /^(bpf_io_uring_.*|io_bpf_.*)$/) return "kfunc"
	if (name ~ /^(schedule|__schedule|schedule_.*|finish_task_switch.*|__switch_to.*|switch_mm.*|context_switch|pick_next_task.*|try_to_wake_up|ttwu_.*|wake_up_.*|__wake_up.*|autoremove_wake_function|default_wake_function|io_loop_wait|io_cq_wait_arm|io_cqring_wait.*|io_wake_function|io_cqring_wake|__io_cqring_wake|enqueue_task.*|dequeue_task.*|enqueue_entit.*|dequeue_entit.*|update_curr.*|psi_.*|prepare_to_wait.*|finish_wait|sched_.*|raw_spin_rq_lock.*|set_next_entity|put_prev_.*|select_task_rq.*|resched_curr|wakeup_preempt.*|check_preempt.*|futex_wait.*|futex_wake.*|ep_poll.*|do_epoll_wait|ep_send_events|ep_item_poll|ep_autoremove_wake_function|sk_wait_data|io_schedule.*)$/) return "wait"
	if (name ~ /^(tcp_.*|__tcp_.*|tcp4_.*|inet_.*|__inet_.*|sock_.*|__sock_.*|sk_.*|__sk_.*|skb_.*|__skb_.*|kfree_skb.*|__kfree_skb|consume_skb|ip_.*|__ip_.*|ip6_.*|ipv6_.*|__netif_.*|netif_.*|net_rx_action|__napi_.*|napi_.*|process_backlog|__dev_queue_xmit|dev_queue_xmit|dev_hard_start_xmit|loopback_xmit|__sys_sendto|__sys_recvfrom|__sys_sendmsg|__sys_recvmsg|____sys_sendmsg|____sys_recvmsg|___sys_sendmsg|___sys_recvmsg|security_socket_.*|release_sock|lock_sock.*|__release_sock|validate_xmit_.*|nf_hook_slow|io_recv.*|io_send.*|io_sendmsg.*|io_recvmsg.*|io_net_.*|io_accept.*|__sys_accept4|do_accept|dst_release)$/) return "net"
	if (name ~ /^(io_run_local_work.*|__io_run_local_work.*|io_run_task_work.*|task_work_run|tctx_task_work.*|io_handle_tw_list|io_req_task_complete|io_req_task_.*|__io_submit_flush_completions|io_submit_flush_completions|io_req_complete_post|io_fill_cqe.*|io_cqe_cache_refill|io_cqring_event_overflow|io_post_aux_cqe|io_free_batch_list|io_req_local_work_add|io_req_normal_work_add|__io_req_task_work_add|io_poll_task_func|io_poll_check_events|io_poll_wake|io_apoll_task_func|io_cq_unlock_post|__io_cq_unlock_post|io_commit_cqring.*|io_cqring_overflow_flush.*|io_req_post_cqe|io_put_req.*|io_free_req|io_queue_next|io_req_defer_failed|io_cq_lock|io_cq_unlock)$/) return "complete"
	if (name ~ /^(io_submit_sqes|io_submit_sqe|io_init_req|io_issue_sqe|io_queue_sqe|io_get_sqe|__io_alloc_req_refill|io_alloc_req|io_nop|io_prep_.*|io_.*_prep|io_assign_file|io_file_get_.*|io_queue_iowq|io_arm_poll_handler|io_arm_apoll|__io_arm_poll_handler|io_poll_add|io_submit_state_.*|io_uring_alloc_async_data|io_req_assign_buf_node|io_sqe_.*|kmem_cache_alloc_bulk.*|io_import_.*|io_buffer_select|io_ring_buffer_select|io_kbuf_.*)$/) return "submit"
	if (name ~ /^(io_run_loop|__io_run_loop|io_loop_.*)$/) return "loop"
	if (name ~ /^(entry_SYSCALL_64.*|do_syscall_64|syscall_exit_to_user_mode.*|exit_to_user_mode.*|syscall_return_via_sysret|__x64_sys_.*|__do_sys_io_uring_enter|io_uring_enter|x64_sys_call|arch_exit_to_user_mode.*|fpregs_.*|switch_fpu_.*|restore_fpregs.*|syscall_trace_enter.*|trace_sys_enter|perf_syscall_enter)$/) return "syscall"
	return ""
}

BEGIN {
	split("syscall submit complete loop trampoline bpf_prog kfunc wait net copy user other", ORDER, " ")
	SETUP_RE = ";(__sys_bpf|__x64_sys_bpf|bpf_check|do_execveat_common.*|__x64_sys_execve|load_elf_binary|do_exit|do_group_exit|__x64_sys_exit_group|exit_mmap|__x64_sys_io_uring_setup|io_uring_setup|__do_sys_io_uring_register|__x64_sys_io_uring_register|vm_mmap_pgoff|__x64_sys_munmap|do_sys_openat2|__x64_sys_close|ret_from_fork.*)_\\[k\\]"
}
{
	key = $1 "," $2 "," $3; n = $4 + 0
	stack = substr($0, length($1 $2 $3 $4) + 5)
	if (!(key in seen)) { seen[key] = 1; keys[++nk] = key }
	all[key] += n
	nf = split(stack, f, ";")
	if (f[1] == "swapper" || stack ~ /;(do_idle|cpu_startup_entry)_\[k\]/) { b = "idle" }
	else if (stack ~ SETUP_RE) { b = "setup" }
	# a one-shot BPF NOP loop does all its work inside one io_uring_enter
	else if ($1 == "nop" && $3 != "uring" && $3 != "floor" && stack !~ /io_uring_enter/) { b = "setup" }
	else if (f[nf] !~ /_\[k\]$/) { b = "user" }
	else {
		b = ""
		for (i = nf; i > 1 && b == ""; i--) {
			name = f[i]; sub(/_\[k\]$/, "", name)
			b = bucket_of(name)
		}
		if (b == "") b = "other"
	}
	cnt[key, b] += n
	if (b != "idle" && b != "setup") work[key] += n
}
END {
	print "workload,case,contender,bucket,samples,share"
	for (k = 1; k <= nk; k++) {
		key = keys[k]
		for (i = 1; i in ORDER; i++)
			printf "%s,%s,%d,%.2f\n", key, ORDER[i], cnt[key, ORDER[i]], work[key] ? 100 * cnt[key, ORDER[i]] / work[key] : 0
		printf "%s,%s,%d,%.2f\n", key, "setup", cnt[key, "setup"], 100 * cnt[key, "setup"] / all[key]
		printf "%s,%s,%d,%.2f\n", key, "idle", cnt[key, "idle"], 100 * cnt[key, "idle"] / all[key]
	}
}
