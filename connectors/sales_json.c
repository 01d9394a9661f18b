/* connectors/sales_json.c - sales notes from a JSON array of objects, each
 * handed to the rows of sales.c. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "connectors/sales_rows.h"

static const char *json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number with a fraction";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "?";
}

/* One array element to a mention or a row error; -1 only when out of memory. */
static int json_row(struct sales_batch *b, int line, json_t *obj)
{
	if (!json_is_object(obj))
		return sales_batch_add_error(b, line, "", "element %d is %s, expected an object",
		                             line, json_type_name(obj));
	struct row_in r = {0};
	char num[32];
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v)
	{
		int c = sales_col_by_name(key, strlen(key));
		/* key case matters in JSON: "Account" is not "account" */
		if (c < 0 || strcmp(key, sales_cols[c].name) != 0)
			return sales_batch_add_error(b, line, key, "unknown key \"%.60s\"", key);
		if (json_is_null(v))
			continue; /* same as absent */
		if (json_is_string(v)) {
			r.v[c] = json_string_value(v);
			r.n[c] = json_string_length(v);
			/* jansson rejects \u0000 by default, so n is also strlen */
		} else if (c == COL_ARR && json_is_integer(v)) {
			snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
			r.v[c] = num;
			r.n[c] = strlen(num);
		} else {
			return sales_batch_add_error(b, line, key, "%s must be %s, got %s", key,
			                             c == COL_ARR ? "an integer or a string"
			                                          : "a string",
			                             json_type_name(v));
		}
	}
	return sales_add_row(b, line, &r);
}

int sales_parse_json(const char *data, size_t len, struct sales_batch *out, struct err *err)
{
	size_t start;
	if (sales_check_document(data, len, &start, err) < 0)
		return -1;
	json_error_t je;
	json_t *root =
	    json_loadb(data + start, len - start, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
	if (!root)
		return sales_doc_error(err, je.line > 0 ? je.line : 1, "malformed JSON: %s",
		                       je.text);
	if (!json_is_array(root)) {
		sales_doc_error(err, 1, "expected a JSON array of objects, got %s",
		                json_type_name(root));
		json_decref(root);
		return -1;
	}
	if (json_array_size(root) > SALES_MAX_ROWS) {
		sales_doc_error(err, 1, "more than %d rows", SALES_MAX_ROWS);
		json_decref(root);
		return -1;
	}
	struct sales_batch b = {0};
	size_t i;
	json_t *el;
	json_array_foreach(root, i, el)
	{
		if (json_row(&b, (int)i + 1, el) < 0) {
			sales_doc_error(err, (int)i + 1, "out of memory");
			sales_batch_clear(&b);
			json_decref(root);
			return -1;
		}
	}
	json_decref(root);
	*out = b;
	return 0;
}
