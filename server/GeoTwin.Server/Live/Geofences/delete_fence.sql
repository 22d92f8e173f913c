-- As the caller: a fence outside the scope is not found.
DELETE FROM geofences WHERE id = $1 RETURNING id
