using GeoTwin.Tiling.Geodesy;

namespace GeoTwin.Server.Dispatch.Routing;

/// <summary>One row of the roads table as the graph needs it. Cost and ReverseCost in seconds; null or negative: that
/// direction does not exist (as pgRouting reads them). Coords: lon, lat pairs in drawing order.</summary>
public sealed record RoadRow(long Id, long Source, long Target, double? Cost, double? ReverseCost, double[] Coords);

/// <summary>A point placed on a road: Fraction 0 at the road's source end, 1 at its target end (by length).</summary>
public readonly record struct RoadSnap(int Road, double Fraction, double DistanceM, double Lon, double Lat);

/// <summary>
/// The road network as an immutable directed graph in compressed sparse row arrays, stored reversed (the arcs
/// into each junction), so one Dijkstra from an incident gives every junction's travel time TO the incident and
/// therefore reaches all units at once. Safe to share between threads; rebuilt whole when the roads change.
/// </summary>
public sealed class RoadGraph
{
    readonly int[] _from, _to;
    readonly double[] _cost, _reverseCost; // < 0: no such direction
    readonly double[][] _coords;           // lon, lat pairs
    readonly double[][] _along;            // metres from the road's start to each vertex
    readonly double[] _length;             // each road's length in metres
    // Reversed CSR: arcs into node v are _inStart[v] .. _inStart[v+1]-1; each comes from _inTail, costs _inCost,
    // runs along road _inRoad[a] >> 1, forwards (drawing direction) when the low bit is 0.
    readonly int[] _inStart, _inTail, _inRoad;
    readonly double[] _inCost;
    // Snapping index: a uniform grid over the network; cell c lists the segments (road, first vertex) whose box meets it,
    // with the segment's ends copied beside them (lon, lat, lon, lat) so a snap reads one array in order.
    readonly double _minLon, _minLat, _cellLon, _cellLat;
    readonly int _nx, _ny;
    readonly int[] _cellStart, _cellRoad, _cellVertex;
    readonly double[] _cellEnds;

    public int NodeCount { get; }
    public int RoadCount => _from.Length;
    public int ArcCount => _inTail.Length;
    public IReadOnlyDictionary<long, int> NodeOfJunction { get; }

    public RoadGraph(IReadOnlyList<RoadRow> roads)
    {
        var nodes = new Dictionary<long, int>();
        int Node(long junction)
        {
            if (!nodes.TryGetValue(junction, out var n)) nodes[junction] = n = nodes.Count;
            return n;
        }

        var count = roads.Count;
        _from = new int[count]; _to = new int[count];
        _cost = new double[count]; _reverseCost = new double[count];
        _coords = new double[count][]; _along = new double[count][]; _length = new double[count];
        var arcs = 0;
        for (var i = 0; i < count; i++)
        {
            var r = roads[i];
            if (r.Coords.Length < 4 || r.Coords.Length % 2 != 0) throw new ArgumentException($"road {r.Id} has fewer than two points");
            _from[i] = Node(r.Source); _to[i] = Node(r.Target);
            _cost[i] = r.Cost is { } c && c >= 0 ? c : -1;
            _reverseCost[i] = r.ReverseCost is { } rc && rc >= 0 ? rc : -1;
            if (_cost[i] >= 0) arcs++;
            if (_reverseCost[i] >= 0) arcs++;
            _coords[i] = r.Coords;
            _along[i] = Along(r.Coords);
            _length[i] = _along[i][^1];
        }
        (_minLon, _minLat, _cellLon, _cellLat, _nx, _ny, _cellStart, _cellRoad, _cellVertex) = BuildGrid(_coords);
        _cellEnds = new double[_cellRoad.Length * 4];
        for (var i = 0; i < _cellRoad.Length; i++) Array.Copy(_coords[_cellRoad[i]], _cellVertex[i], _cellEnds, i * 4, 4);
        NodeCount = nodes.Count;
        NodeOfJunction = nodes;

        _inStart = new int[NodeCount + 1];
        for (var i = 0; i < count; i++)
        {
            if (_cost[i] >= 0) _inStart[_to[i] + 1]++;
            if (_reverseCost[i] >= 0) _inStart[_from[i] + 1]++;
        }
        for (var v = 0; v < NodeCount; v++) _inStart[v + 1] += _inStart[v];
        _inTail = new int[arcs]; _inRoad = new int[arcs]; _inCost = new double[arcs];
        var fill = (int[])_inStart.Clone();
        for (var i = 0; i < count; i++)
        {
            if (_cost[i] >= 0) Put(fill[_to[i]]++, _from[i], i << 1, _cost[i]);
            if (_reverseCost[i] >= 0) Put(fill[_from[i]]++, _to[i], (i << 1) | 1, _reverseCost[i]);
        }

        void Put(int a, int tail, int road, double cost)
        {
            _inTail[a] = tail; _inRoad[a] = road; _inCost[a] = cost;
        }
    }

