/* Classification: keyword tables per SRPF category written like real issues,
 * labels against weak text, title weight, SRPF tie order, segments, runtime,
 * the `why` text, config mistakes, and the shipped config/scoring.json on
 * realistic mesh-VPN requests. Uses the real normaliser (stemming, synonyms,
 * Markdown), so phrases match the way they will in production. Pure: no
 * server, no database. */
#include <criterion/criterion.h>

#include "triage/text.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "triage/classify.h"
#include "triage/normalize.h"

/* ---- a small hand-written config: the unit tests' fixed vocabulary */

static const char *const T_STOP[] = {
    "a", "an",  "the", "to",   "of",   "on", "in",     "is",    "it",   "we",  "our",     "my",
    "i", "and", "for", "with", "when", "be", "please", "would", "like", "add", "support", NULL};
static const char *const T_SYN_FROM[] = {"sso",     "2fa",     "two factor", "k8s",
                                         "systray", "git hub", NULL};
static const char *const T_SYN_TO[] = {"single sign on", "mfa",    "mfa", "kubernetes",
                                       "tray",           "github", NULL};
static const char *const T_BOILER[] = {"what are you trying to do", "steps to reproduce", NULL};

static const char *const T_SEC[] = {"vulnerability",        "mfa", "audit log", "key expiry",
                                    "privilege escalation", "cve", NULL};
static const char *const T_REL[] = {"crash", "disconnect", "after sleep", "flaky", NULL};
static const char *const T_PERF[] = {"slow", "high cpu", "cpu", "latency", "battery", NULL};
static const char *const T_VPN[] = {"exit node", "acl", "single sign on", NULL};
static const char *const T_PLAT[] = {"kubernetes", "github actions", "api", NULL};
static const char *const T_BRIDGE[] = {"workload identity", "multiple tailnets", NULL};
static const char *const T_CLIENT[] = {"macos", "windows", "tray", "battery", NULL};
static const char *const T_CLOUD[] = {"admin console", "api", "billing", NULL};
static const char *const T_LFROM[] = {"security",
                                      "bug",
                                      "performance",
                                      "enhancement",
                                      "area/kubernetes",
                                      "os/macos",
                                      "area/admin-console",
                                      "area/services",
                                      NULL};
static const char *const T_LTO[] = {"security", "reliability", "performance", "feature", "platform",
                                    "client",   "cloud",       "bridge",      NULL};

static struct classify_config test_config(void)
{
	struct classify_config c = {
	    .category_keywords =
	        {[CAT_SECURITY] = T_SEC, [CAT_RELIABILITY] = T_REL, [CAT_PERFORMANCE] = T_PERF},
	    .vpn = T_VPN,
	    .platform = T_PLAT,
	    .bridge = T_BRIDGE,
	    .client = T_CLIENT,
	    .cloud = T_CLOUD,
	    .label_from = T_LFROM,
	    .label_to = T_LTO,
	    .title_weight = 2,
	    .label_weight = 3,
	    .min_hits = 1,
	};
	return c;
}

static struct normalizer *test_normalizer(void)
{
	struct normalize_config nc = {T_STOP, T_SYN_FROM, T_SYN_TO, T_BOILER};
	struct err err = {0};
	struct normalizer *n = normalizer_new(&nc, &err);
	cr_assert_not_null(n, "normalizer_new: %s: %s", err.field, err.msg);
	return n;
}

/* One rules object per test, built from cfg (the default test config when
 * NULL) and freed in the fini. */
static struct normalizer *N;
static struct classify_rules *R;

static void setup(void)
{
	N = test_normalizer();
	struct classify_config c = test_config();
	struct err err = {0};
	R = classify_rules_new(&c, N, &err);
	cr_assert_not_null(R, "classify_rules_new: %s: %s", err.field, err.msg);
}

static void teardown(void)
{
	classify_rules_free(R);
	normalizer_free(N);
	R = NULL;
	N = NULL;
}

