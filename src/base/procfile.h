/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading /proc files relative to a directory fd. /proc files come back a
 * page or less per read(), so a short read is not the end: read until read()
 * returns 0. EINTR is retried; sizes are capped; embedded NUL bytes are
 * rejected (-EBADMSG) unless the caller allows them (cmdline).
 */
#ifndef VMSCOPE_BASE_PROCFILE_H
#define VMSCOPE_BASE_PROCFILE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/strbuf.h"

enum {
	PROCFILE_ALLOW_NUL = 1 << 0,
	/*
	 * A file of the live /proc that the kernel writes whole at the first
	 * read with room for it (a single_open file: stat, status,
	 * smaps_rollup, limits, cgroup, oom_score, a task's stat and syscall;
	 * oom_score_adj, written from one buffer; and cmdline, whose read
	 * copies the arguments until the reader's room or their end is
	 * reached, a page of the process at a time): a short read is its
	 * end, and it is a regular file, not asked of fstat. Two system
	 * calls less a file: a process of 1,000 threads is read two files a
	 * thread.
	 */
	PROCFILE_WHOLE = 1 << 1,
};

/*
 * The flags of a process's single_open file (PROCFILE_WHOLE): that flag
 * from the live /proc, none from a captured tree, whose files may be
 * anything (a short read is no end there).
 */
static inline unsigned procfile_whole_if(bool live)
{
	return live ? PROCFILE_WHOLE : 0;
}

/*
 * What opening a file that is not a regular file gives (a FIFO, a device, a
 * socket, or a symbolic link in a captured tree): never opened for reading,
 * so a FIFO cannot block. procfile_strerror says "not a regular file".
 */
#define PROCFILE_ENOTREG EMEDIUMTYPE

/* strerror, but "not a regular file" for PROCFILE_ENOTREG (err > 0 or < 0). */
const char *procfile_strerror(int err);

/* read(2) again after EINTR; -errno on an error */
ssize_t procfile_read_retry(int fd, void *buf, size_t n);

/*
 * Reads exactly n bytes of fd at off, in as many preads as it takes (an
 * interrupted or short one goes on where it stopped): 0, -errno of the
 * pread that failed, -ENODATA when the file ends first, -EFAULT for an
 * offset past what off_t holds. For files read at an offset: the ELF
 * headers of mapped files, pagemap and kpage*, a process's mem.
 */
int procfile_pread_full(int fd, void *buf, size_t n, uint64_t off);

/*
 * Opens dirfd/name for reading as a file of a proc tree: O_NONBLOCK (no
 * FIFO can block the open), O_NOFOLLOW (a captured tree's link is no /proc
 * file), and only a regular file, as /proc's own files are. An fd, or -errno;
 * -PROCFILE_ENOTREG for anything but a regular file.
 */
int procfile_open(int dirfd, const char *name);
/* The same; with PROCFILE_WHOLE in flags, without the fstat. */
int procfile_open_flags(int dirfd, const char *name, unsigned flags);

/*
 * Reads all of dirfd/name (opened by procfile_open) into out (replacing its contents). Returns the
 * length, or -errno: -ENOENT/-ESRCH gone, -EACCES refused, -EFBIG over cap,
 * -EBADMSG a NUL byte where none may be.
 */
int procfile_read_at(int dirfd, const char *name, size_t cap, unsigned flags,
		     struct strbuf *out);
/* The same on an open fd, from offset 0 (live views re-read kept fds); it
 * reads at most cap + 1 bytes, so a file without end (/dev/zero) costs no
 * more than the cap. */
int procfile_read_fd(int fd, size_t cap, unsigned flags, struct strbuf *out);

/*
 * A line reader for files too large to hold whole (smaps of 65,530 VMAs is
 * tens of MB): a buffer of at most line_max bytes is reused across lines and
 * across files, so it belongs to a collector, not to one read.
 */
struct procfile_reader;

/* How a wait for the read-ahead thread that polled ended. */
enum procfile_poll_end {
	PROCFILE_POLL_CAME,   /* a chunk or the end came */
	PROCFILE_POLL_WANTED, /* a yield took long: the CPU is wanted; slept */
	PROCFILE_POLL_LONG,   /* nothing within poll_ns; slept */
	PROCFILE_POLL_MOVED,  /* the reader waited for its CPU: moved to this one; slept */
	PROCFILE_POLL__MAX,
};

/* How long a poll for the read-ahead thread lasts at most: a few chunks of
 * smaps, so that a reader slow for another reason is waited for asleep. */
#define PROCFILE_POLL_NS 2000000

/*
 * A small file read whole after the read-ahead thread's file: by that
 * thread once it reaches the end, or by the caller if it comes to it first
 * (procfile_after_take). Another walk of the kernel's, then done by
 * whichever thread is free: the one that waits for the other.
 */
enum procfile_after_state {
	PROCFILE_AFTER_NONE,    /* none asked for, or taken */
	PROCFILE_AFTER_WANTED,  /* asked for, not yet begun */
	PROCFILE_AFTER_READING, /* the reader reads it */
	PROCFILE_AFTER_DONE,    /* the reader read it: r says how */
};

