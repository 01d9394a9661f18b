/* Normaliser: Markdown prose extraction (code, quotes, HTML, URLs, template
 * boilerplate and signatures dropped), camelCase split, Unicode folding,
 * synonyms, stop words, stemming, invalid UTF-8, size cap, config errors,
 * explicit duplicate references, golden folders and throughput. Pure: no
 * server, no database. */
#include <criterion/criterion.h>

#include "triage/text.h"
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "support.h"
#include "triage/normalize.h"

#define FIXTURES TEST_SOURCE_DIR "/fixtures/normalize/"

/* A small config in the shape of config/scoring.json "normalise". */
static const char *const stopwords[] = {
    "the", "a",    "an", "and", "or",     "to",   "of",    "in",  "is",  "it",   "for",
    "on",  "with", "we", "be",  "please", "this", "that",  "are", "you", "what", "do",
    "can", "our",  "my", "i",   "would",  "like", "don't", "at",  NULL};
static const char *const syn_from[] = {
    "k8s",   "2fa",       "two factor", "systray", "system tray", "split tunneling",
    "split", "hot key",   "hotkey",     "e mail",  "MDM",         "sign in",
    "Café",  "PowerToys", NULL};
static const char *const syn_to[] = {
    "kubernetes",        "mfa",    "mfa",      "tray",      "tray",
    "split tunnel",      "divide", "shortcut", "shortcut",  "email",
    "device management", "login",  "coffee",   "powertoys", NULL};
static const char *const boilerplate[] = {
    "What are you trying to do?",
    "How should we solve this?",
    "What is the impact of not solving this?",
    "Describe the feature",
    "Additional context",
    "No response",
    "Is your feature request related to a problem? Please describe.",
    NULL};

static const struct normalize_config test_cfg = {
    .stopwords = stopwords, .syn_from = syn_from, .syn_to = syn_to, .boilerplate = boilerplate};

static struct normalizer *norm;

static void setup(void)
{
	struct err err = {0};
	norm = normalizer_new(&test_cfg, &err);
	cr_assert(norm, "normalizer_new: %s: %s", err.field, err.msg);
}

static void teardown(void)
{
	normalizer_free(norm);
	norm = NULL;
}

TestSuite(normalize, .init = setup, .fini = teardown);

static char *join(const struct tokens *t, int from)
{
	size_t len = 1;
	for (int i = from; i < t->n; i++)
		len += strlen(t->v[i]) + 1;
	char *s = calloc(1, len);
	for (int i = from; i < t->n; i++) {
		if (i > from)
			strcat(s, " ");
		strcat(s, t->v[i]);
	}
	return s;
}

/* The tokens of text joined by single spaces (new). */
static char *toks(const char *text)
{
	struct tokens t = {0};
	cr_assert_eq(normalize_text(norm, text, &t), 0);
	char *s = join(&t, 0);
	tokens_clear(&t);
	return s;
}

static void expect_toks(const char *what, const char *text, const char *want)
{
	char *got = toks(text);
	cr_expect_str_eq(got, want, "%s: \"%s\" gave \"%s\", want \"%s\"", what, text, got, want);
	free(got);
}

static void expect_same_toks(const char *a, const char *b)
{
	char *ta = toks(a), *tb = toks(b);
	cr_expect_str_eq(ta, tb, "\"%s\" -> \"%s\" but \"%s\" -> \"%s\"", a, ta, b, tb);
	cr_expect_neq(ta[0], '\0', "\"%s\" has no tokens", a);
	free(ta);
	free(tb);
}


struct tcase {
	const char *what, *text, *want;
};

static void run_cases(const struct tcase *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		expect_toks(c[i].what, c[i].text, c[i].want);
}

#define RUN(cases) run_cases(cases, sizeof(cases) / sizeof(*(cases)))

