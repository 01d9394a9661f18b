-- tests/bench/backlog_seed.sql - :n synthetic ideas, written straight into the
-- real schema (db/migrations) for tests/bench/backlog_bench.sh; ingesting them
-- through the API would take far too long (~300 ideas/s).
--
--   psql -v n=100000 -f tests/bench/backlog_seed.sql
--
-- Deterministic (hashes of the id, no random()). The mix:
--   visibility  ~20% public, ~10% customer, the rest internal
--   status      new 30%, under_review 20%, planned 15%, in_progress 10%,
--               shipped 15%, declined 8%, merged 2%
--   category    security 10%, reliability 20%, performance 20%, feature 50%
--   segments    none, vpn, platform, both (bridge): a quarter each
--   mentions    1 to 3 per idea; every public idea has a public GitHub post
--               (is_public, kind 'post', url) so it has a title it may show;
--               a third of public and half of customer ideas also carry a
--               person-written public_title; private mentions are sales notes
--               (account, ARR) and employee ideas (e-mail)
--   security    ideas that are not shipped and disclosed stay hidden outside,
--               public or not (a shipped one is disclosed half the time)
\set ON_ERROR_STOP on
BEGIN;

CREATE TEMP TABLE words (k int PRIMARY KEY, verb text, thing text, place text);
INSERT INTO words
SELECT k, (ARRAY['Support', 'Allow', 'Add', 'Improve', 'Speed up', 'Harden', 'Expose', 'Audit',
                 'Automate', 'Simplify', 'Document', 'Fix'])[1 + k % 12],
          (ARRAY['exit nodes', 'ACL tags', 'SSO with Okta', 'device posture', 'DNS filtering',
                 'app connectors', 'workload identity', 'service discovery', 'Kubernetes operator',
                 'CI/CD ephemeral nodes', 'multiple tailnets', 'SDK for Go', 'API keys',
                 'subnet routers', 'MagicDNS', 'key rotation', 'audit log streaming',
                 'IoT device enrollment', 'relay latency', 'client auto-update'])[1 + (k / 12) % 20],
          (ARRAY['on Linux', 'on Windows', 'on macOS', 'in the admin console', 'in the API',
                 'for large fleets', 'for contractors', 'per team', 'in Terraform', 'on iOS',
                 'on Android', 'for GitHub Actions', 'behind NAT', 'in air-gapped sites'])[1 + (k / 240) % 14]
FROM generate_series(0, 3359) k;

-- one row per idea with its draws, from hashes of its id
CREATE TEMP TABLE draw AS
SELECT g AS id,
       (abs(hashint4(g * 7919)) % 100) AS vis_d,
       (abs(hashint4(g * 31 + 7)) % 100) AS status_d,
       (abs(hashint4(g * 13 + 3)) % 100) AS cat_d,
       (abs(hashint4(g * 17 + 5)) % 4) AS seg_d,
       (abs(hashint4(g * 101 + 11)) % 3) AS extra,          -- 0..2 mentions besides the first
       (abs(hashint4(g * 37 + 1)) % 3360) AS word_k,
       (abs(hashint4(g)) % 1000000) / 1000000.0 AS u
FROM generate_series(1, :n) g;

INSERT INTO ideas (id, title, norm_title, status, category, segments, runtime, visibility,
                   public_title, disclosed, table_stakes, score, score_breakdown, requesters,
                   mention_count, source_count, merged_into, created_at, updated_at,
                   last_activity_at, scored_at)
