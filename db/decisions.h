/* db/decisions.h - what a person decides about ideas: the triage fields of
 * one idea (status, stage, visibility, owner, notes, overrides), and merging
 * one idea into another or undoing it. Every change writes its audit record
 * (audit_log) in the same statement, so a change and its record cannot part
 * and cost one round trip. All run inside the caller's transaction; rescoring
 * is the caller's. */
#ifndef DB_DECISIONS_H
#define DB_DECISIONS_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "triage/err.h"

/* The fields of an idea a person decides. Strings are NULL when unset. */
struct db_idea_decision {
	const char *status, *stage, *visibility, *owner, *decision_note, *declined_reason,
	    *public_title;
	bool table_stakes, disclosed;
	const char *overrides; /* JSON object text: category, segments, runtime, multiplier */
	bool public_post;      /* read only: the idea has a live public post */
	void *mem_;            /* private: what a read's strings point into */
};

/* Locks live (not merged) idea id for update and reads its fields into *out
 * (its strings live until db_idea_decision_cleanup). 1 found, 0 no such live
 * idea, -1 with *err. */
int db_idea_decision_lock(PGconn *c, int64_t id, struct db_idea_decision *out, struct err *err)
    __attribute__((warn_unused_result));
void db_idea_decision_cleanup(struct db_idea_decision *d); /* accepts NULL */

/* Writes the fields of *d (borrowed; public_post ignored) to idea id and
 * records the change as actor's action (update, publish, unpublish) with
 * details (JSON object text: each field's from and to). 0, or -1 with *err. */
int db_idea_decision_write(PGconn *c, int64_t id, const struct db_idea_decision *d,
                           const char *actor, const char *action, const char *details,
                           struct err *err) __attribute__((warn_unused_result));

/* Of ideas a and b, locked in id order: how many exist (0..2) and which of
 * them are merged. */
struct db_merge_pair {
	int found;
	bool a_merged, b_merged;
};
int db_merge_lock_pair(PGconn *c, int64_t a, int64_t b, struct db_merge_pair *out, struct err *err)
    __attribute__((warn_unused_result));

/* Moves every mention of idea from into idea into as who's decision, records
 * the merge (*merge_id: its id) and marks from merged into into, with the
 * audit record. 0, or -1 with *err. */
int db_merge_apply(PGconn *c, int64_t from, int64_t into, const char *who, int64_t *merge_id,
                   struct err *err) __attribute__((warn_unused_result));

/* The latest live merge of idea from, locked: 1 with *merge_id and *into,
 * 0 when from is not merged, -1 with *err. */
int db_merge_latest(PGconn *c, int64_t from, int64_t *merge_id, int64_t *into, struct err *err)
    __attribute__((warn_unused_result));

/* Undoes merge merge_id (of from into into) as who: the mentions it moved
 * and that still sit in into return to from, which gets its status back;
 * with the audit record. 0, or -1 with *err. */
int db_merge_undo(PGconn *c, int64_t merge_id, int64_t from, int64_t into, const char *who,
                  struct err *err) __attribute__((warn_unused_result));

#endif