Test(normalize, prose_keeps_text_and_drops_the_rest)
{
	char *p =
	    normalize_prose(norm, "# Exit nodes\n\n"
	                          "Some *emphasis* and [link text](https://example.com/x).\n\n"
	                          "```\nsudo tailscale up\n```\n\n"
	                          "> quoted reply\n\n"
	                          "- item one\n- item `code` two\n\n"
	                          "<div>html block</div>\n\n"
	                          "https://bare.example.com/only\n"
	                          "![alt words](https://img.example.com/a.png)\n");
	cr_assert(p);
	cr_expect_str_eq(p, "Exit nodes\n"
	                    "Some emphasis and link text.\n"
	                    "item one\n"
	                    "item   two\n"
	                    "alt words");
	free(p);
}

Test(normalize, code_is_dropped)
{
	static const struct tcase cases[] = {
	    {"fenced", "Use this:\n\n```sh\ntailscale up --exit-node=foo\n```\n\nthanks",
	     "use thank"},
	    {"tilde fence", "before\n~~~\nsecret stuff\n~~~\nafter", "befor after"},
	    {"indented", "Steps:\n\n    tailscale serve 8080\n\ndone", "step done"},
	    {"inline", "Run `tailscale status` daily", "run daili"},
	    {"inline keeps words apart", "alpha`beta`gamma", "alpha gamma"},
	    {"unclosed fence swallows the rest", "words\n```\nlog line\nmore", "word"},
	};
	RUN(cases);
}

Test(normalize, quoted_replies_are_dropped)
{
	static const struct tcase cases[] = {
	    {"quote then answer", "> I want exit nodes on routers\n\nMe too, for laptops",
	     "me too laptop"},
	    {"nested", "> > old\n> newer\n\nreply here", "repli here"},
	    {"lazy continuation belongs to the quote", "> quoted\nstill quoted\n\nmine", "mine"},
	    {"answer between quotes", "> one\n\nkeep\n\n> two", "keep"},
	    {"attribution line goes with the quote",
	     "Sounds good.\n\nOn Tue, Mar 3, 2026 at 10:14 AM Bob <bob@example.com> wrote:\n> old "
	     "text",
	     "sound good"},
	    {"wrapped attribution",
	     "Yes\nOn Tue, Mar 3, 2026, Bob Jones <\nbob@example.com> wrote:\n> old", "yes"},
	    {"attribution without On", "Agreed\nBob wrote:\n> old", "agre"},
	    {"wrote: without a quote stays", "Alice wrote:\n\nnew words", "alic wrote new word"},
	};
	RUN(cases);
}

Test(normalize, urls_are_dropped_link_text_kept)
{
	static const struct tcase cases[] = {
	    {"bare", "See https://example.com/a?b=c and http://x.org for logs", "see log"},
	    {"www", "docs at www.example.org/kb/1 today", "doc today"},
	    {"link text kept", "Read [the admin docs](https://tailscale.com/kb/1019) now",
	     "read admin doc now"},
	    {"autolink", "<https://github.com/a/b> rocks", "rock"},
	    {"image alt kept, URL not", "![network diagram](https://i.example.com/x.png)",
	     "network diagram"},
	    {"reference link", "[routes][1]\n\n[1]: https://example.com/routes", "rout"},
	    {"in parentheses", "(see https://example.com/path)", "see"},
	    {"word ending in www is not a URL", "awww.yes", "awww yes"},
	};
	RUN(cases);
}

Test(normalize, html_is_dropped)
{
	static const struct tcase cases[] = {
	    {"template comment", "<!-- Please describe your request in detail -->\nWant SSO\n",
	     "want sso"},
	    {"inline", "Needs <b>dark</b> mode", "need dark mode"},
	    {"block", "<details>\n<summary>Logs</summary>\n</details>\n\nreal text", "real text"},
	};
	RUN(cases);
}

