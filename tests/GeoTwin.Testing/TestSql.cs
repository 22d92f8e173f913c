using System.Globalization;
using Npgsql;

namespace GeoTwin.Testing;

/// <summary>One-line reads and writes a test makes against a real database (the tests' one copy of them).</summary>
public static class TestSql
{
    /// <summary>The first column of the first row ($1, $2... are <paramref name="args"/>), converted to T (an int count read as long).</summary>
    public static async Task<T> ScalarAsync<T>(this NpgsqlDataSource db, string sql, params object?[] args)
    {
        await using var cmd = Command(db, sql, args);
        var value = await cmd.ExecuteScalarAsync();
        return value is T t ? t : (T)Convert.ChangeType(value!, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), CultureInfo.InvariantCulture);
    }

    public static async Task<int> ExecAsync(this NpgsqlDataSource db, string sql, params object?[] args)
    {
        await using var cmd = Command(db, sql, args);
        return await cmd.ExecuteNonQueryAsync();
    }

    static NpgsqlCommand Command(NpgsqlDataSource db, string sql, object?[] args)
    {
        var cmd = db.CreateCommand(sql);
        foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a ?? DBNull.Value });
        return cmd;
    }
}

/// <summary>
/// Something expensive built once and shared by a class's tests (a demo database, a server), built by the first test
/// that asks; later ones await the same task. The tests of the "postgis" collection run one after another.
/// </summary>
public sealed class Shared<T>
{
    readonly Lock _gate = new();
    Task<T>? _built;

    public Task<T> GetAsync(Func<Task<T>> build)
    {
        lock (_gate) return _built ??= build();
    }
}
