/* connectors/sales_inbox.c - sales-note files dropped into a folder, one file
 * per batch.
 *
 * A file is read only when it looks finished: a regular, non-hidden *.csv or
 * *.json (not *.part / *.tmp) whose modification time is at least settle_s
 * old and whose size and mtime did not change while it was read. After its
 * mentions are committed, connector_ack moves it to processed/ (with a
 * NAME.errors file listing rejected rows, if any); a file that cannot be
 * read as a whole goes to failed/ with a NAME.error saying why. A crash
 * between the commit and the move leaves the file in the inbox: the next
 * run imports it again and, the ids being stable, adds nothing.
 *
 * The inbox is a folder other people write to: processed/ and failed/ are
 * used only when they are real folders of this process's user that nobody
 * else may write, a move never replaces a file there, and the files written
 * beside (.errors, .error) are new files, never followed through a symlink.
 * Started as root, the process runs as run.user: the inbox must be that
 * user's to write. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "connectors/sales.h"
#include "connectors/source.h"

#define INBOX_MAX_SEEN 4096

struct inbox {
	const struct connector_config *cfg;
	char **seen; /* names already tried in this run */
	int nseen;
};

struct inbox_ack {
	char *path;   /* the file to move */
	char *errors; /* rejected rows, one per line, or NULL */
};

static void *inbox_create(const struct connector_config *cfg, bool *configured, struct err *err)
{
	struct inbox *s = calloc(1, sizeof(*s));
	if (!s) {
		err_set(err, "out of memory");
		return NULL;
	}
	s->cfg = cfg;
	*configured = cfg->sales_inbox_dir && *cfg->sales_inbox_dir;
	return s;
}

static void inbox_rewind(void *state)
{
	struct inbox *s = state;
	for (int i = 0; i < s->nseen; i++)
		free(s->seen[i]);
	free(s->seen);
	s->seen = NULL;
	s->nseen = 0;
}

static void inbox_destroy(void *state)
{
	if (!state)
		return;
	inbox_rewind(state);
	free(state);
}

static void ack_free(void *p)
{
	struct inbox_ack *a = p;
	if (!a)
		return;
	free(a->path);
	free(a->errors);
	free(a);
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);
	return n > k && strcasecmp(s + n - k, suf) == 0;
}

static bool seen(const struct inbox *s, const char *name)
{
	for (int i = 0; i < s->nseen; i++)
		if (strcmp(s->seen[i], name) == 0)
			return true;
	return false;
}

