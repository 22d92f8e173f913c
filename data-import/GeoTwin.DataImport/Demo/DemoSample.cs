using System.Text;
using Npgsql;

namespace GeoTwin.DataImport.Demo;

/// <summary>The small built-in jurisdiction that a fresh, empty database starts with in demo mode.</summary>
public static class DemoSample
{
    /// <returns>true if the sample was loaded; false if the database already had a jurisdiction.</returns>
    public static async Task<bool> LoadIfEmptyAsync(NpgsqlDataSource db, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // Two nodes starting at once must not both load it.
        await using (var lockCmd = new NpgsqlCommand("LOCK TABLE jurisdictions IN EXCLUSIVE MODE", conn, tx))
            await lockCmd.ExecuteNonQueryAsync(ct);
        await using (var any = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM jurisdictions)", conn, tx))
            if ((bool)(await any.ExecuteScalarAsync(ct))!) return false;
        await using (var load = new NpgsqlCommand(ReadSampleSql(), conn, tx))
            await load.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return true;
    }

    static string ReadSampleSql()
    {
        using var stream = typeof(DemoSample).Assembly.GetManifestResourceStream("GeoTwin.DataImport.Demo.sample.sql")!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