/* Normalises title and body with n and classifies with r. */
static struct classification run(struct normalizer *n, const struct classify_rules *r,
                                 const char *title, const char *body, const char *const *labels)
{
	struct tokens t = {0}, b = {0};
	cr_assert_eq(normalize_text(n, title, &t), 0);
	cr_assert_eq(normalize_text(n, body, &b), 0);
	int nl = 0;
	while (labels && labels[nl])
		nl++;
	struct classify_input in = {.title = &t, .body = &b, .labels = labels, .nlabels = nl};
	struct classification c;
	classify(r, &in, &c);
	tokens_clear(&t);
	tokens_clear(&b);
	return c;
}

static struct classification run_t(const char *title, const char *body, const char *const *labels)
{
	return run(N, R, title, body, labels);
}

#define L(...) ((const char *const[]){__VA_ARGS__, NULL})

/* ---- keyword tables */

struct case_ {
	const char *title;
	const char *body;
	enum category want;
};

Test(classify, keyword_tables_pick_the_category, .init = setup, .fini = teardown)
{
	static const struct case_ cases[] = {
	    {"Require 2FA before opening the admin console",
	     "Right now anyone with a stolen password gets in. We need two-factor for admins.",
	     CAT_SECURITY},
	    {"Privilege escalation via the local socket",
	     "Any local user can talk to the daemon and change routes. This looks like a "
	     "vulnerability; I can share a PoC privately.",
	     CAT_SECURITY},
	    {"Audit log entries for ACL changes",
	     "Our auditors want to see who changed the ACL and when.", CAT_SECURITY},
	    {"Daemon crashes after sleep",
	     "After my laptop wakes up the service crashes with a nil pointer dereference.\n\n"
	     "```\npanic: runtime error: invalid memory address\n```",
	     CAT_RELIABILITY},
	    {"Flaky connection on hotel wifi",
	     "The tunnel keeps disconnecting every few minutes. Other devices are fine.",
	     CAT_RELIABILITY},
	    {"Very slow transfers between two nodes",
	     "iperf shows 40 Mbit/s where plain WireGuard gets 900. Latency is fine though.",
	     CAT_PERFORMANCE},
	    {"High CPU when idle", "The process sits at 30% CPU with no traffic at all.",
	     CAT_PERFORMANCE},
	    {"Dark mode for the dashboard",
	     "The web pages are very bright at night. A dark theme would be lovely.", CAT_FEATURE},
	    {"Custom domain names for devices",
	     "### What are you trying to do?\n\nName my devices nas.home instead of the "
	     "generated names.",
	     CAT_FEATURE},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct classification c = run_t(cases[i].title, cases[i].body, NULL);
		cr_expect_eq(c.category, cases[i].want, "\"%s\": got %s, want %s (why: %s)",
		             cases[i].title, category_name(c.category),
		             category_name(cases[i].want), c.why);
	}
}

Test(classify, synonyms_and_inflections_match, .init = setup, .fini = teardown)
{
	/* "SSO" -> "single sign on" (vpn); "K8s" -> "kubernetes"; "Exit Nodes" ~ "exit node" */
	struct classification c = run_t("SSO login for Exit Nodes", "We run K8s too.", NULL);
	cr_expect_eq(c.segments, SEG_VPN | SEG_PLATFORM, "why: %s", c.why);
	cr_expect(strstr(c.why, "single sign on"), "why: %s", c.why);
	cr_expect(strstr(c.why, "exit node"), "why: %s", c.why);
	cr_expect(strstr(c.why, "kubernetes"), "why: %s", c.why);
}

Test(classify, every_occurrence_counts_longest_phrase_wins, .init = setup, .fini = teardown)
{
	/* "high cpu" is one performance hit, not "high cpu" plus "cpu". */
	struct classification c = run_t(NULL, "high CPU, then high CPU again, and cpu", NULL);
	cr_expect_float_eq(c.evidence[CAT_PERFORMANCE], 3.0, 1e-12, "why: %s", c.why);
	c = run_t(NULL, "crash crash crash", NULL);
	cr_expect_float_eq(c.evidence[CAT_RELIABILITY], 3.0, 1e-12);
	/* A phrase split by other words does not match. */
	c = run_t(NULL, "the audit trail is a log", NULL);
	cr_expect_float_eq(c.evidence[CAT_SECURITY], 0.0, 0);
}

