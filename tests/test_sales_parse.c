/* Sales-notes parser: CSV quoting and line numbers, header rules, per-row
 * errors next to good rows, whole-document errors, arr and date formats,
 * derived ids, titles, and the JSON form. Pure parsing: no server, no database. */
#include <criterion/criterion.h>

#include "triage/text.h"
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/sales.h"
#include "support.h"

#define HDR "account,arr,contact,note,date\n"

static struct sales_batch parse_csv_ok(const char *csv)
{
	struct sales_batch b = {0};
	struct err err = {0};
	int rc = sales_parse_csv(csv, strlen(csv), &b, &err);
	cr_assert_eq(rc, 0, "parse failed: %s: %s", err.field, err.msg);
	return b;
}

static struct sales_batch parse_json_ok(const char *json)
{
	struct sales_batch b = {0};
	struct err err = {0};
	int rc = sales_parse_json(json, strlen(json), &b, &err);
	cr_assert_eq(rc, 0, "parse failed: %s: %s", err.field, err.msg);
	return b;
}

/* True when s is well-formed UTF-8 (independent of the parser's checker). */

/* Call-note preambles are not titles. */
Test(sales_title, meeting_preambles_are_skipped)
{
	const struct {
		const char *note, *title;
	} cases[] = {
	    {"Renewal prep call. Asking for Intune compliance state to gate access.",
	     "Asking for Intune compliance state to gate access."},
	    {"Call w/ their platform team: Want domain-based routing for SaaS allowlists.",
	     "Want domain-based routing for SaaS allowlists."},
	    {"QBR notes -\n- procurement wants annual invoicing instead of a card",
	     "procurement wants annual invoicing instead of a card"},
	    {"Wants SSO. Also asked about SCIM.", "Wants SSO."},
	    {"Discovery call, champion is their staff SRE. Wants cached config so rebooted nodes "
	     "come back without the cloud.",
	     "Wants cached config so rebooted nodes come back without the cloud."},
	    {"Met w/ 2 net engs + their security lead.\n- MSP: needs one tailnet per end customer",
	     "MSP: needs one tailnet per end customer"},
	    {"Customers want a call recording integration for support tickets. Soon.",
	     "Customers want a call recording integration for support tickets."},
	    {"Sync ACLs from our GitHub repository on every merge. It matters to them.",
	     "Sync ACLs from our GitHub repository on every merge."},
	    {"Renewal prep call.", "Renewal prep call."},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *row = json_pack("[{s:s, s:i, s:s, s:s, s:s}]", "account", "Acme", "arr", 1000,
					"contact", "Bo", "note", cases[i].note, "date", "2026-01-02");
		char *text = json_dumps(row, 0);
		struct sales_batch b = {0};
		struct err err = {0};
		cr_assert_eq(sales_parse_json(text, strlen(text), &b, &err), 0, "%s", err.msg);
		cr_assert_eq(b.nmentions, 1);
		cr_expect_str_eq(b.mentions[0].title, cases[i].title);
		sales_batch_clear(&b);
		free(text);
		json_decref(row);
	}
}

Test(sales_csv, quoted_fields_keep_newlines_commas_and_quotes)
{
	struct sales_batch b = parse_csv_ok(
	    HDR "\"Acme, Inc.\",100,Bo,\"Line one\nsaid \"\"hi\"\", then left\",2026-03-01\n"
	        "Globex,200,Cy,plain note,2026-03-02\n");
	cr_assert_eq(b.nmentions, 2);
	cr_assert_eq(b.nerrors, 0);
	cr_expect_str_eq(b.mentions[0].account, "Acme, Inc.");
	cr_expect_str_eq(b.mentions[0].body, "Line one\nsaid \"hi\", then left");
	cr_expect_str_eq(b.mentions[0].title, "Line one");
	cr_expect_eq(b.mention_lines[0], 2);
	/* the record after a two-line record starts on physical line 4 */
	cr_expect_eq(b.mention_lines[1], 4);
	cr_expect_str_eq(b.mentions[1].body, "plain note");
	sales_batch_clear(&b);
	cr_expect_eq(b.nmentions, 0);
	cr_expect_null(b.mentions);
}

