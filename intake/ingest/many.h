/* intake/ingest/many.h - the parts of the many-at-once ingest (many.c
 * drives it: windows and groups; plan.c: plan and decide; write.c: write).
 * Not for other callers. */
#ifndef INTAKE_INGEST_MANY_H
#define INTAKE_INGEST_MANY_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "db/batch.h"
#include "db/ideas.h"
#include "intake/dedup/match.h"
#include "intake/ingest/ingest.h"
#include "intake/ingest/prep.h"

/* mentions decided and written together; mentions whose reads are done
 * together (ingest_many_sizes) */
extern int many_group_max, many_window_max;

/* What the group decided for one mention. */
struct plan {
	const struct mention *m;
	struct match_query q;
	char *tsq;        /* retrieval query, "" when nothing can retrieve */
	struct tokens rt; /* its terms, sorted */
	char *title;      /* the idea's title, should it found one */
	int founds;       /* index of the idea it founds in the group, or -1 */
	int64_t into;     /* the idea it joins: > 0 an existing one, < 0 -(group idea + 1) */
	const char *method;
	double similarity;
	char *evidence;
	struct dedup_candidate *sugg; /* near matches of the idea it founds */
	int nsugg;
	struct idea_score sc; /* the score of the idea it would found alone, */
	bool scored;          /* when the helper thread computed it (intake/ingest/prep.h) */
};


/* An idea founded inside the group: its founding plan, and its id once known. */
struct group_idea {
	struct plan *p;
	int64_t id;
	bool joined;            /* a later mention of the group joins it */
	bool scored;            /* inserted scored (sc): no rescore after */
	int entry;              /* its entry in tx->dedup.fresh */
	struct idea_score sc;
};


/* Where the writes go: run one by one, or sent in pipeline mode (the
 * server writes a group while the client decides the next one). */
struct writer {
	PGconn *c;
	bool piped;
	int nsent;
	struct ingest_result **rows_for; /* per statement sent: the results its rows are for, or NULL */
	int *nrows_for;
	int nread; /* the results read before the sync (db_pipeline_read) */
	/* the statements whose results are kept (kept[k]), or -1: the next
	 * window's document frequencies, candidates and idea ids */
	int keep[3];
	PGresult *kept[3];
	int cap;
};


enum { KEPT_DF, KEPT_ROWS, KEPT_IDS };

/* The next window of a call, made ready while the server writes the
 * current one, so that the server always has work queued: its plans (from
 * the helper thread) and terms, and their document frequencies asked for
 * after the current window's first group; then, once the current window
 * is decided (the weights count its new ideas), the database's candidates
 * for it and the ids its new ideas will take, asked for before the current
 * window's writes are waited for. None of these reads sees those writes:
 * the terms change only at commit, the database's full-text entries of new
 * ideas too, and ids come from a sequence. */
struct ahead {
	const struct mention *ms; /* the first mention of the window */
	int n;
	struct plan *pl;
	struct tokens all; /* borrowed from the plans */
	struct df_table tab;
	PGresult *rows; /* its candidates; NULL until asked for and read */
	PGresult *ids;  /* ids for its new ideas (reserve_ids), or NULL */
};


/* The window that follows in the call: ms[0..n), at in the call. */
struct following {
	const struct mention *ms;
	int n, at;
};


/* ---- plan.c: plan and decide ---- */

void plan_clear(struct plan *p);
/* Every distinct term of the plans, borrowed from them (free only out->v). */
void union_terms(struct plan *pl, int n, struct tokens *out);
/* Plans for ms[0..n) (the call's at..at+n) into pl, taking what the helper
 * thread prepared. */
int plans_init(struct triage_ctx *t, const struct mention *ms, int n, struct plan *pl,
	       struct prep *pp, int at, struct err *err) __attribute__((warn_unused_result));
/* The database's candidates for every plan of a window, in one statement:
 * rows (k, candidate columns), k the plan's 1-based number. */
PGresult *window_candidates(struct ingest_tx *tx, struct plan *pl, int n,
			    const struct df_table *tab, struct err *err);
/* Decides for every plan pl[0..n) of a group, in order (see plan.c). */
int decide(struct ingest_tx *tx, struct writer *w, struct plan *pl, int off, int n,
	   const struct df_table *tab, PGresult *rows, int *cursor, struct group_idea *ideas,
	   int *nideas, struct err *err) __attribute__((warn_unused_result));
/* The scores of the group's new ideas their founding mention alone decides. */
int prescore_ideas(struct triage_ctx *t, struct group_idea *ideas, int n, struct err *err)
    __attribute__((warn_unused_result));
void ahead_clear(struct ahead *a);
int ahead_plan(struct ingest_tx *tx, struct writer *w, const struct following *next,
	       struct prep *pp, struct ahead *a, struct err *err) __attribute__((warn_unused_result));
int ahead_ask(struct ingest_tx *tx, struct writer *w, struct ahead *a, struct err *err)
    __attribute__((warn_unused_result));

/* ---- write.c: write ---- */

int64_t resolve(const struct group_idea *ideas, int64_t id);
/* Runs or sends st; rows_for: the results its (k, mention id) rows are for. */
int writer_do(struct writer *w, const struct db_stmt *st, struct ingest_result *rows_for,
	      int nrows, struct err *err) __attribute__((warn_unused_result));
int writer_result(void *arg, int index, PGresult *r);
void writer_free(struct writer *w);
int assign_ids(struct ingest_tx *tx, bool piped, struct group_idea *ideas, int n, struct err *err)
    __attribute__((warn_unused_result));
int reserve_ids(struct ingest_tx *tx, int n, const PGresult *got, struct err *err)
    __attribute__((warn_unused_result));
/* The writes of one decided group: its new ideas, its mentions and their
 * links (out[0..n) get the mention ids), its suggestions, and the ideas
 * to rescore at commit. */
int write_group(struct ingest_tx *tx, struct writer *w, struct plan *pl, int n,
		struct group_idea *ideas, int nideas, const char *decided_by,
		struct ingest_result *out, struct err *err) __attribute__((warn_unused_result));

#endif
