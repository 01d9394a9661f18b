/* db/ideas_sql.h - SQL fragments shared by db/'s statements on ideas. Only
 * for db/ files. */
#ifndef DB_IDEAS_SQL_H
#define DB_IDEAS_SQL_H

/* The columns idea_search keeps copied from ideas for retrieval (007). */
#define IDEAS_SEARCH_COPY "title_terms, all_terms, title_norm, all_norm, norm_title"

/* The id of the idea this session inserted last: a statement sent in one
 * batch with an idea's insert names the idea by it, as the id is not known
 * yet when the batch is sent. */
#define IDEAS_NEW_ID "currval('ideas_id_seq')"

/* The columns of ideas a rescore writes, and their values from parameters
 * (text) that are all NULL for an idea inserted unscored: the columns'
 * own defaults then, until the rescore that follows in the transaction. */
#define IDEAS_SCORE_COLUMNS                                                                       \
	"category, segments, runtime, score, score_breakdown, classification, requesters,"       \
	" source_count, mention_count, last_activity_at, scored_at"
#define IDEAS_SCORE_VALUES(cat, seg, rt, score, bd, cls, nreq, nsrc, nm, last)                   \
	"coalesce(" cat ", 'feature'), coalesce(" seg "::text[], '{}'), coalesce(" rt ", 'cloud'),"  \
	" coalesce(" score "::float8, 0), coalesce(" bd "::jsonb, '{}'),"                           \
	" coalesce(" cls "::jsonb, '{}'), coalesce(" nreq "::int, 0), coalesce(" nsrc "::int, 0),"  \
	" coalesce(" nm "::int, 0), to_timestamp(" last "::bigint),"                               \
	" CASE WHEN " score " IS NULL THEN NULL ELSE now() END"

#endif