/* ---- labels */

Test(classify, labels_win_over_weak_text, .init = setup, .fini = teardown)
{
	const struct {
		const char *title, *body;
		const char *const *labels;
		enum category want;
	} cases[] = {
	    /* one stray "slow" in the body, a bug label: a reliability bug */
	    {"Service stops after update",
	     "Also the UI is a bit slow, but the main thing is it stops.", L("bug"),
	     CAT_RELIABILITY},
	    /* without the label the stray word decides */
	    {"Service stops after update",
	     "Also the UI is a bit slow, but the main thing is it stops.", NULL, CAT_PERFORMANCE},
	    /* a security label beats "crash" in the title (2 < 3) */
	    {"Crash when parsing a crafted packet", "Found while fuzzing.", L("security"),
	     CAT_SECURITY},
	    /* an enhancement label beats one mention of latency */
	    {"Show peer list in the tray", "Nice to have: show the latency too.", L("enhancement"),
	     CAT_FEATURE},
	    /* but strong text beats a feature label */
	    {"Slow, slow, slow transfers", "Throughput is slow and latency is high.",
	     L("enhancement"), CAT_PERFORMANCE},
	    /* labels are case-insensitive and repeated labels count once */
	    {"Mention of a crash", NULL, L("Performance", "performance"), CAT_PERFORMANCE},
	    /* unknown labels are ignored */
	    {"Something", NULL, L("needs-triage", "question"), CAT_FEATURE},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct classification c = run_t(cases[i].title, cases[i].body, cases[i].labels);
		cr_expect_eq(c.category, cases[i].want, "case %zu: got %s (why: %s)", i,
		             category_name(c.category), c.why);
	}
	struct classification c = run_t("x", NULL, L("performance", "performance", "PERFORMANCE"));
	cr_expect_float_eq(c.evidence[CAT_PERFORMANCE], 3.0, 1e-12);
}

/* ---- title weight and ties */

Test(classify, title_counts_title_weight_times, .init = setup, .fini = teardown)
{
	struct classification c = run_t("slow sync", "it can crash", NULL);
	cr_expect_float_eq(c.evidence[CAT_PERFORMANCE], 2.0, 1e-12);
	cr_expect_float_eq(c.evidence[CAT_RELIABILITY], 1.0, 1e-12);
	cr_expect_eq(c.category, CAT_PERFORMANCE);

	/* With title_weight 1 the same text is a tie, and a tie goes to reliability. */
	struct classify_config cfg = test_config();
	cfg.title_weight = 1;
	struct err err = {0};
	struct classify_rules *r1 = classify_rules_new(&cfg, N, &err);
	cr_assert_not_null(r1, "%s", err.msg);
	c = run(N, r1, "slow sync", "it can crash", NULL);
	cr_expect_eq(c.category, CAT_RELIABILITY);
	classify_rules_free(r1);
}

Test(classify, ties_go_in_srpf_order, .init = setup, .fini = teardown)
{
	static const struct case_ cases[] = {
	    {NULL, "slow and then a crash", CAT_RELIABILITY},
	    {NULL, "crash and then slow", CAT_RELIABILITY},
	    {NULL, "a crash exposes a vulnerability", CAT_SECURITY},
	    {NULL, "slow, and a vulnerability", CAT_SECURITY},
	    {"crash", "slow slow", CAT_RELIABILITY},
	    {NULL, "slow vulnerability crash", CAT_SECURITY},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct classification c = run_t(cases[i].title, cases[i].body, NULL);
		cr_expect_eq(c.category, cases[i].want, "case %zu: got %s (why: %s)", i,
		             category_name(c.category), c.why);
	}
	/* A feature label tied with S/R/P evidence loses the tie too. */
	struct classification c = run_t("crash", "crash", L("enhancement"));
	cr_expect_eq(c.category, CAT_RELIABILITY, "why: %s", c.why);
}

