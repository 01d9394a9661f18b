/* intake/ingest/prep.h - the part of a many-at-once ingest that needs neither the
 * database nor an earlier decision, done ahead on a helper thread while the
 * calling thread decides and writes: each new post's normalised terms and
 * title trigrams (match_normalize), its title, and the score of the idea it
 * would found alone (rescore_prescore). On a 2-core machine this was a
 * quarter of the client's time in a bulk import, spent while the server
 * sat waiting for the next group's writes.
 *
 * The helper has its own normaliser (the stemmer keeps state) and reads
 * only the mentions and the shared, immutable rules. */
#ifndef INTAKE_INGEST_PREP_H
#define INTAKE_INGEST_PREP_H

#include <stdbool.h>

#include "intake/dedup/match.h"
#include "intake/ingest/rescore.h"
#include "intake/triage_ctx.h"

struct prep;

/* Starts preparing ms[0..n) in order, but those skip[i] marks (they take
 * the one-at-a-time path). NULL when the thread cannot start: the caller
 * then does the work itself. */
struct prep *prep_start(const struct triage_rules *rules, const struct mention *ms, int n,
			const bool *skip);

/* What the helper prepared for one mention, moved to the caller. */
struct prepared {
	struct match_query q; /* normalised, not yet weighed */
	char *title;          /* the title an idea it founds would have */
	struct idea_score sc; /* the score of that idea, when scored */
	bool scored;
};

/* ms[i]: PREP_TAKEN, prepared and moved into *out; PREP_YOURS, the helper
 * will not prepare it (skipped, out of memory, or not reached yet: the
 * caller has claimed it and does it); PREP_BUSY (only when !wait), the
 * helper is preparing it now. With wait, waits for the helper instead. */
enum prep_taken { PREP_TAKEN, PREP_YOURS, PREP_BUSY };
enum prep_taken prep_take(struct prep *p, int i, bool wait, struct prepared *out);

/* Stops the helper, waits for it, and frees what was not taken. Accepts
 * NULL. */
void prep_stop(struct prep *p);

#endif
