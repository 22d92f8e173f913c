using GeoTwin.Server.Infrastructure.Db;
using Npgsql;

namespace GeoTwin.Server.Warnings;

/// <summary>A place's level moved (or its "one short of the next colour" flag did) in a month.</summary>
public sealed record LevelChange(long PlaceId, DateOnly Month, string From, string To, int Count, bool NearNext, bool WasNearNext)
{
    /// <summary>Entered red or black, or became one short of the next colour: what texts the responsible people.</summary>
    public bool Alerts => (To != From && To is "red" or "black" && Rank(To) > Rank(From)) || (NearNext && !WasNearNext);

    static int Rank(string level) => Vocabulary.Warnings.Levels.ToList().IndexOf(level);
}

/// <summary>
/// Assignment of counted incidents to places and patrol zones, and the recompute of counts and levels, inside the
/// caller's transaction (GeoTwin's own login: jobs and the demo, not a request), so the pull's incidents, the levels
/// and the texts they raise commit together or not at all.
/// </summary>
public sealed class WarningLevels(WarningOptions options)
{
    public WarningOptions Options => options;

    static NpgsqlCommand Sql(string file, NpgsqlConnection conn, NpgsqlTransaction tx, params object?[] args) =>
        DbCommands.WithParameters(new NpgsqlCommand(EmbeddedSql.Get(file), conn, tx), args);

    static string[] Counted => [.. Vocabulary.Warnings.Counted.Categories];

    /// <summary>This calendar month on the bureau's clock: recomputed on every pull, so a new month starts with its levels.</summary>
    public DateOnly CurrentMonth()
    {
        var now = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone));
        return new DateOnly(now.Year, now.Month, 1);
    }

    /// <summary>Assigns the given incidents (null: every counted incident not yet assigned); returns the months they fall in.</summary>
    public async Task<IReadOnlyList<DateOnly>> AssignAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long[]? incidentIds, CancellationToken ct)
    {
        await using var cmd = Sql("Warnings/assign_incidents.sql", conn, tx,
            incidentIds is null ? DBNull.Value : incidentIds, options.AssignOrder.ToArray(), options.ZoneStreetMetres, options.TimeZone, Counted);
        cmd.Parameters[0].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Bigint;
        var months = new HashSet<DateOnly>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) months.Add(r.GetFieldValue<DateOnly>(0));
        return [.. months.Order()];
    }

    /// <summary>
    /// Counts every place in the given months, applies its kind's thresholds, and writes the rows that moved and a history
    /// row for every change of level or flag. Returns the changes (what the outbox and the live push act on).
    /// </summary>
    public async Task<IReadOnlyList<LevelChange>> RecomputeAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyCollection<DateOnly> months, CancellationToken ct)
    {
        if (months.Count == 0) return [];
        var ids = new List<long>(); var ms = new List<DateOnly>(); var counts = new List<int>(); var levels = new List<string>();
        var nears = new List<bool>(); var moved = new List<bool>(); var froms = new List<string>();
        var changes = new List<LevelChange>();
        await using (var cmd = Sql("Warnings/place_counts.sql", conn, tx, months.ToArray(), Counted))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
            {
                var (place, month, kind, count) = (r.GetInt64(0), r.GetFieldValue<DateOnly>(1), r.GetString(2), r.GetInt32(3));
                int? storedCount = r.IsDBNull(4) ? null : r.GetInt32(4);
                var storedLevel = r.IsDBNull(5) ? "none" : r.GetString(5);
                var storedNear = !r.IsDBNull(6) && r.GetBoolean(6);
                var rule = options.ThresholdsOf(kind);
                var (level, near) = (rule.LevelOf(count), rule.IsOneShort(count));
                if (storedCount == count && storedLevel == level && storedNear == near) continue;
                var changed = level != storedLevel || near != storedNear;
                ids.Add(place); ms.Add(month); counts.Add(count); levels.Add(level); nears.Add(near); moved.Add(changed); froms.Add(storedLevel);
                if (changed) changes.Add(new LevelChange(place, month, storedLevel, level, count, near, storedNear));
            }
        if (ids.Count == 0) return [];
        await using (var write = Sql("Warnings/write_levels.sql", conn, tx,
            ids.ToArray(), ms.ToArray(), counts.ToArray(), levels.ToArray(), nears.ToArray(), moved.ToArray(), froms.ToArray()))
            await write.ExecuteNonQueryAsync(ct);
        return changes;
    }

    /// <summary>Forgets every assignment and assigns and counts again (after places are drawn anew, e.g. by the demo or an import).</summary>
    public async Task<IReadOnlyList<LevelChange>> ReassignAllAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using (var clear = new NpgsqlCommand("DELETE FROM warning_incidents", conn, tx)) await clear.ExecuteNonQueryAsync(ct);
        var months = (await AssignAsync(conn, tx, null, ct)).ToHashSet();
        await using (var stored = new NpgsqlCommand("SELECT DISTINCT month FROM warning_levels", conn, tx))
        await using (var r = await stored.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) months.Add(r.GetFieldValue<DateOnly>(0));
        return await RecomputeAsync(conn, tx, months, ct);
    }

    /// <summary>
    /// After an import of warning places (the importer's warning_places layer, CLI or upload): a new or redrawn place
    /// holds incidents of months already counted, so every incident is assigned and counted again, in one transaction.
    /// The level history records the moves; no text is sent (no incident happened, the map was drawn anew). Returns the
    /// number of level changes.
    /// </summary>
    public async Task<int> RecountAfterImportAsync(NpgsqlDataSource db, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var changes = await ReassignAllAsync(conn, tx, ct);
        await tx.CommitAsync(ct);
        return changes.Count;
    }

    /// <summary>
    /// Assigns every counted incident not yet assigned and counts the months they fall in, in one transaction: after the
    /// demo is loaded (two years of history), and whenever incidents arrived by a path that does not assign them.
    /// </summary>
    public async Task<int> CatchUpAsync(NpgsqlDataSource db, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var months = await AssignAsync(conn, tx, null, ct);
        var changes = await RecomputeAsync(conn, tx, months, ct);
        await tx.CommitAsync(ct);
        return changes.Count;
    }
}