Test(classify, min_hits_decides_what_is_a_feature, .init = setup, .fini = teardown)
{
	struct classify_config cfg = test_config();
	cfg.min_hits = 2.5;
	struct err err = {0};
	struct classify_rules *r = classify_rules_new(&cfg, N, &err);
	cr_assert_not_null(r, "%s", err.msg);
	struct classification c = run(N, r, "crash", NULL, NULL);
	cr_expect_eq(c.category, CAT_FEATURE);
	cr_expect_float_eq(c.evidence[CAT_RELIABILITY], 2.0, 1e-12, "evidence is kept");
	c = run(N, r, "crash", "crash", NULL);
	cr_expect_eq(c.category, CAT_RELIABILITY);
	c = run(N, r, "nothing here", NULL, L("bug"));
	cr_expect_eq(c.category, CAT_RELIABILITY);
	classify_rules_free(r);
}

/* ---- segments and runtime */

Test(classify, segments, .init = setup, .fini = teardown)
{
	const struct {
		const char *title, *body;
		const char *const *labels;
		int want;
	} cases[] = {
	    {"Exit node per device group", NULL, NULL, SEG_VPN},
	    {"ACL tags for groups", "Let the ACL refer to groups.", NULL, SEG_VPN},
	    {"Kubernetes egress", NULL, NULL, SEG_PLATFORM},
	    {"Proxy class support", NULL, L("area/kubernetes"), SEG_PLATFORM},
	    {"Workload identity", "Short-lived credentials for jobs", NULL, SEG_VPN | SEG_PLATFORM},
	    {"Separate prod and staging", "We need multiple tailnets in one org.", NULL,
	     SEG_VPN | SEG_PLATFORM},
	    {"Services", NULL, L("area/services"), SEG_VPN | SEG_PLATFORM},
	    {"Exit node from GitHub Actions", NULL, NULL, SEG_VPN | SEG_PLATFORM},
	    {"Dark theme", "The pages are too bright.", NULL, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct classification c = run_t(cases[i].title, cases[i].body, cases[i].labels);
		cr_expect_eq(c.segments, cases[i].want, "\"%s\": got %d want %d (why: %s)",
		             cases[i].title, c.segments, cases[i].want, c.why);
	}
}

Test(classify, runtime, .init = setup, .fini = teardown)
{
	const struct {
		const char *title, *body;
		const char *const *labels;
		enum runtime want;
	} cases[] = {
	    {"Tray icon shows wrong state", "On macOS the systray icon stays grey.", NULL,
	     RT_CLIENT},
	    {"Billing export", "CSV of invoices from the admin console.", NULL, RT_CLOUD},
	    {"Show device battery in the admin console", NULL, NULL, RT_BOTH},
	    {"Nothing says where", "Just an idea.", NULL, RT_CLOUD},
	    {"Menu entry for this", NULL, L("os/macos"), RT_CLIENT},
	    {"Windows app setting", NULL, L("area/admin-console"), RT_BOTH},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct classification c = run_t(cases[i].title, cases[i].body, cases[i].labels);
		cr_expect_eq(c.runtime, cases[i].want, "\"%s\": got %s want %s (why: %s)",
		             cases[i].title, runtime_name(c.runtime), runtime_name(cases[i].want),
		             c.why);
	}
}

/* ---- why */

Test(classify, why_names_matched_phrases_as_written, .init = setup, .fini = teardown)
{
	struct classification c = run_t("2FA for exit nodes on macOS",
	                                "Enforce MFA; also check key expiry.", L("security"));
	cr_expect_str_eq(c.why,
	                 "security: mfa, key expiry (label security); vpn: exit node; "
	                 "client: macos",
	                 "got: %s", c.why);
	c = run_t("Dark theme", NULL, NULL);
	cr_expect_str_eq(c.why, "");
	c = run_t("SSO after sleep", NULL, L("bug"));
	cr_expect_str_eq(c.why, "reliability: after sleep (label bug); vpn: single sign on");
}

/* True when s is well-formed UTF-8. */

Test(classify, why_is_truncated_safely)
{
	/* Many long keywords with multi-byte characters, all matched. */
	enum { NK = 40 };
	char *kw[NK + 1] = {0};
	char *text = calloc(NK, 128);
	cr_assert_not_null(text);
	for (int i = 0; i < NK; i++) {
		cr_assert_neq(
		    asprintf(&kw[i], "zyxword%02d ünïcødé ßtraße ünïcødé ßtraße ünïcødé", i), -1);
		strcat(text, kw[i]);
		strcat(text, ". ");
	}
	struct classify_config cfg = {
	    .category_keywords = {[CAT_SECURITY] = (const char *const *)kw},
	    .title_weight = 2,
	    .label_weight = 3,
	    .min_hits = 1};
	struct normalizer *n = test_normalizer();
	struct err err = {0};
	struct classify_rules *r = classify_rules_new(&cfg, n, &err);
	cr_assert_not_null(r, "%s", err.msg);
	struct classification c = run(n, r, NULL, text, NULL);
	cr_expect_eq(c.category, CAT_SECURITY);
	cr_expect_float_eq(c.evidence[CAT_SECURITY], NK, 1e-12);
	size_t len = strlen(c.why);
	cr_expect_lt(len, sizeof(c.why));
	cr_expect_gt(len, sizeof(c.why) - 64, "truncated too early: %zu", len);
	cr_expect_str_eq(c.why + len - 3, "...");
	cr_expect(text_valid_utf8(c.why, strlen(c.why)), "why is not valid UTF-8: %s", c.why);
	const char *head = "security: zyxword00 ünïcødé ßtraße ünïcødé ßtraße ünïcødé, zyxword01";
	cr_expect(strncmp(c.why, head, strlen(head)) == 0, "%s", c.why);
	classify_rules_free(r);
	normalizer_free(n);
	for (int i = 0; i < NK; i++)
		free(kw[i]);
	free(text);
}

/* ---- the first-token index */

Test(classify, index_finds_every_phrase_among_many)
{
	/* 3000 phrases, many sharing first tokens, across classes; each one must
	 * still be found, and only its own class credited. */
	enum { NP = 3000 };
	char **kw[3];
	for (int c = 0; c < 3; c++)
		kw[c] = calloc(NP + 1, sizeof(char *));
	for (int i = 0; i < NP; i++)
		cr_assert_neq(asprintf(&kw[i % 3][i / 3], "grp%d term%d", i % 50, i), -1);
	struct classify_config cfg = {.category_keywords = {(const char *const *)kw[0],
	                                                    (const char *const *)kw[1],
	                                                    (const char *const *)kw[2]},
	                              .title_weight = 2,
	                              .label_weight = 3,
	                              .min_hits = 1};
	struct normalizer *n = test_normalizer();
	struct err err = {0};
	struct classify_rules *r = classify_rules_new(&cfg, n, &err);
	cr_assert_not_null(r, "%s", err.msg);
	for (int i = 0; i < NP; i += 7) {
		char body[64];
		snprintf(body, sizeof(body), "before grp%d term%d after", i % 50, i);
		struct classification c = run(n, r, NULL, body, NULL);
		cr_expect_eq(c.category, (enum category)(i % 3), "phrase %d: %s", i, c.why);
		cr_expect_float_eq(c.evidence[i % 3], 1.0, 1e-12, "phrase %d", i);
	}
	classify_rules_free(r);
	normalizer_free(n);
	for (int c = 0; c < 3; c++) {
		for (int i = 0; kw[c][i]; i++)
			free(kw[c][i]);
		free(kw[c]);
	}
}

/* ---- config mistakes fail with the key's name */

Test(classify, config_errors_name_the_key)
{
	struct normalizer *n = test_normalizer();
	struct err err = {0};

	static const char *const only_stop[] = {"crash", "the of", NULL};
	struct classify_config c = test_config();
	c.category_keywords[CAT_RELIABILITY] = only_stop;
	cr_expect_null(classify_rules_new(&c, n, &err));
	cr_expect_str_eq(err.field, "classify.reliability");
	cr_expect(strstr(err.msg, "the of"), "%s", err.msg);

	static const char *const from[] = {"bug", "sec", NULL};
	static const char *const to_bad[] = {"reliability", "secure", NULL};
	static const char *const to_short[] = {"reliability", NULL};
	c = test_config();
	c.label_from = from;
	c.label_to = to_bad;
	err_clear(&err);
	cr_expect_null(classify_rules_new(&c, n, &err));
	cr_expect_str_eq(err.field, "classify.labels");
	cr_expect(strstr(err.msg, "secure"), "%s", err.msg);
	c.label_to = to_short;
	err_clear(&err);
	cr_expect_null(classify_rules_new(&c, n, &err));
	cr_expect_str_eq(err.field, "classify.labels");

	c = test_config();
	c.title_weight = -1;
	err_clear(&err);
	cr_expect_null(classify_rules_new(&c, n, &err));
	cr_expect_str_eq(err.field, "classify.title_weight");

	/* An empty config is valid: everything is a cloud feature for nobody. */
	struct classify_config empty = {.title_weight = 2, .label_weight = 3, .min_hits = 1};
	struct classify_rules *r = classify_rules_new(&empty, n, &err);
	cr_assert_not_null(r);
	struct classification out = run(n, r, "crash", "slow", L("bug"));
	cr_expect_eq(out.category, CAT_FEATURE);
	cr_expect_eq(out.segments, 0);
	cr_expect_eq(out.runtime, RT_CLOUD);
	classify_rules_free(r);
	normalizer_free(n);
}

Test(classify, null_and_empty_input, .init = setup, .fini = teardown)
{
	struct classify_input in = {0};
	struct classification c;
	classify(R, &in, &c);
	cr_expect_eq(c.category, CAT_FEATURE);
	cr_expect_eq(c.runtime, RT_CLOUD);
	cr_expect_eq(c.segments, 0);
	cr_expect_str_eq(c.why, "");
}

/* ---- the shipped config/scoring.json */

/* Everything built from the real config; strings are borrowed from root. */
struct real {
	json_t *root;
	const char **arrays[16];
	int narrays;
	struct normalizer *n;
	struct classify_rules *r;
};

static const char **str_array(struct real *rc, json_t *a, const char *what)
{
	cr_assert(json_is_array(a), "%s is not an array", what);
	const char **v = calloc(json_array_size(a) + 1, sizeof(*v));
	cr_assert_not_null(v);
	rc->arrays[rc->narrays++] = v;
	size_t i;
	json_t *s;
	json_array_foreach(a, i, s)
	{
		cr_assert(json_is_string(s), "%s[%zu] is not a string", what, i);
		v[i] = json_string_value(s);
	}
	return v;
}

/* A JSON object of strings as two parallel NULL-terminated arrays; keys
 * starting with '_' are comments. */
static void str_map(struct real *rc, json_t *o, const char *what, const char ***from,
                    const char ***to)
{
	cr_assert(json_is_object(o), "%s is not an object", what);
	*from = calloc(json_object_size(o) + 1, sizeof(char *));
	*to = calloc(json_object_size(o) + 1, sizeof(char *));
	cr_assert(*from && *to);
	rc->arrays[rc->narrays++] = *from;
	rc->arrays[rc->narrays++] = *to;
	const char *k;
	json_t *v;
	size_t i = 0;
	json_object_foreach(o, k, v)
	{
		if (k[0] == '_')
			continue;
		cr_assert(json_is_string(v), "%s.%s is not a string", what, k);
		(*from)[i] = k;
		(*to)[i++] = json_string_value(v);
	}
}

static double num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	cr_assert(json_is_number(v), "classify.%s is not a number", key);
	return json_number_value(v);
}

