using Npgsql;

namespace GeoTwin.Server.Infrastructure.Db;

/// <summary>Commands from the embedded SQL files, with positional parameters ($1, $2...) in order.</summary>
public static class DbCommands
{
    /// <param name="sqlFile">path of the embedded file, e.g. "Accounts/me.sql"</param>
    public static NpgsqlCommand Sql(this NpgsqlDataSource db, string sqlFile, params object?[] parameters) =>
        WithParameters(db.CreateCommand(EmbeddedSql.Get(sqlFile)), parameters);

    public static NpgsqlCommand Sql(this ScopedSession session, string sqlFile, params object?[] parameters) =>
        session.Command(EmbeddedSql.Get(sqlFile), parameters);

    internal static NpgsqlCommand WithParameters(NpgsqlCommand cmd, object?[] parameters)
    {
        foreach (var p in parameters) cmd.Parameters.Add(new NpgsqlParameter { Value = p ?? DBNull.Value });
        return cmd;
    }

    public static async Task<List<T>> ListAsync<T>(this NpgsqlCommand cmd, Func<NpgsqlDataReader, T> row, CancellationToken ct)
    {
        await using (cmd)
        {
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            var rows = new List<T>();
            while (await reader.ReadAsync(ct)) rows.Add(row(reader));
            return rows;
        }
    }

    public static async Task<T?> FirstOrDefaultAsync<T>(this NpgsqlCommand cmd, Func<NpgsqlDataReader, T> row, CancellationToken ct) where T : class =>
        (await cmd.ListAsync(row, ct)).FirstOrDefault();

    public static T? Nullable<T>(this NpgsqlDataReader r, int i) => r.IsDBNull(i) ? default : r.GetFieldValue<T>(i);
}