Test(normalize, template_boilerplate_is_dropped_answers_stay)
{
	static const struct tcase cases[] = {
	    {"issue form",
	     "### What are you trying to do?\n\nConnect CI runners\n\n"
	     "### How should we solve this?\n\n_No response_\n\n"
	     "### What is the impact of not solving this?\n\nBlocked rollout",
	     "connect ci runner block rollout"},
	    {"case and punctuation insensitive", "## WHAT ARE YOU TRYING TO DO\nsubnet routers",
	     "subnet router"},
	    {"setext heading", "Describe the feature\n---\n\nper user ACLs", "per user acl"},
	    {"bold line then answer", "**Describe the feature**\nPer-user ACLs", "per user acl"},
	    {"bold paragraph", "**Additional context:**\n\nnone really", "none realli"},
	    {"other headings stay", "## Exit nodes\n\nplease", "exit node"},
	    {"phrase inside prose stays", "What are you trying to do? Sync files", "tri sync file"},
	};
	RUN(cases);
}

Test(normalize, signature_cuts_the_rest)
{
	static const struct tcase cases[] = {
	    {"dash dash space", "Works great\n-- \nBob Smith\nAcme Corp", "work great"},
	    {"dash dash", "Works\n--\nBob", "work"},
	    {"crlf", "Works\r\n-- \r\nBob\r\n", "work"},
	    {"sent from", "Need MFA\n\nSent from my iPhone", "need mfa"},
	    {"sent from, lower case", "Need MFA\nsent from my Galaxy", "need mfa"},
	    {"dashes mid-line are text", "before -- after", "befor after"},
	    {"three dashes are a rule, not a signature", "one\n\n---\n\ntwo", "one two"},
	    {"inside a fence it is code", "top\n```\n--\n```\nbottom", "top bottom"},
	};
	RUN(cases);
}

Test(normalize, camel_case_split_acronyms_whole)
{
	static const struct tcase cases[] = {
	    {"camel", "PowerRename and ImageResizer", "power renam imag resiz"},
	    {"lower camel", "enableFeatureFlag", "enabl featur flag"},
	    {"acronyms whole", "SSO ACLs IPv6 OAuth", "sso acl ipv6 oauth"},
	    {"acronym then word", "HTTPServer SSOLogin", "http server sso login"},
	    {"brand prefixes", "macOS iPhone", "maco iphon"},
	};
	RUN(cases);
	/* the split comes before folding, so the parts are real words */
	expect_same_toks("ImageResizer", "image resizer");
	expect_same_toks("PowerRename", "Power rename");
}

Test(normalize, unicode_is_folded)
{
	static const struct tcase cases[] = {
	    {"fullwidth", "Ｆｕｌｌｗｉｄｔｈ", "fullwidth"},
	    {"sharp s", "Straße", "strass"},
	    {"accents", "naïve résumé déjà", "naiv resum deja"},
	    {"fullwidth digits reach synonyms", "Ｋ８Ｓ", "kubernet"},
	    {"ligature", "ﬁle", "file"},
	    {"greek", "ΔΙΚΤΥΟ", "δικτυο"},
	    {"punctuation splits", "foo—bar…baz", "foo bar baz"},
	};
	RUN(cases);
	expect_same_toks("Straße", "STRASSE");
	expect_same_toks("café", "cafe");
	expect_same_toks("Ｆｕｌｌｗｉｄｔｈ", "fullwidth");
}

Test(normalize, synonyms_single_and_multi_word)
{
	static const struct tcase cases[] = {
	    {"single", "k8s support", "kubernet support"},
	    {"case folded", "Enable 2FA", "enabl mfa"},
	    {"multi-word from", "two-factor auth", "mfa auth"},
	    {"single to tray", "systray icon", "tray icon"},
	    {"multi to tray", "the system tray", "tray"},
	    {"longest phrase wins", "split tunneling", "split tunnel"},
	    {"shorter phrase alone", "split the bill", "divid bill"},
	    {"across a line break", "split\ntunneling", "split tunnel"},
	    {"hot key", "a hot key for it", "shortcut"},
	    {"one-letter word in a phrase", "e-mail alerts", "email alert"},
	    {"multi-word to", "MDM support", "devic manag support"},
	    {"stop word inside a phrase", "sign in with Okta", "login okta"},
	    {"config phrase is folded", "CAFÉ menu", "coffe menu"},
	    {"config phrase is camel split", "PowerToys rocks", "powertoy rock"},
	    {"whole words only", "k8sx 2fab", "k8sx 2fab"},
	    {"phrase cut short", "two", "two"},
	};
	RUN(cases);
}