static void real_load(struct real *rc)
{
	memset(rc, 0, sizeof(*rc));
	json_error_t jerr;
	rc->root = json_load_file(TEST_SOURCE_DIR "/../config/scoring.json", 0, &jerr);
	cr_assert_not_null(rc->root, "scoring.json line %d: %s", jerr.line, jerr.text);
	json_t *norm = json_object_get(rc->root, "normalise");
	json_t *cl = json_object_get(rc->root, "classify");
	cr_assert(json_is_object(norm) && json_is_object(cl));

	struct normalize_config nc = {0};
	const char **sf, **st;
	nc.stopwords = str_array(rc, json_object_get(norm, "stopwords"), "stopwords");
	str_map(rc, json_object_get(norm, "synonyms"), "synonyms", &sf, &st);
	nc.syn_from = sf;
	nc.syn_to = st;
	nc.boilerplate = str_array(rc, json_object_get(norm, "boilerplate"), "boilerplate");
	struct err err = {0};
	rc->n = normalizer_new(&nc, &err);
	cr_assert_not_null(rc->n, "normalizer_new: %s: %s", err.field, err.msg);

	struct classify_config cc = {0};
	static const char *const cats[] = {"security", "reliability", "performance"};
	for (int i = 0; i < 3; i++)
		cc.category_keywords[i] = str_array(rc, json_object_get(cl, cats[i]), cats[i]);
	cc.vpn = str_array(rc, json_object_get(cl, "vpn"), "vpn");
	cc.platform = str_array(rc, json_object_get(cl, "platform"), "platform");
	cc.bridge = str_array(rc, json_object_get(cl, "bridge"), "bridge");
	cc.client = str_array(rc, json_object_get(cl, "client"), "client");
	cc.cloud = str_array(rc, json_object_get(cl, "cloud"), "cloud");
	const char **lf, **lt;
	str_map(rc, json_object_get(cl, "labels"), "labels", &lf, &lt);
	cc.label_from = lf;
	cc.label_to = lt;
	cc.title_weight = num(cl, "title_weight");
	cc.label_weight = num(cl, "label_weight");
	cc.min_hits = num(cl, "min_hits");
	rc->r = classify_rules_new(&cc, rc->n, &err);
	cr_assert_not_null(rc->r, "classify_rules_new: %s: %s", err.field, err.msg);
}

