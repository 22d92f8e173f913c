using GeoTwin.Server.Dispatch.Routing;

namespace GeoTwin.Server.Dispatch;

/// <summary>
/// Marks a dispatched unit arrived once its last position is within ArrivalMetres of its incident, checking every
/// ArrivalCheckSeconds through IUnitPositions (police_units until Live lands; then Live's in-memory positions,
/// where the check can move to the position write itself).
/// </summary>
public sealed class ArrivalWatcher(DispatchStore store, IUnitPositions positions, DispatchOptions options, ILogger<ArrivalWatcher> log)
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
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning(e, "arrival check failed; trying again in {Seconds} s", options.ArrivalCheckSeconds);
            }
        }
    }

    public async Task CheckAsync(CancellationToken ct)
    {
        var waiting = (await store.ActiveAssignmentsAsync(ct)).Where(a => !a.Arrived).ToList();
        if (waiting.Count == 0) return;
        var at = (await positions.AllAsync(ct)).ToDictionary(u => u.Id);
        foreach (var a in waiting)
            if (at.TryGetValue(a.UnitId, out var u) && u.Lon is { } lon && u.Lat is { } lat &&
                RoadGraph.HaversineMetres(lon, lat, a.Lon, a.Lat) <= options.ArrivalMetres)
                await store.ArrivedByPositionAsync(a, ct);
    }
}