Test(normalize, stop_words_and_short_tokens)
{
	static const struct tcase cases[] = {
	    {"stop words", "The app is slow and it crashes", "app slow crash"},
	    {"folded before compare", "THE WAY TO GO", "way go"},
	    {"apostrophe word", "I don't want this", "want"},
	    {"one character", "a b c x1 go", "x1 go"},
	    {"numbers", "version 1.2.3 port 41641", "version port 41641"},
	    {"only stop words", "this is what it is", ""},
	};
	RUN(cases);
}

Test(normalize, stemming)
{
	expect_same_toks("tunneling", "tunnels");
	expect_same_toks("tunnel", "TUNNELLED");
	expect_toks("stem", "connecting connected connection connections",
	            "connect connect connect connect");
	expect_toks("stem", "tunneling", "tunnel");
	expect_toks("stem", "nodes", "node");
}

Test(normalize, invalid_utf8_is_skipped)
{
	static const struct tcase cases[] = {
	    {"stray byte",
	     "ab\xff"
	     "cd",
	     "abcd"},
	    {"truncated at end", "word caf\xc3", "word caf"},
	    {"overlong", "\xc0\xafok now", "ok now"},
	    {"surrogate", "x\xed\xa0\x80yz", "xyz"},
	    {"continuation alone", "\x80\x80hello", "hello"},
	};
	RUN(cases);
	char *p = normalize_prose(norm, "bad \xfe\xff bytes \xe2\x82");
	cr_assert(p);
	cr_expect(text_valid_utf8(p, strlen(p)));
	cr_expect_str_eq(p, "bad  bytes");
	free(p);
}

Test(normalize, empty_and_null)
{
	struct tokens t = {0};
	cr_expect_eq(normalize_text(norm, NULL, &t), 0);
	cr_expect_eq(normalize_text(norm, "", &t), 0);
	cr_expect_eq(normalize_text(norm, "   \n\n\t", &t), 0);
	cr_expect_eq(normalize_text(norm, "```\nonly code\n```", &t), 0);
	cr_expect_eq(normalize_text(norm, "> only a quote", &t), 0);
	cr_expect_eq(t.n, 0);
	tokens_clear(&t);
	tokens_clear(&t); /* a zeroed list is fine */
	cr_expect_null(t.v);

	char *p = normalize_prose(norm, NULL);
	cr_assert(p);
	cr_expect_str_eq(p, "");
	free(p);
	p = normalize_prose(norm, "");
	cr_assert(p);
	cr_expect_str_eq(p, "");
	free(p);
}

Test(normalize, appends_in_order)
{
	struct tokens t = {0};
	cr_assert_eq(normalize_text(norm, "exit nodes", &t), 0);
	cr_assert_eq(normalize_text(norm, "subnet routers exit", &t), 0);
	char *s = join(&t, 0);
	cr_expect_str_eq(s, "exit node subnet router exit", "duplicates are kept");
	free(s);
	tokens_clear(&t);
	cr_expect_eq(t.n, 0);
}

Test(normalize, text_is_capped_at_64k_on_a_character_boundary)
{
	size_t cap = 64 * 1024;
	char *text = malloc(cap + 64);
	for (size_t i = 0; i < cap - 1; i++)
		text[i] = i % 6 == 5 ? ' ' : 'w';
	/* "é" occupies bytes cap-1 and cap: the cut must leave the whole character out */
	strcpy(text + cap - 1, "\xc3\xa9 zebra");
	char *p = normalize_prose(norm, text);
	cr_assert(p);
	cr_expect_leq(strlen(p), cap);
	cr_expect(text_valid_utf8(p, strlen(p)));
	cr_expect_null(strstr(p, "zebra"));
	cr_expect_null(strstr(p, "\xc3"));
	free(p);

	struct tokens t = {0};
	cr_assert_eq(normalize_text(norm, text, &t), 0);
	cr_expect_gt(t.n, 10000);
	cr_expect_str_eq(t.v[0], "wwwww");
	cr_expect_str_neq(t.v[t.n - 1], "zebra");
	tokens_clear(&t);
	free(text);
}