SELECT d.id,
       w.verb || ' ' || w.thing || ' ' || w.place || ' (#' || d.id || ')',
       lower(w.verb || ' ' || w.thing || ' ' || w.place || ' ' || d.id),
       s.status,
       c.category,
       (ARRAY['{}', '{vpn}', '{platform}', '{vpn,platform}'])[1 + d.seg_d]::text[],
       (ARRAY['cloud', 'client', 'both'])[1 + d.id % 3],
       v.visibility,
       CASE WHEN v.visibility = 'public' AND d.id % 3 = 0 THEN 'Public: ' || w.thing || ' ' || w.place
            WHEN v.visibility = 'customer' AND d.id % 2 = 0 THEN 'Customer: ' || w.thing || ' ' || w.place
       END,
       c.category = 'security' AND s.status = 'shipped' AND d.id % 2 = 0,
       d.id % 50 = 0,
       -- SRPF weight x bridge factor x demand x a spread: scores 0.05 .. ~12
       round(((CASE c.category WHEN 'security' THEN 4 WHEN 'reliability' THEN 3
                               WHEN 'performance' THEN 2 ELSE 1 END)
              * (CASE d.seg_d WHEN 3 THEN 1.5 WHEN 0 THEN 0.85 ELSE 1 END)
              * (1 + d.extra * 0.6) * (0.05 + d.u * 2))::numeric, 6)::float8,
       jsonb_build_object('factors', jsonb_build_array(
           jsonb_build_object('name', 'srpf', 'value', 1, 'note', c.category),
           jsonb_build_object('name', 'demand', 'value', 1 + d.extra * 0.6, 'note', 'seeded'))),
       1 + d.extra, 1 + d.extra, 1 + (d.extra > 0)::int,
       CASE WHEN s.status = 'merged' THEN greatest(d.id - 1, 1) END,
       now() - (d.id % 700) * interval '1 day', now() - (d.id % 90) * interval '1 day',
       now() - (d.id % 90) * interval '1 day', now()
FROM draw d
JOIN words w ON w.k = d.word_k
CROSS JOIN LATERAL (SELECT CASE WHEN d.vis_d < 20 THEN 'public' WHEN d.vis_d < 30 THEN 'customer'
                                ELSE 'internal' END AS visibility) v
CROSS JOIN LATERAL (SELECT CASE WHEN d.status_d < 30 THEN 'new' WHEN d.status_d < 50 THEN 'under_review'
                                WHEN d.status_d < 65 THEN 'planned' WHEN d.status_d < 75 THEN 'in_progress'
                                WHEN d.status_d < 90 THEN 'shipped' WHEN d.status_d < 98 THEN 'declined'
                                ELSE 'merged' END AS status) s
CROSS JOIN LATERAL (SELECT CASE WHEN d.cat_d < 10 THEN 'security' WHEN d.cat_d < 30 THEN 'reliability'
                                WHEN d.cat_d < 50 THEN 'performance' ELSE 'feature' END AS category) c
ORDER BY d.id;
-- idea 1 cannot be merged into itself
UPDATE ideas SET status = 'new', merged_into = NULL WHERE id = 1 AND status = 'merged';
SELECT setval(pg_get_serial_sequence('ideas', 'id'), (SELECT max(id) FROM ideas));

-- the first mention: public ideas' is a public GitHub issue; others' a GitHub
-- issue (public ideas aside, half of these are public too), a Reddit post, a
-- sales note or an employee's form
INSERT INTO mentions (idea_id, source, external_id, kind, author, author_kind, author_email,
                      account, arr, title, body, url, is_public, requester_key, votes,
                      upstream_created_at, upstream_updated_at, content_hash)