Test(sales_csv, bom_and_crlf)
{
	struct sales_batch b = parse_csv_ok("\xef\xbb\xbf"
	                                    "account,arr,contact,note,date\r\n"
	                                    "Acme,100,Bo,\"first\r\nsecond\",2026-03-01\r\n"
	                                    "\r\n"
	                                    "Globex,200,Cy,third,2026-03-02\r\n");
	cr_assert_eq(b.nmentions, 2, "errors: %d", b.nerrors);
	cr_expect_str_eq(b.mentions[0].account, "Acme");
	cr_expect_str_eq(b.mentions[0].body, "first\nsecond", "CRLF inside a note becomes LF");
	cr_expect_eq(b.mention_lines[0], 2);
	cr_expect_eq(b.mention_lines[1], 5, "blank line 4 is skipped but counted");
	sales_batch_clear(&b);
}

Test(sales_csv, column_order_and_header_case_are_free)
{
	struct sales_batch b = parse_csv_ok(" Date ,NOTE,External_ID,Contact,arr,  account\n"
	                                    "2026-03-01,Wants SSO.,crm-9,Bo,\"$1,500\",Acme\n");
	cr_assert_eq(b.nmentions, 1, "errors: %d", b.nerrors);
	const struct mention *m = &b.mentions[0];
	cr_expect_str_eq(m->account, "Acme");
	cr_expect_str_eq(m->author, "Bo");
	cr_expect_str_eq(m->body, "Wants SSO.");
	cr_expect_str_eq(m->external_id, "crm-9");
	cr_expect_eq(m->arr, 1500);
	cr_expect_eq(m->created_at, 1772323200); /* 2026-03-01T00:00:00Z */
	sales_batch_clear(&b);
}

Test(sales_csv, ragged_rows_are_row_errors_and_good_rows_pass)
{
	struct sales_batch b = parse_csv_ok(HDR "Acme,100,Bo,ok,2026-03-01\n"
	                                        "Short,100,Bo\n"
	                                        "Long,100,Bo,\"two\nlines\",2026-03-01,extra\n"
	                                        "Globex,200,Cy,ok too,2026-03-02\n");
	cr_assert_eq(b.nmentions, 2);
	cr_assert_eq(b.nerrors, 2);
	cr_expect_eq(b.errors[0].line, 3);
	cr_expect(strstr(b.errors[0].msg, "3 fields"), "%s", b.errors[0].msg);
	cr_expect_eq(b.errors[1].line, 4);
	cr_expect(strstr(b.errors[1].msg, "6 fields"), "%s", b.errors[1].msg);
	cr_expect_eq(b.mention_lines[0], 2);
	cr_expect_eq(b.mention_lines[1], 6);
	cr_expect_str_eq(b.mentions[1].account, "Globex");
	sales_batch_clear(&b);
}

Test(sales_csv, missing_required_values_name_the_field)
{
	struct sales_batch b = parse_csv_ok(HDR ",100,Bo,note,2026-03-01\n"
	                                        "Acme,100,  ,note,2026-03-01\n"
	                                        "Acme,100,Bo,\"  \",2026-03-01\n");
	cr_assert_eq(b.nmentions, 0);
	cr_assert_eq(b.nerrors, 3);
	cr_expect_str_eq(b.errors[0].field, "account");
	cr_expect_str_eq(b.errors[1].field, "contact");
	cr_expect_str_eq(b.errors[2].field, "note");
	cr_expect_eq(b.errors[2].line, 4);
	sales_batch_clear(&b);
}

Test(sales_csv, length_limits_count_characters)
{
	char *doc = malloc(64 * 1024);
	/* 200 two-byte characters: 400 bytes but within the 200-character limit */
	char account[1024] = "";
	for (int i = 0; i < 200; i++)
		strcat(account, "\xc3\xa9");
	snprintf(doc, 64 * 1024, HDR "%s,1,Bo,n,2026-03-01\n%sx,1,Bo,n,2026-03-01\n", account,
	         account);
	struct sales_batch b = parse_csv_ok(doc);
	cr_expect_eq(b.nmentions, 1);
	cr_assert_eq(b.nerrors, 1);
	cr_expect_str_eq(b.errors[0].field, "account");
	cr_expect_eq(b.errors[0].line, 3);
	sales_batch_clear(&b);
	free(doc);
}

