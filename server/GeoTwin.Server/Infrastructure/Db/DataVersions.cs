using Npgsql;

namespace GeoTwin.Server.Infrastructure.Db;

/// <summary>
/// The committed version of each mapped table (migration 0012: raised by statement-level triggers in the
/// writer's own transaction). In-memory caches (tiles, session checks) key on it, so whatever wrote the
/// change (an import, an edit, another node, psql), the next read after its commit misses the cache.
/// One indexed lookup a request: the price of never serving stale data.
/// </summary>
public sealed class DataVersions(NpgsqlDataSource db)
{
    public async Task<string> OfAsync(string[] tables, CancellationToken ct)
    {
        // (object): a string[] would otherwise be taken as the params array itself, one parameter a table
        await using var cmd = db.Sql("Infrastructure/Db/data_versions.sql", (object)tables);
        return (string)(await cmd.ExecuteScalarAsync(ct))!;
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
