/* Sales notes as JSON (connectors/sales.c). The input is the document. */
#include "sales_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sales_batch b;
	struct err err = {0};
	int rc = sales_parse_json((const char *)data, size, &b, &err);
	sales_check(rc, &b, &err);
	return 0;
}
