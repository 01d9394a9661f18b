/* intake/app/pgembed.c - see pgembed.h. Child processes (initdb, pg_ctl) run with
 * every inherited descriptor closed, so the postmaster they leave behind never
 * holds our listening socket or our owner lock. */
#include "intake/app/pgembed.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "db/db.h"
#include "triage/text.h"

#define PG_SOCKET_NAME "/.s.PGSQL.5432"
#define SOCKET_PATH_MAX 100 /* sun_path is 108 bytes with the NUL */
#define START_TIMEOUT_S 60

struct pgembed {
	char datadir[PATH_MAX];
	char sockdir[PATH_MAX];
	char bindir[PATH_MAX];
	char conninfo[PATH_MAX + 128];
	char extra[PATH_MAX];
	char user[64];
	int lock_fd;
	bool owner, detach, as_user;
	uid_t uid;
	gid_t gid;
};

/* Drops to the server user in a child; never returns on failure. After the
 * whole process dropped to that user (app_drop_privileges) there is nothing
 * left to drop. */
static void child_become(const struct pgembed *pg)
{
	if (pg->as_user && geteuid() == 0 &&
	    (setgroups(0, NULL) < 0 || setgid(pg->gid) < 0 || setuid(pg->uid) < 0))
		_exit(126);
	if (chdir("/") < 0)
		_exit(126);
}

/* Runs argv (as the server user when root), capturing the tail of its output in out.
 * Returns its exit status, or -1 when it could not be run. */
