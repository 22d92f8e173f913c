using System.Threading.Channels;
using GeoTwin.Server.Infrastructure.Db;
using NetTopologySuite.IO;
using Npgsql;

namespace GeoTwin.Server.Live.Geofences;

/// <summary>
/// Feeds every stored fix to the <see cref="GeofenceEngine"/> and stores the events it raises. The position writer
/// hands fixes over after their commit (<see cref="Observe"/>), so a fix is judged once and only once it is kept;
/// this loop evaluates and writes the events in batches on its own, so fences never slow the ingest's acknowledgement.
/// A failed write is logged and retried with back-off (the events wait in memory); the health part says so.
/// </summary>
public sealed class GeofenceService(NpgsqlDataSource db, LiveUnits units, ILogger<GeofenceService> log) : BackgroundService
{
    public GeofenceEngine Engine { get; } = new();
    readonly Channel<GoodFix> _fixes = Channel.CreateBounded<GoodFix>(new BoundedChannelOptions(200_000)
    { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest });
    volatile string _status = "starting";
    long _dropped;

    public string Status => _status;

    /// <summary>Stored fixes, in order; never blocks the writer (a backlog beyond 200,000 fixes drops the oldest, counted).</summary>
    public void Observe(IEnumerable<GoodFix> fixes)
    {
        foreach (var f in fixes)
            if (!_fixes.Writer.TryWrite(f)) Interlocked.Increment(ref _dropped);
    }

    public async Task ReloadAsync(CancellationToken ct)
    {
        var reader = new WKBReader();
        var fences = await db.Sql("Live/Geofences/load_fences.sql").ListAsync(r => new Fence(
            r.GetInt64(0), r.GetString(1), reader.Read(r.GetFieldValue<byte[]>(2)), r.GetFieldValue<string[]>(3).ToHashSet(),
            r.GetDouble(4), r.Nullable<int?>(5) is { } m ? TimeSpan.FromMinutes(m) : null,
            r.Nullable<long[]>(6)?.ToHashSet(), r.Nullable<string[]>(7)?.ToHashSet(), r.Nullable<int[]>(8)?.ToHashSet(),
            TimeZoneInfo.FindSystemTimeZoneById(r.GetString(9))), ct);
        Engine.Load(fences);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await ReloadAsync(stoppingToken);
                break;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                _status = "cannot load the fences";
                log.LogWarning("geofences: loading the fences failed, retrying: {Error}", e.Message);
                await Task.Delay(Backoff(attempt), stoppingToken);
            }
        }
        _status = "ok";
        var pending = new List<FenceEvent>();
        var reader = _fixes.Reader;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            if (pending.Count == 0) await reader.WaitToReadAsync(stoppingToken);
            while (pending.Count < 10_000 && reader.TryRead(out var f))
            {
                if (units.Find(f.UnitId) is not { } unit) continue;
                pending.AddRange(Engine.Evaluate(f.UnitId, unit.Kind, f.FixTime, f.Lon, f.Lat));
            }
            if (pending.Count == 0) continue;
            try
            {
                await StoreAsync(pending, stoppingToken);
                pending.Clear();
                failures = 0;
                _status = Interlocked.Read(ref _dropped) is var d and > 0 ? $"ok ({d} fixes skipped in a backlog)" : "ok";
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                _status = "cannot store fence events";
                log.LogWarning("geofences: storing {Count} events failed, retrying: {Error}", pending.Count, e.Message);
                await Task.Delay(Backoff(failures++), stoppingToken);
            }
        }
    }

    static TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds(Math.Min(30_000, 500 * Math.Pow(2, Math.Min(attempt, 6))));

    async Task StoreAsync(List<FenceEvent> events, CancellationToken ct)
    {
        await using var cmd = db.Sql("Live/Geofences/record_events.sql",
            events.Select(e => e.FenceId).ToArray(), events.Select(e => e.FenceName).ToArray(), events.Select(e => e.UnitId).ToArray(),
            events.Select(e => e.Rule).ToArray(), events.Select(e => e.At).ToArray(), events.Select(e => e.Lon).ToArray(),
            events.Select(e => e.Lat).ToArray());
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