static void mark_seen(struct inbox *s, const char *name)
{
	if (s->nseen >= INBOX_MAX_SEEN)
		return;
	char **p = realloc(s->seen, (size_t)(s->nseen + 1) * sizeof(*p));
	if (!p)
		return;
	s->seen = p;
	if ((s->seen[s->nseen] = strdup(name)))
		s->nseen++;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The oldest-named candidate not tried in this run (new), or NULL. */
static char *next_candidate(struct inbox *s, struct err *err, int *rc)
{
	*rc = 0;
	DIR *d = opendir(s->cfg->sales_inbox_dir);
	if (!d) {
		*rc = err_set(err, "cannot open the sales inbox %s: %s", s->cfg->sales_inbox_dir,
		              strerror(errno));
		return NULL;
	}
	char *best = NULL;
	time_t now = time(NULL);
	struct dirent *e;
	while ((e = readdir(d))) {
		const char *n = e->d_name;
		if (n[0] == '.' || !(has_suffix(n, ".csv") || has_suffix(n, ".json")) ||
		    seen(s, n) || (best && cmp_str(&n, &best) >= 0))
			continue;
		struct stat st;
		if (fstatat(dirfd(d), n, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (st.st_mtime > now - s->cfg->sales_settle_s)
			continue; /* still being written, perhaps: next run */
		free(best);
		best = strdup(n);
	}
	closedir(d);
	return best;
}

static char *read_stable(const char *path, size_t *len, bool *unstable, struct err *err)
{
	*unstable = false;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat a, b;
	if (fd < 0 || fstat(fd, &a) < 0) {
		err_set(err, "cannot read %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if ((size_t)a.st_size > SALES_MAX_BYTES) {
		close(fd);
		err_set(err, "%s is larger than %zu bytes", path, SALES_MAX_BYTES);
		return NULL;
	}
	char *buf = malloc((size_t)a.st_size + 1);
	size_t got = 0;
	ssize_t n = 0;
	while (buf && got < (size_t)a.st_size &&
	       (n = read(fd, buf + got, (size_t)a.st_size - got)) > 0)
		got += (size_t)n;
	int saved = errno;
	bool changed = fstat(fd, &b) < 0 || b.st_size != a.st_size ||
	               b.st_mtim.tv_sec != a.st_mtim.tv_sec || b.st_mtim.tv_nsec != a.st_mtim.tv_nsec;
	close(fd);
	if (!buf || n < 0) {
		free(buf);
		err_set(err, "cannot read %s: %s", path, buf ? strerror(saved) : "out of memory");
		return NULL;
	}
	if (changed || got != (size_t)a.st_size) {
		free(buf);
		*unstable = true;
		return NULL;
	}
	buf[got] = '\0';
	*len = got;
	return buf;
}

/* The inbox's sub-folder sub (processed/, failed/), created if missing, as
 * an open descriptor (new), or -1 and *err. It must be a real folder of ours
 * that nobody else may write: a symlink planted there, or a folder another
 * user made, would have us move sales notes and write files wherever it
 * points. */
static int open_subdir(const char *dir, const char *sub, struct err *err)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return err_set(err, "cannot open the sales inbox %s: %s", dir, strerror(errno));
	if (mkdirat(dfd, sub, 0750) < 0 && errno != EEXIST) {
		err_set(err, "cannot create %s/%s: %s", dir, sub, strerror(errno));
		close(dfd);
		return -1;
	}
	int fd = openat(dfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int saved = errno;
	close(dfd);
	if (fd < 0)
		return err_set(err, "%s/%s is a symlink or not a folder (%s): refusing to use it",
		               dir, sub, strerror(saved));
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022)) {
		err_set(
		    err,
		    "%s/%s belongs to another user or is writable by others: refusing to use it",
		    dir, sub);
		close(fd);
		return -1;
	}
	return fd;
}

/* Moves dir/name into dir/sub/ without replacing anything there: a name
 * taken gets a suffix. *dest_name: the name it got; *subfd: sub/, open (the
 * caller closes it). */
static int move_to(const char *dir, const char *sub, const char *name, char *dest_name,
                   size_t destlen, int *subfd, struct err *err)
{
	char src[4096];
	snprintf(src, sizeof(src), "%s/%s", dir, name);
	int fd = open_subdir(dir, sub, err);
	if (fd < 0)
		return -1;
	snprintf(dest_name, destlen, "%s", name);
	for (int i = 0;; i++) {
		if (renameat2(AT_FDCWD, src, fd, dest_name, RENAME_NOREPLACE) == 0)
			break;
		if (errno != EEXIST || i == 100) {
			err_set(err, "cannot move %s to %s/%s: %s", src, dir, sub, strerror(errno));
			close(fd);
			return -1;
		}
		snprintf(dest_name, destlen, "%s.%ld.%d", name, (long)time(NULL), i);
	}
	*subfd = fd;
	return 0;
}

/* Writes text to a new file name in folder fd: never through a symlink, never
 * over an existing file. */
static int write_text(int fd, const char *name, const char *text, struct err *err)
{
	int out = openat(fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
	FILE *f = out >= 0 ? fdopen(out, "w") : NULL;
	if (!f) {
		if (out >= 0)
			close(out);
		return err_set(err, "cannot write %s: %s", name, strerror(errno));
	}
	fputs(text, f);
	return fclose(f) == 0 ? 0 : err_set(err, "cannot write %s: %s", name, strerror(errno));
}

static int parse(const char *name, const char *data, size_t len, struct sales_batch *out,
                 struct err *err)
{
	return has_suffix(name, ".json") ? sales_parse_json(data, len, out, err)
	                                 : sales_parse_csv(data, len, out, err);
}

static char *row_errors(const char *name, const struct sales_batch *sb)
{
	if (!sb->nerrors)
		return NULL;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	for (int i = 0; i < sb->nerrors; i++)
		fprintf(f, "%s:%d: %s%s%s\n", name, sb->errors[i].line, sb->errors[i].field,
		        sb->errors[i].field[0] ? ": " : "", sb->errors[i].msg);
	fclose(f);
	return text;
}

/* The batch takes file name's parsed mentions (sb keeps the row errors),
 * and the acknowledgement that moves the file away. -1 when out of memory. */
static int take_parsed(const char *name, struct sales_batch *sb, struct connector_batch *b)
{
	b->mentions = sb->mentions;
	b->nmentions = b->cap = sb->nmentions;
	b->errors = sb->nerrors;
	sb->mentions = NULL;
	sb->nmentions = 0;
	struct inbox_ack *a = calloc(1, sizeof(*a));
	if (a && (a->path = strdup(name)))
		a->errors = row_errors(name, sb);
	b->ack_data = a;
	b->ack_free = ack_free;
	if (asprintf(&b->note, "%s: %d rows, %d rejected", name, b->nmentions, b->errors) < 0)
		b->note = NULL;
	return a && a->path ? 0 : -1;
}

/* A file unreadable as a whole: out of the way into failed/, with the
 * reason (why) beside it. */
static void set_aside(const struct inbox *s, const char *name, const char *why,
                      struct connector_batch *b)
{
	char dest[300], path[320];
	struct err merr = {0};
	int fd;
	if (move_to(s->cfg->sales_inbox_dir, "failed", name, dest, sizeof(dest), &fd, &merr) == 0) {
		snprintf(path, sizeof(path), "%s.error", dest);
		char msg[700];
		snprintf(msg, sizeof(msg), "%s\n", why);
		(void)write_text(fd, path, msg, &merr); /* the reason is a courtesy */
		close(fd);
	}
	b->errors = 1;
	if (asprintf(&b->note, "%s: moved to failed/: %s", name, why) < 0)
		b->note = NULL;
}

static int inbox_fetch(void *state, const char *cursor, struct connector_batch *b,
                       long *retry_after, struct err *err)
{
	struct inbox *s = state;
	(void)retry_after;
	int rc;
	char *name = next_candidate(s, err, &rc);
	if (rc < 0)
		return -1;
	if (name) {
		mark_seen(s, name);
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", s->cfg->sales_inbox_dir, name);
		size_t len = 0;
		bool unstable = false;
		struct err ferr = {0};
		char *data = read_stable(path, &len, &unstable, &ferr);
		struct sales_batch sb = {0};
		if (data && parse(name, data, len, &sb, &ferr) == 0)
			rc = take_parsed(name, &sb, b);
		else if (!unstable) /* one still being written waits for a later run */
			set_aside(s, name, ferr.msg, b);
		sales_batch_clear(&sb);
		free(data);
		free(name);
		if (rc < 0)
			return err_set(err, "out of memory");
	} else {
		b->done = true;
	}
	/* the inbox is its own cursor: what is left in it */
	b->next_cursor = strdup(cursor);
	return b->next_cursor ? 0 : err_set(err, "out of memory");
}

static int inbox_ack(void *state, struct connector_batch *b, struct err *err)
{
	struct inbox *s = state;
	struct inbox_ack *a = b->ack_data;
	if (!a || !a->path)
		return 0;
	char dest[300];
	int fd;
	if (move_to(s->cfg->sales_inbox_dir, "processed", a->path, dest, sizeof(dest), &fd, err) <
	    0)
		return -1;
	int rc = 0;
	if (a->errors) {
		char p[320];
		snprintf(p, sizeof(p), "%s.errors", dest);
		rc = write_text(fd, p, a->errors, err);
	}
	close(fd);
	return rc;
}

const struct source_ops sales_source = {
    .create = inbox_create,
    .rewind = inbox_rewind,
    .fetch = inbox_fetch,
    .ack = inbox_ack,
    .destroy = inbox_destroy,
};
