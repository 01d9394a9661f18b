/* intake/dedup/similar_sql.h - the read of an idea's near matches, as SQL
 * text. TEMPORARY: kept for intake/read/idea_detail.c and
 * intake/http/ideas.c until the read side's db/detail.c replaces them; then
 * delete this file. */
#ifndef INTAKE_DEDUP_SIMILAR_SQL_H
#define INTAKE_DEDUP_SIMILAR_SQL_H

/* The near matches of idea $1, whichever of the two was founded first: a
 * pair is stored once (the newer idea -> the older one). Columns: other,
 * similarity, evidence. For use as a subquery. */
#define MATCH_SIMILAR_OF(id)                                                                      \
	"(SELECT DISTINCT ON (x.other) x.other, x.similarity, x.evidence FROM ("                 \
	" SELECT other_id AS other, similarity, evidence FROM idea_similar WHERE idea_id = " id   \
	" UNION ALL SELECT idea_id, similarity, evidence FROM idea_similar WHERE other_id = " id  \
	") x ORDER BY x.other, x.similarity DESC)"

#endif