    static (double, double, double, double, int, int, int[], int[], int[]) BuildGrid(double[][] coords)
    {
        double minLon = double.MaxValue, minLat = double.MaxValue, maxLon = double.MinValue, maxLat = double.MinValue;
        var segments = 0;
        foreach (var c in coords)
        {
            segments += c.Length / 2 - 1;
            for (var k = 0; k < c.Length; k += 2)
            {
                minLon = Math.Min(minLon, c[k]); maxLon = Math.Max(maxLon, c[k]);
                minLat = Math.Min(minLat, c[k + 1]); maxLat = Math.Max(maxLat, c[k + 1]);
            }
        }
        if (segments == 0) return (0, 0, 1, 1, 1, 1, new int[2], [], []);
        // cells of at least 15 m (a snap then reads a few segments, even where streets are dense), and no more cells than
        // about two a segment, so memory follows the network's size
        var (perLon, perLat) = Wgs84.MetresPerDegree((minLat + maxLat) / 2);
        double width = (maxLon - minLon) * perLon, height = (maxLat - minLat) * perLat;
        var side = Math.Max(15, Math.Sqrt(width * height / (2.0 * segments)));
        var nx = Math.Max(1, (int)Math.Ceiling(width / side) + 1);
        var ny = Math.Max(1, (int)Math.Ceiling(height / side) + 1);
        double cellLon = side / perLon, cellLat = side / perLat;
        var start = new int[nx * ny + 1];
        for (var pass = 0; pass < 2; pass++)
        {
            int[] fill = pass == 1 ? (int[])start.Clone() : start;
            var roadsOut = pass == 1 ? new int[start[^1]] : [];
            var vertexOut = pass == 1 ? new int[start[^1]] : [];
            for (var r = 0; r < coords.Length; r++)
            {
                var c = coords[r];
                for (var k = 0; k + 3 < c.Length; k += 2)
                {
                    int x0 = (int)((Math.Min(c[k], c[k + 2]) - minLon) / cellLon), x1 = (int)((Math.Max(c[k], c[k + 2]) - minLon) / cellLon);
                    int y0 = (int)((Math.Min(c[k + 1], c[k + 3]) - minLat) / cellLat), y1 = (int)((Math.Max(c[k + 1], c[k + 3]) - minLat) / cellLat);
                    for (var y = y0; y <= y1; y++)
                        for (var x = x0; x <= x1; x++)
                        {
                            var cell = y * nx + x;
                            if (pass == 0) start[cell + 1]++;
                            else { roadsOut[fill[cell]] = r; vertexOut[fill[cell]++] = k; }
                        }
                }
            }
            if (pass == 0) for (var i = 0; i < nx * ny; i++) start[i + 1] += start[i];
            else return (minLon, minLat, cellLon, cellLat, nx, ny, start, roadsOut, vertexOut);
        }
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>The junction nodes at the road's source and target ends.</summary>
    public (int From, int To) Ends(int road) => (_from[road], _to[road]);

    static double[] Along(double[] c)
    {
        var along = new double[c.Length / 2];
        for (var k = 1; k < along.Length; k++) along[k] = along[k - 1] + Wgs84.DistanceM(c[2 * k - 2], c[2 * k - 1], c[2 * k], c[2 * k + 1]);
        return along;
    }


    /// <returns>the nearest point on any road within maxMetres, or null when none is that close</returns>
    public RoadSnap? Snap(double lon, double lat, double maxMetres)
    {
        // Rings of cells around the point's cell, nearest first. A segment not yet read meets no cell read so far, so it
        // is at least as far as the edge of the rings read: once the best is that close, or that edge is beyond
        // maxMetres, the answer is final. Most points lie on or beside a road: one ring or two.
        var (perLon, perLat) = Wgs84.MetresPerDegree(lat);
        double fx = (lon - _minLon) / _cellLon, fy = (lat - _minLat) / _cellLat;
        int cx = (int)Math.Floor(fx), cy = (int)Math.Floor(fy);
        double cellWidth = _cellLon * perLon, cellHeight = _cellLat * perLat;
        double insideX = Math.Min(fx - cx, cx + 1 - fx), insideY = Math.Min(fy - cy, cy + 1 - fy);
        var bestD2 = maxMetres * maxMetres;
        var best = -1;
        double bestT = 0;
        for (var ring = 0; ; ring++)
        {
            for (var y = cy - ring; y <= cy + ring; y++)
            {
                if (y < 0 || y >= _ny) continue;
                var edgeRow = y == cy - ring || y == cy + ring;
                for (var x = cx - ring; x <= cx + ring; x += edgeRow ? 1 : 2 * ring)
                {
                    if (x >= 0 && x < _nx) ReadCell(y * _nx + x);
                    if (ring == 0) break;
                }
            }
            var edge = Math.Min((insideX + ring) * cellWidth, (insideY + ring) * cellHeight);
            var wholeGrid = cx - ring <= 0 && cy - ring <= 0 && cx + ring >= _nx - 1 && cy + ring >= _ny - 1;
            if (edge * edge >= bestD2 || edge > maxMetres || wholeGrid) break;
        }
        if (best < 0) return null;
        int road = _cellRoad[best], k = _cellVertex[best];
        var c = _coords[road];
        var along = _along[road];
        var total = along[^1];
        var at = along[k / 2] + bestT * (along[k / 2 + 1] - along[k / 2]);
        return new RoadSnap(road, total > 0 ? at / total : 0, Math.Sqrt(bestD2), c[k] + bestT * (c[k + 2] - c[k]), c[k + 1] + bestT * (c[k + 3] - c[k + 1]));

        void ReadCell(int cell)
        {
            var ends = _cellEnds;
            for (var i = _cellStart[cell]; i < _cellStart[cell + 1]; i++)
            {
                // the segment and the point in metres around the point
                double ax = (ends[4 * i] - lon) * perLon, ay = (ends[4 * i + 1] - lat) * perLat;
                double dx = (ends[4 * i + 2] - lon) * perLon - ax, dy = (ends[4 * i + 3] - lat) * perLat - ay, len2 = dx * dx + dy * dy;
                var t = len2 > 0 ? Math.Clamp(-(ax * dx + ay * dy) / len2, 0, 1) : 0;
                double px = ax + t * dx, py = ay + t * dy;
                var d2 = px * px + py * py;
                // ties go to the lower road and vertex, so the answer does not depend on the order cells are read
                if (d2 > bestD2) continue;
                if (d2 == bestD2 && best >= 0 && (_cellRoad[i] > _cellRoad[best] || (_cellRoad[i] == _cellRoad[best] && _cellVertex[i] >= _cellVertex[best]))) continue;
                (bestD2, best, bestT) = (d2, i, t);
            }
        }
    }

    /// <summary>
    /// The way a unit drives from one point to another, as the recommendation draws it: from the point, along the
    /// fastest roads, to the target; a straight line when either is off the network or no road joins them.
    /// </summary>
    /// <returns>the line, and the road graph's time along it (0 for a straight line: the graph does not time it)</returns>
    public (double[][] Line, double RoadSeconds) Drive(double fromLon, double fromLat, double toLon, double toLat, double snapMetres)
    {
        if (Snap(toLon, toLat, snapMetres) is { } target && Snap(fromLon, fromLat, snapMetres) is { } from)
        {
            var times = To(target, [_from[from.Road], _to[from.Road]]);
            if (Framed(fromLon, fromLat, times.RouteFrom(from), toLon, toLat) is { } line) return (line, times.From(from));
        }
        return ([[fromLon, fromLat], [toLon, toLat]], 0);
    }

    /// <summary>A road route framed by the unit's and the incident's own points; null when the route is empty (no road joins them).</summary>
    public static double[][]? Framed(double fromLon, double fromLat, List<double[]> road, double toLon, double toLat) =>
        road.Count > 0 ? [[fromLon, fromLat], .. road, [toLon, toLat]] : null;

    /// <summary>Travel times from every junction to the target point, by one Dijkstra over the reversed graph.</summary>
    /// <param name="stopWhenSettled">junction nodes whose times are wanted; the search ends once all are final (null: the whole graph)</param>
    public TravelTimes To(RoadSnap target, IEnumerable<int>? stopWhenSettled = null) => To(target, stopWhenSettled, null);

    /// <param name="settledStop">called with each junction as its time becomes final (in increasing time); true ends the search</param>
    public TravelTimes To(RoadSnap target, IEnumerable<int>? stopWhenSettled, Func<int, double, TravelTimes, bool>? settledStop)
    {
        var dist = new double[NodeCount];
        Array.Fill(dist, double.PositiveInfinity);
        var metres = new double[NodeCount]; // length of the fastest way, for a unit kind's own speed (UnitTravel)
        var next = new int[NodeCount]; // arc toward the target; StartAtSource/StartAtTarget: then along the target road
        var settled = new bool[NodeCount];
        var wanted = new bool[NodeCount];
        var remaining = 0;
        if (stopWhenSettled is null) remaining = NodeCount;
        else
            foreach (var n in stopWhenSettled)
                if (!wanted[n]) { wanted[n] = true; remaining++; }

        var heap = new MinHeap(Math.Max(16, NodeCount / 8));
        int r = target.Road, s = _from[r], t = _to[r];
        Seed(s, Part(target.Fraction, _cost[r]), TravelTimes.StartAtSource, target.Fraction * _length[r]);
        Seed(t, Part(1 - target.Fraction, _reverseCost[r]), TravelTimes.StartAtTarget, (1 - target.Fraction) * _length[r]);

        var times = new TravelTimes(this, target, dist, next, metres);
        while (remaining > 0 && heap.TryPop(out var v, out var dv))
        {
            if (settled[v] || dv > dist[v]) continue;
            settled[v] = true;
            if (stopWhenSettled is null || wanted[v]) remaining--;
            if (settledStop is not null && settledStop(v, dv, times)) break;
            for (var a = _inStart[v]; a < _inStart[v + 1]; a++)
            {
                var u = _inTail[a];
                var du = dv + _inCost[a];
                if (du < dist[u])
                {
                    dist[u] = du;
                    metres[u] = metres[v] + _length[_inRoad[a] >> 1];
                    next[u] = a;
                    heap.Push(u, du);
                }
            }
        }
        return times;

        void Seed(int node, double d, int how, double m)
        {
            if (!(d < dist[node])) return;
            dist[node] = d;
            metres[node] = m;
            next[node] = how;
            heap.Push(node, d);
        }
    }

    /// <summary>Cost of driving a fraction of a road in one direction: none for no distance (a point at a junction is
    /// at the junction whichever way the road runs), infinite where that direction does not exist.</summary>
    static double Part(double fraction, double cost) =>
        fraction <= 1e-9 ? 0 : cost >= 0 ? fraction * cost : double.PositiveInfinity;

    internal enum Way { None, Forward, Backward, Along }

    /// <summary>Seconds from a point on a road to the target of a search (infinity when unreachable), which way it leaves,
    /// and the metres of that way along the roads (from the snapped point to the target's).</summary>
    internal (double Seconds, Way Way, double Metres) TimeFrom(RoadSnap from, TravelTimes times)
    {
        int r = from.Road;
        double f = from.Fraction, best = double.PositiveInfinity, metres = 0, length = _length[r];
        var way = Way.None;
        if (Part(1 - f, _cost[r]) + times.Dist[_to[r]] is var fw && fw < best) { best = fw; way = Way.Forward; metres = (1 - f) * length + times.Metres[_to[r]]; }
        if (Part(f, _reverseCost[r]) + times.Dist[_from[r]] is var bw && bw < best) { best = bw; way = Way.Backward; metres = f * length + times.Metres[_from[r]]; }
        if (r == times.Target.Road)
        {
            var g = times.Target.Fraction;
            if (f <= g && Part(g - f, _cost[r]) is var ahead && ahead <= best) { best = ahead; way = Way.Along; metres = (g - f) * length; }
            if (f >= g && Part(f - g, _reverseCost[r]) is var back && back <= best) { best = back; way = Way.Along; metres = (f - g) * length; }
        }
        return (best, way, metres);
    }

    /// <summary>The route from a point to the search's target as lon, lat pairs.</summary>
    internal List<double[]> Route(RoadSnap from, TravelTimes times)
    {
        var (_, way, _) = TimeFrom(from, times);
        var line = new List<double[]>();
        var target = times.Target;
        switch (way)
        {
            case Way.None: return line;
            case Way.Along: Piece(line, from.Road, from.Fraction, target.Fraction); return line;
            case Way.Forward: Piece(line, from.Road, from.Fraction, 1); break;
            case Way.Backward: Piece(line, from.Road, from.Fraction, 0); break;
        }
        var v = way == Way.Forward ? _to[from.Road] : _from[from.Road];
        for (var guard = 0; guard <= NodeCount; guard++)
        {
            var a = times.Next[v];
            if (a == TravelTimes.StartAtSource) { Piece(line, target.Road, 0, target.Fraction); break; }
            if (a == TravelTimes.StartAtTarget) { Piece(line, target.Road, 1, target.Fraction); break; }
            var road = _inRoad[a] >> 1;
            var forward = (_inRoad[a] & 1) == 0;
            Piece(line, road, forward ? 0 : 1, forward ? 1 : 0);
            v = forward ? _to[road] : _from[road];
        }
        return line;
    }

    /// <summary>Appends the part of a road between two fractions, in the order given.</summary>
    void Piece(List<double[]> line, int road, double f0, double f1)
    {
        var c = _coords[road];
        var along = _along[road];
        var total = along[^1];
        void Add(double lon, double lat)
        {
            if (line.Count > 0 && line[^1][0] == lon && line[^1][1] == lat) return;
            line.Add([lon, lat]);
        }
        (double, double) At(double f)
        {
            var m = f * total;
            var k = Array.BinarySearch(along, m);
            if (k >= 0) return (c[2 * k], c[2 * k + 1]);
            k = ~k;
            if (k <= 0) return (c[0], c[1]);
            if (k >= along.Length) return (c[^2], c[^1]);
            var span = along[k] - along[k - 1];
            var t = span > 0 ? (m - along[k - 1]) / span : 0;
            return (c[2 * k - 2] + t * (c[2 * k] - c[2 * k - 2]), c[2 * k - 1] + t * (c[2 * k + 1] - c[2 * k - 1]));
        }
        var (x0, y0) = At(f0);
        Add(x0, y0);
        if (f0 <= f1)
        {
            for (var k = 0; k < along.Length; k++)
                if (along[k] > f0 * total && along[k] < f1 * total) Add(c[2 * k], c[2 * k + 1]);
        }
        else
        {
            for (var k = along.Length - 1; k >= 0; k--)
                if (along[k] < f0 * total && along[k] > f1 * total) Add(c[2 * k], c[2 * k + 1]);
        }
        var (x1, y1) = At(f1);
        Add(x1, y1);
    }
}

/// <summary>The result of one search: seconds from each junction to the target, and the way there.</summary>
public sealed class TravelTimes(RoadGraph graph, RoadSnap target, double[] dist, int[] next, double[] metres)
{
    internal const int StartAtSource = -2, StartAtTarget = -3;
    internal double[] Dist { get; } = dist;
    internal double[] Metres { get; } = metres;
    internal int[] Next { get; } = next;
    public RoadSnap Target { get; } = target;

