#include "db/sessions.h"

#include <stdio.h>
#include <stdlib.h>

#include "db/db.h"

int db_session_create(PGconn *c, const char *id_hash, int64_t token_id, long ttl_s, long idle_s,
                      struct err *err)
{
	char tok[24], ttl[24], idle[24];
	snprintf(tok, sizeof(tok), "%lld", (long long)token_id);
	snprintf(ttl, sizeof(ttl), "%ld", ttl_s);
	snprintf(idle, sizeof(idle), "%ld", idle_s);
	const char *pp[] = {idle};
	PGresult *r =
	    db_query(c,
	             "DELETE FROM sessions WHERE id_hash IN (SELECT id_hash FROM sessions"
	             " WHERE expires_at <= now()"
	             " OR last_seen_at <= now() - make_interval(secs => $1::int) LIMIT 100)",
	             1, pp, err);
	if (!r)
		return -1;
	PQclear(r);
	const char *p[] = {id_hash, tok, ttl};
	r = db_query(c,
	             "INSERT INTO sessions (id_hash, token_id, expires_at)"
	             " VALUES ($1, $2, now() + make_interval(secs => $3::int))",
	             3, p, err);
	if (!r)
		return -1;
	PQclear(r);
	return 0;
}

int db_session_lookup(PGconn *c, const char *id_hash, long idle_s, struct db_session *out,
                      struct err *err)
{
	char idle[24];
	snprintf(idle, sizeof(idle), "%ld", idle_s);
	const char *p[] = {id_hash, idle};
	/* Joined with the live token: a revoked token's sessions die at once
	 * even before their rows are deleted. last_seen_at is written at most
	 * every 15 s, so reading pages costs no write per request. */
	PGresult *r = db_query(
	    c,
	    "WITH s AS (SELECT s.id_hash, s.last_seen_at, t.id, t.role, t.name"
	    "   FROM sessions s JOIN api_tokens t ON t.id = s.token_id"
	    "  WHERE s.id_hash = $1 AND t.revoked_at IS NULL AND s.expires_at > now()"
	    "    AND s.last_seen_at > now() - make_interval(secs => $2::int)),"
	    " seen AS (UPDATE sessions SET last_seen_at = now() WHERE id_hash IN"
	    "   (SELECT id_hash FROM s WHERE last_seen_at < now() - interval '15 seconds'))"
	    " SELECT id, role, name FROM s",
	    2, p, err);
	if (!r)
		return -1;
	int found = PQntuples(r) == 1;
	if (found) {
		out->token_id = atoll(PQgetvalue(r, 0, 0));
		snprintf(out->role, sizeof(out->role), "%s", PQgetvalue(r, 0, 1));
		snprintf(out->name, sizeof(out->name), "%s", PQgetvalue(r, 0, 2));
	}
	PQclear(r);
	return found;
}

int db_session_delete(PGconn *c, const char *id_hash, struct err *err)
{
	const char *p[] = {id_hash};
	PGresult *r = db_query(c, "DELETE FROM sessions WHERE id_hash = $1", 1, p, err);
	if (!r)
		return -1;
	PQclear(r);
	return 0;
}

int db_sessions_delete_for_token(PGconn *c, int64_t token_id, struct err *err)
{
	char tok[24];
	snprintf(tok, sizeof(tok), "%lld", (long long)token_id);
	const char *p[] = {tok};
	PGresult *r = db_query(c, "DELETE FROM sessions WHERE token_id = $1", 1, p, err);
	if (!r)
		return -1;
	PQclear(r);
	return 0;
}
