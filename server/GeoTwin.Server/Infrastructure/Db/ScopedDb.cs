using GeoTwin.Server.Infrastructure.Auth;
using Npgsql;

namespace GeoTwin.Server.Infrastructure.Db;

/// <summary>
/// The one way request-time code reads scoped data: a transaction running as geotwin_scoped (or
/// geotwin_personal) with geotwin.scope set to the caller's subtree, so PostgreSQL's row-level security
/// keeps every query of every store inside the caller's jurisdiction (see migration 0009).
/// </summary>
public sealed class ScopedDb(NpgsqlDataSource db)
{
    public async Task<T> RunAsync<T>(CurrentUser user, Func<ScopedSession, Task<T>> work, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var scope = new NpgsqlCommand("SELECT set_config('role', $1, true), set_config('geotwin.scope', $2, true)", conn, tx))
        {
            scope.Parameters.Add(new() { Value = user.ReadsPersonalData ? "geotwin_personal" : "geotwin_scoped" });
            scope.Parameters.Add(new() { Value = user.Scope });
            await scope.ExecuteNonQueryAsync(ct);
        }
        var result = await work(new ScopedSession(conn, tx, user));
        await tx.CommitAsync(ct);
        return result;
    }
}

public sealed class ScopedSession(NpgsqlConnection connection, NpgsqlTransaction transaction, CurrentUser user)
{
    public CurrentUser User { get; } = user;

    public NpgsqlCommand Command(string sql, params object?[] parameters) =>
        DbCommands.WithParameters(new NpgsqlCommand(sql, connection, transaction), parameters);
}
