/* The Link header's rel="next" URL (connectors/http.c), which the GitHub
 * connector follows. The input is the header value. */
#include <string.h>

#include "connectors/http.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *link = fuzz_strndup(data, size);
	char *next = chttp_link_next(link);
	if (next) {
		/* exactly what stood between a '<' and the next '>' */
		size_t n = strlen(next);
		const char *at = link;
		bool found = false;
		while (!found && (at = strchr(at, '<'))) {
			at++;
			found = strncmp(at, next, n) == 0 && at[n] == '>';
		}
		FUZZ_ASSERT(found && !strchr(next, '>'));
		free(next);
	}
	free(link);
	return 0;
}
