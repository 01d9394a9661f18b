/* The Markdown normaliser (triage/normalize.c) with the built-in scoring
 * rules: every mention's title and body go through it. */
#include <string.h>

#include "fuzz.h"
#include "intake/triage_ctx.h"
#include "triage/normalize.h"

static struct normalizer *normalizer(void)
{
	static struct triage_rules *rules;
	static struct normalizer *n;
	if (!n) {
		struct err err = {0};
		rules = triage_rules_load(NULL, &err);
		FUZZ_ASSERT(rules);
		n = normalizer_new(&rules->norm_cfg, &err);
		FUZZ_ASSERT(n);
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size);
	struct normalizer *n = normalizer();
	struct tokens t = {0};
	FUZZ_ASSERT(normalize_text(n, text, &t) == 0);
	for (int i = 0; i < t.n; i++) {
		/* tokens of letters and digits, valid UTF-8 (they are stored as text[]) */
		FUZZ_ASSERT(*t.v[i] && fuzz_json_string_ok(t.v[i]));
		FUZZ_ASSERT(!strpbrk(t.v[i], " \t\r\n"));
	}
	tokens_clear(&t);
	char *prose = normalize_prose(n, text);
	FUZZ_ASSERT(prose && fuzz_json_string_ok(prose));
	free(prose);
	free(text);
	return 0;
}
