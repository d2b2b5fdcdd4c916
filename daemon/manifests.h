/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The manifests directory: the embedded default source of cluster state
 * (no API server). Every *.yaml, *.yml and *.json file of the directory
 * (regular or a link to one, not hidden; sorted by name) holds documents,
 * each one object of a kind the model knows, or a List of them; other
 * kinds are ignored. A scan feeds the model exactly as a list from the API
 * would: per kind np_model_sync_begin, an upsert per object, and
 * np_model_sync_end, so objects no longer in any file are deleted. The
 * directory is watched with inotify; changes are debounced (50 ms) into
 * one rescan. A ConfigMap volume works too: the swap of its "..data" link
 * triggers a rescan.
 *
 * Failure rules (nothing already learnt is lost to a typo):
 * - A file that cannot be read or parsed is logged (path:line:col: what)
 *   and its objects from its last good read are kept.
 * - While a file that never parsed is broken and no scan has completed
 *   yet, a scan only upserts: nothing is deleted, no kind becomes synced.
 * - A malformed object is logged (path:line: the model's error) and
 *   skipped; the same object in two files: the first file (by name) wins.
 * - A missing or unreadable directory leaves the model as it is; the
 *   directory is tried again every 2 s until it can be read and watched.
 * - A file that disappears keeps its objects until a scan at least 1 s
 *   after the first scan that missed it still misses it (a rescan is
 *   armed for then): `rm f; cp g f` replaces f's objects, never deletes
 *   them in between.
 */
#ifndef _NP_MANIFESTS_H
#define _NP_MANIFESTS_H

#include <stdint.h>

struct np_loop;
struct np_model;
struct np_manifests;

/* Scans dir now (a missing dir is logged and retried, not an error) and
 * watches it. 0, or -ENOMEM / the errno of inotify_init1. */
int np_manifests_new(struct np_loop *lp, const char *dir, struct np_model *m,
		     struct np_manifests **out);
/* Stops watching; the model keeps what it learnt. */
void np_manifests_free(struct np_manifests *mf);
/* Rescans now (SIGHUP). 0 when the directory was read (files in it may
 * still have failed: they are logged), -errno when it could not be. */
int np_manifests_rescan(struct np_manifests *mf);
/* Tests: the clock of the missing-file rule (NULL: np_now_ms). */
void np_manifests_set_clock(struct np_manifests *mf,
			    uint64_t (*now_ms)(void));

#endif /* _NP_MANIFESTS_H */
