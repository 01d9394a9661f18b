/* Sales notes as CSV (connectors/sales.c): the parser of the upload and of the
 * sales inbox's files. The input is the file, as is. */
#include "sales_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sales_batch b;
	struct err err = {0};
	int rc = sales_parse_csv((const char *)data, size, &b, &err);
	sales_check(rc, &b, &err);
	return 0;
}
