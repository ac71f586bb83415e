/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A recording: one process's memory over time (vmscope record).
 *
 * On disk it is JSON Lines (doc/recording.schema.json): a header line (the
 * format's version, the snapshot schema it borrows its names from, the
 * host, the process, the interval), then one line per sample, then an end
 * line saying why it ended. A sample holds the process's totals (status and
 * smaps_rollup, every time) and, when the regions were read (smaps), only
 * the regions that changed since the previous such sample: each region has
 * a track id for its whole life, a full record when it appears or what it
 * is changes, a short one when only its place or counters change, and its
 * id in "gone" when it vanishes. Lines are written whole as they are taken,
 * so a recorder killed mid-run leaves a file readable up to its last line.
 *
 * In memory (struct vms_recording) the samples keep their totals, and each
 * track keeps what it is and its values at each change. Reporters draw it;
 * vms_recording_snapshot rebuilds the snapshot of any sample whose regions
 * were read, so diff and budgets run on a recording as on a snapshot.
 */
#ifndef VMSCOPE_RECORDING_H
#define VMSCOPE_RECORDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmscope/load.h"
#include "vmscope/snapshot.h"

#define VMS_RECORDING_VERSION 1
/* The "format" of a recording's header line. */
#define VMS_RECORDING_FORMAT "vmscope-recording"

/* The counters a recording keeps of each region, in the order of its records. */
enum vms_rec_value {
	VMS_RV_RSS = 0,
	VMS_RV_PSS,
	VMS_RV_PRIVATE_CLEAN,
	VMS_RV_PRIVATE_DIRTY,
	VMS_RV_SWAP,
	VMS_RV__MAX
};
/* The smaps counter of each (its JSON name is vms_mem_fields[].name). */
extern const enum vms_mem vms_rec_value_mem[VMS_RV__MAX];

/* Why a recording ended. */
enum vms_rec_end {
	VMS_REC_END_NONE = 0,    /* no end line: the recorder was killed, or still runs */
	VMS_REC_END_DURATION,    /* --duration elapsed */
	VMS_REC_END_EXITED,      /* the process exited */
	VMS_REC_END_INTERRUPTED, /* SIGINT or SIGTERM */
	VMS_REC_END_ERROR,       /* the process could no longer be read */
	VMS_REC_END__MAX
};
const char *vms_rec_end_to_string(enum vms_rec_end e);
int vms_rec_end_from_string(const char *s); /* -EINVAL when unknown */

/*
 * Groups of kinds a recording's timeline sums (model/recording.c):
 * heap (and a JVM's Java heap), anonymous memory (anon mmap, bss, reserved, other), malloc arenas
 * (the malloc_arena kind: glibc's heaps of thread arenas), stacks (main,
 * threads, guards), file-backed (text, data, files, vdso), shared memory.
 * Counted by RSS.
 */
enum vms_rec_group {
	VMS_RG_HEAP = 0,
	VMS_RG_ANON,
	VMS_RG_ARENA,
	VMS_RG_STACK,
	VMS_RG_FILE,
	VMS_RG_SHM,
	VMS_RG__MAX
};
const char *vms_rec_group_to_string(enum vms_rec_group g);

/* One sample: when, and the totals; the group sums when regions were read. */
struct vms_rec_sample {
	int64_t t_ns; /* since the recording began (monotonic) */
	struct vms_totals totals;
	bool regions;                   /* smaps was read at this sample */
	uint32_t n_regions;             /* live regions then (when regions) */
	uint64_t group_rss[VMS_RG__MAX]; /* when regions */
};

/* A region's place and counters from one sample on. */
struct vms_rec_point {
	uint32_t sample;
	uint64_t start, end;
	uint64_t v[VMS_RV__MAX];
	uint8_t have; /* 1 << enum vms_rec_value */
};

/* One region over its life, as a track id names it. */
struct vms_rec_track {
	uint32_t id;
	bool seen;          /* the id was defined (ids may skip) */
	/* what it is, as last said */
	uint64_t offset, inode;
	uint32_t dev_major, dev_minor;
	uint8_t perms;
	bool deleted;
	enum vms_kind kind;
	int32_t tid;
	const char *name;   /* arena */
	uint32_t first;     /* the sample it appeared at */
	uint32_t gone;      /* the sample it vanished at, UINT32_MAX while it lives */
	struct vms_rec_point *points; /* by sample */
	size_t n_points, alloc_points;
};

struct arena;

struct vms_recording {
	struct arena *arena;
	uint32_t version;
	int64_t mono_ns, wall_ns; /* when it began */
	int64_t interval_ns;
	uint32_t cpu_permille;    /* the share of one core region reads were given */
	struct vms_host host;
	struct vms_process proc;
	struct vms_rec_sample *samples;
	size_t n_samples, alloc_samples;
	struct vms_rec_track *tracks; /* indexed by id */
	size_t n_tracks, alloc_tracks;
	enum vms_rec_end end;
	int64_t end_t_ns;         /* when the end line says it ended */
	bool truncated;           /* the last line was cut short (a killed recorder) */
};

