using System.Collections.Concurrent;
using GeoTwin.Tiling.Geodesy;

namespace GeoTwin.Server.Live;

/// <summary>One unit as the server holds it in memory: who it is, what it can do, its status and its latest fix.</summary>
public sealed record LiveUnit(long Id, string CallSign, string Kind, string? DeviceId, string Station, string JurisdictionPath,
    string Status, DateTime? FixAt, double Lon, double Lat, float? SpeedKmh, float? HeadingDeg, float? AccuracyM, string[]? Capabilities = null)
{
    public bool HasFix => FixAt is not null;

    /// <summary>"live", "stale", "offline" or "never", by the one freshness rule (GeoTwin.Domain).</summary>
    public string Freshness(DateTime now, PositionFreshness rule) => rule.Classify(FixAt, now);
}

public sealed record LiveOptions
{
    public int MaxBatch { get; init; } = 5000;
    /// <summary>The largest positions body: room for MaxBatch fixes of up to 400 bytes each. Kestrel's limit for the endpoint is set to it.</summary>
    public long MaxBatchBytes => MaxBatch * 400L;
    public int MaxFutureSeconds { get; init; } = 30;
    public int MaxAgeDays { get; init; } = 7;
    /// <summary>No fix stored for this long, while the feed is expected, is a stall (LiveFeed: /readyz and a push to screens).</summary>
    public double StallSeconds { get; init; } = 30;

    public static LiveOptions From(IConfiguration config) => config.GetSection("GeoTwin:Live").Get<LiveOptions>() ?? new();
}

/// <summary>
/// The live picture of every unit, in memory: latest fixes (after they are durable), statuses, and a grid index
/// for k-nearest queries. One singleton; Dispatch ranks every unit of <see cref="Snapshot"/> (ineligible ones are listed
/// with reasons, so a nearest-available query would not do) and its arrival watcher reads positions from here too.
/// </summary>
public sealed class LiveUnits(LiveOptions options, PositionFreshness? freshness = null)
{
    readonly ConcurrentDictionary<long, LiveUnit> _units = new();
    readonly ConcurrentDictionary<string, long> _byDevice = new(StringComparer.Ordinal);
    readonly UnitGrid _grid = new();
    readonly object _gridLock = new();

    public LiveOptions Options { get; } = options;

    /// <summary>The stale/offline rule in force (the vocabulary's, with GeoTwin:Freshness overrides: SharedRules).</summary>
    public PositionFreshness FreshnessRule { get; } = freshness ?? Vocabulary.Freshness;

    /// <summary>
    /// Raised after a unit's position or status changed in memory and this node is the one to push it (the push side
    /// coalesces these). Not raised for a change another node made and pushed (<c>push: false</c>, LiveRelay): with the
    /// Redis backplane that node's push already reached every viewer, so a second would show each fix twice.
    /// </summary>
    public event Action<LiveUnit, LiveUnit?>? Changed;

    public int Count => _units.Count;

    public IReadOnlyCollection<LiveUnit> Snapshot() => _units.Values.ToArray();

    public LiveUnit? Find(long id) => _units.GetValueOrDefault(id);

    public LiveUnit? FindByDevice(string deviceId) => _byDevice.TryGetValue(deviceId, out var id) ? Find(id) : null;

    /// <summary>Adds or replaces a unit as read from the database (start-up and refresh).</summary>
    public void Load(LiveUnit unit, bool push = true)
    {
        var before = _units.GetValueOrDefault(unit.Id);
        // A fix in memory newer than the database's copy wins: the database may be read before a commit lands.
        if (before?.FixAt is { } memoryAt && (unit.FixAt is null || unit.FixAt < memoryAt))
            unit = unit with { FixAt = before.FixAt, Lon = before.Lon, Lat = before.Lat, SpeedKmh = before.SpeedKmh, HeadingDeg = before.HeadingDeg, AccuracyM = before.AccuracyM };
        Put(unit, before);
        if (unit.DeviceId is not null) _byDevice[unit.DeviceId] = unit.Id;
        if (push && (before is null || before.Status != unit.Status || before.FixAt != unit.FixAt)) Changed?.Invoke(unit, before);
    }

    /// <summary>Raised after a committed group of fixes is in memory: the push side sends them now, not at its next tick.</summary>
    public event Action? FixesApplied;

    /// <summary>Applies a committed group of fixes (each as <see cref="ApplyFix"/>), then raises FixesApplied (also for another node's).</summary>
    public void ApplyFixes(IEnumerable<GoodFix> fixes, bool push = true)
    {
        foreach (var f in fixes) ApplyFix(f.UnitId, f.FixTime, f.Lon, f.Lat, f.SpeedKmh, f.HeadingDeg, f.AccuracyM, push);
        FixesApplied?.Invoke();
    }

    /// <summary>Applies a durable fix; an older fix than the one held changes nothing (it is history only).</summary>
    public bool ApplyFix(long unitId, DateTime at, double lon, double lat, float? speed, float? heading, float? accuracy, bool push = true)
    {
        while (_units.TryGetValue(unitId, out var before))
        {
            if (before.FixAt is { } held && held >= at) return false;
            var after = before with { FixAt = at, Lon = lon, Lat = lat, SpeedKmh = speed, HeadingDeg = heading, AccuracyM = accuracy };
            if (!_units.TryUpdate(unitId, after, before)) continue;
            lock (_gridLock) _grid.Move(unitId, before.HasFix ? (before.Lon, before.Lat) : null, (lon, lat));
            if (push) Changed?.Invoke(after, before);
            return true;
        }
        return false;
    }

