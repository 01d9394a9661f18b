-- 005_connectors.sql - when a connector last checked its known items for
-- deletions upstream (a listing never shows a deleted issue).
ALTER TABLE connector_state ADD COLUMN reconciled_at timestamptz;