struct vms_recording *vms_recording_new(void);
void vms_recording_free(struct vms_recording *rec);

/* The region a track's point describes; its name is the track's (borrowed). */
void vms_rec_track_region(const struct vms_rec_track *t, const struct vms_rec_point *p,
			  struct vms_region *ret);
/* A track's point in effect at sample s, or NULL (not alive then). */
const struct vms_rec_point *vms_rec_track_at(const struct vms_rec_track *t, size_t s);

/*
 * The sample taken at or before t_ns whose regions were read (the first
 * such sample when none is that early); -ENOENT when no sample has regions.
 */
int vms_recording_sample_at(const struct vms_recording *rec, int64_t t_ns, size_t *ret);
/* The first and last samples whose regions were read; -ENOENT when none. */
int vms_recording_region_span(const struct vms_recording *rec, size_t *ret_first,
			      size_t *ret_last);

/*
 * The snapshot of sample s (which must have regions): the process, the
 * sample's totals, and the regions alive then with their recorded counters
 * (others are missing in their `have`), grouped into objects by file. The
 * caller frees it. -EINVAL when s has no regions.
 */
int vms_recording_snapshot(const struct vms_recording *rec, size_t s, struct vms_snapshot **ret);

/* Fills the samples' group sums from the tracks (after loading). */
void vms_recording_sum_groups(struct vms_recording *rec);

/* A region's growth between the first and last samples with regions. */
struct vms_rec_growth {
	uint32_t track;
	bool appeared, vanished;  /* after the first / before the last sample */
	uint64_t start;           /* its address when last seen */
	uint64_t size_a, size_b;  /* 0 on the side it is missing from */
	uint64_t rss_a, rss_b;
	int64_t growth;           /* rss_b - rss_a */
	double per_min;           /* growth over the recording's span (regions), per minute */
	/* when RSS rose: the first and last samples where it was above the
	 * sample before; -1 when it never rose */
	int64_t rose_from_ns, rose_until_ns;
};

/*
 * Every track seen between the span's ends, ranked by growth (largest
 * first; ties by address). *ret is the caller's to free; returns the count,
 * 0 when no sample has regions.
 */
size_t vms_recording_rank(const struct vms_recording *rec, struct vms_rec_growth **ret);

/*
 * Loading (src/json/load-recording.c): len bytes of JSON Lines. A last line
 * without its newline is a sample cut short by a killed recorder: dropped,
 * with rec->truncated set. Returns 0, -EBADMSG (with the line and column of
 * the error), -EPROTONOSUPPORT, -EFBIG or -ELIBACC, with *err filled.
 */
int vms_recording_load(const char *buf, size_t len, struct vms_recording **ret,
		       struct vms_load_error *err);
/* Whether buf begins with a recording's header line. */
bool vms_recording_sniff(const char *buf, size_t len);
/*
 * Reads the file at path once ("/dev/stdin" works) and loads it as a
 * recording when it begins like one (*ret_rec set, *ret_snap NULL), else
 * as a snapshot (the other way round). Returns as the loaders do.
 */
int vms_document_load_file(int dirfd, const char *path, struct vms_snapshot **ret_snap,
			   struct vms_recording **ret_rec, struct vms_load_error *err);

/*
 * Recording (src/model/record.c): what changed in the regions since the
 * previous sample that read them. The recorder keeps a compact copy of
 * those regions (no snapshot), matches the new ones to them by address and
 * what they are, or by name or thread when they moved (a stack grows down),
 * and gives each region a track id for its life.
 */
struct vms_rec_change {
	uint32_t id;
	uint32_t region; /* index in the snapshot */
	bool full;       /* new, or what it is changed: the whole record */
};
struct vms_rec_delta {
	struct vms_rec_change *changes; /* by address */
	size_t n, alloc;
	uint32_t *gone;
	size_t n_gone, alloc_gone;
};
void vms_rec_delta_release(struct vms_rec_delta *d);

struct vms_rec_state;
struct vms_recorder {
	struct vms_rec_state *prev; /* the regions of the previous region sample, by address */
	size_t n_prev, alloc_prev;
	uint32_t next_id;
};
void vms_recorder_init(struct vms_recorder *rec);
void vms_recorder_release(struct vms_recorder *rec);
/* The delta of snap (which read its regions) against the previous region
 * sample, into *ret (reset first); snap then becomes the previous one. */
void vms_recorder_step(struct vms_recorder *rec, const struct vms_snapshot *snap,
		       struct vms_rec_delta *ret);

#endif
