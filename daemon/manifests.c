// SPDX-License-Identifier: GPL-2.0-only
/*
 * The manifests directory source (see manifests.h for the rules).
 *
 * Each scan reads every manifest file again and keeps, per file, the
 * documents of its last good read with the objects found in them; a file
 * that fails keeps its previous entry. The objects of all files are then
 * fed to the model, kind by kind, framed as a sync; the model notifies
 * only real changes, so a full rescan per change costs parsing only.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "manifests.h"
#include "model/model.h"
#include "yamljson.h"

#define MF_DEBOUNCE_MS	50
#define MF_RETRY_MS	2000
#define MF_GONE_MS	1000	/* a file missing this long is deleted */
#define MF_MAX_FILE	(32 << 20)	/* bytes of one manifest file */
#define MF_WATCH_MASK	(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | \
			 IN_DELETE | IN_CREATE | IN_DELETE_SELF | \
			 IN_MOVE_SELF | IN_ONLYDIR)

/* One object of a file. */
struct mf_obj {
	enum np_kind kind;
	const char *ns;		/* "" for cluster-scoped kinds */
	const char *name;
	const cJSON *obj;	/* inside the file's documents */
	unsigned int line;	/* of its document */
	int item;		/* index in a List's items, or -1 */
	bool shadowed;		/* defined before in this scan: skipped */
};

/* One manifest file and what its last good read found. */
struct mf_file {
	char *name;		/* in the directory */
	char *path;		/* dir/name, for messages */
	bool good;		/* read and parsed at least once */
	bool broken;		/* the last read failed */
	bool missing;		/* not in the directory at the last scan */
	uint64_t missing_ms;	/* when a scan first missed it */
	struct np_yaml_doc *docs;
	size_t n_docs;
	struct mf_obj *objs;
	size_t n_objs, cap_objs;
};

struct np_manifests {
	struct np_loop *lp;
	struct np_model *m;
	char *dir;
	struct np_io ino;	/* the inotify fd */
	int wd;			/* the directory's watch, or -1 */
	struct np_timer debounce;
	struct np_timer retry;
	struct np_timer gone;	/* the next look at a missing file */
	uint64_t (*now_ms)(void);
	bool dir_failing;	/* last scan could not read the directory */
	bool watch_failing;	/* the watch could not be set up */
	bool synced;		/* a complete scan fed the model */
	struct mf_file *files;	/* sorted by name */
	size_t n_files;
};

#define container_of(p, type, member) \
	((type *)((char *)(p) - offsetof(type, member)))

static void file_free(struct mf_file *f)
{
	free(f->name);
	free(f->path);
	np_yaml_docs_free(f->docs, f->n_docs);
	free(f->objs);
	memset(f, 0, sizeof(*f));
}

static void files_free(struct mf_file *files, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		file_free(&files[i]);
	free(files);
}

/* A name the scan reads: not hidden, ending in .yaml, .yml or .json. */
static bool manifest_name(const char *name)
{
	size_t len = strlen(name);
	static const char *const sfx[] = { ".yaml", ".yml", ".json" };
	size_t i, l;

	if (name[0] == '.')
		return false;
	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		l = strlen(sfx[i]);
		if (len > l && !strcmp(name + len - l, sfx[i]))
			return true;
	}
	return false;
}

/* Reads a whole regular file (following links). 0 or -errno; -EFBIG past
 * MF_MAX_FILE, -EINVAL for something not a regular file. */
