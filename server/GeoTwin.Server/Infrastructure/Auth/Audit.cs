using System.Net;
using GeoTwin.Server.Infrastructure.Db;
using Npgsql;

namespace GeoTwin.Server.Infrastructure.Auth;

/// <summary>
/// Who read or changed what, when, through which endpoint, from where. Personal-data reads are written
/// in the same transaction as the read, so a read whose audit row fails is not returned.
/// </summary>
public static class Audit
{
    const string Insert = """
        INSERT INTO audit_log (user_id, username, token_id, action, endpoint, remote_addr, record_kind, record_ids, details)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)
        """;

    /// <summary>
    /// A personal-data read: who asked for whom. Written whether or not anybody was shown: an empty answer still
    /// tells the reader something (nobody is registered there), and the asking is the fact to keep.
    /// </summary>
    /// <param name="ids">the records shown (may be none)</param>
    /// <param name="asked">what was asked for, e.g. new { houseId }: kept in details with the number shown</param>
    public static async Task RecordReadAsync(ScopedSession session, HttpContext http, string recordKind, IReadOnlyCollection<string> ids, object asked, CancellationToken ct)
    {
        var details = System.Text.Json.JsonSerializer.Serialize(new { asked, shown = ids.Count }, System.Text.Json.JsonSerializerOptions.Web);
        await using var cmd = session.Command(Insert, Values(session.User, http, "read", recordKind, ids, details));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Administrative changes (users, tokens), written with GeoTwin's own login.</summary>
    public static async Task RecordAsync(NpgsqlDataSource db, HttpContext http, string action, string recordKind, string id, string? detailsJson, CancellationToken ct)
    {
        await using var cmd = DbCommands.WithParameters(db.CreateCommand(Insert), Values(CurrentUser.From(http.User), http, action, recordKind, [id], detailsJson));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    static object?[] Values(CurrentUser user, HttpContext http, string action, string recordKind, IReadOnlyCollection<string> ids, string? details) =>
    [
        user.UserId, user.Name, user.TokenId, action, $"{http.Request.Method} {http.Request.Path}",
        http.Connection.RemoteIpAddress is { } ip ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip) : IPAddress.None,
        recordKind, ids.ToArray(), details,
    ];
}
