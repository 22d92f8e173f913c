-- Whether resident $1 is linked to address $2, and whether they are the landlord of a house there.
SELECT EXISTS (
    SELECT 1 FROM resident_addresses r JOIN addresses a ON a.id = r.address_id
    WHERE r.user_id = $1 AND a.code = $2
), EXISTS (
    SELECT 1 FROM house_landlords l JOIN houses h ON h.id = l.house_id JOIN addresses a ON a.id = h.address_id
    WHERE l.user_id = $1 AND a.code = $2
);
