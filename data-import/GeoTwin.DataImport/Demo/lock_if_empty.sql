-- Two GeoTwin nodes starting at once must not both load the demo: the first takes this lock, the
-- second waits for it and then sees the rows. The demo loads only where none of its tables has data,
-- so it never mixes with a real jurisdiction.
LOCK TABLE jurisdictions IN EXCLUSIVE MODE;
SELECT NOT EXISTS (SELECT 1 FROM jurisdictions)
   AND NOT EXISTS (SELECT 1 FROM roads)
   AND NOT EXISTS (SELECT 1 FROM addresses)
   AND NOT EXISTS (SELECT 1 FROM houses)
   AND NOT EXISTS (SELECT 1 FROM cameras)
   AND NOT EXISTS (SELECT 1 FROM police_units)
   AND NOT EXISTS (SELECT 1 FROM incidents);