Test(normalize, long_words_are_cut)
{
	char word[301];
	memset(word, 'q', 300);
	word[300] = '\0';
	struct tokens t = {0};
	cr_assert_eq(normalize_text(norm, word, &t), 0);
	cr_assert_eq(t.n, 1);
	cr_expect_eq(strlen(t.v[0]), 64);
	tokens_clear(&t);
}

Test(normalize_config, errors_name_the_key)
{
	struct err err = {0};
	static const char *const from2[] = {"k8s", "2fa", NULL};
	static const char *const to1[] = {"kubernetes", NULL};
	struct normalize_config c = {.syn_from = from2, .syn_to = to1};
	cr_expect_null(normalizer_new(&c, &err));
	cr_expect_str_eq(err.field, "normalise.synonyms");
	cr_expect(strstr(err.msg, "2"), "%s", err.msg);

	static const char *const bad_stop[] = {"the", "!!", NULL};
	struct normalize_config c2 = {.stopwords = bad_stop};
	err = (struct err){0};
	cr_expect_null(normalizer_new(&c2, &err));
	cr_expect_str_eq(err.field, "normalise.stopwords");
	cr_expect(strstr(err.msg, "entry 1"), "%s", err.msg);

	static const char *const empty_to[] = {"", NULL};
	static const char *const one_from[] = {"k8s", NULL};
	struct normalize_config c3 = {.syn_from = one_from, .syn_to = empty_to};
	err = (struct err){0};
	cr_expect_null(normalizer_new(&c3, &err));
	cr_expect_str_eq(err.field, "normalise.synonyms");

	static const char *const bad_bp[] = {"---", NULL};
	struct normalize_config c4 = {.boilerplate = bad_bp};
	err = (struct err){0};
	cr_expect_null(normalizer_new(&c4, &err));
	cr_expect_str_eq(err.field, "normalise.boilerplate");
}

Test(normalize_config, empty_config_still_folds_and_stems)
{
	struct err err = {0};
	struct normalizer *n = normalizer_new(NULL, &err);
	cr_assert(n, "%s", err.msg);
	struct tokens t = {0};
	cr_assert_eq(normalize_text(n, "The k8s Tunnels", &t), 0);
	char *s = join(&t, 0);
	cr_expect_str_eq(s, "the k8s tunnel");
	free(s);
	tokens_clear(&t);
	normalizer_free(n);
	normalizer_free(NULL);
}

Test(normalize_config, first_duplicate_synonym_wins)
{
	static const char *const from[] = {"vpn", "VPN", NULL};
	static const char *const to[] = {"tunnel", "other", NULL};
	struct normalize_config c = {.syn_from = from, .syn_to = to};
	struct err err = {0};
	struct normalizer *n = normalizer_new(&c, &err);
	cr_assert(n, "%s", err.msg);
	struct tokens t = {0};
	cr_assert_eq(normalize_text(n, "vpn", &t), 0);
	cr_assert_eq(t.n, 1);
	cr_expect_str_eq(t.v[0], "tunnel");
	tokens_clear(&t);
	normalizer_free(n);
}

/* ---- duplicate references */

struct dcase {
	const char *text, *repo, *want;
	int n;
};

