/* triage/duprefs.c - finding "duplicate of #N" and its variants in raw text
 * (see duprefs.h): a pattern, light markup, then a GitHub reference. */
#include "triage/duprefs.h"
#include "triage/ascii.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define DUP_REFS_MAX 64          /* duplicate references taken from one text */
#define DUP_TEXT_MAX (64 * 1024) /* bytes scanned: as much as prose.c reads */

/* Length of a run at s of characters allowed in a GitHub owner (extra = "-")
 * or repository name (extra = "-_."), or 0 when empty or too long. */
static size_t name_len(const char *s, const char *extra, size_t max)
{
	size_t l = 0;
	while (s[l] && (ascii_alnum(s[l]) || strchr(extra, s[l])))
		l++;
	return l <= max ? l : 0;
}

/* An issue number at s (1..10 digits, not 0, not followed by a letter or
 * digit): its length, *num set; else 0. */
static size_t number_at(const char *s, unsigned long *num)
{
	size_t l = 0;
	unsigned long v = 0;
	while (s[l] >= '0' && s[l] <= '9' && l < 11)
		v = v * 10 + (unsigned long)(s[l++] - '0');
	if (l == 0 || l > 10 || v == 0 || ascii_alnum(s[l]))
		return 0;
	*num = v;
	return l;
}

/* The issue, pull request or discussion part of a GitHub URL after
 * "owner/repo" (rest), written into ref after owner and repo. */
static bool url_tail(const char *rest, const char *owner, size_t ol, const char *repo, size_t rl,
                     char *ref, size_t size)
{
	unsigned long num;
	bool discussion = strncasecmp(rest, "/discussions/", 13) == 0;
	size_t skip = discussion                              ? 13
	              : strncasecmp(rest, "/issues/", 8) == 0 ? 8
	              : strncasecmp(rest, "/pull/", 6) == 0   ? 6
	                                                      : 0;
	if (!skip || !number_at(rest + skip, &num))
		return false;
	snprintf(ref, size, discussion ? "%.*s/%.*s/discussions/%lu" : "%.*s/%.*s#%lu", (int)ol,
	         owner, (int)rl, repo, num);
	return true;
}

/* A reference at p written into ref: "#N", "owner/repo#N" or a GitHub
 * issue, pull request or discussion URL. False when p holds none. */
static bool parse_ref(const char *p, const char *default_repo, char *ref, size_t size)
{
	unsigned long num;
	if (*p == '#') {
		if (!default_repo || !number_at(p + 1, &num))
			return false;
		snprintf(ref, size, "%s#%lu", default_repo, num);
		return true;
	}
	bool url = false;
	if (strncasecmp(p, "https://", 8) == 0)
		p += 8, url = true;
	else if (strncasecmp(p, "http://", 7) == 0)
		p += 7, url = true;
	if (url) {
		if (strncasecmp(p, "www.", 4) == 0)
			p += 4;
		if (strncasecmp(p, "github.com/", 11) != 0)
			return false;
		p += 11;
	}
	size_t ol = name_len(p, "-", 39);
	if (!ol || p[ol] != '/')
		return false;
	const char *repo = p + ol + 1;
	size_t rl = name_len(repo, "-_.", 100);
	if (!rl)
		return false;
	const char *rest = repo + rl;
	if (url)
		return url_tail(rest, p, ol, repo, rl, ref, size);
	if (*rest != '#' || !number_at(rest + 1, &num))
		return false;
	snprintf(ref, size, "%.*s/%.*s#%lu", (int)ol, p, (int)rl, repo, num);
	return true;
}

/* Length of the pattern ("duplicate of", ...) that starts at text[i] as a
 * whole word, or 0. */
static size_t pattern_at(const char *text, size_t i, size_t len)
{
	static const char *const patterns[] = {"duplicate of", "dupe of", "dup of",
	                                       "duplicates",   "same as", "/duplicate"};
	char c = text[i] | 0x20;
	if ((c != 'd' && c != 's' && text[i] != '/') || (i > 0 && ascii_alnum(text[i - 1])))
		return 0;
	for (size_t k = 0; k < sizeof(patterns) / sizeof(*patterns); k++) {
		size_t l = strlen(patterns[k]);
		if (l <= len - i && strncasecmp(text + i, patterns[k], l) == 0 &&
		    !ascii_alnum(text[i + l]))
			return l;
	}
	return 0;
}

int normalize_duplicate_refs(const char *text, const char *default_repo, struct tokens *out)
{
	if (!text)
		return 0;
	size_t len = strnlen(text, DUP_TEXT_MAX);
	int start = out->n, found = 0;
	for (size_t i = 0; i < len && found < DUP_REFS_MAX; i++) {
		size_t pl = pattern_at(text, i, len);
		if (!pl)
			continue;
		/* white space and light markup may sit between: "Duplicate of: **#12**" */
		const char *p = text + i + pl;
		for (int k = 0; k < 16 && *p && strchr(" \t\r\n:*_[(`", *p); k++)
			p++;
		char ref[256];
		if (!parse_ref(p, default_repo, ref, sizeof(ref)))
			continue;
		bool seen = false;
		for (int k = start; k < out->n && !seen; k++)
			seen = strcmp(out->v[k], ref) == 0;
		if (!seen && tokens_push(out, ref, strlen(ref)) < 0)
			break; /* out of memory: report what was found so far */
		found += !seen;
		i += pl - 1;
	}
	return found;
}