static int run(const struct pgembed *pg, char *const argv[], char *out, size_t outlen)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(p[1], 1) < 0 || dup2(p[1], 2) < 0)
			_exit(126);
		closefrom(3);
		child_become(pg);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	size_t used = 0;
	char buf[1024];
	ssize_t n;
	if (outlen)
		out[0] = '\0';
	while ((n = read(p[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)) {
		if (n <= 0 || outlen < 2)
			continue;
		/* keep the last outlen-1 bytes: the end of a log says what failed */
		size_t take = (size_t)n > outlen - 1 ? outlen - 1 : (size_t)n;
		if (used + take > outlen - 1) {
			size_t drop = used + take - (outlen - 1);
			memmove(out, out + drop, used - drop);
			used -= drop;
		}
		memcpy(out + used, buf + n - take, take);
		used += take;
		out[used] = '\0';
	}
	close(p[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* True when the server user can read, write and enter path. */
static bool reachable(const struct pgembed *pg, const char *path)
{
	pid_t pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		closefrom(3);
		child_become(pg);
		_exit(access(path, R_OK | W_OK | X_OK) == 0 ? 0 : 1);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static int mkdir_p(const char *path, mode_t mode)
{
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, mode) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* Creates dir for the server user, mode 0700 as PostgreSQL requires. */
static int prepare_dir(const struct pgembed *pg, const char *dir, struct err *err)
{
	if (mkdir_p(dir, 0700) < 0)
		return err_set(err, "cannot create %s: %s", dir, strerror(errno));
	if (pg->as_user && chown(dir, pg->uid, pg->gid) < 0)
		return err_set(err, "cannot give %s to user %s: %s", dir, pg->user,
		               strerror(errno));
	if (chmod(dir, 0700) < 0)
		return err_set(err, "cannot chmod %s: %s", dir, strerror(errno));
	return 0;
}

/* A folder in a place anyone may write (/var/tmp, /tmp) under a name known
 * in advance: another local user may have made it first, or left a symlink
 * there, hoping root would chown or fill what it points at. Created 0700, or
 * accepted only when it is a real folder (not a symlink), owned by us or by
 * the server user, and writable by nobody else; then given to the server
 * user through the descriptor, so the checked folder is the one changed. */
static int claim_shared_dir(const struct pgembed *pg, const char *dir, struct err *err)
{
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return err_set(err, "cannot create %s: %s", dir, strerror(errno));
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_set(
		    err, "%s is a symlink or not a folder (%s): refusing to use it; remove it", dir,
		    strerror(errno));
	struct stat st;
	uid_t server = pg->as_user ? pg->uid : geteuid();
	int rc = 0;
	if (fstat(fd, &st) < 0)
		rc = err_set(err, "cannot stat %s: %s", dir, strerror(errno));
	else if ((st.st_uid != geteuid() && st.st_uid != server) || (st.st_mode & 022))
		rc = err_set(err,
		             "%s belongs to uid %u or is writable by others (mode %o): refusing to "
		             "use it; remove it",
		             dir, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
	else if (pg->as_user && geteuid() == 0 && fchown(fd, pg->uid, pg->gid) < 0)
		rc = err_set(err, "cannot give %s to user %s: %s", dir, pg->user, strerror(errno));
	else if (fchmod(fd, 0700) < 0)
		rc = err_set(err, "cannot chmod %s: %s", dir, strerror(errno));
	close(fd);
	return rc;
}

static int check_binaries(const char *bindir, struct err *err)
{
	const char *names[] = {"initdb", "pg_ctl", "postgres"};
	for (size_t i = 0; i < 3; i++) {
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/%s", bindir, names[i]);
		if (access(path, X_OK) < 0)
			return err_set(err,
				       "PostgreSQL server program %s not found: install the Debian "
				       "packages postgresql-15 and postgresql-contrib, or set "
				       "DATABASE_URL to use an existing server",
				       path);
	}
	return 0;
}

/* Resolves where the cluster lives: the configured folder when the server user
 * can reach it, else a folder under /var/tmp named after it. */
static int choose_dirs(struct pgembed *pg, const char *dir, struct err *err)
{
	char abs[PATH_MAX];
	if (dir[0] == '/') {
		snprintf(abs, sizeof(abs), "%s", dir);
	} else {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof(cwd)))
			return err_set(err, "cannot read the current folder: %s", strerror(errno));
		if (snprintf(abs, sizeof(abs), "%s/%s", cwd, dir) >= (int)sizeof(abs))
			return err_set(err, "embedded.dir path is too long");
	}
	if (strchr(abs, '\''))
		return err_set(err, "embedded.dir must not contain a quote: %s", abs);
	if (prepare_dir(pg, abs, err) < 0)
		return -1;
	if (reachable(pg, abs)) {
		snprintf(pg->datadir, sizeof(pg->datadir), "%s", abs);
	} else {
		/* e.g. a checkout under /root, which the server user may not enter */
		char base[PATH_MAX];
		snprintf(base, sizeof(base), "/var/tmp/ideatriage-%s-%012llx", pg->user,
		         (unsigned long long)(text_hash(abs) & 0xffffffffffffULL));
		snprintf(pg->datadir, sizeof(pg->datadir), "%s/pg", base);
		if (claim_shared_dir(pg, base, err) < 0 ||
		    claim_shared_dir(pg, pg->datadir, err) < 0)
			return -1;
		if (!reachable(pg, pg->datadir))
			return err_set(err, "user %s can reach neither %s nor %s", pg->user, abs,
			               pg->datadir);
	}
	if (strlen(pg->datadir) + strlen(PG_SOCKET_NAME) <= SOCKET_PATH_MAX) {
		snprintf(pg->sockdir, sizeof(pg->sockdir), "%s", pg->datadir);
	} else {
		snprintf(pg->sockdir, sizeof(pg->sockdir), "/tmp/ideatriage-%s-%012llx", pg->user,
		         (unsigned long long)(text_hash(pg->datadir) & 0xffffffffffffULL));
		if (claim_shared_dir(pg, pg->sockdir, err) < 0)
			return -1;
	}
	return 0;
}

/* A postmaster.pid naming a live process that is not postgres (the pid was
 * reused after a crash) would make PostgreSQL refuse to start: remove it. */
static void remove_stale_pidfile(const struct pgembed *pg)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/postmaster.pid", pg->datadir);
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	long pid = 0;
	if (fscanf(f, "%ld", &pid) != 1)
		pid = 0;
	fclose(f);
	if (pid <= 0)
		return;
	if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
		return; /* dead: PostgreSQL itself ignores such a file */
	char comm_path[64], comm[64] = "";
	snprintf(comm_path, sizeof(comm_path), "/proc/%ld/comm", pid);
	FILE *c = fopen(comm_path, "r");
	if (c) {
		if (!fgets(comm, sizeof(comm), c))
			comm[0] = '\0';
		fclose(c);
	}
	if (strncmp(comm, "postgres", 8) != 0)
		unlink(path);
}

static bool answers(const struct pgembed *pg)
{
	char ci[PATH_MAX + 64];
	snprintf(ci, sizeof(ci), "host='%s' user=postgres dbname=postgres connect_timeout=2",
		 pg->sockdir);
	return db_ping(ci);
}

static int start_server(struct pgembed *pg, const char *extra, struct err *err)
{
	char pg_ctl[PATH_MAX], opts[PATH_MAX * 2], logfile[PATH_MAX + 32], out[2048];
	snprintf(pg_ctl, sizeof(pg_ctl), "%s/pg_ctl", pg->bindir);
	snprintf(logfile, sizeof(logfile), "%s/server.log", pg->datadir);
	snprintf(opts, sizeof(opts),
		 /* checkpoints spaced so a long import is not a stream of
		  * full-page writes (PostgreSQL's default is 1 GB of WAL);
		  * buffers for the working set of ~100k ideas (their rows,
		  * suggestions and indexes: ~450 MB), which PostgreSQL's 128 MB
		  * default made every import statement evict and re-read
		  * (memory is taken as pages are used, not at start) */
		 "-k '%s' -c listen_addresses='' -c unix_socket_permissions=0700"
		 " -c max_wal_size=4GB -c checkpoint_timeout=15min -c shared_buffers=512MB %s",
		 pg->sockdir,
		 extra ? extra : "");
	char *argv[] = {pg_ctl, "start", "-D",     pg->datadir, "-w", "-t", "60", "-s",
			"-l",   logfile, "-o", opts,        NULL};
	int rc = run(pg, argv, out, sizeof(out));
	if (rc != 0)
		return err_set(err, "PostgreSQL did not start in %s (pg_ctl exit %d): %s; see %s",
			       pg->datadir, rc, out, logfile);
	return 0;
}

static int init_cluster(struct pgembed *pg, struct err *err)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/PG_VERSION", pg->datadir);
	if (access(path, F_OK) == 0)
		return 0;
	char initdb[PATH_MAX], out[2048];
	snprintf(initdb, sizeof(initdb), "%s/initdb", pg->bindir);
	char *argv[] = {initdb,      "-D",      pg->datadir, "-U",         "postgres",
			"--auth=trust", "-E",   "UTF8",      "--no-locale", NULL};
	int rc = run(pg, argv, out, sizeof(out));
	if (rc != 0)
		return err_set(err, "initdb failed in %s (exit %d): %s", pg->datadir, rc, out);
	return 0;
}

static int wait_until_answers(const struct pgembed *pg, struct err *err)
{
	for (int i = 0; i < START_TIMEOUT_S * 10; i++) {
		if (answers(pg))
			return 0;
		nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
	}
	return err_set(err, "PostgreSQL in %s did not answer within %d s", pg->datadir,
		       START_TIMEOUT_S);
}

static int init_identity(struct pgembed *pg, const char *bindir, const char *user, struct err *err)
{
	snprintf(pg->bindir, sizeof(pg->bindir), "%s", bindir);
	snprintf(pg->user, sizeof(pg->user), "%s", user && *user ? user : PGEMBED_USER);
	pg->lock_fd = -1;
	if (check_binaries(bindir, err) < 0)
		return -1;
	pg->as_user = geteuid() == 0;
	if (pg->as_user) {
		/* PostgreSQL refuses to run as root: it runs as the user the whole
		 * process drops to, so stopping or restarting it needs no privilege */
		struct passwd *pw = getpwnam(pg->user);
		if (!pw)
			return err_set(err,
			               "running as root but there is no user '%s' to run as: "
			               "create it (useradd --system --user-group --home-dir "
			               "/nonexistent --shell /usr/sbin/nologin %s; scripts/dev "
			               "does) or set run.user",
			               pg->user, pg->user);
		if (pw->pw_uid == 0)
			return err_set(err, "run.user '%s' is root: name an unprivileged user",
			               pg->user);
		pg->uid = pw->pw_uid;
		pg->gid = pw->pw_gid;
	}
	return 0;
}

/* nftw() passes its callback no argument: set just before the walk, which
 * happens once, at start-up, before any thread runs */
static uid_t adopt_uid;
static gid_t adopt_gid;

static int lchown_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return lchown(path, adopt_uid, adopt_gid) < 0 ? -1 : 0;
}

/* A cluster an older version ran as another user (postgres) becomes the
 * server user's, when it is not running: PostgreSQL refuses a data folder
 * that is not its own. Only root gets here (as_user). */
static int adopt_cluster(const struct pgembed *pg, struct err *err)
{
	struct stat st;
	char version[PATH_MAX + 16];
	snprintf(version, sizeof(version), "%s/PG_VERSION", pg->datadir);
	if (!pg->as_user || stat(version, &st) < 0 || st.st_uid == pg->uid)
		return 0;
	if (answers(pg))
		return err_set(err, "the PostgreSQL in %s runs as uid %u, not as %s: stop it first",
		               pg->datadir, (unsigned)st.st_uid, pg->user);
	adopt_uid = pg->uid;
	adopt_gid = pg->gid;
	if (nftw(pg->datadir, lchown_one, 16, FTW_PHYS) < 0)
		return err_set(err, "cannot give %s to user %s: %s", pg->datadir, pg->user,
		               strerror(errno));
	return 0;
}

struct pgembed *pgembed_start(const struct pgembed_options *opt, struct err *err)
{
	struct pgembed *pg = calloc(1, sizeof(*pg));
	if (!pg) {
		err_set(err, "out of memory");
		return NULL;
	}
	pg->detach = opt->detach;
	snprintf(pg->extra, sizeof(pg->extra), "%s", opt->extra_opts ? opt->extra_opts : "");
	if (init_identity(pg, opt->bindir, opt->user, err) < 0 ||
	    choose_dirs(pg, opt->dir, err) < 0)
		goto fail;

	/* The lock file sits beside the data folder; whoever holds it owns the server. */
	char lockpath[PATH_MAX + 8];
	snprintf(lockpath, sizeof(lockpath), "%s.lock", pg->datadir);
	pg->lock_fd = open(lockpath, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	if (pg->lock_fd < 0) {
		err_set(err, "cannot open %s: %s", lockpath, strerror(errno));
		goto fail;
	}
	pg->owner = flock(pg->lock_fd, LOCK_EX | LOCK_NB) == 0;
	if (pg->owner) {
		if (adopt_cluster(pg, err) < 0 || init_cluster(pg, err) < 0)
			goto fail;
		if (!answers(pg)) {
			remove_stale_pidfile(pg);
			if (start_server(pg, opt->extra_opts, err) < 0)
				goto fail;
		}
		/* else: left running by an owner that died; we adopt and will stop it. */
	}
	if (wait_until_answers(pg, err) < 0)
		goto fail;
	char admin[PATH_MAX + 64];
	snprintf(admin, sizeof(admin), "host='%s' user=postgres dbname=postgres", pg->sockdir);
	if (db_create_database(admin, opt->dbname, err) < 0)
		goto fail;
	snprintf(pg->conninfo, sizeof(pg->conninfo), "host='%s' user=postgres dbname=%s",
		 pg->sockdir, opt->dbname);
	return pg;
fail:
	pg->detach = true; /* a cluster we could not set up stays as it was */
	pgembed_free(pg);
	return NULL;
}

/* The postmaster's pid from its pid file, or 0. */
static long postmaster_pid(const struct pgembed *pg)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/postmaster.pid", pg->datadir);
	FILE *f = fopen(path, "r");
	long pid = 0;
	if (f) {
		if (fscanf(f, "%ld", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	return pid;
}

bool pgembed_alive(const struct pgembed *pg)
{
	long pid = postmaster_pid(pg);
	return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

int pgembed_restart(struct pgembed *pg, struct err *err)
{
	if (!pg->owner)
		return err_set(err, "not the owner of the PostgreSQL in %s", pg->datadir);
	remove_stale_pidfile(pg);
	if (start_server(pg, pg->extra, err) < 0)
		return -1;
	return wait_until_answers(pg, err);
}

const char *pgembed_conninfo(const struct pgembed *pg)
{
	return pg->conninfo;
}

const char *pgembed_datadir(const struct pgembed *pg)
{
	return pg->datadir;
}

bool pgembed_is_owner(const struct pgembed *pg)
{
	return pg->owner;
}

static int stop_server(const struct pgembed *pg, struct err *err)
{
	char pg_ctl[PATH_MAX], pidfile[PATH_MAX + 32], out[1024], datadir[PATH_MAX];
	snprintf(datadir, sizeof(datadir), "%s", pg->datadir);
	snprintf(pidfile, sizeof(pidfile), "%s/postmaster.pid", pg->datadir);
	if (access(pidfile, F_OK) < 0)
		return 0; /* not running */
	snprintf(pg_ctl, sizeof(pg_ctl), "%s/pg_ctl", pg->bindir);
	char *argv[] = {pg_ctl, "stop", "-D", datadir, "-m", "fast",
			"-w",   "-t",   "60", "-s",                NULL};
	int rc = run(pg, argv, out, sizeof(out));
	if (rc != 0 && access(pidfile, F_OK) == 0)
		return err_set(err, "pg_ctl stop failed in %s (exit %d): %s", pg->datadir, rc,
			       out);
	return 0;
}

int pgembed_stop(struct pgembed *pg, struct err *err)
{
	if (!pg->owner)
		return 0;
	return stop_server(pg, err);
}

void pgembed_free(struct pgembed *pg)
{
	if (!pg)
		return;
	if (pg->owner && !pg->detach)
		(void)stop_server(pg, NULL);
	if (pg->lock_fd >= 0)
		close(pg->lock_fd);
	free(pg);
}

int pgembed_stop_dir(const char *dir, const char *bindir, struct err *err)
{
	struct pgembed pg = {0};
	if (init_identity(&pg, bindir, NULL, err) < 0)
		return -1;
	if (!realpath(dir, pg.datadir))
		return 0; /* no folder, nothing running */
	struct stat st;
	if (pg.as_user && stat(pg.datadir, &st) == 0 && st.st_uid != 0) {
		pg.uid = st.st_uid; /* whoever runs it: e.g. postgres, before run.user */
		pg.gid = st.st_gid;
	}
	return stop_server(&pg, err);
}
