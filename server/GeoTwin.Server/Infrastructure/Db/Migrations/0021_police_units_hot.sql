-- Every accepted fix writes its unit's last_* through to police_units (10,000 units at 1 Hz is 10,000 row updates
-- a second). With a GiST index on last_position none of them could be a HOT update: each wrote a new index entry
-- in both indexes and left the table and indexes bloating. Nothing searches police_units by position (nearest units
-- come from the in-memory grid of the Live slice; Dispatch and the address search read last_position by id or
-- call sign), so the index goes, and free room on each page lets an update stay on its page.
DROP INDEX police_units_position_gist;
ALTER TABLE police_units SET (fillfactor = 50);
