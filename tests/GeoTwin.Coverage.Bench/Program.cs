// Usage (tests/bench/coverage.sh runs it): GeoTwin.Coverage.Bench MODE RUNS
//   agreement  100 random scenes (40 buildings within 150 m, a random camera each): GeoTwin's exact sweep against the
//              ray casting at 0.1° steps written below; prints the worst area ratio and both times per camera.
//   city       2,000 cameras among 20,000 synthetic buildings (lon/lat, about 3 × 3 km) through VisibilityStore.Compute,
//              the code the worker runs between reading and writing; reference: the ray casting for the same cameras.
//              `city RUNS N` takes only the first N cameras of the same city.
//   edit       one camera moved in that city: its polygon again and the street segments its old and new reach touch
//              re-measured (StreetCoverage.Split/Measure on the roads in reach); no database.
//   greedy     lazy greedy k = 20 among 5,000 candidates (50,000 street elements); reference: plain greedy written here.
//   exact      the integer programme for k = 20 among 500 candidates; reference: lazy greedy on the same instance.
// Every mode prints one line a run and a last line "median_ms=... reference_ms=..." with the figures the script reads.
// The demo figures (all demo cameras, street coverage for the demo) need the demo database and are not measured here.
using System.Diagnostics;
using System.Globalization;
using GeoTwin.Server.Coverage.Placement;
using GeoTwin.Server.Coverage.Streets;
using GeoTwin.Server.Coverage.Visibility;
using NetTopologySuite.Geometries;
using NetTopologySuite.Index.Strtree;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var mode = args[0];
var runs = int.Parse(args[1], CultureInfo.InvariantCulture);
var F = new GeometryFactory();
double Median(List<double> xs) { xs.Sort(); return xs.Count % 2 == 1 ? xs[xs.Count / 2] : (xs[xs.Count / 2 - 1] + xs[xs.Count / 2]) / 2; }

switch (mode)
{
    case "agreement": Agreement(); break;
    case "city": City(); break;
    case "edit": Edit(); break;
    case "greedy": Greedy(); break;
    case "exact": Exact(); break;
    default: throw new ArgumentException($"unknown mode {mode}");
}

void Agreement()
{
    var random = new Random(18);
    double worst = 0, geoMs = 0, rayMs = 0;
    const int scenes = 100;
    var failures = new List<string>();
    for (var i = 0; i < scenes; i++)
    {
        var scene = Scene(random, 40, 150, 0, 0);
        var camera = new CameraView(random.NextDouble() * 4 - 2, random.NextDouble() * 4 - 2, 3 + random.NextDouble() * 12,
            random.NextDouble() * 360, 30 + random.NextDouble() * 150, 60 + random.NextDouble() * 140, i % 3 == 0);
        var sw = Stopwatch.StartNew();
        Geometry polygon;
        try
        {
            polygon = Viewshed.Compute(camera, scene, F);
        }
        catch (NetTopologySuite.Geometries.TopologyException e)
        {
            // reported, not hidden: the engine's union of overlapping footprints can fail on such scenes
            failures.Add($"scene {i}: {e.Message} at {e.StackTrace?.Split('\n').Take(4).Aggregate((a, b) => a + b)}");
            continue;
        }
        geoMs += sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        var reference = RayCast(camera, scene, 0.1);
        rayMs += sw.Elapsed.TotalMilliseconds;
        worst = Math.Max(worst, Math.Abs(polygon.Area / reference - 1));
    }
    var done = scenes - failures.Count;
    foreach (var f in failures) Console.WriteLine($"engine_failure {f}");
    Console.WriteLine($"scenes={done} engine_failures={failures.Count} worst_area_difference_pct={worst * 100:F4} geotwin_ms_per_camera={geoMs / done:F3} raycast_ms_per_camera={rayMs / done:F3}");
}

