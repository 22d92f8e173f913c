-- Counts a failed sign-in; the one that reaches the limit locks the account for a while.
UPDATE users
SET failed_logins = failed_logins + 1,
    locked_until = CASE WHEN failed_logins + 1 >= $2 THEN now() + make_interval(mins => $3) ELSE locked_until END
WHERE id = $1
RETURNING locked_until;
