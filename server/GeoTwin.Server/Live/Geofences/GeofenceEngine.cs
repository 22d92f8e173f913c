using System.Collections.Concurrent;
using System.Collections.Immutable;
using GeoTwin.Domain;
using GeoTwin.Tiling.Geodesy;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;
using NetTopologySuite.Index.Strtree;
using NetTopologySuite.Operation.Distance;

namespace GeoTwin.Server.Live.Geofences;

/// <summary>
/// The rules the engine implements, by name; the list and its labels are vocabulary.json's geofenceRules (a test holds
/// the SQL CHECKs to it), and the static check below holds this engine to it.
/// </summary>
public static class FenceRules
{
    public const string Enter = "enter", Exit = "exit", Inside = "inside", Outside = "outside", Cross = "cross", Dwell = "dwell";
    public static CodeList All { get; } = Implemented(Vocabulary.GeofenceRules);

    static CodeList Implemented(CodeList vocabulary)
    {
        string[] known = [Enter, Exit, Inside, Outside, Cross, Dwell];
        if (!vocabulary.Order().SequenceEqual(known.Order()))
            throw new InvalidOperationException($"vocabulary.json geofenceRules ({vocabulary}) is not what the engine implements ({string.Join(", ", known)})");
        return vocabulary;
    }
}

/// <summary>
/// A fence as the engine needs it. The area is lon/lat (EPSG:4326) and segments are straight in lon/lat, as Tile38
/// treats them (its published sequence depends on that). <paramref name="MarginM"/> is the hysteresis: a unit inside
/// leaves only once it is more than this far outside, so a unit on the edge does not flap. Null watch sets mean every
/// unit; null <paramref name="ActiveHours"/> means always, else hours 0-23 on <paramref name="Zone"/>'s clock.
/// <paramref name="Path"/> is the fence's jurisdiction path: who may be told of its events.
/// </summary>
public sealed record Fence(long Id, string Name, Geometry Area, IReadOnlySet<string> Rules, double MarginM = 0,
    TimeSpan? Dwell = null, IReadOnlySet<long>? Units = null, IReadOnlySet<string>? Kinds = null,
    IReadOnlySet<int>? ActiveHours = null, TimeZoneInfo? Zone = null, string Path = "")
{
    public bool Watches(long unitId, string kind) =>
        (Units is null && Kinds is null) || (Units?.Contains(unitId) ?? false) || (Kinds?.Contains(kind) ?? false);

    public bool ActiveAt(DateTime utc) =>
        ActiveHours is null || ActiveHours.Contains(TimeZoneInfo.ConvertTimeFromUtc(utc, Zone ?? TimeZoneInfo.Utc).Hour);

    static readonly GeometryFactory Factory = new(new PrecisionModel(), 4326);

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
        return Factory.CreatePolygon(ring);
    }
}

public sealed record FenceEvent(long FenceId, string FenceName, long UnitId, string Rule, DateTime At, double Lon, double Lat, string Path = "");

/// <summary>
/// Evaluates every fix against every fence near it, in memory: an STR-tree of the fences' envelopes and each unit's
/// last fix and the fences it is in. NTS's STR-tree cannot change once built, so a fence drawn later waits in a short
/// list beside it (searched by envelope) and a deleted one is dropped from the id map (tree hits not in it are
/// skipped); past <see cref="RebuildAfter"/> such changes the tree is rebuilt. A change never rebuilds 20,000 fences
/// per click, and every change is a new snapshot swapped in atomically, so evaluation takes no lock on the fences.
/// Events come in the order enter/exit/cross, then inside/outside, then dwell, as Tile38 reports them. "outside" is
/// reported only for fences the fix came near (its segment's envelope touched them), not for every fence in the city.
/// </summary>
public sealed class GeofenceEngine
{
    sealed record Indexed(Fence Fence, IPreparedGeometry Prepared, Envelope Envelope);
    sealed record Snapshot(STRtree<Indexed> Tree, ImmutableDictionary<long, Indexed> ById, ImmutableList<Indexed> Recent, int Changes);
    sealed class UnitState
    {
        public Point? Last;
        public DateTime LastAt;
        public readonly Dictionary<long, (DateTime Since, bool DwellSent)> In = [];
    }