// A synthetic city about (7.42, 43.73): buildings on a jittered grid, cameras at street corners between them.
(List<CameraRow> Cameras, List<(long, Geometry, double)> Houses) SyntheticCity(int cameras, int buildings, int seed)
{
    var random = new Random(seed);
    var side = (int)Math.Ceiling(Math.Sqrt(buildings));
    const double pitchM = 22, lon0 = 7.42, lat0 = 43.73;
    double mLon = 1 / (111_320 * Math.Cos(lat0 * Math.PI / 180)), mLat = 1 / 110_574.0;
    var houses = new List<(long, Geometry, double)>(buildings);
    for (var i = 0; i < buildings; i++)
    {
        double cx = (i % side) * pitchM + random.NextDouble() * 3, cy = (i / side) * pitchM + random.NextDouble() * 3;
        double w = 6 + random.NextDouble() * 10, h = 6 + random.NextDouble() * 10;
        var ring = new[] { (0.0, 0.0), (w, 0), (w, h), (0, h), (0, 0) }.Select(p => new Coordinate(lon0 + (cx + p.Item1) * mLon, lat0 + (cy + p.Item2) * mLat)).ToArray();
        houses.Add((i, F.CreateMultiPolygon([F.CreatePolygon(ring)]), 3 + random.NextDouble() * 40));
    }
    var list = new List<CameraRow>(cameras);
    for (var i = 0; i < cameras; i++)
    {
        // in the 3-5 m street gap beside a random building
        double x = random.Next(side) * pitchM - 2.5, y = random.Next(side) * pitchM - 2.5;
        var kind = random.Next(4) == 0 ? "ptz" : "fixed";
        list.Add(new CameraRow($"C{i}", lon0 + x * mLon, lat0 + y * mLat, 4 + random.NextDouble() * 8, random.NextDouble() * 360,
            60 + random.NextDouble() * 60, 40 + random.NextDouble() * 60, kind));
    }
    return (list, houses);
}

void City()
{
    // an optional third argument: fewer cameras (same city), for a quick look at a change's direction
    var (cameras, houses) = SyntheticCity(2000, 20000, 7);
    if (args.Length > 2) cameras = cameras.Take(int.Parse(args[2], CultureInfo.InvariantCulture)).ToList();
    var times = new List<double>();
    double area = 0;
    for (var run = 0; run < runs; run++)
    {
        var sw = Stopwatch.StartNew();
        var result = VisibilityStore.Compute(cameras, houses);
        times.Add(sw.Elapsed.TotalMilliseconds);
        area = result.Sum(r => r.AreaM2);
        Console.WriteLine($"run={run} ms={times[^1]:F0} cameras={result.Count} area_m2={area:F0}");
    }
    // the reference: the same cameras by ray casting at 0.1° in the same local frames, houses from the same index
    var sw2 = Stopwatch.StartNew();
    var rayArea = 0.0;
    var index = new STRtree<int>();
    for (var i = 0; i < houses.Count; i++) index.Insert(houses[i].Item2.EnvelopeInternal, i);
    var frames = new Dictionary<(double, double), GeoTwin.Server.Hotspots.Statistics.LocalProjection>();
    foreach (var c in cameras)
    {
        var key = (Math.Round(c.Lon, 1), Math.Round(c.Lat, 1));
        if (!frames.TryGetValue(key, out var frame)) frames[key] = frame = new(key.Item1, key.Item2);
        var near = index.Query(VisibilityStore.Reach(c));
        var obstacles = near.Select(i => new Obstacle(VisibilityStore.Project(houses[i].Item2, frame, forward: true), houses[i].Item3)).ToList();
        rayArea += RayCast(c.In(frame), obstacles, 0.1);
    }
    var rayMs = sw2.Elapsed.TotalMilliseconds;
    Console.WriteLine($"median_ms={Median(times):F0} reference_ms={rayMs:F0} area_difference_pct={(area / rayArea - 1) * 100:F3}");
}

void Edit()
{
    var (cameras, houses) = SyntheticCity(2000, 20000, 7);
    // streets: the grid's gaps, one line a row and a column, split in ≤ 20 m segments as the streets store does
    var frame = new GeoTwin.Server.Hotspots.Statistics.LocalProjection(7.4, 43.7);
    var side = (int)Math.Ceiling(Math.Sqrt(20000));
    var roads = new List<(long Id, Geometry Line)>();
    double mLon = 1 / (111_320 * Math.Cos(43.73 * Math.PI / 180)), mLat = 1 / 110_574.0;
    for (var i = 0; i <= side; i++)
    {
        var y = i * 22 - 2.5;
        roads.Add((roads.Count, F.CreateLineString([new Coordinate(7.42 - 2.5 * mLon, 43.73 + y * mLat), new Coordinate(7.42 + side * 22 * mLon, 43.73 + y * mLat)])));
        roads.Add((roads.Count, F.CreateLineString([new Coordinate(7.42 + y * mLon, 43.73 - 2.5 * mLat), new Coordinate(7.42 + y * mLon, 43.73 + side * 22 * mLat)])));
    }
    var metric = roads.Select(r => (r.Id, Line: VisibilityStore.Project(r.Line, frame, forward: true))).ToList();
    var segments = metric.SelectMany(r => StreetCoverage.Split(r.Id, null, r.Line)).ToList();
    var segIndex = new STRtree<StreetSegment>();
    foreach (var s in segments) segIndex.Insert(s.Line.EnvelopeInternal, s);
    var all = VisibilityStore.Compute(cameras, houses).ToDictionary(r => r.Id, r => r.Polygon);
    var polyIndex = new STRtree<string>();
    foreach (var (id, p) in all) polyIndex.Insert(VisibilityStore.Project(p, frame, forward: true).EnvelopeInternal, id);
    var times = new List<double>();
    var random = new Random(3);
    for (var run = 0; run < Math.Max(runs, 5) * 5; run++)
    {
        var old = cameras[random.Next(cameras.Count)];
        var moved = old with { Lon = old.Lon + 11 * mLon, HeadingDeg = (old.HeadingDeg + 90) % 360 };
        var sw = Stopwatch.StartNew();
        var near = houses.Where(h => h.Item2.EnvelopeInternal.Intersects(VisibilityStore.Reach(moved))).ToList();
        var polygon = VisibilityStore.Compute([moved], near)[0].Polygon;
        // the segments the old or the new polygon reaches are measured again against the union of the polygons there
        var reach = VisibilityStore.Project(all[old.Id], frame, true).EnvelopeInternal;
        reach.ExpandToInclude(VisibilityStore.Project(polygon, frame, true).EnvelopeInternal);
        var touched = segIndex.Query(reach);
        var envelope = new Envelope();
        foreach (var s in touched) envelope.ExpandToInclude(s.Line.EnvelopeInternal);
        var views = polyIndex.Query(envelope).Where(id => id != old.Id).Select(id => VisibilityStore.Project(all[id], frame, true))
            .Append(VisibilityStore.Project(polygon, frame, true)).ToList();
        StreetCoverage.Measure(touched, StreetCoverage.Union(views, F));
        times.Add(sw.Elapsed.TotalMilliseconds);
    }
    Console.WriteLine($"edits={times.Count} median_ms={Median(times):F2} max_ms={times.Max():F2} segments={segments.Count}");
}

