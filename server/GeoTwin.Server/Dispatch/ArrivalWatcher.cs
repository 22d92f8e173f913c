using GeoTwin.Server.Live;
using GeoTwin.Tiling.Geodesy;

namespace GeoTwin.Server.Dispatch;

/// <summary>
/// Marks a dispatched unit arrived once its last position is within ArrivalMetres of its incident, checking every
/// ArrivalCheckSeconds, reading positions from Live's in-memory picture (no database round trip for them).
/// On the same round it tells the dispatch screens when a unit on an incident changed its status by itself (a crew or
/// its device reporting en route): Dispatch's own steps notify as they happen, a device's report goes through Live and
/// would otherwise leave every screen showing "dispatched" until the arrival.
/// </summary>
public sealed class ArrivalWatcher(DispatchStore store, LiveUnits live, DispatchOptions options, DispatchNotifier notify,
    ILogger<ArrivalWatcher> log) : BackgroundService
{
    // the status each waiting assignment was last seen in; a new assignment starts as dispatched (what dispatching set)
    readonly Dictionary<(long Unit, long Incident), string> _seen = [];

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
        foreach (var key in _seen.Keys.Except(waiting.Select(a => (a.UnitId, a.IncidentId))).ToList()) _seen.Remove(key);
        foreach (var a in waiting)
        {
            if (live.Find(a.UnitId) is not { } u) continue;
            if (u.HasFix && Wgs84.DistanceM(u.Lon, u.Lat, a.Lon, a.Lat) <= options.ArrivalMetres)
            {
                await store.ArrivedByPositionAsync(a, ct);
                continue;
            }
            var key = (a.UnitId, a.IncidentId);
            if (_seen.GetValueOrDefault(key, "dispatched") != u.Status)
                await notify.ChangedAsync(a.Path, new IncidentChanged(a.Code, u.Status, "unit_status"));
            _seen[key] = u.Status;
        }
    }
}
