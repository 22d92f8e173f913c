-- Who is asking, for the declaration and resident policies of migration 0091 (local to this transaction).
SELECT set_config('geotwin.user_id', $1::text, true);