CoverageProblem Instance(int candidates, int elements, int seed)
{
    // street elements on a line of blocks; each candidate covers 10-60 consecutive-ish elements near its site
    var random = new Random(seed);
    var weights = Enumerable.Range(0, elements).Select(_ => random.NextDouble() * 20 * (random.Next(5) == 0 ? 5 : 1)).ToArray();
    var covers = new int[candidates][];
    for (var c = 0; c < candidates; c++)
    {
        var at = random.Next(elements);
        var n = 10 + random.Next(50);
        covers[c] = Enumerable.Range(0, n).Select(_ => Math.Clamp(at + (int)((random.NextDouble() - 0.5) * 3 * n), 0, elements - 1)).Distinct().ToArray();
    }
    return new CoverageProblem(weights, covers);
}

// plain greedy: every candidate's gain recomputed at every pick (the textbook algorithm, the lazy one's reference)
(int[] Chosen, double Value) PlainGreedy(CoverageProblem p, int k)
{
    var covered = new bool[p.Weights.Length];
    var chosen = new List<int>();
    var value = 0.0;
    for (var pick = 0; pick < k; pick++)
    {
        int best = -1; double bestGain = 0;
        for (var c = 0; c < p.Covers.Length; c++)
        {
            var g = 0.0;
            foreach (var e in p.Covers[c]) if (!covered[e]) g += p.Weights[e];
            if (g > bestGain) { bestGain = g; best = c; }
        }
        if (best < 0) break;
        chosen.Add(best);
        value += bestGain;
        foreach (var e in p.Covers[best]) covered[e] = true;
    }
    return ([.. chosen], value);
}

void Greedy()
{
    var p = Instance(5000, 50000, 11);
    var lazy = new List<double>();
    var plain = new List<double>();
    Selection s = null!;
    (int[], double) r = default;
    for (var run = 0; run < runs; run++)
    {
        var sw = Stopwatch.StartNew();
        s = MaxCoverage.Greedy(p, 20);
        lazy.Add(sw.Elapsed.TotalMilliseconds);
        sw.Restart();
        r = PlainGreedy(p, 20);
        plain.Add(sw.Elapsed.TotalMilliseconds);
        Console.WriteLine($"run={run} lazy_ms={lazy[^1]:F2} plain_ms={plain[^1]:F2}");
    }
    Console.WriteLine($"median_ms={Median(lazy):F2} reference_ms={Median(plain):F2} lazy_value={s.Value:F1} plain_value={r.Item2:F1}");
}

void Exact()
{
    var p = Instance(500, 5000, 13);
    var times = new List<double>();
    ExactSelection e = null!;
    for (var run = 0; run < runs; run++)
    {
        var sw = Stopwatch.StartNew();
        e = MaxCoverage.Exact(p, 20, TimeSpan.FromSeconds(60));
        times.Add(sw.Elapsed.TotalMilliseconds);
        Console.WriteLine($"run={run} ms={times[^1]:F0} optimal={e.Optimal} value={e.Value:F1}");
    }
    var sw2 = Stopwatch.StartNew();
    var g = MaxCoverage.Greedy(p, 20);
    var greedyMs = sw2.Elapsed.TotalMilliseconds;
    Console.WriteLine($"median_ms={Median(times):F0} reference_ms={greedyMs:F2} optimal={e.Optimal} exact_value={e.Value:F1} greedy_value={g.Value:F1} gap_pct={(e.Value - g.Value) / e.Value * 100:F3}");
}

