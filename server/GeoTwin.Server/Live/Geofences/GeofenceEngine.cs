using System.Collections.Concurrent;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;
using NetTopologySuite.Index.Strtree;
using NetTopologySuite.Operation.Distance;

namespace GeoTwin.Server.Live.Geofences;

/// <summary>What a fence reports (its rules) and what an event says happened.</summary>
public static class FenceRules
{
    public const string Enter = "enter", Exit = "exit", Inside = "inside", Outside = "outside", Cross = "cross", Dwell = "dwell";
    public static readonly IReadOnlyList<string> All = [Enter, Exit, Inside, Outside, Cross, Dwell];
}

/// <summary>
/// A fence as the engine needs it. The area is lon/lat (EPSG:4326) and segments are straight in lon/lat, as Tile38
/// treats them (its published sequence depends on that). <paramref name="MarginM"/> is the hysteresis: a unit inside
/// leaves only once it is more than this far outside, so a unit on the edge does not flap. Null watch sets mean every
/// unit; null <paramref name="ActiveHours"/> means always, else hours 0-23 on <paramref name="Zone"/>'s clock.
/// </summary>
public sealed record Fence(long Id, string Name, Geometry Area, IReadOnlySet<string> Rules, double MarginM = 0,
    TimeSpan? Dwell = null, IReadOnlySet<long>? Units = null, IReadOnlySet<string>? Kinds = null,
    IReadOnlySet<int>? ActiveHours = null, TimeZoneInfo? Zone = null)
{
    public bool Watches(long unitId, string kind) =>
        (Units is null && Kinds is null) || (Units?.Contains(unitId) ?? false) || (Kinds?.Contains(kind) ?? false);

    public bool ActiveAt(DateTime utc) =>
        ActiveHours is null || ActiveHours.Contains(TimeZoneInfo.ConvertTimeFromUtc(utc, Zone ?? TimeZoneInfo.Utc).Hour);

    static readonly GeometryFactory Wgs84 = new(new PrecisionModel(), 4326);

    /// <summary>A circle of <paramref name="radiusM"/> metres as a polygon of geodesic points (Tile38 does the same).</summary>
    public static Polygon Circle(double lon, double lat, double radiusM, int sides = 64)
    {
        var ring = new Coordinate[sides + 1];
        for (var i = 0; i < sides; i++)
        {
            var (x, y) = Geo.Destination(lon, lat, 360.0 * i / sides, radiusM);
            ring[i] = new Coordinate(x, y);
        }
        ring[sides] = ring[0].Copy();
        return Wgs84.CreatePolygon(ring);
    }
}

public sealed record FenceEvent(long FenceId, string FenceName, long UnitId, string Rule, DateTime At, double Lon, double Lat);

/// <summary>
/// Evaluates every fix against every fence near it, in memory: an STR-tree of the fences' envelopes (rebuilt whole
/// by <see cref="Load"/> when fences change, swapped in atomically) and each unit's last fix and the fences it is in.
/// Events come in the order enter/exit/cross, then inside/outside, then dwell, as Tile38 reports them. "outside" is
/// reported only for fences the fix came near (its segment's envelope touched them), not for every fence in the city.
/// </summary>
public sealed class GeofenceEngine
{
    sealed record Indexed(Fence Fence, IPreparedGeometry Prepared);
    sealed record Snapshot(STRtree<Indexed> Tree, IReadOnlyDictionary<long, Indexed> ById);
    sealed class UnitState
    {
        public Point? Last;
        public DateTime LastAt;
        public readonly Dictionary<long, (DateTime Since, bool DwellSent)> In = [];
    }

    static readonly GeometryFactory Wgs84 = new(new PrecisionModel(), 4326);
    volatile Snapshot _fences = new(Built([]), new Dictionary<long, Indexed>());
    readonly ConcurrentDictionary<long, UnitState> _units = new();

    public int FenceCount => _fences.ById.Count;

    public void Load(IEnumerable<Fence> fences)
    {
        var list = fences.Select(f => new Indexed(f, PreparedGeometryFactory.Prepare(f.Area))).ToList();
        _fences = new Snapshot(Built(list), list.ToDictionary(i => i.Fence.Id));
    }

    static STRtree<Indexed> Built(List<Indexed> fences)
    {
        var tree = new STRtree<Indexed>();
        foreach (var i in fences)
        {
            var env = new Envelope(i.Fence.Area.EnvelopeInternal);
            if (i.Fence.MarginM > 0)
            {
                // Degrees of the margin at the fence's latitude, so a unit inside the margin still finds the fence.
                var dLat = i.Fence.MarginM / 111_000.0;
                var dLon = dLat / Math.Max(0.01, Math.Cos(env.Centre.Y * Math.PI / 180));
                env.ExpandBy(dLon, dLat);
            }
            tree.Insert(env, i);
        }
        tree.Build();
        return tree;
    }