static int read_file(int dirfd, const char *name, char **out, size_t *len)
{
	struct stat st;
	size_t cap, n = 0;
	char *buf = NULL, *nb;
	ssize_t r;
	int fd, ret;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		goto out;
	}
	if (st.st_size > MF_MAX_FILE) {
		ret = -EFBIG;
		goto out;
	}
	cap = (size_t)st.st_size + 1;
	buf = malloc(cap);
	if (!buf) {
		ret = -ENOMEM;
		goto out;
	}
	for (;;) {
		if (n == cap) {	/* it grew while we read */
			if (cap > MF_MAX_FILE) {
				ret = -EFBIG;
				goto out;
			}
			nb = realloc(buf, 2 * cap);
			if (!nb) {
				ret = -ENOMEM;
				goto out;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			goto out;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	*out = buf;
	*len = n;
	buf = NULL;
	ret = 0;
out:
	free(buf);
	close(fd);
	return ret;
}

/* "PATH:LINE" or "PATH:LINE: items[I]" of an object, for messages. */
static const char *where(const struct mf_file *f, unsigned int line, int item,
			 char *buf, size_t len)
{
	if (item >= 0)
		snprintf(buf, len, "%s:%u: items[%d]", f->path, line, item);
	else
		snprintf(buf, len, "%s:%u", f->path, line);
	return buf;
}

static const char *type_name(const cJSON *v)
{
	if (cJSON_IsArray(v))
		return "a list";
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsNull(v))
		return "null";
	return "an object";
}

static int obj_add(struct mf_file *f, const struct mf_obj *o)
{
	if (f->n_objs == f->cap_objs) {
		size_t cap = f->cap_objs ? 2 * f->cap_objs : 8;
		struct mf_obj *n = realloc(f->objs, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		f->objs = n;
		f->cap_objs = cap;
	}
	f->objs[f->n_objs++] = *o;
	return 0;
}

/*
 * Takes one object of a document (item -1) or of a List's items: checks
 * what the scan needs (kind, name, namespace; the model checks the rest),
 * defaults metadata.namespace to "default" for namespaced kinds as the
 * API does, and records it. Problems are logged; only -ENOMEM is returned.
 */
static int take_object(struct mf_file *f, cJSON *obj, unsigned int line,
		       int item)
{
	const char *api, *kind_s, *name, *ns = "";
	cJSON *meta, *nsv;
	struct mf_obj o;
	char at[PATH_MAX + 64];
	int kind;

	where(f, line, item, at, sizeof(at));
	if (!cJSON_IsObject(obj)) {
		np_log_error("%s: an object (a mapping) was expected, not %s",
			     at, type_name(obj));
		return 0;
	}
	api = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj,
							"apiVersion"));
	kind_s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj,
							"kind"));
	if (!api || !kind_s) {
		np_log_error("%s: \"%s\" is missing or not a string", at,
			     !api ? "apiVersion" : "kind");
		return 0;
	}
	kind = np_kind_of(api, kind_s);
	if (kind < 0) {
		np_log_debug("%s: ignoring %s %s (not a kind nodeplane uses)",
			     at, api, kind_s);
		return 0;
	}
	meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(meta,
							"name"));
	if (!cJSON_IsObject(meta) || !name || !*name) {
		np_log_error("%s: %s: metadata.name is missing or not a string",
			     at, kind_s);
		return 0;
	}
	if (np_kind_namespaced((enum np_kind)kind)) {
		nsv = cJSON_GetObjectItemCaseSensitive(meta, "namespace");
		if (nsv && !cJSON_IsNull(nsv) && !cJSON_IsString(nsv)) {
			np_log_error("%s: %s %s: metadata.namespace is %s, not a string",
				     at, kind_s, name, type_name(nsv));
			return 0;
		}
		ns = cJSON_GetStringValue(nsv);
		if (!ns || !*ns) {
			/* Like kubectl apply without -n. */
			cJSON_DeleteItemFromObjectCaseSensitive(meta,
								"namespace");
			nsv = cJSON_AddStringToObject(meta, "namespace",
						      "default");
			if (!nsv)
				return -ENOMEM;
			ns = nsv->valuestring;
		}
	}
	o = (struct mf_obj){
		.kind = (enum np_kind)kind,
		.ns = ns,
		.name = name,
		.obj = obj,
		.line = line,
		.item = item,
	};
	return obj_add(f, &o);
}

/* "List", or "<Kind>List" as the API serves lists. */
static bool is_list(const char *kind)
{
	size_t len = strlen(kind);

	return len >= 4 && !strcmp(kind + len - 4, "List");
}

