#include "intake/http/auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "db/sessions.h"
#include "db/tokens.h"

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
	if (db_token_insert(c, name, role_name(role), hash, prefix, id, err) < 0)
		return -1;
	snprintf(token, 64, "%s", full);
	OPENSSL_cleanse(full, sizeof(full));
	return 0;
}

int auth_token_revoke(PGconn *c, int64_t id, struct err *err)
{
	int rc = db_token_revoke(c, id, err);
	if (rc == 0)
		rc = err_set(err, "no live token with id %lld", (long long)id);
	if (rc < 0)
		return -1;
	/* its sessions are refused from now on (their lookup joins the live
	 * token); deleting them keeps the table clean */
	return db_sessions_delete_for_token(c, id, err);
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
	struct db_token t;
	int found = db_token_by_hash(c, hash, &t, err);
	if (found < 0)
		return -1;
	found = found && auth_equal(t.hash, hash, 64);
	if (found) {
		who->token_id = t.id;
		if (role_from_name(t.role, &who->role) < 0)
			found = 0;
		snprintf(who->name, sizeof(who->name), "%s", t.name);
	}
	if (found) /* at most one write a minute per token */
		db_token_touch(c, hash);
	return found;
}

/* Session ids are 43 base64url characters (32 random bytes). */
static bool session_id_valid(const char *id)
{
	size_t n = strlen(id);
	return n == 43 && strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				     "0123456789-_") == n;
}

int auth_session_open(PGconn *c, int64_t token_id, long ttl_s, long idle_s, char id[48],
		      struct err *err)
{
	char fresh[48], hash[65];
	if (auth_random_token(32, fresh, sizeof(fresh)) < 0)
		return err_set(err, "no randomness available");
	auth_sha256_hex(fresh, strlen(fresh), hash);
	if (db_session_create(c, hash, token_id, ttl_s, idle_s, err) < 0)
		return -1;
	memcpy(id, fresh, sizeof(fresh));
	OPENSSL_cleanse(fresh, sizeof(fresh));
	return 0;
}

int auth_session_lookup(PGconn *c, const char *id, long idle_s, struct principal *who,
			struct err *err)
{
	if (!session_id_valid(id))
		return 0;
	char hash[65];
	auth_sha256_hex(id, strlen(id), hash);
	struct db_session s;
	int found = db_session_lookup(c, hash, idle_s, &s, err);
	if (found <= 0)
		return found;
	if (role_from_name(s.role, &who->role) < 0)
		return 0;
	who->token_id = s.token_id;
	snprintf(who->name, sizeof(who->name), "%s", s.name);
	return 1;
}

int auth_session_close(PGconn *c, const char *id, struct err *err)
{
	if (!session_id_valid(id))
		return 0;
	char hash[65];
	auth_sha256_hex(id, strlen(id), hash);
	return db_session_delete(c, hash, err);
}

void auth_csrf_token(const char *secret, char out[65])
{
	/* the label keeps this hash apart from the session id's own hash (the
	 * database key): neither can be computed from the other */
	static const char label[] = "ideatriage form csrf v1";
	char buf[sizeof(label) + 128];
	size_t n = strnlen(secret, 128); /* cookie values are shorter */
	memcpy(buf, label, sizeof(label)); /* with its NUL: an unambiguous join */
	memcpy(buf + sizeof(label), secret, n);
	auth_sha256_hex(buf, sizeof(label) + n, out);
	OPENSSL_cleanse(buf, sizeof(buf));
}
