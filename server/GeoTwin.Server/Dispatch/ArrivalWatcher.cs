using GeoTwin.Server.Live;
using GeoTwin.Tiling.Geodesy;

namespace GeoTwin.Server.Dispatch;

/// <summary>
/// Marks a dispatched unit arrived once its last position is within ArrivalMetres of its incident, checking every
/// ArrivalCheckSeconds, reading positions from Live's in-memory picture (no database round trip for them).
/// </summary>
public sealed class ArrivalWatcher(DispatchStore store, LiveUnits live, DispatchOptions options, ILogger<ArrivalWatcher> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(0.2, options.ArrivalCheckSeconds)));
        while (await timer.WaitForNextTickAsync(stop))
        {
            try
            {
                await CheckAsync(stop);
            }
            catch (Exception e) when (!stop.IsCancellationRequested) // a timeout is an OperationCanceledException too: log, retry
            {
                log.LogWarning(e, "arrival check failed; trying again in {Seconds} s", options.ArrivalCheckSeconds);
            }
        }
    }

    public async Task CheckAsync(CancellationToken ct)
    {
        var waiting = (await store.ActiveAssignmentsAsync(ct)).Where(a => !a.Arrived).ToList();
        if (waiting.Count == 0) return;
        foreach (var a in waiting)
            if (live.Find(a.UnitId) is { HasFix: true } u && Wgs84.DistanceM(u.Lon, u.Lat, a.Lon, a.Lat) <= options.ArrivalMetres)
                await store.ArrivedByPositionAsync(a, ct);
    }
}