static void real_free(struct real *rc)
{
	classify_rules_free(rc->r);
	normalizer_free(rc->n);
	for (int i = 0; i < rc->narrays; i++)
		free(rc->arrays[i]);
	json_decref(rc->root);
}

#define ANY_SEG -1

Test(classify, shipped_config_on_realistic_requests)
{
	const struct {
		const char *title, *body;
		const char *const *labels;
		enum category cat;
		int seg; /* ANY_SEG: not checked */
		enum runtime rt;
	} cases[] = {
	    {"Exit node per app on macOS",
	     "I'd like to send only my browser through the exit node while everything else goes "
	     "direct, like split tunneling in other VPN clients.",
	     NULL, CAT_FEATURE, SEG_VPN, RT_CLIENT},
	    {"Workload identity for GitHub Actions",
	     "Our CI jobs should authenticate to the tailnet with the OIDC token GitHub gives "
	     "them, instead of long-lived auth keys we rotate by hand.",
	     NULL, CAT_FEATURE, SEG_VPN | SEG_PLATFORM, RT_CLOUD},
	    {"Client drops connection after sleep",
	     "On Windows 11 the client doesn't reconnect when my laptop wakes up. I have to "
	     "toggle it off and on again.",
	     NULL, CAT_RELIABILITY, SEG_VPN, RT_CLIENT},
	    {"High CPU on exit node",
	     "tailscaled sits at 100% CPU on our Linux exit node once throughput goes above "
	     "500 Mbps.",
	     NULL, CAT_PERFORMANCE, SEG_VPN, RT_CLIENT},
	    {"SCIM provisioning with Okta",
	     "Sync users and groups from Okta automatically and deprovision people when they "
	     "leave, so offboarded employees lose access right away.",
	     NULL, CAT_SECURITY, SEG_VPN, RT_CLOUD},
	    {"MFA step-up before SSH to production",
	     "Require a fresh 2FA prompt when someone opens an SSH session to a production "
	     "server.",
	     NULL, CAT_SECURITY, SEG_VPN, RT_CLOUD},
	    {"Kubernetes operator: egress to tailnet devices",
	     "Let pods in the cluster reach devices on the tailnet through the operator, with a "
	     "Helm value to turn it on.",
	     L("area/kubernetes", "enhancement"), CAT_FEATURE, SEG_PLATFORM, RT_CLOUD},
	    {"iOS app drains battery",
	     "Since the last release the iPhone app uses 15% battery a day even when idle.", NULL,
	     CAT_PERFORMANCE, ANY_SEG, RT_CLIENT},
	    {"DNS resolution failing with MagicDNS on Android",
	     "Names stop resolving after switching from wifi to LTE; the app says connected but "
	     "nothing resolves.",
	     NULL, CAT_RELIABILITY, SEG_VPN, RT_CLIENT},
	    {"Audit log streaming to our SIEM",
	     "Compliance needs admin actions streamed to Splunk in near real time.", NULL,
	     CAT_SECURITY, SEG_VPN, RT_CLOUD},
	    {"CVE in tailscaled on Windows: local privilege escalation",
	     "A local user can make the service load a DLL from a writable folder.", NULL,
	     CAT_SECURITY, ANY_SEG, RT_CLIENT},
	    {"Android app crashes on launch",
	     "### What is the issue?\n\nThe Android app crashes as soon as I open it.\n\n"
	     "### Steps to reproduce\n\n1. Install 1.82\n2. Open the app\n\n"
	     "### Are there any recent changes that introduced the issue?\n\n_No response_\n\n"
	     "### OS\n\nAndroid\n\n### Tailscale version\n\n1.82.0",
	     L("bug", "os/android"), CAT_RELIABILITY, ANY_SEG, RT_CLIENT},
	    {"Terraform provider: manage ACLs as code",
	     "We keep everything else in Terraform; the policy should live there too.", NULL,
	     CAT_FEATURE, SEG_VPN | SEG_PLATFORM, RT_CLOUD},
	    {"Dark mode in the admin console", "The console is blinding at night.", NULL,
	     CAT_FEATURE, 0, RT_CLOUD},
	    {"GNOME system tray app",
	     "### What are you trying to do?\n\nOn Linux everything is CLI. My colleagues want to "
	     "click to switch exit nodes.\n\n### How should we solve it?\n\nA small tray icon with "
	     "status and an exit node picker.",
	     L("feature-request"), CAT_FEATURE, SEG_VPN, RT_CLIENT},
	};
	struct real rc;
	real_load(&rc);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct classification c =
		    run(rc.n, rc.r, cases[i].title, cases[i].body, cases[i].labels);
		cr_expect_eq(c.category, cases[i].cat, "\"%s\": category %s, want %s (why: %s)",
		             cases[i].title, category_name(c.category), category_name(cases[i].cat),
		             c.why);
		if (cases[i].seg != ANY_SEG)
			cr_expect_eq(c.segments, cases[i].seg,
			             "\"%s\": segments %d, want %d (why: %s)", cases[i].title,
			             c.segments, cases[i].seg, c.why);
		cr_expect_eq(c.runtime, cases[i].rt, "\"%s\": runtime %s, want %s (why: %s)",
		             cases[i].title, runtime_name(c.runtime), runtime_name(cases[i].rt),
		             c.why);
	}
	real_free(&rc);
}

