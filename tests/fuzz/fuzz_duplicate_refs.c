/* Duplicate references in issue text ("duplicate of #12", triage/duprefs.c). */
#include <ctype.h>
#include <string.h>

#include "fuzz.h"
#include "triage/normalize.h"

/* "owner/repo#N" or "owner/repo/discussions/N" */
static void check_ref(const char *r)
{
	const char *slash = strchr(r, '/');
	FUZZ_ASSERT(slash && slash > r);
	const char *num = strchr(slash, '#');
	if (num)
		num++;
	else
		FUZZ_ASSERT((num = strstr(slash + 1, "/discussions/")) && (num += 13));
	FUZZ_ASSERT(*num && strspn(num, "0123456789") == strlen(num));
	for (const char *p = r; p < num; p++)
		FUZZ_ASSERT(!isspace((unsigned char)*p) && *p != '\0');
	FUZZ_ASSERT(fuzz_json_string_ok(r));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size);
	const char *repos[] = {"acme/mesh", NULL};
	for (int k = 0; k < 2; k++) {
		struct tokens t = {0};
		int found = normalize_duplicate_refs(text, repos[k], &t);
		FUZZ_ASSERT(found == t.n);
		for (int i = 0; i < t.n; i++) {
			check_ref(t.v[i]);
			for (int j = 0; j < i; j++)
				FUZZ_ASSERT(strcmp(t.v[i], t.v[j]) != 0);
		}
		tokens_clear(&t);
	}
	free(text);
	return 0;
}
