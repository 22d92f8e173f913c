using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace GeoTwin.Server.Infrastructure.Db;

public sealed record Migration(string Name, string Sql)
{
    public string Checksum => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Sql)))[..16];
}

public sealed class MigrationFailedException(string message, Exception inner) : Exception(message, inner);

/// <summary>
/// Ordered SQL files under Infrastructure/Db/Migrations, each applied once in its own transaction and
/// recorded in schema_migrations. Several nodes starting at once are serialized by an advisory lock.
/// </summary>
public static class Migrations
{
    const string ResourcePrefix = "GeoTwin.Server.Infrastructure.Db.Migrations.";
    const long AdvisoryLockKey = 0x6765_6f74_7769_6e; // "geotwin"

    public static IReadOnlyList<Migration> Embedded { get; } = LoadEmbedded();

    static IReadOnlyList<Migration> LoadEmbedded()
    {
        var assembly = typeof(Migrations).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => new Migration(n[ResourcePrefix.Length..], ReadResource(assembly, n)))
            .ToList();
    }

    static string ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <returns>The names of the migrations applied by this call.</returns>
    public static async Task<IReadOnlyList<string>> ApplyAsync(NpgsqlDataSource db, IReadOnlyList<Migration> migrations, Action<string>? log = null, CancellationToken ct = default)
    {
        log ??= _ => { };
        await using var conn = await db.OpenConnectionAsync(ct);
        await Execute(conn, $"SELECT pg_advisory_lock({AdvisoryLockKey})", ct);
        try
        {
            await Execute(conn, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    name       text PRIMARY KEY,
                    checksum   text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """, ct);
            var applied = new Dictionary<string, string>();
            await using (var cmd = new NpgsqlCommand("SELECT name, checksum FROM schema_migrations", conn))
            await using (var reader = await cmd.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct)) applied[reader.GetString(0)] = reader.GetString(1);

            var done = new List<string>();
            foreach (var migration in migrations.OrderBy(m => m.Name, StringComparer.Ordinal))
            {
                if (applied.TryGetValue(migration.Name, out var checksum))
                {
                    if (checksum != migration.Checksum)
                        log($"warning: migration {migration.Name} changed after it was applied; applied migrations are never re-run, add a new file instead");
                    continue;
                }
                await ApplyOneAsync(conn, migration, ct);
                log($"applied migration {migration.Name}");
                done.Add(migration.Name);
            }
            return done;
        }
        finally
        {
            await Execute(conn, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
        }
    }

    static async Task ApplyOneAsync(NpgsqlConnection conn, Migration migration, CancellationToken ct)
    {
        await using var tx = await conn.BeginTransactionAsync(ct);
        try
        {
            await using (var cmd = new NpgsqlCommand(migration.Sql, conn, tx))
                await cmd.ExecuteNonQueryAsync(ct);
            await using (var record = new NpgsqlCommand("INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)", conn, tx))
            {
                record.Parameters.Add(new() { Value = migration.Name });
                record.Parameters.Add(new() { Value = migration.Checksum });
                await record.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
        }
        catch (PostgresException e)
        {
            await tx.RollbackAsync(CancellationToken.None);
            var where = e.Where is null ? "" : $" ({e.Where})";
            throw new MigrationFailedException($"migration {migration.Name} failed: {e.MessageText}{where}; the database was left as it was before it", e);
        }
    }

    static async Task Execute(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>How many of the embedded migrations the database has; -1 if it has no migration table yet.</summary>
    public static async Task<int> CountAppliedAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var exists = db.CreateCommand("SELECT to_regclass('schema_migrations') IS NOT NULL");
        if (!(bool)(await exists.ExecuteScalarAsync(ct))!) return -1;
        await using var cmd = db.CreateCommand("SELECT count(*)::int FROM schema_migrations WHERE name = ANY($1)");
        cmd.Parameters.Add(new() { Value = Embedded.Select(m => m.Name).ToArray() });
        return (int)(await cmd.ExecuteScalarAsync(ct))!;
    }
}
