-- 013_tenancy_public.sql - who owns a mention's external_id, and what the
-- customer and public views read instead of fields that private data moves.
--
-- Tenancy: (source, external_id) stays the mention's key for operators; the
-- owner is the client that created it ('token:<id>' for an API token,
-- 'import' for file imports and the sales inbox, 'form' for the employee
-- form, the source's name for a connector). Only the owner may change it
-- (intake/pipeline.c). Rows written before this migration get the owner
-- their external_id says, else 'legacy': no client owns those, an operator
-- can hand them over with an UPDATE.
ALTER TABLE mentions ADD COLUMN owned_by text NOT NULL DEFAULT 'legacy'
    CHECK (length(owned_by) BETWEEN 1 AND 64);
UPDATE mentions SET owned_by = CASE
    WHEN source IN ('github', 'reddit') THEN source
    WHEN source = 'sales' THEN 'import'
    WHEN external_id LIKE 'form:%' THEN 'form'
    WHEN external_id ~ '^api:[0-9]+:' THEN 'token:' || split_part(external_id, ':', 2)
    ELSE 'legacy' END;

-- What outside (customer and public) views show of an idea instead of what
-- private data moves. The classification: fixed when a person publishes
-- the idea (visibility leaves 'internal'), changed afterwards only by a
-- person's overrides, so a private mention that reclassifies it (a label,
-- say) moves nothing outside. Demand: live public mentions by people
-- outside the company (a staff reply is not demand), kept by the triggers
-- on mentions below whatever path writes them. public_changed_at moves
-- only when one of these, or a field a person sets that outside readers
-- see, changes: never on a rescore.
ALTER TABLE ideas
    ADD COLUMN public_category text
        CHECK (public_category IN ('security', 'reliability', 'performance', 'feature')),
    ADD COLUMN public_segments text[],
    ADD COLUMN public_requesters integer NOT NULL DEFAULT 0,
    ADD COLUMN public_mentions integer NOT NULL DEFAULT 0,
    ADD COLUMN public_sources integer NOT NULL DEFAULT 0,
    ADD COLUMN public_activity_at timestamptz,
    ADD COLUMN public_changed_at timestamptz NOT NULL DEFAULT now();

CREATE FUNCTION ideas_public_demand(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    UPDATE ideas i
       SET public_requesters = d.req, public_mentions = d.nm, public_sources = d.ns,
           public_activity_at = d.last
      FROM (SELECT x.id,
                   count(DISTINCT m.requester_key) FILTER (WHERE NOT m.deleted) AS req,
                   count(m.id) FILTER (WHERE NOT m.deleted) AS nm,
                   count(DISTINCT m.source) FILTER (WHERE NOT m.deleted) AS ns,
                   max(greatest(m.first_seen_at, m.upstream_updated_at)) AS last
              FROM unnest(ids) x(id)
              LEFT JOIN mentions m ON m.idea_id = x.id AND m.is_public
                                  AND m.author_kind <> 'employee'
             GROUP BY x.id) d
     WHERE i.id = d.id
       AND (i.public_requesters, i.public_mentions, i.public_sources, i.public_activity_at)
           IS DISTINCT FROM (d.req::int, d.nm::int, d.ns::int, d.last)
$$;

UPDATE ideas SET public_category = category, public_segments = segments
 WHERE visibility <> 'internal';
SELECT ideas_public_demand(ARRAY(SELECT DISTINCT idea_id FROM mentions
                                  WHERE is_public AND idea_id IS NOT NULL));
UPDATE ideas SET public_changed_at = greatest(updated_at, public_activity_at)
 WHERE visibility <> 'internal';

-- Statement triggers: an import of private notes costs one scan of the rows
-- it wrote, and a page of public issues one update of their ideas.
CREATE FUNCTION mentions_public_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ideas_public_demand(ARRAY(SELECT DISTINCT idea_id FROM added
                                       WHERE is_public AND idea_id IS NOT NULL));
    RETURN NULL;
END $$;
CREATE FUNCTION mentions_public_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ideas_public_demand(ARRAY(
        SELECT DISTINCT x.idea_id
          FROM before b JOIN after a ON a.id = b.id,
               LATERAL (VALUES (b.idea_id), (a.idea_id)) x(idea_id)
         WHERE (b.is_public OR a.is_public) AND x.idea_id IS NOT NULL
           AND (b.idea_id, b.is_public, b.deleted, b.requester_key, b.author_kind, b.source,
                b.upstream_updated_at)
               IS DISTINCT FROM (a.idea_id, a.is_public, a.deleted, a.requester_key,
                                 a.author_kind, a.source, a.upstream_updated_at)));
    RETURN NULL;
END $$;
CREATE TRIGGER mentions_public_inserted AFTER INSERT ON mentions
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION mentions_public_inserted();
CREATE TRIGGER mentions_public_updated AFTER UPDATE ON mentions
    REFERENCING OLD TABLE AS before NEW TABLE AS after
    FOR EACH STATEMENT EXECUTE FUNCTION mentions_public_updated();

CREATE FUNCTION ideas_public_face() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.visibility = 'internal' OR NEW.public_category IS NULL THEN
        NEW.public_category := NEW.category;
        NEW.public_segments := NEW.segments;
    END IF;
    IF NEW.overrides ? 'category'
       AND NEW.overrides->>'category' IN ('security', 'reliability', 'performance', 'feature') THEN
        NEW.public_category := NEW.overrides->>'category';
    END IF;
    IF jsonb_typeof(NEW.overrides->'segments') = 'array' THEN
        NEW.public_segments := ARRAY(SELECT s FROM jsonb_array_elements_text(NEW.overrides->'segments') s
                                      WHERE s IN ('vpn', 'platform') ORDER BY s DESC);
    END IF;
    IF (OLD.visibility, OLD.public_title, OLD.status, OLD.stage, OLD.disclosed,
        OLD.public_category, OLD.public_segments, OLD.public_requesters, OLD.public_mentions,
        OLD.public_sources, OLD.public_activity_at)
       IS DISTINCT FROM
       (NEW.visibility, NEW.public_title, NEW.status, NEW.stage, NEW.disclosed,
        NEW.public_category, NEW.public_segments, NEW.public_requesters, NEW.public_mentions,
        NEW.public_sources, NEW.public_activity_at) THEN
        NEW.public_changed_at := now();
    END IF;
    RETURN NEW;
END $$;
-- only ideas outside readers may see pay for it (and the one update that
-- publishes an idea)
CREATE TRIGGER ideas_public_face BEFORE UPDATE ON ideas
    FOR EACH ROW WHEN (NEW.visibility <> 'internal') EXECUTE FUNCTION ideas_public_face();

-- outside views rank by public demand, not by the score
DROP INDEX ideas_rank_public;
DROP INDEX ideas_rank_customer;
CREATE INDEX ideas_rank_public ON ideas (public_requesters DESC, id)
    WHERE visibility = 'public' AND status <> 'merged';
CREATE INDEX ideas_rank_customer ON ideas (public_requesters DESC, id)
    WHERE visibility IN ('customer', 'public') AND status <> 'merged';
