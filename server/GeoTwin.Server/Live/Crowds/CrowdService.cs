using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Infrastructure.Errors;
using Microsoft.AspNetCore.SignalR;
using Npgsql;

namespace GeoTwin.Server.Live.Crowds;

public sealed record CrowdEventView(long Id, long AreaId, string AreaName, string Level, string PreviousLevel, int Count, int Capacity, DateTime At);

public sealed record CrowdIngestReport(int Stored, List<CrowdEventView> Events);

/// <summary>
/// Stores a checked batch of counts and judges the levels of the areas it counts, in one transaction: the counts, the
/// areas' new levels and the level changes as events are all kept or none is. After the commit the changes are pushed
/// to the live viewers whose jurisdiction holds the area ("crowdEvents" on /hubs/live).
/// </summary>
public sealed class CrowdService(NpgsqlDataSource db, IHubContext<LiveHub> hub, ILogger<CrowdService> log)
{
    public const string EventsMessage = "crowdEvents";

    long _stored, _batches, _events, _pushFailures;
    DateTime? _lastBatchAt;
    public string Feeder { get; set; } = "off";

    /// <summary>What /readyz shows: batches and counts stored since the start, the last batch, failed pushes, the demo feeder.</summary>
    public object Health() => new
    {
        status = "ok", batches = Interlocked.Read(ref _batches), counts = Interlocked.Read(ref _stored), events = Interlocked.Read(ref _events),
        lastBatchAt = _lastBatchAt, pushFailures = Interlocked.Read(ref _pushFailures), feeder = Feeder,
    };

    sealed record Area(long Id, string Name, int Capacity, CrowdThresholds Thresholds, string Level, string Path, TimeZoneInfo Zone);

    /// <param name="scope">the token's jurisdiction path: every area counted must be inside it</param>
    public async Task<CrowdIngestReport> IngestAsync(List<CrowdCount> counts, string scope, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        NpgsqlCommand Sql(string file, params object?[] args) => DbCommands.WithParameters(new NpgsqlCommand(EmbeddedSql.Get(file), conn, tx), args);

        var codes = counts.Where(c => c.Sensor is not null).Select(c => c.Sensor!).Distinct().ToArray();
        var sensors = codes.Length == 0 ? [] : (await Sql("Live/Crowds/resolve_sensors.sql", (object)codes) // one array parameter, not one per code
            .ListAsync(r => (Code: r.GetString(0), Id: r.GetInt64(1), Area: r.GetInt64(2)), ct)).ToDictionary(s => s.Code, StringComparer.Ordinal);
        foreach (var c in counts)
            if (c.Sensor is { } code && !sensors.ContainsKey(code))
                throw Refusal.Unprocessable($"counts[{c.Index}].sensor: unknown sensor '{Printable(code)}': nothing of this batch was stored", $"counts[{c.Index}].sensor");

        long AreaOf(CrowdCount c) => c.AreaId ?? sensors[c.Sensor!].Area;
        var ids = counts.Select(AreaOf).Distinct().ToArray();
        var areas = (await Sql("Live/Crowds/lock_areas.sql", ids).ListAsync(r => new Area(r.GetInt64(0), r.GetString(1), r.GetInt32(2),
            CrowdThresholds.FromJson(r.GetString(3)), r.GetString(4), r.GetString(5), TimeZoneInfo.FindSystemTimeZoneById(r.GetString(6))), ct))
            .ToDictionary(a => a.Id);
        foreach (var c in counts)
        {
            var field = c.AreaId is null ? $"counts[{c.Index}].sensor" : $"counts[{c.Index}].areaId";
            if (!areas.TryGetValue(AreaOf(c), out var area))
                throw Refusal.Unprocessable($"{field}: unknown area {AreaOf(c)}: nothing of this batch was stored", field);
            if (!JurisdictionPaths.InScope(area.Path, scope))
                throw Refusal.Unprocessable($"{field}: area {area.Id} belongs to another jurisdiction than this token's: nothing of this batch was stored", field);
        }

        await using (var insert = Sql("Live/Crowds/insert_counts.sql", counts.Select(AreaOf).ToArray(),
            counts.Select(c => c.Sensor is { } s ? sensors[s].Id : (long?)null).ToArray(), counts.Select(c => c.At).ToArray(),
            counts.Select(c => c.Count).ToArray(), counts.Select(c => c.In).ToArray(), counts.Select(c => c.Out).ToArray()))
            await insert.ExecuteNonQueryAsync(ct);

        var now = await Sql("Live/Crowds/current_counts.sql", ids).ListAsync(r => (Area: r.GetInt64(0), Count: r.GetInt32(1), At: r.GetDateTime(2)), ct);
        var changes = new List<(long Area, string Level, string Previous, int Count, DateTime At)>();
        foreach (var (id, count, at) in now)
        {
            var area = areas[id];
            var local = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(at, DateTimeKind.Utc), area.Zone);
            var level = area.Thresholds.Level(count, area.Capacity, TimeOnly.FromDateTime(local), area.Level);
            if (level != area.Level) changes.Add((id, level, area.Level, count, at));
        }
        var events = new List<(CrowdEventView View, string Path)>();
        if (changes.Count > 0)
            events = await Sql("Live/Crowds/record_events.sql", changes.Select(c => c.Area).ToArray(), changes.Select(c => c.Level).ToArray(),
                changes.Select(c => c.Previous).ToArray(), changes.Select(c => c.Count).ToArray(), changes.Select(c => c.At).ToArray())
                .ListAsync(r => (new CrowdEventView(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt32(5),
                    r.GetInt32(6), r.GetDateTime(7)), r.GetString(8)), ct);
        await tx.CommitAsync(ct);

        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _stored, counts.Count);
        Interlocked.Add(ref _events, events.Count);
        _lastBatchAt = DateTime.UtcNow;
        await PushAsync(events);
        return new CrowdIngestReport(counts.Count, [.. events.Select(e => e.View)]);
    }

    /// <summary>To every viewer whose jurisdiction holds the area; a failed push is logged (the events are stored).</summary>
    async Task PushAsync(List<(CrowdEventView View, string Path)> events)
    {
        if (events.Count == 0) return;
        try
        {
            await Task.WhenAll(events.GroupBy(e => e.Path).Select(g =>
                hub.Clients.Groups(JurisdictionPaths.ScopesSeeing(g.Key).Select(LiveTiles.ScopeGroup).ToList())
                    .SendAsync(EventsMessage, g.Select(e => e.View).ToList())));
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref _pushFailures);
            log.LogWarning("crowds: pushing {Count} level changes failed: {Error}", events.Count, e.Message);
        }
    }

    static string Printable(string s) => new(s.Take(64).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
