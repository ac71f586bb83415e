/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ELF facts of mapped objects (src/elf, the only code that includes libelf).
 * Objects are opened through /proc/<pid>/map_files/<start>-<end> (works for
 * deleted files and other mount namespaces) or <proc>/<pid>/root/<path>, and
 * cached by (dev, inode) so an object mapped by many processes is read once.
 */
#ifndef VMSCOPE_ELF_H
#define VMSCOPE_ELF_H

#include <stddef.h>
#include <stdint.h>

#include "vmscope/snapshot.h"

struct arena;
struct strbuf;
struct vms_elf_cache;
struct stat;

struct vms_elf_cache *vms_elf_cache_new(void);
void vms_elf_cache_free(struct vms_elf_cache *cache);

/*
 * Fills obj's ELF fields (is_elf, elf_type, elf_class, segments, relro) for
 * the file that region r maps. pid_dirfd: the process's /proc directory.
 * Arrays go into arena. Returns 0 (obj->is_elf false for a non-ELF file),
 * or -errno (also stored in obj->elf_error): -EACCES/-ENOENT could not open,
 * -EBADMSG corrupt ELF. Never crashes on a corrupt or truncated file.
 */
int vms_elf_load_object(struct vms_elf_cache *cache, int pid_dirfd, const struct vms_region *r,
			struct vms_object *obj, struct arena *arena);

/*
 * Opens the file region r of the process at pid_dirfd maps, as the loads
 * above do: a regular file only (-ENOEXEC for a device, a socket, an anon
 * inode), never one on a FUSE filesystem or on an anonymous device no mount
 * names (-EREMOTE: a stat or open there is a request to a server that need
 * never answer). An fd and *st, or -errno. The cache (NULL: none) keeps the
 * mountinfo that tells, read once a pass (vms_elf_cache_pass) for all the
 * files of a process.
 */
int vms_elf_open_mapped(struct vms_elf_cache *cache, int pid_dirfd, const struct vms_region *r,
			struct stat *st);

/*
 * A pass of the cache: one look at one process. An entry read or found
 * unchanged in the pass is taken by vms_elf_load_object without opening its
 * file again until the next pass begins. Without a pass begun, every load
 * looks at the file.
 */
void vms_elf_cache_pass(struct vms_elf_cache *cache);

/*
 * Reads the facts of the file region r maps into the cache, as
 * vms_elf_load_object would, for it to take later in the same pass: called
 * while the rest of smaps is still read, so that the files are read during
 * the kernel's work rather than after it. A file that cannot be opened is
 * left to vms_elf_load_object, which says why. Nothing without a cache.
 */
void vms_elf_prefetch(struct vms_elf_cache *cache, int pid_dirfd, const struct vms_region *r);

/* The same from bytes in memory (tests, fuzzers). */
int vms_elf_load_memory(const void *buf, size_t len, struct vms_object *obj, struct arena *arena);

/*
 * Names the code or data at addr of the process snap describes, appending
 * "function+0xoff (object)" to out (raw bytes of the symbol and file names:
 * escape them for display). Needs the model's load bias of the object. The
 * object's symbols (.symtab, else .dynsym) are read on the first call, through
 * pid_dirfd as vms_elf_load_object opens files, and kept in the cache.
 * Returns 0; 1 when no symbol holds addr ("object+0xvaddr" is appended);
 * -ENOENT when addr is not in a mapped ELF object; -ESTALE when the file
 * changed after the process started; -EBADF without pid_dirfd or cache entry.
 */
int vms_elf_symbolize(struct vms_elf_cache *cache, int pid_dirfd, const struct vms_snapshot *snap,
		      uint64_t addr, struct strbuf *out);

/*
 * The addresses, in the process snap describes, of the n named symbols
 * (functions and data objects) of snap->objects[object], into ret, 0 for a
 * name that is not there: read as vms_elf_symbolize reads them (of a name
 * met twice, the preferred binding, then the lowest address), in one pass
 * over its symbols. Returns how many were found; -ENOENT when the object
 * is not a loaded ELF object, -ESTALE when the file changed after the
 * process started, -EINVAL for more than 16 names, or why its symbols
 * could not be read.
 */
int vms_elf_symbol_addresses(struct vms_elf_cache *cache, int pid_dirfd,
			     const struct vms_snapshot *snap, size_t object, const char *const *names,
			     size_t n, uint64_t *ret);

/*
 * The symbol of an ELF image in memory holding vaddr (tests, fuzzers):
 * appends "function+0xoff" and returns the number of symbols read, or
 * -ENOENT (none holds vaddr), -ENODATA (no symbols), or why the file could
 * not be read.
 */
int vms_elf_symbolize_memory(const void *buf, size_t len, uint64_t vaddr, struct strbuf *out);

#endif
