/* SPDX-License-Identifier: GPL-2.0-or-later */
/* /proc/<pid>/stat, status and task/<tid>/syscall. */
#include "config.h"

#include "vmscope/collect.h"

#include <errno.h>
#include <string.h>

#include "base/parse.h"
#include "base/procfile.h"
#include "base/xalloc.h"
#include "proc/proc-internal.h"

int vms_stat_parse(const char *buf, size_t len, struct vms_stat *ret)
{
	const char *p = buf, *end = buf + len, *open, *close, *state;
	struct vms_stat st;
	int64_t f[21];
	uint64_t pid;
	size_t clen;

	while (end > buf && (end[-1] == '\n' || end[-1] == '\0'))
		end--;
	open = memchr(buf, '(', len);
	state = parse_stat_state(buf, (size_t)(end - buf));
	if (!open || !state || state - 2 < open)
		return -EBADMSG;
	close = state - 2;

	memset(&st, 0, sizeof(st));
	if (parse_dec_u64(&p, open, &pid) < 0 || pid > INT32_MAX || !parse_char(&p, open, ' '))
		return -EBADMSG;
	st.pid = (pid_t)pid;
	clen = (size_t)(close - open - 1);
	if (clen >= sizeof(st.comm))
		clen = sizeof(st.comm) - 1;
	memcpy(st.comm, open + 1, clen);
	st.comm[clen] = '\0';

	p = state;
	st.state = *p++;
	/* fields 4 (ppid) to 24; 25 (rsslim) may not fit an int64 and is not needed */
	for (unsigned i = 0; i < ARRAY_SIZE(f); i++) {
		if (!parse_char(&p, end, ' ') || parse_dec_i64(&p, end, &f[i]) < 0)
			return -EBADMSG;
	}
	if (f[0] < 0 || f[0] > INT32_MAX)
		return -EBADMSG;
	st.ppid = (pid_t)f[0];            /* 4 */
	st.flags = (unsigned long)f[5];   /* 9 */
	st.minflt = (uint64_t)f[6];       /* 10 */
	st.cminflt = (uint64_t)f[7];      /* 11 */
	st.majflt = (uint64_t)f[8];       /* 12 */
	st.cmajflt = (uint64_t)f[9];      /* 13 */
	st.num_threads = (uint64_t)f[16]; /* 20 */
	st.start_time = (uint64_t)f[18];  /* 22 */
	st.vsize = (uint64_t)f[19];       /* 23 */
	st.rss_pages = (uint64_t)f[20];   /* 24 */
	*ret = st;
	return 0;
}

int vms_status_parse(struct vms_snapshot *snap, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *line;
	struct vms_totals *t = &snap->totals;
	size_t llen;

	while (memlines_next(&p, end, &line, &llen) > 0) {
		const char *key, *v, *lend = line + llen;
		size_t klen;
		uint64_t n;

		if (llen == 0)
			continue;
		if (split_key(line, llen, &key, &klen, &v) < 0)
			return -EBADMSG;
		parse_skip_blanks(&v, lend);
		if (parse_eq(key, klen, "Uid")) {
			if (parse_dec_u64(&v, lend, &n) < 0 || n > UINT32_MAX)
				return -EBADMSG;
			snap->proc.uid = (uid_t)n;
			continue;
		}
		if (parse_eq(key, klen, "PPid")) {
			if (parse_dec_u64(&v, lend, &n) < 0 || n > INT32_MAX)
				return -EBADMSG;
			snap->proc.ppid = (pid_t)n;
			continue;
		}
		if (parse_eq(key, klen, "Threads")) {
			if (parse_dec_u64(&v, lend, &n) < 0 || n > UINT32_MAX)
				return -EBADMSG;
			snap->proc.threads = (uint32_t)n;
			continue;
		}
		if (parse_eq(key, klen, "Kthread")) {
			if (parse_dec_u64(&v, lend, &n) < 0)
				return -EBADMSG;
			if (n)
				snap->proc.kernel_thread = true;
			continue;
		}
		if (key[0] != 'V' && key[0] != 'R' && key[0] != 'H')
			continue;
		for (unsigned i = 0; i < VMS_ST__MAX; i++) {
			if (!parse_eq(key, klen, vms_status_fields[i].key))
				continue;
			if (parse_dec_u64(&v, lend, &n) < 0 || n > UINT64_MAX / 1024)
				return -EBADMSG;
			parse_skip_blanks(&v, lend);
			if (!parse_eq(v, (size_t)(lend - v), "kB"))
				return -EBADMSG;
			t->status[i] = n * 1024;
			t->status_have |= UINT32_C(1) << i;
			break;
		}
	}
	return 0;
}

int vms_syscall_parse_sp(const char *buf, size_t len, uint64_t *ret_sp)
{
	const char *p = buf, *end = buf + len;
	const char *last[2] = { NULL, NULL };
	const char *w;
	size_t wlen, nwords = 0;
	uint64_t sp;

	while (end > buf && end[-1] == '\n')
		end--;
	if (parse_eq(buf, (size_t)(end - buf), "running"))
		return -EAGAIN;
	/* "nr a1 .. a6 sp pc" or "-1 sp pc": the stack pointer is next to last */
	for (;;) {
		parse_skip_blanks(&p, end);
		if (p >= end)
			break;
		if (parse_word(&p, end, &w, &wlen) < 0)
			return -EBADMSG;
		last[0] = last[1];
		last[1] = w;
		nwords++;
	}
	if (nwords != 9 && !(nwords == 3 && parse_startswith(buf, len, "-1 ")))
		return -EBADMSG;
	p = last[0];
	if (!parse_char(&p, end, '0') || !parse_char(&p, end, 'x') ||
	    parse_hex_u64(&p, end, &sp) < 0 || (p < end && *p != ' '))
		return -EBADMSG;
	*ret_sp = sp;
	return 0;
}