static int take_list(struct mf_file *f, cJSON *list, const char *kind,
		     unsigned int line)
{
	const char *api = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(list, "apiVersion"));
	cJSON *items = cJSON_GetObjectItemCaseSensitive(list, "items");
	size_t klen = strlen(kind) - 4;
	char item_kind[128];
	cJSON *it;
	int i = 0, ret;

	if (!items || cJSON_IsNull(items))
		return 0;
	if (!cJSON_IsArray(items)) {
		np_log_error("%s:%u: %s: items is %s, not a list", f->path,
			     line, kind, type_name(items));
		return 0;
	}
	/* Items of a typed list (NodeList) may leave out their kind and
	 * apiVersion, as the API's list responses do. */
	snprintf(item_kind, sizeof(item_kind), "%.*s", (int)klen, kind);
	cJSON_ArrayForEach(it, items) {
		if (klen && api && cJSON_IsObject(it) &&
		    !cJSON_GetObjectItemCaseSensitive(it, "kind")) {
			if (!cJSON_AddStringToObject(it, "kind", item_kind))
				return -ENOMEM;
			if (!cJSON_GetObjectItemCaseSensitive(it, "apiVersion") &&
			    !cJSON_AddStringToObject(it, "apiVersion", api))
				return -ENOMEM;
		}
		ret = take_object(f, it, line, i++);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* Finds the objects of f's documents. */
static int file_objects(struct mf_file *f)
{
	const char *kind;
	cJSON *root;
	size_t i;
	int ret;

	f->n_objs = 0;
	for (i = 0; i < f->n_docs; i++) {
		root = f->docs[i].root;
		if (!root)
			continue;
		kind = cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(root, "kind"));
		if (kind && is_list(kind))
			ret = take_list(f, root, kind, f->docs[i].line);
		else
			ret = take_object(f, root, f->docs[i].line, -1);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* Reads and parses one file into f (name and path set). 0, or -errno
 * with the failure logged. */
static int file_read(struct mf_file *f, int dirfd)
{
	char err[512];
	char *text = NULL;
	size_t len = 0;
	int ret;

	ret = read_file(dirfd, f->name, &text, &len);
	if (ret < 0) {
		if (ret == -EFBIG)
			snprintf(err, sizeof(err), "%s: larger than %d MiB",
				 f->path, MF_MAX_FILE >> 20);
		else if (ret == -EINVAL)
			snprintf(err, sizeof(err), "%s: not a regular file",
				 f->path);
		else
			snprintf(err, sizeof(err), "%s: %s", f->path,
				 strerror(-ret));
		goto fail;
	}
	ret = np_yaml_parse(f->path, text, len, &f->docs, &f->n_docs, err,
			    sizeof(err));
	free(text);
	if (ret < 0) {
		ret = -EINVAL;
		goto fail;
	}
	ret = file_objects(f);
	if (ret < 0) {
		snprintf(err, sizeof(err), "%s: out of memory", f->path);
		goto fail;
	}
	return 0;
fail:
	np_yaml_docs_free(f->docs, f->n_docs);
	f->docs = NULL;
	f->n_docs = 0;
	f->n_objs = 0;
	np_log_error("%s", err);
	return ret;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names of the directory's manifest files. */
static int list_dir(DIR *d, char ***out, size_t *n)
{
	char **names = NULL, **nn;
	size_t cap = 0, cnt = 0;
	struct dirent *de;
	struct stat st;
	int ret;

	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno) {
				ret = -errno;
				goto err;
			}
			break;
		}
		if (!manifest_name(de->d_name))
			continue;
		/* Directories (and fifos, devices) are not manifests; a
		 * name that cannot be stat'ed is tried, and fails, as a
		 * file, so its previous objects are kept. */
		if (!fstatat(dirfd(d), de->d_name, &st, 0) &&
		    !S_ISREG(st.st_mode)) {
			np_log_debug("manifests: ignoring %s: not a regular file",
				     de->d_name);
			continue;
		}
		if (cnt == cap) {
			cap = cap ? 2 * cap : 16;
			nn = realloc(names, cap * sizeof(*nn));
			if (!nn) {
				ret = -ENOMEM;
				goto err;
			}
			names = nn;
		}
		names[cnt] = strdup(de->d_name);
		if (!names[cnt]) {
			ret = -ENOMEM;
			goto err;
		}
		cnt++;
	}
	if (cnt)
		qsort(names, cnt, sizeof(*names), name_cmp);
	*out = names;
	*n = cnt;
	return 0;
err:
	while (cnt)
		free(names[--cnt]);
	free(names);
	return ret;
}

