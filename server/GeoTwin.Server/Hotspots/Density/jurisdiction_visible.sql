-- Whether a jurisdiction code names one the caller may see (row-level security): a narrowing filter must.
SELECT EXISTS (SELECT 1 FROM jurisdictions WHERE code = $1 AND path <@ geotwin_scope());
