/* connectors/github.h - GitHub JSON (REST issue items, webhook deliveries) to
 * normalised mentions. Pure: no I/O, no logging, no globals; the JSON is
 * borrowed and never modified. */
#ifndef CONNECTORS_GITHUB_H
#define CONNECTORS_GITHUB_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "triage/err.h"
#include "triage/mention.h"

/* One issue object (a REST "list repository issues" item or a webhook's
 * payload.issue) of repo "owner/name" (borrowed) into *m (new strings, which
 * the caller releases with mention_clear). When the issue carries its own
 * "repository" object, the mention is public only if that says the
 * repository is (see gh_webhook_to_mentions); without one it is public, and
 * the caller, who knows the repository, makes it private where it is not
 * (connectors/github_source.c asks GitHub). Returns 1 and fills *m when it
 * is an idea, 0 when it must be skipped (a pull request: it has a "pull_request"
 * key), -1 and *err (field = JSON path, e.g. "issue.number") when a required
 * field is missing or mistyped. *m is written only when 1 is returned, and
 * then overwritten without freeing what it held. */
int gh_issue_to_mention(const json_t *issue, const char *repo, struct mention *m, struct err *err)
    __attribute__((warn_unused_result));

/* A "get a repository" answer (GET /repos/{owner}/{name}; borrowed) for
 * repo "owner/name": 0 and *is_public, true only when it says "private":
 * false and "visibility" (when present) "public" (the rule
 * gh_webhook_to_mentions applies); -1 and *err when it is not such an
 * answer about repo ("full_name" not repo, case-insensitively; "private"
 * not a boolean; "visibility" not a string). *is_public is written only on
 * success. */
int gh_repository_visibility(const json_t *answer, const char *repo, bool *is_public,
                             struct err *err) __attribute__((warn_unused_result));

/* One webhook delivery (payload borrowed; event = the X-GitHub-Event header)
 * into up to two mentions: issues and discussion give the post; issue_comment
 * and discussion_comment give the post, then the comment. Returns how many of
 * out[0..1] were filled (new strings, released with mention_clear), 0 when the
 * delivery carries no mention (ping, other events, other actions, pull
 * requests; *ignored_reason, if not NULL, then points to a static string), or
 * -1 and *err naming the missing or mistyped field ("issue.user.login").
 * A "deleted" or "transferred" action yields the mention with deleted = true
 * and the last state GitHub sent (its updated_at is not the deletion time).
 * The mentions are public only when payload.repository says "private":
 * false (and "visibility", when present, "public").
 * out is written only when a positive count is returned. */
int gh_webhook_to_mentions(const char *event, const json_t *payload, struct mention out[2],
                           const char **ignored_reason, struct err *err)
    __attribute__((warn_unused_result));

/* GitHub's ISO-8601 time ("2026-03-04T10:11:12Z"; also fractional seconds
 * and a "+hh:mm" / "-hh:mm" offset) into Unix seconds (UTC). 0, or -1 when s
 * is not such a time; *out is written only on success. */
int gh_time_parse(const char *s, int64_t *out) __attribute__((warn_unused_result));

#endif