/* The old entry of a name, or NULL (files sorted by name). */
static struct mf_file *old_file(struct np_manifests *mf, const char *name)
{
	size_t lo = 0, hi = mf->n_files, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(mf->files[mid].name, name);
		if (!c)
			return &mf->files[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* An object of the scan, by position, for the duplicate search. */
struct mf_ref {
	const struct mf_obj *o;
	size_t file, idx;
};

static int ref_cmp(const void *a, const void *b)
{
	const struct mf_ref *x = a, *y = b;
	int c;

	if (x->o->kind != y->o->kind)
		return x->o->kind < y->o->kind ? -1 : 1;
	c = strcmp(x->o->ns, y->o->ns);
	if (!c)
		c = strcmp(x->o->name, y->o->name);
	if (c)
		return c;
	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void obj_title(const struct mf_obj *o, char *buf, size_t len)
{
	if (*o->ns)
		snprintf(buf, len, "%s %s/%s", np_kind_name(o->kind), o->ns,
			 o->name);
	else
		snprintf(buf, len, "%s %s", np_kind_name(o->kind), o->name);
}

/* Marks every object defined earlier in the scan (by file name, then
 * position) as shadowed, and logs it. */
static int mark_duplicates(struct np_manifests *mf)
{
	char at[PATH_MAX + 64], first[PATH_MAX + 64], title[512];
	struct mf_ref *refs;
	size_t i, j, n = 0;

	for (i = 0; i < mf->n_files; i++)
		n += mf->files[i].n_objs;
	if (!n)
		return 0;
	refs = malloc(n * sizeof(*refs));
	if (!refs)
		return -ENOMEM;
	n = 0;
	for (i = 0; i < mf->n_files; i++) {
		for (j = 0; j < mf->files[i].n_objs; j++) {
			mf->files[i].objs[j].shadowed = false;
			refs[n++] = (struct mf_ref){ &mf->files[i].objs[j],
						     i, j };
		}
	}
	qsort(refs, n, sizeof(*refs), ref_cmp);
	for (i = 1, j = 0; i < n; i++) {
		const struct mf_obj *o = refs[i].o, *w = refs[j].o;

		if (o->kind != w->kind || strcmp(o->ns, w->ns) ||
		    strcmp(o->name, w->name)) {
			j = i;
			continue;
		}
		mf->files[refs[i].file].objs[refs[i].idx].shadowed = true;
		obj_title(o, title, sizeof(title));
		np_log_error("%s: %s is also defined at %s; the first is used",
			     where(&mf->files[refs[i].file], o->line, o->item,
				   at, sizeof(at)),
			     title,
			     where(&mf->files[refs[j].file], w->line, w->item,
				   first, sizeof(first)));
	}
	free(refs);
	return 0;
}

/* Feeds the model; sync frames only when sync is true. */
static void feed(struct np_manifests *mf, bool sync)
{
	char err[512], at[PATH_MAX + 64];
	const struct mf_obj *o;
	size_t i, j;
	int k, ret;

	for (k = 0; k < NP_KIND_COUNT; k++) {
		if (sync)
			np_model_sync_begin(mf->m, (enum np_kind)k);
		for (i = 0; i < mf->n_files; i++) {
			for (j = 0; j < mf->files[i].n_objs; j++) {
				o = &mf->files[i].objs[j];
				if ((int)o->kind != k || o->shadowed)
					continue;
				err[0] = '\0';
				ret = np_model_upsert(mf->m, o->kind, o->obj,
						      err, sizeof(err));
				if (ret == -EINVAL)
					np_log_error("%s: %s",
						     where(&mf->files[i],
							   o->line, o->item,
							   at, sizeof(at)),
						     err);
				else if (ret < 0)
					np_log_error("%s: %s",
						     where(&mf->files[i],
							   o->line, o->item,
							   at, sizeof(at)),
						     strerror(-ret));
			}
		}
		if (sync)
			np_model_sync_end(mf->m, (enum np_kind)k);
	}
}

static int file_cmp(const void *a, const void *b)
{
	return strcmp(((const struct mf_file *)a)->name,
		      ((const struct mf_file *)b)->name);
}

/*
 * The files of the last scan that this one (*files, n of them, sorted)
 * does not list. `rm f; cp g f` must not delete f's objects for the
 * moment in between: a file is dropped only when a scan at least
 * MF_GONE_MS after the first that missed it still misses it. Until then
 * its last objects are carried into *files (re-sorted) and a rescan is
 * armed for the moment it may be dropped. 0 or -ENOMEM.
 */
static int keep_missing(struct np_manifests *mf, struct mf_file **files,
			size_t *n)
{
	uint64_t now = mf->now_ms(), wait = 0;
	struct mf_file *v, *old, key;
	size_t i, extra = 0, m = *n;

	for (i = 0; i < mf->n_files; i++) {
		key.name = mf->files[i].name;
		if (mf->files[i].good &&
		    !bsearch(&key, *files, *n, sizeof(key), file_cmp))
			extra++;
	}
	if (!extra)
		return 0;
	v = realloc(*files, (*n + extra) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	*files = v;
	for (i = 0; i < mf->n_files; i++) {
		old = &mf->files[i];
		key.name = old->name;
		if (!old->good || bsearch(&key, v, *n, sizeof(key), file_cmp))
			continue;
		if (!old->missing) {
			old->missing = true;
			old->missing_ms = now;
			np_log_info("%s: missing; keeping its %zu object%s until a scan %d ms later still misses it",
				    old->path, old->n_objs,
				    old->n_objs == 1 ? "" : "s", MF_GONE_MS);
		} else if (now - old->missing_ms >= MF_GONE_MS) {
			np_log_info("%s: missing in two scans at least %d ms apart: its objects are deleted",
				    old->path, MF_GONE_MS);
			continue;
		}
		if (!wait || old->missing_ms + MF_GONE_MS - now < wait)
			wait = old->missing_ms + MF_GONE_MS - now;
		v[m++] = *old;		/* moved: the old entry gives it up */
		memset(old, 0, sizeof(*old));
	}
	*n = m;
	qsort(v, m, sizeof(*v), file_cmp);
	if (wait)
		np_timer_arm(mf->lp, &mf->gone, wait);
	return 0;
}

/* Reads the directory and feeds the model. 0, or -errno when the
 * directory itself could not be read (the model is then untouched). */
static int scan(struct np_manifests *mf)
{
	struct mf_file *files = NULL, *f, *old;
	char **names = NULL;
	size_t n = 0, i;
	bool unknown = false;	/* a file broken since it appeared */
	DIR *d;
	int ret;

	d = opendir(mf->dir);
	if (!d)
		return -errno;
	ret = list_dir(d, &names, &n);
	if (ret < 0)
		goto out;
	files = calloc(n ? n : 1, sizeof(*files));
	if (!files) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		f = &files[i];
		f->name = names[i];
		names[i] = NULL;
		if (asprintf(&f->path, "%s/%s", mf->dir, f->name) < 0) {
			f->path = NULL;
			ret = -ENOMEM;
			goto out;
		}
		if (file_read(f, dirfd(d)) == 0) {
			f->good = true;
			continue;
		}
		f->broken = true;
		old = old_file(mf, f->name);
		if (!old || !old->good) {
			unknown = true;
			continue;
		}
		/* Keep what its last good read found. */
		np_log_warning("%s: keeping the %zu object%s of its last good read",
			       f->path, old->n_objs,
			       old->n_objs == 1 ? "" : "s");
		f->good = true;
		f->docs = old->docs;
		f->n_docs = old->n_docs;
		f->objs = old->objs;
		f->n_objs = old->n_objs;
		f->cap_objs = old->cap_objs;
		old->docs = NULL;
		old->n_docs = 0;
		old->objs = NULL;
		old->n_objs = old->cap_objs = 0;
	}
	ret = keep_missing(mf, &files, &n);
	if (ret < 0)
		goto out;
	files_free(mf->files, mf->n_files);
	mf->files = files;
	mf->n_files = n;
	files = NULL;
	n = 0;

	ret = mark_duplicates(mf);
	if (ret < 0)
		goto out;
	/*
	 * A file that never parsed may hold objects programmed before this
	 * daemon started: until one complete scan, do not delete anything.
	 */
	if (unknown && !mf->synced) {
		np_log_warning("manifests: not deleting anything until every file of %s can be read",
			       mf->dir);
		feed(mf, false);
	} else {
		feed(mf, true);
		mf->synced = true;
	}
out:
	if (files)
		files_free(files, n);
	for (i = 0; i < n; i++)
		free(names ? names[i] : NULL);
	free(names);
	closedir(d);
	return ret;
}

static void retry_fire(struct np_timer *t);
static void debounce_fire(struct np_timer *t);

static void unwatch(struct np_manifests *mf)
{
	if (mf->wd >= 0)
		inotify_rm_watch(mf->ino.fd, mf->wd);	/* may be gone already */
	mf->wd = -1;
}

static int rescan(struct np_manifests *mf)
{
	int ret, werr = 0;

	np_timer_cancel(mf->lp, &mf->debounce);
	np_timer_cancel(mf->lp, &mf->retry);
	np_timer_cancel(mf->lp, &mf->gone);
	/* Watch first, so no change after the scan's reads is missed. */
	if (mf->wd < 0) {
		mf->wd = inotify_add_watch(mf->ino.fd, mf->dir, MF_WATCH_MASK);
		if (mf->wd < 0)
			werr = errno;
	}
	ret = scan(mf);
	if (ret < 0) {
		if (!mf->dir_failing)
			np_log_error("manifests directory %s: %s; trying again every %d s",
				     mf->dir, strerror(-ret),
				     MF_RETRY_MS / 1000);
		mf->dir_failing = true;
		unwatch(mf);
		np_timer_arm(mf->lp, &mf->retry, MF_RETRY_MS);
		return ret;
	}
	if (mf->dir_failing)
		np_log_info("manifests directory %s: read", mf->dir);
	mf->dir_failing = false;
	if (mf->wd < 0) {
		/* Readable but not watchable (inotify limits): poll. */
		if (!mf->watch_failing)
			np_log_warning("manifests directory %s: cannot watch it: %s; rescanning every %d s",
				       mf->dir, strerror(werr),
				       MF_RETRY_MS / 1000);
		mf->watch_failing = true;
		np_timer_arm(mf->lp, &mf->retry, MF_RETRY_MS);
	} else {
		mf->watch_failing = false;
	}
	return 0;
}

static void retry_fire(struct np_timer *t)
{
	rescan(container_of(t, struct np_manifests, retry));
}

static void debounce_fire(struct np_timer *t)
{
	rescan(container_of(t, struct np_manifests, debounce));
}

static void gone_fire(struct np_timer *t)
{
	rescan(container_of(t, struct np_manifests, gone));
}

/* Whether an event in the directory can change a scan's result. */
static bool event_matters(struct np_manifests *mf,
			  const struct inotify_event *ev)
{
	struct stat st;
	char path[PATH_MAX];

	if (!ev->len)
		return false;
	/* Kubernetes' atomic writer (ConfigMap and Secret volumes) swaps a
	 * "..data" link that the visible names point through. */
	if (!strncmp(ev->name, "..", 2))
		return true;
	if (!manifest_name(ev->name))
		return false;
	if (!(ev->mask & IN_CREATE))
		return true;
	/* A created file is read once written (IN_CLOSE_WRITE), not half
	 * written; a created link is complete. */
	if (snprintf(path, sizeof(path), "%s/%s", mf->dir, ev->name) >=
	    (int)sizeof(path))
		return true;
	return lstat(path, &st) < 0 || S_ISLNK(st.st_mode);
}

static void inotify_ready(struct np_io *io, uint32_t events)
{
	struct np_manifests *mf = container_of(io, struct np_manifests, ino);
	char buf[4096]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	bool changed = false;
	ssize_t n;
	char *p;

	(void)events;
	for (;;) {
		n = read(io->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (errno != EAGAIN)
				np_log_error("manifests: reading inotify events: %s",
					     strerror(errno));
			break;
		}
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)(void *)p;
			if (ev->mask & IN_Q_OVERFLOW) {
				changed = true;
				continue;
			}
			if (ev->wd != mf->wd || mf->wd < 0)
				continue;	/* an old watch's */
			if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF |
					IN_IGNORED)) {
				np_log_warning("manifests directory %s was removed or moved",
					       mf->dir);
				unwatch(mf);
				changed = true;
			} else if (event_matters(mf, ev)) {
				changed = true;
			}
		}
	}
	if (changed && !np_timer_armed(&mf->debounce))
		np_timer_arm(mf->lp, &mf->debounce, MF_DEBOUNCE_MS);
}