SELECT i.id, src.source,
       CASE src.source WHEN 'github' THEN 'example/product#' || i.id WHEN 'reddit' THEN 't3_' || i.id
                       WHEN 'sales' THEN 'note-' || i.id ELSE 'form:' || md5(i.id::text) END,
       'post',
       CASE src.source WHEN 'employee' THEN 'Employee ' || i.id % 400 WHEN 'sales' THEN 'AE ' || i.id % 40
                       ELSE 'user' || i.id % 5000 END,
       CASE src.source WHEN 'employee' THEN 'employee' WHEN 'sales' THEN 'customer' ELSE 'community' END,
       CASE WHEN src.source = 'employee' THEN 'employee' || i.id % 400 || '@corp.example' END,
       CASE WHEN src.source = 'sales' THEN 'Account ' || i.id % 300 END,
       CASE WHEN src.source = 'sales' THEN 5000 + (i.id % 300) * 1700 END,
       i.title,
       'Seeded body for idea ' || i.id || ': we would use it every day.',
       CASE src.source WHEN 'github' THEN 'https://github.com/example/product/issues/' || i.id
                       WHEN 'reddit' THEN 'https://www.reddit.com/r/example/comments/' || i.id END,
       src.source IN ('github', 'reddit'),
       src.source || ':' || i.id % 5000,
       i.id % 7, i.created_at, i.updated_at, md5('m1' || i.id)
FROM ideas i
CROSS JOIN LATERAL (SELECT CASE WHEN i.visibility = 'public' THEN 'github'
                                ELSE (ARRAY['github', 'reddit', 'sales', 'employee'])[1 + i.id % 4]
                           END AS source) src;

-- further mentions: comments on the thread, sales notes, employee ideas (private)
INSERT INTO mentions (idea_id, source, external_id, kind, parent_external_id, author, author_kind,
                      author_email, account, arr, title, body, url, is_public, requester_key,
                      upstream_created_at, upstream_updated_at, content_hash)
SELECT i.id, src.source,
       src.source || '-extra-' || i.id || '-' || x,
       CASE WHEN src.source = 'github' THEN 'comment' ELSE 'post' END,
       CASE WHEN src.source = 'github' THEN 'example/product#' || i.id END,
       CASE src.source WHEN 'employee' THEN 'Employee ' || (i.id + x) % 400 WHEN 'sales' THEN 'AE ' || x
                       ELSE 'user' || (i.id * x) % 5000 END,
       CASE src.source WHEN 'employee' THEN 'employee' WHEN 'sales' THEN 'customer' ELSE 'community' END,
       CASE WHEN src.source = 'employee' THEN 'employee' || (i.id + x) % 400 || '@corp.example' END,
       CASE WHEN src.source = 'sales' THEN 'Account ' || (i.id + x) % 300 END,
       CASE WHEN src.source = 'sales' THEN 12000 + ((i.id + x) % 300) * 2300 END,
       CASE WHEN src.source = 'github' THEN '' ELSE 'Also asked: ' || i.title END,
       'Private detail ' || x || ' for idea ' || i.id,
       NULL, src.source = 'github',
       src.source || ':' || (i.id + x) % 5000,
       i.updated_at, i.updated_at, md5('m' || x || i.id)
FROM ideas i
JOIN draw d ON d.id = i.id
CROSS JOIN LATERAL generate_series(1, d.extra) x
CROSS JOIN LATERAL (SELECT (ARRAY['github', 'sales', 'employee'])[1 + (i.id + x) % 3] AS source) src;

INSERT INTO mention_links (mention_id, idea_id, method, decided_by, similarity)
SELECT m.id, m.idea_id, CASE WHEN m.kind = 'comment' THEN 'explicit_link' ELSE 'new' END, 'triage', NULL
FROM mentions m;

-- full-text terms for the internal view's search and candidate retrieval
INSERT INTO idea_search (idea_id, search, rare)
SELECT id, to_tsvector('simple', norm_title), to_tsvector('simple', norm_title) FROM ideas;
UPDATE corpus SET ideas = (SELECT count(*) FROM ideas);

COMMIT;
VACUUM ANALYZE;

SELECT count(*) AS ideas,
       count(*) FILTER (WHERE visibility = 'public') AS public,
       count(*) FILTER (WHERE visibility = 'customer') AS customer,
       count(*) FILTER (WHERE visibility = 'public' AND category = 'security'
                        AND NOT (status = 'shipped' AND disclosed)) AS public_security_hidden,
       (SELECT count(*) FROM mentions) AS mentions
FROM ideas;
