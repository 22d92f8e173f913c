using Npgsql;

namespace GeoTwin.Server.Infrastructure.Db;

/// <summary>
/// The committed version of each mapped table (migration 0012: raised by statement-level triggers in the
/// writer's own transaction). In-memory caches (tiles, session checks) key on it, so whatever wrote the
/// change (an import, an edit, another node, psql), the next read after its commit misses the cache.
/// A request reads the whole table once (a handful of rows) and every later check in the same request
/// (the session check, then the tile) uses that snapshot: one round trip a request is the price of never
/// serving stale data. The snapshot is taken after the request arrived, so it sees every commit that
/// finished before the request was sent.
/// </summary>
public sealed class DataVersions(NpgsqlDataSource db)
{
    static readonly object ItemKey = new();

    public async ValueTask<string> OfAsync(HttpContext http, string[] tables, CancellationToken ct)
    {
        if (http.Items[ItemKey] is not Dictionary<string, long> all)
        {
            all = await AllAsync(ct);
            http.Items[ItemKey] = all;
        }
        return Format(all, tables);
    }

    /// <summary>Outside a request (background work, a cache of its own): a fresh read on every call.</summary>
    public async ValueTask<string> OfAsync(string[] tables, CancellationToken ct) => Format(await AllAsync(ct), tables);

    static string Format(Dictionary<string, long> all, string[] tables) =>
        string.Join('.', tables.Where(all.ContainsKey).Order(StringComparer.Ordinal).Select(t => $"{t}={all[t]}"));

    async Task<Dictionary<string, long>> AllAsync(CancellationToken ct)
    {
        await using var cmd = db.Sql("Infrastructure/Db/data_versions.sql");
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var all = new Dictionary<string, long>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct)) all[reader.GetString(0)] = reader.GetInt64(1);
        return all;
    }
}

public static class DataVersionsSetup
{
    public static WebApplicationBuilder AddDataVersions(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DataVersions>();
        return builder;
    }
}
