using System.Threading.Channels;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;
using Microsoft.AspNetCore.SignalR;
using NetTopologySuite.IO;
using Npgsql;

namespace GeoTwin.Server.Live.Geofences;

/// <summary>
/// Feeds every stored fix to the <see cref="GeofenceEngine"/>, stores the events it raises, pushes them to the live
/// viewers who may see the fence ("fenceEvents" on /hubs/live) and hands them to the webhooks. The position writer
/// hands fixes over after their commit (<see cref="Observe"/>), so a fix is judged once and only once it is kept;
/// this loop evaluates and writes the events in batches on its own, so fences never slow the ingest's acknowledgement.
/// A fix the engine cannot judge is logged and skipped (counted); a failed write is logged and retried with back-off
/// (the events wait in memory). The health part says which, and how far the events lag behind the newest stored fix.
/// </summary>
public sealed class GeofenceService(NpgsqlDataSource db, LiveUnits units, IHubContext<LiveHub> hub, GeofenceWebhooks webhooks,
    ILogger<GeofenceService> log) : BackgroundService
{
    public const string EventsMessage = "fenceEvents";
    /// <summary>Events behind the newest stored fix by more than this are reported as lagging.</summary>
    public const double LagLimitSeconds = 30;

    public GeofenceEngine Engine { get; } = new();
    // Judge: false for another node's fixes (LiveRelay), which that node judged: they only keep each unit's last place
    // and stays here current, so this node judges the unit's next fix from where it really was.
    readonly Channel<(GoodFix Fix, bool Judge)> _fixes = Channel.CreateBounded<(GoodFix, bool)>(new BoundedChannelOptions(200_000)
    { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest });
    volatile string _status = "starting";
    long _dropped, _failedFixes;
    long _newestObservedTicks, _newestJudgedTicks;

    public string Status => _status;

    /// <summary>What /readyz shows: the state, the fences held, and how far the judged fixes trail the stored ones.</summary>
    public object Health()
    {
        var observed = Interlocked.Read(ref _newestObservedTicks);
        var lag = observed == 0 ? 0 : Math.Max(0, TimeSpan.FromTicks(observed - Interlocked.Read(ref _newestJudgedTicks)).TotalSeconds);
        var status = _status == "ok" && lag > LagLimitSeconds ? "lagging" : _status;
        return new { status, fences = Engine.FenceCount, lagSeconds = Math.Round(lag, 1), backlog = _fixes.Reader.Count,
            skippedFixes = Interlocked.Read(ref _dropped), failedFixes = Interlocked.Read(ref _failedFixes) };
    }

    /// <summary>Stored fixes, in order; never blocks the writer (a backlog beyond 200,000 fixes drops the oldest, counted).</summary>
    public void Observe(IEnumerable<GoodFix> fixes)
    {
        foreach (var f in fixes)
        {
            if (!_fixes.Writer.TryWrite((f, true))) Interlocked.Increment(ref _dropped);
            if (f.FixTime.Ticks > Interlocked.Read(ref _newestObservedTicks)) Interlocked.Exchange(ref _newestObservedTicks, f.FixTime.Ticks);
        }
    }

    /// <summary>
    /// Another node's stored fixes (LiveRelay): the engine follows the units without raising events, because that node's
    /// engine judged them (fences and alerts once per fix, not once per node).
    /// </summary>
    public void Follow(IEnumerable<GoodFix> fixes)
    {
        foreach (var f in fixes)
            if (!_fixes.Writer.TryWrite((f, false))) Interlocked.Increment(ref _dropped);
    }

    static Fence Read(NpgsqlDataReader r, WKBReader wkb) => new(
        r.GetInt64(0), r.GetString(1), wkb.Read(r.GetFieldValue<byte[]>(2)), r.GetFieldValue<string[]>(3).ToHashSet(),
        r.GetDouble(4), r.Nullable<int?>(5) is { } m ? TimeSpan.FromMinutes(m) : null,
        r.Nullable<long[]>(6)?.ToHashSet(), r.Nullable<string[]>(7)?.ToHashSet(), r.Nullable<int[]>(8)?.ToHashSet(),
        TimeZoneInfo.FindSystemTimeZoneById(r.GetString(9)), r.GetString(10));

    /// <summary>Every fence from the database (start-up).</summary>
    public async Task ReloadAsync(CancellationToken ct)
    {
        var wkb = new WKBReader();
        Engine.Load(await db.Sql("Live/Geofences/load_fences.sql", (long?)null).ListAsync(r => Read(r, wkb), ct));
    }

    /// <summary>One fence just written (or deleted: then it is dropped), without reloading the others.</summary>
    public async Task RefreshAsync(long fenceId, CancellationToken ct)
    {
        var wkb = new WKBReader();
        var found = await db.Sql("Live/Geofences/load_fences.sql", fenceId).ListAsync(r => Read(r, wkb), ct);
        if (found is [var fence]) Engine.Put(fence);
        else Engine.Remove(fenceId);
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
            while (pending.Count < 10_000 && reader.TryRead(out var item))
            {
                var (f, judge) = item;
                if (!judge)
                {
                    Judge(f, []);
                    continue;
                }
                Judge(f, pending);
                if (f.FixTime.Ticks > _newestJudgedTicks) Interlocked.Exchange(ref _newestJudgedTicks, f.FixTime.Ticks);
            }
            if (pending.Count == 0) continue;
            List<(GeofenceEventView View, string Path)> stored;
            try
            {
                stored = await StoreAsync(pending, stoppingToken);
                pending.Clear();
                failures = 0;
                _status = "ok";
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                _status = "cannot store fence events";
                log.LogWarning("geofences: storing {Count} events failed, retrying: {Error}", pending.Count, e.Message);
                await Task.Delay(Backoff(failures++), stoppingToken);
                continue;
            }
            await PushAsync(stored);
            webhooks.Offer(stored.Select(s => s.View).ToList());
        }
    }

    /// <summary>One fix through the engine; a fix it cannot judge (a bug, a broken fence) costs that fix, not the loop.</summary>
    void Judge(GoodFix f, List<FenceEvent> into)
    {
        if (units.Find(f.UnitId) is not { } unit) return;
        try
        {
            into.AddRange(Engine.Evaluate(f.UnitId, unit.Kind, f.FixTime, f.Lon, f.Lat));
        }
        catch (Exception e)
        {
            // the first few in full, then one line a thousand, so a broken fence cannot flood the log
            var n = Interlocked.Increment(ref _failedFixes);
            if (n <= 10 || n % 1000 == 0)
                log.LogError(e, "geofences: the fix of unit {Unit} at {At:o} could not be judged ({Count} so far); skipped", f.UnitId, f.FixTime, n);
        }
    }

    /// <summary>To every viewer whose jurisdiction holds the fence; a failed push is logged (the events are stored).</summary>
    async Task PushAsync(List<(GeofenceEventView View, string Path)> stored)
    {
        try
        {
            await Task.WhenAll(stored.GroupBy(s => s.Path).Select(g =>
                hub.Clients.Groups(JurisdictionPaths.ScopesSeeing(g.Key).Select(LiveTiles.ScopeGroup).ToList())
                    .SendAsync(EventsMessage, g.Select(s => s.View).ToList())));
        }
        catch (Exception e)
        {
            log.LogWarning("geofences: pushing {Count} events failed: {Error}", stored.Count, e.Message);
        }
    }

    static TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds(Math.Min(30_000, 500 * Math.Pow(2, Math.Min(attempt, 6))));

    /// <summary>Writes the events and reads back what was stored (an event of a fence deleted meanwhile is not).</summary>
    async Task<List<(GeofenceEventView, string)>> StoreAsync(List<FenceEvent> events, CancellationToken ct) =>
        await db.Sql("Live/Geofences/record_events.sql",
            events.Select(e => e.FenceId).ToArray(), events.Select(e => e.FenceName).ToArray(), events.Select(e => e.UnitId).ToArray(),
            events.Select(e => e.Rule).ToArray(), events.Select(e => e.At).ToArray(), events.Select(e => e.Lon).ToArray(),
            events.Select(e => e.Lat).ToArray())
            .ListAsync(r =>
            {
                var unit = units.Find(r.GetInt64(3));
                return (new GeofenceEventView(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetInt64(3), unit?.CallSign, unit?.Kind,
                    r.GetString(4), r.GetDateTime(5), r.GetDouble(6), r.GetDouble(7)), r.GetString(8));
            }, ct);
}
