using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;
using Microsoft.AspNetCore.Identity;
using Npgsql;

namespace GeoTwin.Server.Accounts;

/// <summary>Users, tokens and the audit log. Not scoped: only sign-in and admins reach it.</summary>
public sealed class AccountsStore(NpgsqlDataSource db)
{
    static readonly PasswordHasher<string> Hasher = new();

    public static string HashPassword(string password) => Hasher.HashPassword("", password);

    public static bool VerifyPassword(string hash, string password) =>
        Hasher.VerifyHashedPassword("", hash, password) != PasswordVerificationResult.Failed;

    public Task<LoginCandidate?> FindForLoginAsync(string username, CancellationToken ct) =>
        db.Sql("Accounts/find_login.sql", username).FirstOrDefaultAsync(r => new LoginCandidate(
            r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetBoolean(5), r.GetInt32(6),
            r.Nullable<DateTime?>(7)), ct);

    /// <returns>the time the account is locked until, if this failure locked it</returns>
    public async Task<DateTime?> RecordFailedLoginAsync(long userId, int limit, int lockMinutes, CancellationToken ct)
    {
        await using var cmd = db.Sql("Accounts/record_failed_login.sql", userId, limit, lockMinutes);
        return await cmd.ExecuteScalarAsync(ct) is DateTime until ? until : null;
    }

    /// <returns>the id of the session the sign-in opened, for its cookie to carry</returns>
    public async Task<Guid> RecordLoginAsync(long userId, System.Net.IPAddress? from, CancellationToken ct)
    {
        await using var cmd = db.Sql("Accounts/record_login.sql", userId, from);
        return (Guid)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Ends a session: its cookie, and any copy of it, is refused from the next request on.</summary>
    public async Task EndSessionAsync(Guid sessionId, long userId, CancellationToken ct)
    {
        await using var cmd = db.Sql("Accounts/end_session.sql", sessionId, userId);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public Task<Me?> MeAsync(long userId, CancellationToken ct) =>
        db.Sql("Accounts/me.sql", userId).FirstOrDefaultAsync(r => new Me(r.GetInt64(0), r.GetString(1), r.GetString(2),
            r.GetString(3), r.GetString(4), r.GetString(5), r.GetBoolean(6),
            new JurisdictionRef(r.GetInt64(7), r.GetString(8), r.GetString(9), r.Nullable<string>(10), r.GetString(11))), ct);

    public Task<List<UserSummary>> ListUsersAsync(CancellationToken ct) =>
        db.Sql("Accounts/list_users.sql").ListAsync(r => new UserSummary(r.GetInt64(0), r.GetString(1), r.GetString(2),
            r.GetString(3), r.GetString(4), r.GetBoolean(5), r.Nullable<DateTime?>(6), r.Nullable<DateTime?>(7)), ct);

    /// <returns>the new id, or null when the jurisdiction code is unknown</returns>
    public async Task<long?> CreateUserAsync(string username, string displayName, string password, string role, string jurisdictionCode, CancellationToken ct)
    {
        await using var cmd = db.Sql("Accounts/create_user.sql", username, displayName, HashPassword(password), role, jurisdictionCode);
        return await cmd.ExecuteScalarAsync(ct) as long?;
    }

    public async Task<bool> ChangeUserAsync(long id, UserChange change, CancellationToken ct)
    {
        await using var cmd = db.Sql("Accounts/change_user.sql", id, change.DisplayName,
            change.Password is null ? null : HashPassword(change.Password), change.Role, change.JurisdictionCode,
            change.Disabled, change.Unlock ?? false);
        return await cmd.ExecuteScalarAsync(ct) is not null;
    }

    public Task<List<TokenSummary>> ListTokensAsync(CancellationToken ct) =>
        db.Sql("Accounts/list_tokens.sql").ListAsync(r => new TokenSummary(r.GetInt64(0), r.GetString(1), r.GetString(2),
            r.GetString(3), r.GetDateTime(4), r.Nullable<DateTime?>(5), r.Nullable<DateTime?>(6), r.Nullable<DateTime?>(7)), ct);

    /// <returns>the token with its secret, or null when the jurisdiction code is unknown</returns>
    public async Task<IssuedToken?> CreateTokenAsync(string name, string purpose, string jurisdictionCode, long? createdBy, int? expiresInDays, CancellationToken ct)
    {
        var secret = ApiTokenHandler.NewSecret();
        await using var cmd = db.Sql("Accounts/create_token.sql", name, ApiTokenHandler.Hash(secret), purpose, jurisdictionCode, createdBy, expiresInDays);
        return await cmd.ExecuteScalarAsync(ct) is long id ? new IssuedToken(id, name, purpose, secret) : null;
    }

    public async Task<bool> RevokeTokenAsync(long id, long? revokedBy, CancellationToken ct)
    {
        await using var cmd = db.Sql("Accounts/revoke_token.sql", id, revokedBy);
        return await cmd.ExecuteScalarAsync(ct) is not null;
    }

    public Task<List<AuditRow>> SearchAuditAsync(string? username, string? action, string? recordKind, string? recordId,
        DateTime? from, DateTime? to, int limit, CancellationToken ct) =>
        db.Sql("Accounts/search_audit.sql", username, action, recordKind, recordId, from, to, limit)
            .ListAsync(r => new AuditRow(r.GetInt64(0), r.GetDateTime(1), r.Nullable<string>(2), r.GetString(3),
                r.Nullable<string>(4), r.Nullable<string>(5), r.Nullable<string>(6), r.GetFieldValue<string[]>(7),
                r.IsDBNull(8) ? null : System.Text.Json.JsonDocument.Parse(r.GetString(8)).RootElement.Clone()), ct);
}