    /// <summary>The events of one unit's fix. Fixes of one unit are evaluated one at a time (the unit's lock).</summary>
    public List<FenceEvent> Evaluate(long unitId, string kind, DateTime at, double lon, double lat)
    {
        var snapshot = _fences;
        var state = _units.GetOrAdd(unitId, _ => new UnitState());
        var events = new List<FenceEvent>();
        lock (state)
        {
            // A fix older than the last judged one (a device's backlog arriving late) is history: it changes no stay.
            if (state.Last is not null && at < state.LastAt) return events;
            var point = Wgs84.CreatePoint(new Coordinate(lon, lat));
            var prev = state.Last;
            var search = new Envelope(point.Coordinate);
            if (prev is not null) search.ExpandToInclude(prev.Coordinate);
            var near = new Dictionary<long, Indexed>();
            foreach (var i in snapshot.Tree.Query(search)) near[i.Fence.Id] = i;
            foreach (var id in state.In.Keys.ToList())
            {
                if (snapshot.ById.TryGetValue(id, out var i)) near[id] = i;
                else state.In.Remove(id); // the fence was deleted
            }
            LineString? segment = prev is null || prev.Coordinate.Equals2D(point.Coordinate) ? null
                : Wgs84.CreateLineString([prev.Coordinate, point.Coordinate]);

            foreach (var (id, i) in near)
            {
                var f = i.Fence;
                if (!f.Watches(unitId, kind)) continue;
                var was = state.In.TryGetValue(id, out var stay);
                var inside = i.Prepared.Covers(point) || (was && f.MarginM > 0 && MetresOutside(f.Area, point) <= f.MarginM);
                var found = new List<string>(3);
                if (!was && inside)
                {
                    state.In[id] = stay = (at, false);
                    found.Add(FenceRules.Enter);
                }
                else if (was && !inside)
                {
                    state.In.Remove(id);
                    found.Add(FenceRules.Exit);
                }
                else if (!was && !inside && segment is not null && i.Prepared.Intersects(segment))
                    found.Add(FenceRules.Cross);
                found.Add(inside ? FenceRules.Inside : FenceRules.Outside);
                if (inside && f.Dwell is { } dwell && !stay.DwellSent && at - stay.Since >= dwell)
                {
                    state.In[id] = (stay.Since, true);
                    found.Add(FenceRules.Dwell);
                }
                if (!f.ActiveAt(at)) continue; // the state still follows the unit, so activation does not fake an enter
                foreach (var rule in found)
                    if (f.Rules.Contains(rule)) events.Add(new FenceEvent(id, f.Name, unitId, rule, at, lon, lat));
            }
            state.Last = point;
            state.LastAt = at;
        }
        return events;
    }

    /// <summary>Forget a unit (deleted, or its state reset).</summary>
    public void Forget(long unitId) => _units.TryRemove(unitId, out _);

    static double MetresOutside(Geometry area, Point p)
    {
        var nearest = DistanceOp.NearestPoints(area, p);
        return Geo.Metres(nearest[0].X, nearest[0].Y, nearest[1].X, nearest[1].Y);
    }
}

/// <summary>Great-circle helpers on the WGS84 mean radius (metres, degrees).</summary>
public static class Geo
{
    const double R = 6_371_008.8;
    static double Rad(double d) => d * Math.PI / 180;

    public static double Metres(double lon1, double lat1, double lon2, double lat2)
    {
        var a = Math.Pow(Math.Sin(Rad(lat2 - lat1) / 2), 2) +
                Math.Cos(Rad(lat1)) * Math.Cos(Rad(lat2)) * Math.Pow(Math.Sin(Rad(lon2 - lon1) / 2), 2);
        return 2 * R * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }

    public static (double Lon, double Lat) Destination(double lon, double lat, double bearingDeg, double metres)
    {
        var d = metres / R;
        var b = Rad(bearingDeg);
        var p1 = Rad(lat);
        var p2 = Math.Asin(Math.Sin(p1) * Math.Cos(d) + Math.Cos(p1) * Math.Sin(d) * Math.Cos(b));
        var l2 = Rad(lon) + Math.Atan2(Math.Sin(b) * Math.Sin(d) * Math.Cos(p1), Math.Cos(d) - Math.Sin(p1) * Math.Sin(p2));
        return (l2 * 180 / Math.PI, p2 * 180 / Math.PI);
    }
}
