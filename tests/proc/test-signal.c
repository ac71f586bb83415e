/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vms_proc_signal, on children of the test: a signal reaches the process
 * that has the start time asked, and no other (a pid reused since the table
 * was read), nor one that is gone.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/procfile.h"
#include "base/strbuf.h"
#include "vmscope/collect.h"

static pid_t start_child(void)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

static uint64_t start_time_of(int root_fd, pid_t pid)
{
	struct vms_stat st;
	struct strbuf sb;
	char name[32];

	strbuf_init(&sb);
	(void)snprintf(name, sizeof(name), "%d/stat", (int)pid);
	assert_true(procfile_read_at(root_fd, name, 4096, 0, &sb) > 0);
	assert_int_equal(vms_stat_parse(sb.buf, sb.len, &st), 0);
	strbuf_release(&sb);
	return st.start_time;
}

static void test_signal(void **state)
{
	int root_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	pid_t pid = start_child();
	uint64_t start;
	int status;

	(void)state;
	assert_true(root_fd >= 0);
	/* pidfds need Linux 5.3, and valgrind's memcheck does not know the
	 * calls (ENOSYS): vms_proc_signal then refuses, there is nothing
	 * else to test */
	if (vms_proc_signal(root_fd, getpid(), 0, 0) == -ENOSYS) {
		kill(pid, SIGKILL);
		(void)waitpid(pid, NULL, 0);
		close(root_fd);
		skip();
	}
	start = start_time_of(root_fd, pid);
	/* another start time: another process, whatever its pid */
	assert_int_equal(vms_proc_signal(root_fd, pid, start + 1, SIGTERM), -ESRCH);
	usleep(100000);
	assert_int_equal(waitpid(pid, &status, WNOHANG), 0);
	/* the one asked for */
	assert_int_equal(vms_proc_signal(root_fd, pid, start, SIGTERM), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGTERM);
	/* gone (and reaped): nothing to send to */
	assert_int_equal(vms_proc_signal(root_fd, pid, start, SIGTERM), -ESRCH);
	assert_int_equal(vms_proc_signal(root_fd, 0, 0, SIGTERM), -EINVAL);
	close(root_fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signal),
	};

	return cmocka_run_group_tests_name("tests", tests, NULL, NULL);
}
