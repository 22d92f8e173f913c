SELECT EXISTS (
    SELECT 1 FROM resident_addresses r JOIN addresses a ON a.id = r.address_id
    WHERE r.user_id = $1 AND a.code = $2
);
