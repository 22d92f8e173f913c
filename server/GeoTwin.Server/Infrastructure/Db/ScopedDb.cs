using GeoTwin.Server.Infrastructure.Auth;
using Npgsql;

namespace GeoTwin.Server.Infrastructure.Db;

/// <summary>
/// The one way request-time code reads scoped data: a transaction running as geotwin_scoped (or
/// geotwin_personal) with geotwin.scope set to the caller's subtree, so PostgreSQL's row-level security
/// keeps every query of every store inside the caller's jurisdiction (see migration 0009).
/// Reads that may be served by the read replica say so (<see cref="ReadAsync"/>, <see cref="ScalarsAsync"/>);
/// where they go is <see cref="ReadReplica"/>'s rule.
/// </summary>
public sealed class ScopedDb(NpgsqlDataSource db, ReadReplica? reads = null)
{
    public async Task<T> RunAsync<T>(CurrentUser user, Func<ScopedSession, Task<T>> work, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await RunOnAsync(conn, user, work, ct);
    }

    /// <summary>
    /// Like <see cref="RunAsync"/> for work that only reads, and whose answer is cached under
    /// <paramref name="atVersions"/> (or not cached): the read replica may serve it.
    /// </summary>
    public Task<T> ReadAsync<T>(CurrentUser user, string? atVersions, Func<ScopedSession, Task<T>> work, CancellationToken ct) =>
        reads is null ? RunAsync(user, work, ct) : reads.ReadAsync(atVersions, conn => RunOnAsync(conn, user, work, ct), ct);

    static async Task<T> RunOnAsync<T>(NpgsqlConnection conn, CurrentUser user, Func<ScopedSession, Task<T>> work, CancellationToken ct)
    {
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var scope = DbCommands.WithParameters(new NpgsqlCommand(SetScope, conn, tx), ScopeArgs(user)))
            await scope.ExecuteNonQueryAsync(ct);
        var result = await work(new ScopedSession(conn, tx, user));
        await tx.CommitAsync(ct);
        return result;
    }

    /// <summary>
    /// Read-only queries of one value each (embedded SQL file, arguments) in one round trip: role, scope
    /// and the queries go out as one batch, which PostgreSQL runs as one implicit transaction (one Sync),
    /// so the local set_config holds for exactly these queries and no BEGIN/COMMIT exchange is needed.
    /// Read-only, so the read replica may serve them (tiles: <paramref name="atVersions"/> is their cache key's versions).
    /// </summary>
    public async Task<object?[]> ScalarsAsync(CurrentUser user, IReadOnlyList<(string SqlFile, object?[] Args)> queries, CancellationToken ct,
        string? atVersions = null)
    {
        if (reads is not null) return await reads.ReadAsync(atVersions, conn => ScalarsOnAsync(conn, user, queries, ct), ct);
        await using var conn = await db.OpenConnectionAsync(ct);
        return await ScalarsOnAsync(conn, user, queries, ct);
    }

    static async Task<object?[]> ScalarsOnAsync(NpgsqlConnection conn, CurrentUser user, IReadOnlyList<(string SqlFile, object?[] Args)> queries, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(conn);
        batch.BatchCommands.Add(Command(SetScope, ScopeArgs(user)));
        foreach (var (file, args) in queries) batch.BatchCommands.Add(Command(EmbeddedSql.Get(file), args));
        // Prepared once per pooled connection (Npgsql keeps them across opens; one extra round trip the first time),
        // then bound by name: PostgreSQL skips parsing and, once its plan cache settles on a generic plan, planning.
        // Safe under RLS: a cached plan is re-checked against the role that binds it (set_config just before, in
        // this batch), and the scope is read at execution (geotwin_scope() is STABLE). A null's type is unknown
        // before it has a value, so a batch with one goes unprepared.
        if (queries.All(q => Array.TrueForAll(q.Args, a => a is not null))) await batch.PrepareAsync(ct);
        await using var reader = await batch.ExecuteReaderAsync(ct);
        var values = new object?[queries.Count];
        for (var i = 0; i < values.Length; i++)
        {
            await reader.NextResultAsync(ct);
            values[i] = await reader.ReadAsync(ct) && !reader.IsDBNull(0) ? reader.GetValue(0) : null;
        }
        return values;
    }

    const string SetScope = "SELECT set_config('role', $1, true), set_config('geotwin.scope', $2, true)";

    static object?[] ScopeArgs(CurrentUser user) => [user.ReadsPersonalData ? "geotwin_personal" : "geotwin_scoped", user.Scope];

    static NpgsqlBatchCommand Command(string sql, object?[] args)
    {
        var cmd = new NpgsqlBatchCommand(sql);
        foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a ?? DBNull.Value });
        return cmd;
    }
}

public sealed class ScopedSession(NpgsqlConnection connection, NpgsqlTransaction transaction, CurrentUser user)
{
    public CurrentUser User { get; } = user;

    public NpgsqlCommand Command(string sql, params object?[] parameters) =>
        DbCommands.WithParameters(new NpgsqlCommand(sql, connection, transaction), parameters);
}