    /// <summary>Seconds from a junction (by its roads-table id) to the target; infinity when it cannot get there.</summary>
    public double FromJunction(long junction) =>
        graph.NodeOfJunction.TryGetValue(junction, out var n) ? Dist[n] : double.PositiveInfinity;

    public double From(RoadSnap point) => graph.TimeFrom(point, this).Seconds;

    /// <summary>Metres of the way a unit drives from the point to the target, as <see cref="RoadGraph.Framed"/> draws it: onto the
    /// road, along the fastest roads, off the road to the target's own point. Infinity when unreachable.</summary>
    public double RouteMetres(RoadSnap point) => graph.TimeFrom(point, this) is var t && double.IsFinite(t.Seconds)
        ? point.DistanceM + t.Metres + Target.DistanceM : double.PositiveInfinity;

    /// <summary>The road route from the point to the target, lon/lat pairs; empty when unreachable.</summary>
    public List<double[]> RouteFrom(RoadSnap point) => graph.Route(point, this);
}

/// <summary>Binary min-heap of (node, key) with lazy deletion: stale entries are skipped when popped.</summary>
sealed class MinHeap(int capacity)
{
    int[] _nodes = new int[capacity];
    double[] _keys = new double[capacity];
    int _count;

    public void Push(int node, double key)
    {
        if (_count == _nodes.Length)
        {
            Array.Resize(ref _nodes, _count * 2);
            Array.Resize(ref _keys, _count * 2);
        }
        var i = _count++;
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (_keys[parent] <= key) break;
            _nodes[i] = _nodes[parent]; _keys[i] = _keys[parent];
            i = parent;
        }
        _nodes[i] = node; _keys[i] = key;
    }

    public bool TryPop(out int node, out double key)
    {
        if (_count == 0) { node = -1; key = 0; return false; }
        node = _nodes[0]; key = _keys[0];
        var lastNode = _nodes[--_count];
        var lastKey = _keys[_count];
        var i = 0;
        while (true)
        {
            var child = 2 * i + 1;
            if (child >= _count) break;
            if (child + 1 < _count && _keys[child + 1] < _keys[child]) child++;
            if (_keys[child] >= lastKey) break;
            _nodes[i] = _nodes[child]; _keys[i] = _keys[child];
            i = child;
        }
        _nodes[i] = lastNode; _keys[i] = lastKey;
        return true;
    }
}