    public void ApplyStatus(long unitId, string status, bool push = true)
    {
        while (_units.TryGetValue(unitId, out var before) && before.Status != status)
        {
            var after = before with { Status = status };
            if (!_units.TryUpdate(unitId, after, before)) continue;
            if (push) Changed?.Invoke(after, before);
            return;
        }
    }

    void Put(LiveUnit unit, LiveUnit? before)
    {
        _units[unit.Id] = unit;
        lock (_gridLock)
            _grid.Move(unit.Id, before?.HasFix == true ? (before.Lon, before.Lat) : null, unit.HasFix ? (unit.Lon, unit.Lat) : null);
    }

    /// <summary>
    /// The k units nearest to a point (metres by Wgs84.DistanceM) that have a fix
    /// and pass the predicate, nearest first. E.g. <c>Nearest(lon, lat, 5, u => u.Status == "available")</c>.
    /// </summary>
    public List<(LiveUnit Unit, double DistanceM)> Nearest(double lon, double lat, int k, Func<LiveUnit, bool>? predicate = null)
    {
        lock (_gridLock)
            return _grid.Nearest(lon, lat, k, id => _units.TryGetValue(id, out var u) && (predicate?.Invoke(u) ?? true) ? u : null);
    }

}

/// <summary>
/// Uniform lon/lat grid of unit ids (cells of ~220 m). k-nearest walks rings of cells outwards and stops once
/// the next ring cannot hold anything closer than the k-th best found; not thread-safe (LiveUnits locks it).
/// </summary>
sealed class UnitGrid(double cellDegrees = 0.002)
{
    readonly Dictionary<(int, int), List<long>> _cells = new();
    int _minX = int.MaxValue, _minY = int.MaxValue, _maxX = int.MinValue, _maxY = int.MinValue;

    (int, int) Cell(double lon, double lat) => ((int)Math.Floor(lon / cellDegrees), (int)Math.Floor(lat / cellDegrees));

    public void Move(long id, (double Lon, double Lat)? from, (double Lon, double Lat)? to)
    {
        var fromCell = from is { } f ? Cell(f.Lon, f.Lat) : ((int, int)?)null;
        var toCell = to is { } t ? Cell(t.Lon, t.Lat) : ((int, int)?)null;
        if (fromCell == toCell) return;
        if (fromCell is { } fc && _cells.TryGetValue(fc, out var old))
        {
            var i = old.IndexOf(id);
            if (i >= 0) { old[i] = old[^1]; old.RemoveAt(old.Count - 1); }
            if (old.Count == 0) _cells.Remove(fc);
        }
        if (toCell is { } tc)
        {
            if (!_cells.TryGetValue(tc, out var list)) _cells[tc] = list = [];
            list.Add(id);
            _minX = Math.Min(_minX, tc.Item1); _maxX = Math.Max(_maxX, tc.Item1);
            _minY = Math.Min(_minY, tc.Item2); _maxY = Math.Max(_maxY, tc.Item2);
        }
    }

    public List<(LiveUnit Unit, double DistanceM)> Nearest(double lon, double lat, int k, Func<long, LiveUnit?> accept)
    {
        var best = new List<(LiveUnit Unit, double DistanceM)>(k + 1);
        if (k <= 0 || _cells.Count == 0) return best;
        var (cx, cy) = Cell(lon, lat);
        var maxRing = Math.Max(Math.Max(Math.Abs(cx - _minX), Math.Abs(_maxX - cx)), Math.Max(Math.Abs(cy - _minY), Math.Abs(_maxY - cy)));
        for (var r = 0; r <= maxRing; r++)
        {
            // Anything in ring r is at least (r - 1) whole cells away from the point. The bound must never exceed a true
            // distance: a cell's east-west side is measured at the ring's latitude farthest from the equator (where it is
            // shortest), its north-south side at the equator (where a degree of latitude is shortest).
            var far = Math.Min(89.9, Math.Abs(lat) + (r + 1) * cellDegrees);
            var ringStepM = Math.Min(Wgs84.DistanceM(0, far, cellDegrees, far), Wgs84.DistanceM(0, 0, 0, cellDegrees));
            if (best.Count == k && best[^1].DistanceM <= (r - 1) * ringStepM) break;
            for (var x = cx - r; x <= cx + r; x++)
            {
                var edge = x == cx - r || x == cx + r;
                for (var y = cy - r; y <= cy + r; y += edge ? 1 : 2 * r)
                {
                    if (!_cells.TryGetValue((x, y), out var ids)) continue;
                    foreach (var id in ids)
                    {
                        if (accept(id) is not { } unit) continue;
                        var d = Wgs84.DistanceM(lon, lat, unit.Lon, unit.Lat);
                        if (best.Count == k && d >= best[^1].DistanceM) continue;
                        var at = best.Count;
                        while (at > 0 && best[at - 1].DistanceM > d) at--;
                        best.Insert(at, (unit, d));
                        if (best.Count > k) best.RemoveAt(k);
                    }
                    if (r == 0) break;
                }
            }
        }
        return best;
    }
}
