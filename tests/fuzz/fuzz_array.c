/* PostgreSQL text[] literals (db/array.c): what the database prints is
 * parsed back into tokens. Both round trips must hold: a literal that
 * parses, printed again, parses to the same elements; and elements (the
 * input's lines) printed as a literal parse back to themselves. */
#include <string.h>

#include "db/array.h"
#include "fuzz.h"

static void same(const struct tokens *a, const struct tokens *b)
{
	FUZZ_ASSERT(a->n == b->n);
	for (int i = 0; i < a->n; i++)
		FUZZ_ASSERT(strcmp(a->v[i], b->v[i]) == 0);
}

static void parse_print_parse(const char *s)
{
	struct tokens t = {0}, again = {0};
	if (db_parse_text_array(s, &t) == 0) {
		char *lit = db_text_array((const char *const *)t.v, t.n);
		FUZZ_ASSERT(lit && db_parse_text_array(lit, &again) == 0);
		same(&t, &again);
		free(lit);
	}
	tokens_clear(&t);
	tokens_clear(&again);
}

static void print_parse(char *s)
{
	char *v[64];
	int n = 0;
	for (char *line = s, *nl; n < 64 && line; line = nl) {
		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		v[n++] = line;
	}
	struct tokens want = {.v = v, .n = n}, got = {0};
	char *lit = db_text_array((const char *const *)v, n);
	FUZZ_ASSERT(lit && db_parse_text_array(lit, &got) == 0);
	same(&want, &got);
	free(lit);
	tokens_clear(&got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size);
	parse_print_parse(s);
	print_parse(s);
	free(s);
	return 0;
}
