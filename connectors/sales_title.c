/* connectors/sales_title.c - a sales note's title: its first sentence or
 * line, after the meeting preamble call notes open with. See sales_rows.h. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "connectors/sales_rows.h"

#define TITLE_MAX 120 /* characters, including a trailing "…" */

/* Length of the first sentence or line of s. */
static size_t segment_end(const char *s)
{
	size_t end = 0;
	for (; s[end] && s[end] != '\n'; end++) {
		char c = s[end];
		if ((c == '.' || c == '!' || c == '?') &&
		    (s[end + 1] == '\0' || sales_is_ws((unsigned char)s[end + 1]))) {
			end++;
			break;
		}
	}
	return end;
}

/* True when s[0..n) names a meeting ("Renewal prep call", "QBR notes");
 * only_nouns leaves out the words a request often starts with ("Sync groups
 * from Okta", "Review access requests", "Demo mode"). */
static bool names_meeting(const char *s, size_t n, bool only_nouns)
{
	static const char *const all[] = {"call",    "recap",    "notes",  "sync",
	                                  "meeting", "qbr",      "review", "workshop",
	                                  "met w",   "check-in", "demo",   NULL};
	static const char *const nouns[] = {"call",     "recap", "notes",    "meeting", "qbr",
	                                    "workshop", "met w", "check-in", NULL};
	const char *const *words = only_nouns ? nouns : all;
	char buf[128];
	size_t k = n < sizeof(buf) - 1 ? n : sizeof(buf) - 1;
	for (size_t i = 0; i < k; i++)
		buf[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] + 32 : s[i]);
	buf[k] = '\0';
	for (int i = 0; words[i]; i++)
		if (strstr(buf, words[i]))
			return true;
	return false;
}

static int count_words(const char *s, size_t n)
{
	int words = 0;
	for (size_t i = 0; i < n; i++)
		words += !sales_is_ws((unsigned char)s[i]) &&
		         (i == 0 || sales_is_ws((unsigned char)s[i - 1]));
	return words;
}

/* The length of s[0..n)'s first three words. */
static size_t first_words(const char *s, size_t n)
{
	int words = 0;
	for (size_t i = 0; i < n; i++) {
		bool starts = !sales_is_ws((unsigned char)s[i]) &&
		              (i == 0 || sales_is_ws((unsigned char)s[i - 1]));
		if (starts && ++words > 3)
			return i;
	}
	return n;
}

/* Call notes open with a preamble ("Renewal prep call.", "QBR notes -",
 * "Call w/ their platform team: ...", "Discovery call, champion is their
 * staff SRE."): the request is what follows. Skips a leading sentence of at
 * most six words that names a meeting or ends in ':' or '-', or of at most
 * ten with a meeting noun in its first three words, and such a lead-in before
 * ": ", as long as text remains. Left as titles, such sentences (the same in
 * many notes) made unrelated notes look alike. */
static const char *skip_preamble(const char *note)
{
	const char *p = note;
	for (int guard = 0; guard < 4; guard++) {
		while (*p && (sales_is_ws((unsigned char)*p) || *p == '-' || *p == '*'))
			p++;
		size_t end = segment_end(p);
		const char *colon = memchr(p, ':', end);
		if (colon && colon[1] == ' ' && count_words(p, (size_t)(colon - p)) <= 6 &&
		    names_meeting(p, (size_t)(colon - p), false) &&
		    count_words(colon + 1, end - (size_t)(colon + 1 - p)) >= 3)
			return colon + 2;
		size_t last = end;
		while (last && sales_is_ws((unsigned char)p[last - 1]))
			last--;
		int words = count_words(p, end);
		bool preamble =
		    (words <= 6 && (names_meeting(p, end, false) ||
		                    (last && (p[last - 1] == ':' || p[last - 1] == '-')))) ||
		    (words <= 10 && names_meeting(p, first_words(p, end), true));
		const char *rest = p + end;
		while (*rest && (sales_is_ws((unsigned char)*rest) || *rest == '-' || *rest == '*'))
			rest++;
		if (!preamble || !*rest)
			break;
		p = rest;
	}
	return *p ? p : note;
}

/* The note's first sentence or first line, whichever ends first, after any
 * preamble; at most TITLE_MAX characters with "…" when cut (new). note is
 * trimmed, LF-only. */
char *sales_title(const char *full)
{
	const char *note = skip_preamble(full);
	size_t end = segment_end(note);
	const char *t = sales_trim(note, &end);
	if (sales_utf8_chars(t, end) <= TITLE_MAX)
		return strndup(t, end);
	/* keep TITLE_MAX - 1 characters; a cut never splits a UTF-8 sequence
	 * because it stops at the lead byte of character TITLE_MAX */
	size_t cut = 0, chars = 0;
	for (; cut < end; cut++) {
		if (((unsigned char)t[cut] & 0xc0) != 0x80 && chars++ == TITLE_MAX - 1)
			break;
	}
	sales_trim(t, &cut);
	char *title = malloc(cut + 4);
	if (!title)
		return NULL;
	memcpy(title, t, cut);
	memcpy(title + cut, "\xe2\x80\xa6", 4); /* "…" and the NUL */
	return title;
}