int np_manifests_new(struct np_loop *lp, const char *dir, struct np_model *m,
		     struct np_manifests **out)
{
	struct np_manifests *mf = calloc(1, sizeof(*mf));
	size_t n;
	int ret;

	if (!mf)
		return -ENOMEM;
	mf->lp = lp;
	mf->m = m;
	mf->wd = -1;
	mf->debounce.fire = debounce_fire;
	mf->retry.fire = retry_fire;
	mf->gone.fire = gone_fire;
	mf->now_ms = np_now_ms;
	mf->dir = strdup(dir);
	if (!mf->dir) {
		free(mf);
		return -ENOMEM;
	}
	/* "dir/" names its files "dir/name", not "dir//name". */
	for (n = strlen(mf->dir); n > 1 && mf->dir[n - 1] == '/'; n--)
		mf->dir[n - 1] = '\0';
	mf->ino.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	mf->ino.ready = inotify_ready;
	if (mf->ino.fd < 0) {
		ret = -errno;
		np_log_error("manifests: inotify_init1: %s", strerror(-ret));
		goto err;
	}
	ret = np_loop_add(lp, &mf->ino, EPOLLIN);
	if (ret < 0) {
		np_log_error("manifests: watching the inotify fd: %s",
			     strerror(-ret));
		goto err;
	}
	np_log_info("manifests: reading %s", dir);
	rescan(mf);
	*out = mf;
	return 0;
err:
	if (mf->ino.fd >= 0)
		close(mf->ino.fd);
	free(mf->dir);
	free(mf);
	return ret;
}

void np_manifests_free(struct np_manifests *mf)
{
	if (!mf)
		return;
	np_timer_cancel(mf->lp, &mf->debounce);
	np_timer_cancel(mf->lp, &mf->retry);
	np_timer_cancel(mf->lp, &mf->gone);
	np_loop_del(mf->lp, &mf->ino);
	close(mf->ino.fd);
	files_free(mf->files, mf->n_files);
	free(mf->dir);
	free(mf);
}

int np_manifests_rescan(struct np_manifests *mf)
{
	return rescan(mf);
}

void np_manifests_set_clock(struct np_manifests *mf, uint64_t (*now_ms)(void))
{
	mf->now_ms = now_ms ? now_ms : np_now_ms;
}