struct procfile_after {
	int dirfd;
	const char *name;
	size_t cap;
	unsigned flags; /* procfile_read_at's */
	struct strbuf *out;
	enum procfile_after_state state;
	int r;              /* procfile_read_at's answer, once DONE */
	size_t done;        /* 1 once DONE, for a poll */
	bool by_reader;     /* the last one taken was read by the reader */
};

struct procfile {
	int fd;
	struct procfile_reader *reader; /* the read-ahead thread, if any */
	char *buf;
	size_t alloc;
	size_t start, end; /* unread bytes are buf[start, end) */
	size_t total;      /* bytes read from the file so far */
	size_t cap;        /* -EFBIG past this many bytes */
	size_t line_max;   /* -EFBIG for a longer line */
	bool eof;
	bool took; /* procfile_take took bytes since the last block */
	unsigned poll_ends[PROCFILE_POLL__MAX]; /* since procfile_init */
	/* the reader's waits for room, polled, since procfile_init */
	unsigned reader_poll_ends[PROCFILE_POLL__MAX];
	unsigned most_ahead; /* the most chunks a reader had ready at a take, since procfile_init */
	/* the times a reader's chunks read ahead while away went back to the
	 * system, since procfile_init */
	unsigned slab_given_back;
	/* the files whose reader mapped its slab (past its first spares), since
	 * procfile_init */
	unsigned slabs_mapped;
	struct procfile_after after;
	/* for tests: called by the read-ahead thread as it begins, before its
	 * first read (NULL: nothing) */
	void (*reader_begins)(void);
};

void procfile_init(struct procfile *pf);
/* Opens dirfd/name for reading (procfile_open). Returns 0 or -errno. */
int procfile_open_at(struct procfile *pf, int dirfd, const char *name, size_t cap);
/*
 * The same, with the reads done by a thread of their own while the caller
 * parses: for smaps of many VMAs the kernel's cost of generating the text
 * and the parse then overlap instead of adding up. Memory stays bounded (a
 * few chunks ahead). Falls back to plain reads if no thread can be made.
 * With poll_ns > 0, a wait for the reader polls, up to poll_ns, before it
 * sleeps (readahead_poll): less wall time, more CPU time.
 */
int procfile_open_at_readahead(struct procfile *pf, int dirfd, const char *name, size_t cap,
			       int64_t poll_ns);
/*
 * Asks for dirfd/name to be read whole into out (procfile_read_at, with
 * flags) after the file opened with procfile_open_at_readahead: by its
 * reader once it has read to the end, unless procfile_after_take comes
 * first. out is the
 * caller's, grown here so that the reader need not allocate; it is the
 * reader's until the take, dirfd must stay open until then.
 */
void procfile_readahead_after(struct procfile *pf, int dirfd, const char *name, size_t cap,
			      unsigned flags, struct strbuf *out);
/*
 * The file asked for by procfile_readahead_after: waits for the reader's
 * read, or reads it now if the reader has not begun it (or there is none).
 * Returns what procfile_read_at returns, or -EINVAL if none was asked for.
 * Valid after procfile_close too.
 */
int procfile_after_take(struct procfile *pf);
/*
 * Next line without its '\n'; a last line without one is returned too.
 * Returns 1 with a line, 0 at the end, -errno on error. The line is valid
 * until the next call.
 */
int procfile_next_line(struct procfile *pf, const char **ret_line, size_t *ret_len);
/*
 * For parsers that find their own line ends: hands out every byte not yet
 * taken (valid until the next call), after reading more when the parser
 * took none of the last block; procfile_take then says how many the parser
 * used. Returns 1, 0 at the end (every byte taken), -errno; -EFBIG when
 * line_max bytes were handed out and none taken. *ret_eof: nothing more
 * will come (the last line may lack its '\n').
 */
int procfile_next_block(struct procfile *pf, const char **ret_buf, size_t *ret_len,
			bool *ret_eof);
/*
 * Whether procfile_next_block would return at once: bytes are there to hand
 * out, or the read-ahead thread has a chunk or is done. False only while a
 * read-ahead thread is still reading what the next block needs; a caller
 * does other work then, rather than wait.
 */
bool procfile_block_ready(const struct procfile *pf);
/*
 * Says the caller goes away from the file for a while (a read of its own
 * that may take longer than the reader needs to fill the few chunks it
 * keeps ahead), or is back: meanwhile the reader may get further ahead,
 * into buffers it makes. Nothing without a read-ahead thread.
 */
void procfile_away(struct procfile *pf, bool away);
void procfile_take(struct procfile *pf, size_t n);
/* Closes the file; keeps the buffer for the next open. */
void procfile_close(struct procfile *pf);
/* Closes and frees the buffer. */
void procfile_release(struct procfile *pf);

/*
 * Splits a byte buffer into lines the same way, for parsers fed from memory
 * (tests, fuzzers, captured files). Returns 1 with a line, 0 at the end.
 */
int memlines_next(const char **p, const char *end, const char **ret_line, size_t *ret_len);

#endif