List<Obstacle> Scene(Random random, int count, double spread, double ox, double oy)
{
    var list = new List<Obstacle>();
    while (list.Count < count)
    {
        double cx = (random.NextDouble() * 2 - 1) * spread, cy = (random.NextDouble() * 2 - 1) * spread;
        if (Math.Sqrt(cx * cx + cy * cy) < 12) continue;
        double w = 4 + random.NextDouble() * 20, h = 4 + random.NextDouble() * 20, a = random.NextDouble() * Math.PI;
        var ring = new[] { (-w, -h), (w, -h), (w, h), (-w, h), (-w, -h) }
            .Select(q => new Coordinate(ox + cx + q.Item1 / 2 * Math.Cos(a) - q.Item2 / 2 * Math.Sin(a), oy + cy + q.Item1 / 2 * Math.Sin(a) + q.Item2 / 2 * Math.Cos(a)))
            .ToArray();
        list.Add(new Obstacle(F.CreatePolygon(ring), 2 + random.NextDouble() * 28));
    }
    return list;
}

// The reference: one ray every stepDeg across the wedge; along each ray, the stretches each footprint shades (from
// where the ray enters it to where the sight line over its roof comes down to the ground, or for ever when the roof
// is at or above the lens), merged; the seen length of each ray sweeps its thin sector: area = Σ (r₂² − r₁²) / 2 · dθ.
double RayCast(CameraView camera, IReadOnlyList<Obstacle> obstacles, double stepDeg)
{
    var (start, width) = Viewshed.Wedge(camera);
    var rays = (int)Math.Round(width / (stepDeg * Math.PI / 180));
    var dt = width / rays;
    var lens = F.CreatePoint(new Coordinate(camera.X, camera.Y));
    var edges = new List<(double Ax, double Ay, double Bx, double By, int Owner)>();
    var heights = new List<double>();
    foreach (var o in obstacles)
    {
        if (o.Footprint.Covers(lens)) continue; // the camera on a roof or wall is not hidden by its own building
        var owner = heights.Count;
        heights.Add(o.HeightM);
        for (var g = 0; g < o.Footprint.NumGeometries; g++)
        {
            if (o.Footprint.GetGeometryN(g) is not Polygon poly) continue;
            foreach (var ring in new[] { poly.ExteriorRing }.Concat(poly.InteriorRings))
            {
                var cs = ring.Coordinates;
                for (var j = 0; j + 1 < cs.Length; j++)
                    edges.Add((cs[j].X - camera.X, cs[j].Y - camera.Y, cs[j + 1].X - camera.X, cs[j + 1].Y - camera.Y, owner));
            }
        }
    }
    var hits = new List<double>[heights.Count];
    for (var i = 0; i < hits.Length; i++) hits[i] = [];
    var shade = new List<(double, double)>();
    var area = 0.0;
    for (var i = 0; i < rays; i++)
    {
        var t = start + (i + 0.5) * dt;
        double dx = Math.Cos(t), dy = Math.Sin(t);
        foreach (var h in hits) h.Clear();
        foreach (var (ax, ay, bx, by, owner) in edges)
        {
            double ex = bx - ax, ey = by - ay, den = dx * ey - dy * ex;
            if (Math.Abs(den) < 1e-15) continue;
            double s = (ax * ey - ay * ex) / den, u = (ax * dy - ay * dx) / den;
            if (s > 0 && u >= 0 && u < 1) hits[owner].Add(s);
        }
        shade.Clear();
        for (var o = 0; o < hits.Length; o++)
        {
            var h = hits[o];
            if (h.Count < 2) continue;
            h.Sort();
            for (var j = 0; j + 1 < h.Count; j += 2)
                shade.Add(heights[o] >= camera.MountHeightM ? (h[j], double.PositiveInfinity)
                    : (h[j], h[j + 1] * camera.MountHeightM / (camera.MountHeightM - heights[o])));
        }
        shade.Sort();
        double seen = 0, reached = 0;
        foreach (var (from, to) in shade)
        {
            if (from >= camera.RangeM) break;
            if (from > reached) seen += from * from - reached * reached;
            reached = Math.Max(reached, to);
            if (reached >= camera.RangeM) break;
        }
        if (reached < camera.RangeM) seen += camera.RangeM * camera.RangeM - reached * reached;
        area += seen / 2 * dt;
    }
    return area;
}