/* The shipped config is well-formed beyond what classify needs: every
 * object documents itself, the score weights are all there. */
Test(classify, shipped_config_is_documented_and_complete)
{
	json_error_t jerr;
	json_t *root = json_load_file(TEST_SOURCE_DIR "/../config/scoring.json", 0, &jerr);
	cr_assert_not_null(root, "line %d: %s", jerr.line, jerr.text);
	static const char *const objs[] = {"normalise", "classify", "dedup", "score"};
	for (int i = 0; i < 4; i++) {
		json_t *o = json_object_get(root, objs[i]);
		cr_assert(json_is_object(o), "%s", objs[i]);
		cr_expect(json_is_string(json_object_get(o, "_doc")), "%s has no _doc", objs[i]);
	}
	json_t *score = json_object_get(root, "score");
	static const char *const sub[] = {"srpf", "bridge", "runtime", "demand", "freshness"};
	for (int i = 0; i < 5; i++) {
		json_t *o = json_object_get(score, sub[i]);
		cr_assert(json_is_object(o), "score.%s", sub[i]);
		cr_expect(json_is_string(json_object_get(o, "_doc")), "score.%s has no _doc",
		          sub[i]);
	}
	cr_expect_eq(json_number_value(json_object_get(json_object_get(score, "srpf"), "security")),
	             4.0);
	json_decref(root);
}
