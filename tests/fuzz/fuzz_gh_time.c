/* GitHub timestamps (gh_time_parse, connectors/github.c). A time that parses
 * prints back as UTC and parses to the same second. */
#include <string.h>
#include <time.h>

#include "connectors/github.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size);
	int64_t t = 42424242, back = 0;
	if (gh_time_parse(s, &t) < 0) {
		FUZZ_ASSERT(t == 42424242); /* written only on success */
		free(s);
		return 0;
	}
	time_t tt = (time_t)t;
	struct tm tm;
	FUZZ_ASSERT(gmtime_r(&tt, &tm));
	char again[64];
	if (tm.tm_year + 1900 >= 0 && tm.tm_year + 1900 <= 9999) {
		snprintf(again, sizeof(again), "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
		         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		FUZZ_ASSERT(gh_time_parse(again, &back) == 0 && back == t);
	}
	free(s);
	return 0;
}