Test(normalize_dups, patterns_and_forms)
{
	static const struct dcase cases[] = {
	    {"Duplicate of #123", "acme/app", "acme/app#123", 1},
	    {"Duplicate of #123", NULL, "", 0},
	    {"dupe of #7", "acme/app", "acme/app#7", 1},
	    {"dup of other/repo#12", NULL, "other/repo#12", 1},
	    {"This duplicates #44.", "acme/app", "acme/app#44", 1},
	    {"Same as #5", "acme/app", "acme/app#5", 1},
	    {"/duplicate #9", "acme/app", "acme/app#9", 1},
	    {"DUPLICATE OF Other-Org/my.repo#10", "acme/app", "Other-Org/my.repo#10", 1},
	    {"Closing as duplicate of https://github.com/owner/repo/issues/9", NULL, "owner/repo#9",
	     1},
	    {"same as https://github.com/owner/repo/issues/9#issuecomment-1", NULL, "owner/repo#9",
	     1},
	    {"same as https://github.com/owner/repo/discussions/31", NULL,
	     "owner/repo/discussions/31", 1},
	    {"dup of http://www.github.com/owner/repo/pull/3", NULL, "owner/repo#3", 1},
	    {"Duplicate of: **#12**", "acme/app", "acme/app#12", 1},
	    {"Duplicate of\n#12", "acme/app", "acme/app#12", 1},
	    {"Duplicate of #1. Same as #2, and dupe of #1 again", "r/r", "r/r#1 r/r#2", 2},
	    {"dup of #3 and dup of x/y#3", "r/r", "r/r#3 x/y#3", 2},
	    /* nothing found */
	    {"This is a duplicate.", "acme/app", "", 0},
	    {"same as before", "acme/app", "", 0},
	    {"duplicate of the other one, #4", "acme/app", "", 0},
	    {"same asset #4", "acme/app", "", 0},
	    {"predup of #4", "acme/app", "", 0},
	    {"see #12", "acme/app", "", 0},
	    {"duplicate of https://gitlab.com/a/b/issues/1", "acme/app", "", 0},
	    {"duplicate of https://github.com/a/b/wiki/1", "acme/app", "", 0},
	    {"duplicate of #0", "acme/app", "", 0},
	    {"duplicate of #12abc", "acme/app", "", 0},
	    {"duplicate of owner/repo#", "acme/app", "", 0},
	    {"", "acme/app", "", 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct tokens t = {0};
		int n = normalize_duplicate_refs(cases[i].text, cases[i].repo, &t);
		char *got = join(&t, 0);
		cr_expect_eq(n, cases[i].n, "%s: %d refs", cases[i].text, n);
		cr_expect_eq(t.n, cases[i].n, "%s", cases[i].text);
		cr_expect_str_eq(got, cases[i].want, "%s: got \"%s\"", cases[i].text, got);
		free(got);
		tokens_clear(&t);
	}
}

Test(normalize, duplicate_refs_null_text_and_appending)
{
	struct tokens t = {0};
	cr_expect_eq(normalize_duplicate_refs(NULL, "acme/app", &t), 0);
	cr_expect_eq(t.n, 0);
	cr_assert_eq(normalize_text(norm, "exit", &t), 0);
	cr_expect_eq(normalize_duplicate_refs("dupe of #8", "acme/app", &t), 1);
	cr_assert_eq(t.n, 2);
	cr_expect_str_eq(t.v[0], "exit");
	cr_expect_str_eq(t.v[1], "acme/app#8");
	tokens_clear(&t);
}

/* ---- golden folders: fixtures/normalize/<case>/{input.md,expected.txt};
 * expected.txt is the tokens joined by single spaces */

static char *trimmed(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
	return s;
}

Test(normalize, golden_folders)
{
	struct dirent **list;
	int n = scandir(FIXTURES, &list, NULL, alphasort);
	cr_assert_geq(n, 0, "cannot list %s", FIXTURES);
	int checked = 0;
	for (int i = 0; i < n; i++) {
		char path[1024];
		if (list[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), FIXTURES "%s/input.md", list[i]->d_name);
			char *input = test_read_file(path);
			snprintf(path, sizeof(path), FIXTURES "%s/expected.txt", list[i]->d_name);
			char *want = test_read_file(path);
			cr_expect(input && want, "%s: input.md and expected.txt needed",
			          list[i]->d_name);
			if (input && want) {
				char *got = toks(input);
				cr_expect_str_eq(got, trimmed(want), "golden case %s: got\n%s",
				                 list[i]->d_name, got);
				free(got);
				checked++;
			}
			free(input);
			free(want);
		}
		free(list[i]);
	}
	free(list);
	cr_expect_geq(checked, 5, "only %d golden cases", checked);
}

