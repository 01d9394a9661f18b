#include "intake/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"

static const char *const role_names[] = {"customer", "submitter", "triager", "admin"};

const char *role_name(enum role r)
{
	return (unsigned)r < 4 ? role_names[r] : "?";
}

int role_from_name(const char *name, enum role *out)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(name, role_names[i]) == 0) {
			*out = (enum role)i;
			return 0;
		}
	return -1;
}

bool role_allows(enum role have, enum role need)
{
	if (have == need || have == ROLE_ADMIN)
		return true;
	return have == ROLE_TRIAGER && (need == ROLE_CUSTOMER || need == ROLE_SUBMITTER);
}

void auth_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
	for (unsigned int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

bool auth_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

int auth_random_token(size_t n, char *out, size_t outlen)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char raw[64];
	if (n > sizeof(raw) || outlen < (n * 4) / 3 + 2 || RAND_bytes(raw, (int)n) != 1)
		return -1;
	size_t o = 0;
	unsigned int acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		acc = (acc << 8) | raw[i];
		bits += 8;
		while (bits >= 6) {
			out[o++] = b64[(acc >> (bits - 6)) & 63];
			bits -= 6;
		}
	}
	if (bits)
		out[o++] = b64[(acc << (6 - bits)) & 63];
	out[o] = '\0';
	OPENSSL_cleanse(raw, sizeof(raw));
	return 0;
}

int auth_token_create(PGconn *c, enum role role, const char *name, char token[64], int64_t *id,
		      struct err *err)
{
	if (!name || !*name || strlen(name) > 200)
		return err_set_field(err, "name", "a token name must be 1 to 200 characters");
	char secret[48];
	if (auth_random_token(32, secret, sizeof(secret)) < 0)
		return err_set(err, "no randomness available");
	char full[64], hash[65], prefix[16];
	snprintf(full, sizeof(full), "itk_%s", secret);
	auth_sha256_hex(full, strlen(full), hash);
	snprintf(prefix, sizeof(prefix), "%.10s", full);
	const char *p[] = {name, role_name(role), hash, prefix};
	PGresult *r = PQexecParams(c,
				   "INSERT INTO api_tokens (name, role, token_hash, prefix)"
				   " VALUES ($1, $2, $3, $4) RETURNING id",
				   4, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		db_err(c, r, err);
		PQclear(r);
		return -1;
	}
	if (id)
		*id = atoll(PQgetvalue(r, 0, 0));
	PQclear(r);
	snprintf(token, 64, "%s", full);
	OPENSSL_cleanse(full, sizeof(full));
	return 0;
}

int auth_token_revoke(PGconn *c, int64_t id, struct err *err)
{
	char s[24];
	snprintf(s, sizeof(s), "%lld", (long long)id);
	const char *p[] = {s};
	PGresult *r = PQexecParams(c,
				   "UPDATE api_tokens SET revoked_at = now()"
				   " WHERE id = $1 AND revoked_at IS NULL",
				   1, NULL, p, NULL, NULL, 0);
	int rc = 0;
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		rc = db_err(c, r, err);
	else if (strcmp(PQcmdTuples(r), "1") != 0)
		rc = err_set(err, "no live token with id %lld", (long long)id);
	PQclear(r);
	return rc;
}

int auth_token_lookup(PGconn *c, const char *token, struct principal *who, struct err *err)
{
	size_t len = strlen(token);
	if (len < 8 || len > 100)
		return 0;
	/* Looked up by hash: the secret never reaches the database or the log,
	 * and a timing difference reveals nothing about the secret itself. */
	char hash[65];
	auth_sha256_hex(token, len, hash);
	const char *p[] = {hash};
	PGresult *r = PQexecParams(c,
				   "SELECT id, role, name, token_hash FROM api_tokens"
				   " WHERE token_hash = $1 AND revoked_at IS NULL",
				   1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		db_err(c, r, err);
		PQclear(r);
		return -1;
	}
	int found = PQntuples(r) == 1 && auth_equal(PQgetvalue(r, 0, 3), hash, 64);
	if (found) {
		who->token_id = atoll(PQgetvalue(r, 0, 0));
		if (role_from_name(PQgetvalue(r, 0, 1), &who->role) < 0)
			found = 0;
		snprintf(who->name, sizeof(who->name), "%s", PQgetvalue(r, 0, 2));
	}
	PQclear(r);
	if (found) { /* at most one write a minute per token */
		r = PQexecParams(c,
				 "UPDATE api_tokens SET last_used_at = now() WHERE token_hash = $1"
				 " AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')",
				 1, NULL, p, NULL, NULL, 0);
		PQclear(r);
	}
	return found;
}
