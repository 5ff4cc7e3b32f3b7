-- What needs a human: ambiguous acronyms and names the review's place does not settle, generic
-- names the place does not settle, borderline typos, bodies outside the catalogue, near misses not
-- merged, names without a sector, spellings seen for the first time, and CSP names the geography
-- reference could not place ('unplaced CSP', 'ambiguous CSP'), with the reviews that print them.
CREATE OR REPLACE VIEW v_resolution_review AS
SELECT kind, addressed_as, detail, review_ids
FROM resolution_finding;