/* ---- throughput: runs on every ingest */

/* ~1 KB, a little longer than a typical mention; %d makes each text differ,
 * including words the stemmer has not seen yet */
#define MENTION                                                                                    \
	"### What are you trying to do?\n\n"                                                       \
	"We run **Kubernetes** clusters (k8s) across three regions and want our CI runners "       \
	"to reach the staging services without exposing them. Today we use a jump host and "       \
	"SSH tunnels, which is slow and breaks whenever someone rotates keys. See "                \
	"https://example.com/runbook for the current setup (ticket%d, batch%dx).\n\n"              \
	"```yaml\napiVersion: v1\nkind: Service\n```\n\n"                                          \
	"### How should we solve this?\n\n"                                                        \
	"Workload identity for the operator, ephemeral nodes tagged per pipeline, and "            \
	"split tunneling so developers keep their normal internet. 2FA for the humans.\n\n"        \
	"> Anyone else seeing this?\n\n"                                                           \
	"Thanks!\n-- \nAlex\n"

static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Normalises mentions from..to-1 (checking each), returns the CPU seconds
 * they took; *first gets mention 0's tokens. */
static double normalize_runs(int from, int to, char **first)
{
	char text[2048];
	double t0 = cpu_s();
	for (int i = from; i < to; i++) {
		snprintf(text, sizeof(text), MENTION, i % 7, i);
		struct tokens t = {0};
		cr_assert_eq(normalize_text(norm, text, &t), 0);
		cr_assert_eq(t.n, 53, "run %d: %d tokens", i, t.n);
		if (i == 0)
			*first = join(&t, 0);
		else if (i % 7 == 0 && i % 1000 == 0) {
			/* the same text gives the same tokens, stem cache or not */
			snprintf(text, sizeof(text), MENTION, 0, 0);
			struct tokens u = {0};
			cr_assert_eq(normalize_text(norm, text, &u), 0);
			char *again = join(&u, 0);
			cr_assert_str_eq(again, *first);
			free(again);
			tokens_clear(&u);
		}
		tokens_clear(&t);
	}
	return cpu_s() - t0;
}

/* Every mention brings words not seen before, so the stem cache grows all
 * along: the later mentions must cost no more each than the first ones did
 * (a cache that slows as it fills, or text handled in quadratic time, would
 * show). Measured against a baseline taken in the same run, in CPU time, so
 * a loaded machine or a sanitizer build moves both alike; the absolute speed
 * is logged, not asserted. */
Test(normalize, throughput)
{
#if defined(__SANITIZE_ADDRESS__)
	int runs = 10000; /* ASan and UBSan cost several times the plain speed */
#else
	int runs = 100000;
#endif
	char *first = NULL;
	int base = runs / 10;
	double t_base = normalize_runs(0, base, &first);
	double t_rest = normalize_runs(base, runs, &first);
	cr_expect(strstr(first, "run kubernet cluster kubernet") && strstr(first, "split tunnel") &&
	              strstr(first, "mfa") && !strstr(first, "runbook") && !strstr(first, "alex") &&
	              !strstr(first, "apivers"),
	          "%s", first);
	free(first);
	double per_base = t_base / base, per_rest = t_rest / (runs - base);
	cr_log_info("%.0f mentions/s (CPU time) over %d mentions; %.1f us each at first, %.1f us after",
	            runs / (t_base + t_rest), runs, per_base * 1e6, per_rest * 1e6);
	cr_expect_leq(per_rest, 2 * per_base,
	              "mentions %d..%d took %.1f us each, the first %d took %.1f us each", base,
	              runs, per_rest * 1e6, base, per_base * 1e6);
}