    public const int RebuildAfter = 256;
    static readonly GeometryFactory Wgs84Factory = new(new PrecisionModel(), 4326);
    volatile Snapshot _fences = new(Built([]), ImmutableDictionary<long, Indexed>.Empty, [], 0);
    readonly object _changing = new();
    readonly ConcurrentDictionary<long, UnitState> _units = new();

    public int FenceCount => _fences.ById.Count;

    /// <summary>Replaces every fence (start-up).</summary>
    public void Load(IEnumerable<Fence> fences)
    {
        var list = fences.Select(Index).ToList();
        lock (_changing) _fences = new Snapshot(Built(list), list.ToImmutableDictionary(i => i.Fence.Id), [], 0);
    }

    /// <summary>Adds a fence or replaces the one with its id: watched from the next evaluated fix on.</summary>
    public void Put(Fence fence)
    {
        var indexed = Index(fence);
        lock (_changing)
        {
            var s = _fences;
            _fences = Compact(s with { ById = s.ById.SetItem(fence.Id, indexed), Recent = s.Recent.Add(indexed), Changes = s.Changes + 1 });
        }
    }

    /// <summary>Forgets a fence; units inside it leave it silently (a deleted fence reports nothing more).</summary>
    public void Remove(long fenceId)
    {
        lock (_changing)
        {
            var s = _fences;
            if (!s.ById.ContainsKey(fenceId)) return;
            _fences = Compact(s with { ById = s.ById.Remove(fenceId), Recent = s.Recent.RemoveAll(i => i.Fence.Id == fenceId), Changes = s.Changes + 1 });
        }
    }

    static Snapshot Compact(Snapshot s) =>
        s.Changes < RebuildAfter ? s : new Snapshot(Built([.. s.ById.Values]), s.ById, [], 0);

    static Indexed Index(Fence f)
    {
        var env = new Envelope(f.Area.EnvelopeInternal);
        if (f.MarginM > 0)
        {
            // Degrees of the margin at the fence's latitude, so a unit inside the margin still finds the fence.
            var dLat = f.MarginM / 111_000.0;
            var dLon = dLat / Math.Max(0.01, Math.Cos(env.Centre.Y * Math.PI / 180));
            env.ExpandBy(dLon, dLat);
        }
        return new Indexed(f, PreparedGeometryFactory.Prepare(f.Area), env);
    }

    /// <summary>The fences whose envelopes meet the search box, as the snapshot has them now.</summary>
    static IEnumerable<Indexed> Near(Snapshot s, Envelope search)
    {
        foreach (var i in s.Tree.Query(search))
            if (s.ById.TryGetValue(i.Fence.Id, out var current) && ReferenceEquals(current, i)) yield return i;
        foreach (var i in s.Recent)
            if (i.Envelope.Intersects(search) && s.ById.TryGetValue(i.Fence.Id, out var current) && ReferenceEquals(current, i)) yield return i;
    }

    static STRtree<Indexed> Built(List<Indexed> fences)
    {
        var tree = new STRtree<Indexed>();
        foreach (var i in fences) tree.Insert(i.Envelope, i);
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
            var point = Wgs84Factory.CreatePoint(new Coordinate(lon, lat));
            var prev = state.Last;
            var search = new Envelope(point.Coordinate);
            if (prev is not null) search.ExpandToInclude(prev.Coordinate);
            var near = new Dictionary<long, Indexed>();
            foreach (var i in Near(snapshot, search)) near[i.Fence.Id] = i;
            foreach (var id in state.In.Keys.ToList())
            {
                if (snapshot.ById.TryGetValue(id, out var i)) near[id] = i;
                else state.In.Remove(id); // the fence was deleted
            }
            LineString? segment = prev is null || prev.Coordinate.Equals2D(point.Coordinate) ? null
                : Wgs84Factory.CreateLineString([prev.Coordinate, point.Coordinate]);

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
                    if (f.Rules.Contains(rule)) events.Add(new FenceEvent(id, f.Name, unitId, rule, at, lon, lat, f.Path));
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
        return Wgs84.DistanceM(nearest[0].X, nearest[0].Y, nearest[1].X, nearest[1].Y);
    }
}

/// <summary>The point a distance along a bearing on a sphere of the WGS84 mean radius (circles drawn as polygons).</summary>
public static class Geo
{
    const double R = 6_371_008.8;
    static double Rad(double d) => d * Math.PI / 180;

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
