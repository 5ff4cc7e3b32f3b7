-- What needs a human: ambiguous acronyms, near misses not merged, names without a sector, and
-- spellings seen for the first time, with the reviews that print them.
CREATE OR REPLACE VIEW v_resolution_review AS
SELECT kind, addressed_as, detail, review_ids
FROM resolution_finding;