/* Whole-document errors: -1, *out untouched, and the field names the line. */
Test(sales_csv, document_errors_name_the_line)
{
	static const struct {
		const char *csv;
		const char *field;
		const char *msg_part;
	} cases[] = {
	    {HDR "Acme,1,Bo,ok,2026-03-01\nAcme,1,Bo,\"never closed,2026-03-01\nmore\n", "line 3",
	     "never closed"},
	    {"account,arr,contact,note,date,region\nAcme,1,Bo,n,2026-03-01,eu\n", "line 1",
	     "unknown column \"region\""},
	    {"account,arr,contact,date\nAcme,1,Bo,2026-03-01\n", "line 1",
	     "missing column \"note\""},
	    {"account,arr,contact,note,date,ARR\n", "line 1", "appears twice"},
	    {"account,arr,contact,note,date,\n", "line 1", "no name"},
	    {"\n\n  \n" HDR "Acme,1,Bo,\"open\n", "line 5", "never closed"},
	    {HDR "Acme,1,Bo,ok,2026-03-01\nAcme,1,Bo,caf\xe9,2026-03-01\n", "line 3", "UTF-8"},
	    {HDR "Acme,1,Bo,\xed\xa0\x80 surrogate,2026-03-01\n", "line 2", "UTF-8"},
	    {HDR "Acme,1,Bo,\xc0\xaf overlong,2026-03-01\n", "line 2", "UTF-8"},
	    {HDR "Acme,1,Bo,ok,2026-03-01\nAcme,1,Bo,he said \"hi\",2026-03-01\n", "line 3",
	     "quot"},
	    {HDR "Acme,1,Bo,\"closed\" then text,2026-03-01\n", "line 2", "quot"},
	    {"", "line 1", "no header"},
	    {"\xef\xbb\xbf\r\n\r\n", "line 1", "no header"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sales_batch b = {.nmentions = 42};
		struct err err = {0};
		int rc = sales_parse_csv(cases[i].csv, strlen(cases[i].csv), &b, &err);
		cr_expect_eq(rc, -1, "case %zu parsed", i);
		cr_expect_eq(b.nmentions, 42, "case %zu: *out was written", i);
		cr_expect_str_eq(err.field, cases[i].field, "case %zu: %s", i, err.msg);
		cr_expect(strstr(err.msg, cases[i].msg_part), "case %zu: %s", i, err.msg);
	}
}

Test(sales_csv, nul_byte_is_a_document_error)
{
	static const char doc[] = HDR "Acme,1,Bo,a\0b,2026-03-01\n";
	struct sales_batch b = {0};
	struct err err = {0};
	cr_expect_eq(sales_parse_csv(doc, sizeof(doc) - 1, &b, &err), -1);
	cr_expect_str_eq(err.field, "line 2");
}

Test(sales_csv, row_cap)
{
	const char *row = "Acme,1,Bo,n,2026-03-01\n";
	size_t rowlen = strlen(row), hdrlen = strlen(HDR);
	char *doc = malloc(hdrlen + rowlen * (SALES_MAX_ROWS + 1) + 1);
	memcpy(doc, HDR, hdrlen);
	char *p = doc + hdrlen;
	for (int i = 0; i < SALES_MAX_ROWS; i++, p += rowlen)
		memcpy(p, row, rowlen);

	struct sales_batch b = {0};
	struct err err = {0};
	cr_assert_eq(sales_parse_csv(doc, (size_t)(p - doc), &b, &err), 0, "%s", err.msg);
	cr_expect_eq(b.nmentions, SALES_MAX_ROWS);
	sales_batch_clear(&b);

	memcpy(p, row, rowlen);
	p += rowlen;
	cr_expect_eq(sales_parse_csv(doc, (size_t)(p - doc), &b, &err), -1);
	cr_expect(strstr(err.msg, "more than 100000 rows"), "%s", err.msg);
	cr_expect_str_eq(err.field, "line 100002");
	free(doc);
}

Test(sales_csv, byte_cap)
{
	size_t len = SALES_MAX_BYTES + 1;
	char *doc = malloc(len);
	memset(doc, 'a', len);
	struct sales_batch b = {0};
	struct err err = {0};
	cr_expect_eq(sales_parse_csv(doc, len, &b, &err), -1);
	cr_expect(strstr(err.msg, "limit"), "%s", err.msg);
	cr_expect_eq(sales_parse_json(doc, len, &b, &err), -1);
	free(doc);
}

/* arr through a CSV row, so the string forms are exercised as an exporter writes them. */
Test(sales_fields, arr_formats)
{
	static const struct {
		const char *in;
		long long want; /* -1: row error on "arr" */
	} cases[] = {
	    {"240000", 240000},
	    {"\"240,000\"", 240000},
	    {"\"$240,000\"", 240000},
	    {"240k", 240000},
	    {"240K", 240000},
	    {"1.2M", 1200000},
	    {"1.2m", 1200000},
	    {"2.5k", 2500},
	    {"3B", 3000000000LL},
	    {"0", 0},
	    {"$0", 0},
	    {"\" 7 \"", 7},
	    {"240000.00", 240000},
	    {"\"1,000,000,000,000\"", 1000000000000LL},
	    {"1000B", 1000000000000LL},
	    {"-5", -1},
	    {"$-5", -1},
	    {"lots", -1},
	    {"1000000000001", -1},
	    {"1001B", -1},
	    {"99999999999999999999999", -1},
	    {"1.5", -1},
	    {"1.2345k", -1},
	    {"\"24,0000\"", -1},
	    {"\"1,2\"", -1},
	    {"\"1234,567\"", -1},
	    {"12kk", -1},
	    {"1e6", -1},
	    {"2T", -1},
	    {"$", -1},
	    {"1.", -1},
	    {".5k", -1},
	    {"", -1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char doc[256];
		snprintf(doc, sizeof(doc), HDR "Acme,%s,Bo,n,2026-03-01\n", cases[i].in);
		struct sales_batch b = parse_csv_ok(doc);
		if (cases[i].want >= 0) {
			cr_expect_eq(b.nmentions, 1, "%s: %s", cases[i].in,
			             b.nerrors ? b.errors[0].msg : "");
			if (b.nmentions == 1)
				cr_expect_eq(b.mentions[0].arr, cases[i].want, "%s", cases[i].in);
		} else {
			cr_expect_eq(b.nmentions, 0, "%s was accepted", cases[i].in);
			cr_expect(b.nerrors == 1 && strcmp(b.errors[0].field, "arr") == 0, "%s",
			          cases[i].in);
		}
		sales_batch_clear(&b);
	}
}

Test(sales_fields, dates)
{
	static const struct {
		const char *in;
		long long want; /* -1: row error on "date" */
	} cases[] = {
	    {"2026-01-12", 1768176000},
	    {"2024-02-29", 1709164800}, /* leap day */
	    {"2000-02-29", 951782400},  /* divisible by 400 */
	    {" 2026-01-15 ", 1768435200},
	    {"2026-02-30", -1},
	    {"2025-02-29", -1},
	    {"2100-02-29", -1}, /* divisible by 100, not 400 */
	    {"26-01-01", -1},
	    {"", -1},
	    {"2026-13-01", -1},
	    {"2026-00-10", -1},
	    {"2026-04-31", -1},
	    {"2026-1-01", -1},
	    {"2026/01/01", -1},
	    {"2026-01-01T00:00", -1},
	    {"1999-12-31", -1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char doc[256];
		snprintf(doc, sizeof(doc), HDR "Acme,1,Bo,n,%s\n", cases[i].in);
		struct sales_batch b = parse_csv_ok(doc);
		if (cases[i].want >= 0) {
			cr_assert_eq(b.nmentions, 1, "%s: %s", cases[i].in,
			             b.nerrors ? b.errors[0].msg : "");
			cr_expect_eq(b.mentions[0].created_at, cases[i].want, "%s", cases[i].in);
			cr_expect_eq(b.mentions[0].updated_at, cases[i].want, "%s", cases[i].in);
		} else {
			cr_expect_eq(b.nmentions, 0, "%s was accepted", cases[i].in);
			cr_expect(b.nerrors == 1 && strcmp(b.errors[0].field, "date") == 0, "%s",
			          cases[i].in);
		}
		sales_batch_clear(&b);
	}
}

Test(sales_fields, derived_external_id_is_stable_and_content_based)
{
	const char *doc = HDR "Acme,1,Bo,Needs SSO.,2026-03-01\n";
	struct sales_batch a = parse_csv_ok(doc);
	struct sales_batch b = parse_csv_ok(doc);
	cr_assert_eq(a.nmentions, 1);
	cr_assert_eq(b.nmentions, 1);
	cr_expect_str_eq(a.mentions[0].external_id, b.mentions[0].external_id);
	/* SHA-256 of "Acme\x1f" "Bo\x1f" "2026-03-01\x1f" "Needs SSO.", first 32 hex digits */
	cr_expect_str_eq(a.mentions[0].external_id, "sha256:870b83a8bc03bc0245291712d521964c");

	/* the same row as JSON, with surrounding spaces, is the same mention */
	struct sales_batch j =
	    parse_json_ok("[{\"account\": \" Acme\", \"arr\": 1, \"contact\": \"Bo\","
	                  " \"note\": \"Needs SSO.\\n\", \"date\": \"2026-03-01\"}]");
	cr_assert_eq(j.nmentions, 1);
	cr_expect_str_eq(j.mentions[0].external_id, a.mentions[0].external_id);

	struct sales_batch c = parse_csv_ok(HDR "Acme,1,Bo,Needs SCIM.,2026-03-01\n");
	cr_assert_eq(c.nmentions, 1);
	cr_expect_str_neq(c.mentions[0].external_id, a.mentions[0].external_id);

	/* a given external_id wins */
	struct sales_batch d = parse_csv_ok(
	    "account,arr,contact,note,date,external_id\nAcme,1,Bo,Needs SSO.,2026-03-01,crm-7\n");
	cr_assert_eq(d.nmentions, 1);
	cr_expect_str_eq(d.mentions[0].external_id, "crm-7");
	sales_batch_clear(&a);
	sales_batch_clear(&b);
	sales_batch_clear(&c);
	sales_batch_clear(&d);
	sales_batch_clear(&j);
}

Test(sales_fields, title_is_first_sentence_or_line)
{
	static const struct {
		const char *note;
		const char *title;
	} cases[] = {
	    {"Wants SSO. Also asked about SCIM.", "Wants SSO."},
	    {"Discovery call, champion is their staff SRE. Wants cached config so rebooted nodes "
	     "come back without the cloud.",
	     "Wants cached config so rebooted nodes come back without the cloud."},
	    {"Met w/ 2 net engs + their security lead.\n- MSP: needs one tailnet per end customer",
	     "MSP: needs one tailnet per end customer"},
	    {"Customers want a call recording integration for support tickets. Soon.",
	     "Customers want a call recording integration for support tickets."},
	    {"Sync ACLs from our GitHub repository on every merge. It matters to them.",
	     "Sync ACLs from our GitHub repository on every merge."},
	    {"Why no IPv6? They need it.", "Why no IPv6?"},
	    {"Exit nodes drop\nafter six hours. Restart helps.", "Exit nodes drop"},
	    {"Pricing at 1.2M seats is unclear", "Pricing at 1.2M seats is unclear"},
	    {"  Just one line  ", "Just one line"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char doc[256];
		snprintf(doc, sizeof(doc), HDR "Acme,1,Bo,\"%s\",2026-03-01\n", cases[i].note);
		struct sales_batch b = parse_csv_ok(doc);
		cr_assert_eq(b.nmentions, 1);
		cr_expect_str_eq(b.mentions[0].title, cases[i].title);
		sales_batch_clear(&b);
	}
}

Test(sales_fields, long_title_is_cut_on_a_character_boundary)
{
	/* 130 two-byte characters and no sentence end: cut to 119 + "…" */
	char note[512] = "";
	for (int i = 0; i < 130; i++)
		strcat(note, "\xc3\xa9");
	char doc[1024];
	snprintf(doc, sizeof(doc), HDR "Acme,1,Bo,%s,2026-03-01\n", note);
	struct sales_batch b = parse_csv_ok(doc);
	cr_assert_eq(b.nmentions, 1);
	const char *t = b.mentions[0].title;
	cr_expect_eq(strlen(t), 119 * 2 + 3);
	cr_expect(text_valid_utf8(t, strlen(t)));
	cr_expect_eq(memcmp(t, note, 119 * 2), 0);
	cr_expect_str_eq(t + 119 * 2, "\xe2\x80\xa6");
	cr_expect_str_eq(b.mentions[0].body, note, "the body is never cut");
	sales_batch_clear(&b);

	/* exactly 120 characters: kept whole, no ellipsis */
	char note120[200];
	memset(note120, 'x', 120);
	note120[120] = '\0';
	snprintf(doc, sizeof(doc), HDR "Acme,1,Bo,%s,2026-03-01\n", note120);
	b = parse_csv_ok(doc);
	cr_assert_eq(b.nmentions, 1);
	cr_expect_str_eq(b.mentions[0].title, note120);
	sales_batch_clear(&b);
}

Test(sales_json, happy_path)
{
	struct sales_batch b = parse_json_ok(
	    "[\n"
	    " {\"account\": \"Acme\", \"arr\": 240000, \"contact\": \"Bo Lind\",\n"
	    "  \"note\": \"Wants SSO. Blocking rollout.\", \"date\": \"2026-01-12\",\n"
	    "  \"external_id\": \"crm-1\"},\n"
	    " {\"account\": \"Globex\", \"arr\": \"1.2M\", \"contact\": \"Cy\",\n"
	    "  \"note\": \"Audit logs\", \"date\": \"2024-02-29\", \"external_id\": null}\n"
	    "]");
	cr_assert_eq(b.nmentions, 2);
	cr_expect_eq(b.nerrors, 0);
	const struct mention *m = &b.mentions[0];
	cr_expect_eq(m->source, SRC_SALES);
	cr_expect_eq(m->kind, MENTION_POST);
	cr_expect_eq(m->author_kind, AUTHOR_CUSTOMER);
	cr_expect_str_eq(m->author, "Bo Lind");
	cr_expect_str_eq(m->account, "Acme");
	cr_expect_eq(m->arr, 240000);
	cr_expect_str_eq(m->body, "Wants SSO. Blocking rollout.");
	cr_expect_str_eq(m->title, "Wants SSO.");
	cr_expect_not(m->is_public);
	cr_expect_eq(m->created_at, 1768176000);
	cr_expect_eq(m->updated_at, 1768176000);
	cr_expect_str_eq(m->external_id, "crm-1");
	cr_expect_null(m->parent_external_id);
	cr_expect_eq(b.mention_lines[0], 1);
	cr_expect_eq(b.mentions[1].arr, 1200000);
	cr_expect(strncmp(b.mentions[1].external_id, "sha256:", 7) == 0);
	cr_expect_eq(strlen(b.mentions[1].external_id), 7 + 32);
	cr_expect_eq(b.mention_lines[1], 2);
	sales_batch_clear(&b);

	b = parse_json_ok("[]");
	cr_expect_eq(b.nmentions, 0);
	cr_expect_eq(b.nerrors, 0);
	sales_batch_clear(&b);
}

Test(sales_json, document_errors)
{
	static const struct {
		const char *json;
		const char *field;
		const char *msg_part;
	} cases[] = {
	    {"{\"account\": \"Acme\"}", "line 1", "array"},
	    {"\"just a string\"", "line 1", "array"},
	    {"[\n {\"account\": \"Acme\",}\n]", "line 2", "malformed JSON"},
	    {"[{\"account\": \"A\", \"account\": \"B\"}]", "line 1", "malformed JSON"},
	    {"", "line 1", "malformed JSON"},
	    {"[{\"account\": \"caf\xe9\"}]", "line 1", "UTF-8"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sales_batch b = {.nerrors = 42};
		struct err err = {0};
		int rc = sales_parse_json(cases[i].json, strlen(cases[i].json), &b, &err);
		cr_expect_eq(rc, -1, "case %zu parsed", i);
		cr_expect_eq(b.nerrors, 42, "case %zu: *out was written", i);
		cr_expect_str_eq(err.field, cases[i].field, "case %zu: %s", i, err.msg);
		cr_expect(strstr(err.msg, cases[i].msg_part), "case %zu: %s", i, err.msg);
	}
}

Test(sales_json, bad_elements_are_row_errors)
{
	struct sales_batch b = parse_json_ok(
	    "[\"not an object\",\n"
	    " {\"account\": \"Acme\", \"arr\": 1, \"contact\": \"Bo\", \"note\": \"n\", \"date\": "
	    "\"2026-03-01\", \"region\": \"eu\"},\n"
	    " {\"account\": \"Acme\", \"arr\": 1.5, \"contact\": \"Bo\", \"note\": \"n\", "
	    "\"date\": "
	    "\"2026-03-01\"},\n"
	    " {\"account\": 7, \"arr\": 1, \"contact\": \"Bo\", \"note\": \"n\", \"date\": "
	    "\"2026-03-01\"},\n"
	    " {\"account\": \"Acme\", \"arr\": -1, \"contact\": \"Bo\", \"note\": \"n\", \"date\": "
	    "\"2026-03-01\"},\n"
	    " {\"account\": \"Acme\", \"arr\": 1, \"contact\": \"Bo\", \"note\": \"n\"},\n"
	    " {\"account\": \"Good\", \"arr\": 1, \"contact\": \"Bo\", \"note\": \"n\", \"date\": "
	    "\"2026-03-01\"},\n"
	    " [1, 2]]");
	cr_assert_eq(b.nmentions, 1);
	cr_expect_str_eq(b.mentions[0].account, "Good");
	cr_expect_eq(b.mention_lines[0], 7);
	static const struct {
		int line;
		const char *field;
		const char *msg_part;
	} want[] = {
	    {1, "", "is a string, expected an object"},
	    {2, "region", "unknown key \"region\""},
	    {3, "arr", "must be an integer or a string"},
	    {4, "account", "must be a string"},
	    {5, "arr", "negative"},
	    {6, "date", "required"},
	    {8, "", "is an array"},
	};
	cr_assert_eq(b.nerrors, 7);
	for (int i = 0; i < 7; i++) {
		cr_expect_eq(b.errors[i].line, want[i].line, "error %d", i);
		cr_expect_str_eq(b.errors[i].field, want[i].field, "error %d", i);
		cr_expect(strstr(b.errors[i].msg, want[i].msg_part), "error %d: %s", i,
		          b.errors[i].msg);
	}
	sales_batch_clear(&b);
}

/* The realistic export: BOM, CRLF, quoted multi-line notes, a blank line and two bad rows. */
Test(sales_fixture, notes_csv)
{
	char *doc = test_read_file(TEST_SOURCE_DIR "/data/sales/notes.csv");
	cr_assert(doc);
	struct sales_batch b = parse_csv_ok(doc);
	free(doc);

	static const int good_lines[] = {2, 3, 6, 7, 9, 11, 16, 17, 18, 19};
	cr_assert_eq(b.nmentions, 10);
	for (int i = 0; i < 10; i++)
		cr_expect_eq(b.mention_lines[i], good_lines[i], "mention %d", i);
	cr_assert_eq(b.nerrors, 2);
	cr_expect_eq(b.errors[0].line, 8);
	cr_expect_str_eq(b.errors[0].field, "arr");
	cr_expect_eq(b.errors[1].line, 10);
	cr_expect_str_eq(b.errors[1].field, "date");

	const struct mention *m = &b.mentions[0];
	cr_expect_str_eq(m->account, "Northwind Robotics");
	cr_expect_eq(m->arr, 240000);
	cr_expect_str_eq(m->title, "Wants SSO via Okta for the admin console.");
	cr_expect_str_eq(m->external_id, "crm-1001");
	cr_expect_eq(m->created_at, 1768176000);

	m = &b.mentions[1]; /* three-line note with a non-ASCII city */
	cr_expect_eq(m->arr, 1200000);
	cr_expect_str_eq(m->title, "Exit nodes in S\xc3\xa3o Paulo keep dropping after ~6 hours");
	cr_expect_str_eq(m->body, "Exit nodes in S\xc3\xa3o Paulo keep dropping after ~6 hours\n"
	                          "They restart the agent as a workaround.\n"
	                          "Asked for an ETA, renewal is in March.");

	m = &b.mentions[2]; /* empty external_id: derived */
	cr_expect_str_eq(m->account, "Halcyon Health");
	cr_expect_str_eq(m->external_id, "sha256:bb8f2a2f7b9a9fefdad3a349886ffa44");

	m = &b.mentions[3];
	cr_expect_str_eq(m->account, "Quarry & Finch");
	cr_expect(strstr(m->body, "Want a \"dry run\" preview"), "%s", m->body);

	cr_expect_eq(b.mentions[5].arr, 2500000);
	/* a lead-in ending in ':' is skipped: the title is the first request */
	cr_expect_str_eq(b.mentions[5].title, "SSO with Azure AD");
	cr_expect_eq(b.mentions[9].arr, 3400000);
	for (int i = 0; i < b.nmentions; i++) {
		cr_expect_eq(b.mentions[i].source, SRC_SALES);
		cr_expect_not(b.mentions[i].is_public);
		cr_expect_null(strchr(b.mentions[i].body, '\r'));
	}
	sales_batch_clear(&b);
}
