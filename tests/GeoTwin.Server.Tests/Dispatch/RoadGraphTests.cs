using GeoTwin.Domain;
using GeoTwin.DataImport.Demo;
using GeoTwin.Server.Dispatch;
using GeoTwin.Server.Dispatch.Routing;
using GeoTwin.Server.Infrastructure.Db;
using Npgsql;

namespace GeoTwin.Server.Tests.Dispatch;

/// <summary>The in-memory road graph against pgRouting on the Monaco demo network, and its partial-edge rules on a tiny one.</summary>
[Collection("postgis")]
public sealed class RoadGraphTests(PostgisFixture pg)
{
    static readonly Shared<NpgsqlDataSource> Demo = new();

    Task<NpgsqlDataSource> DemoAsync()
    {
        return Demo.GetAsync(() => Build(pg));
        static async Task<NpgsqlDataSource> Build(PostgisFixture pg)
        {
            var db = await pg.CreateDataSourceAsync();
            await DemoJurisdiction.LoadIfEmptyAsync(db, new DemoOptions(Seed: 3, UntilUtc: new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc)), null);
            return db;
        }
    }

    /// <summary>
    /// Both ends snapped to junctions: the incident and the units are placed exactly on a junction's coordinates and go
    /// through the same Snap as live positions (fraction 0 or 1, so no partial edge), then compared with pgr_dijkstraCost
    /// from the units' junctions to the incident's junction on the roads table's own cost/reverse_cost.
    /// </summary>
    [Fact]
    public async Task Travel_times_equal_pgRouting_within_one_percent_on_the_demo_network()
    {
        var db = await DemoAsync();
        var graph = await RoadGraphCache.LoadAsync(db, default);
        Assert.True(graph.RoadCount > 1000, $"only {graph.RoadCount} roads");

        // every junction with its coordinates, from the roads' own end points
        var junctions = await db.CreateCommand("""
            SELECT DISTINCT ON (j) j, x, y FROM (
              SELECT source AS j, ST_X(ST_StartPoint(geom)) AS x, ST_Y(ST_StartPoint(geom)) AS y FROM roads WHERE source IS NOT NULL
              UNION ALL
              SELECT target, ST_X(ST_EndPoint(geom)), ST_Y(ST_EndPoint(geom)) FROM roads WHERE target IS NOT NULL) e
            ORDER BY j
            """).ListAsync(r => (Id: r.GetInt64(0), Lon: r.GetDouble(1), Lat: r.GetDouble(2)), default);
        var random = new Random(42);
        var compared = 0;
        var unreachableBoth = 0;
        for (var round = 0; round < 15; round++)
        {
            var incident = junctions[random.Next(junctions.Count)];
            var units = Enumerable.Range(0, 40).Select(_ => junctions[random.Next(junctions.Count)]).DistinctBy(j => j.Id).ToList();
            var target = graph.Snap(incident.Lon, incident.Lat, 1);
            Assert.NotNull(target);
            var times = graph.To(target.Value);

            await using var cmd = db.CreateCommand("""
                SELECT start_vid, agg_cost FROM pgr_dijkstraCost(
                  'SELECT id, source, target, cost, reverse_cost FROM roads WHERE source IS NOT NULL AND target IS NOT NULL',
                  $1::bigint[], $2::bigint, directed => true)
                """);
            cmd.Parameters.Add(new() { Value = units.Select(u => u.Id).ToArray() });
            cmd.Parameters.Add(new() { Value = incident.Id });
            var expected = (await cmd.ListAsync(r => (r.GetInt64(0), r.GetDouble(1)), default)).ToDictionary(x => x.Item1, x => x.Item2);

            foreach (var u in units)
            {
                var snap = graph.Snap(u.Lon, u.Lat, 1);
                Assert.NotNull(snap);
                var ours = times.From(snap.Value);
                if (u.Id == incident.Id) { Assert.Equal(0, ours, 6); continue; }
                if (!expected.TryGetValue(u.Id, out var theirs))
                {
                    Assert.True(double.IsPositiveInfinity(ours), $"junction {u.Id} -> {incident.Id}: pgRouting finds no path, GeoTwin {ours:0.0} s");
                    unreachableBoth++;
                    continue;
                }
                Assert.True(Math.Abs(ours - theirs) <= 0.01 * theirs + 1e-6,
                    $"junction {u.Id} -> {incident.Id}: GeoTwin {ours:0.00} s, pgRouting {theirs:0.00} s");
                compared++;
            }
        }
        Assert.True(compared >= 300, $"only {compared} pairs compared ({unreachableBoth} unreachable)");
    }

    /// <summary>
    /// The grid snap reads only the cells around a point, ring by ring: it must still find the nearest road anywhere
    /// within the snap distance, the same as PostGIS measuring every road, and nothing beyond it.
    /// </summary>
    [Fact]
    public async Task Snapping_finds_the_nearest_road_as_PostGIS_does()
    {
        var db = await DemoAsync();
        var graph = await RoadGraphCache.LoadAsync(db, default);
        var random = new Random(11);
        var points = Enumerable.Range(0, 300).Select(_ => (Lon: 7.405 + random.NextDouble() * 0.038, Lat: 43.722 + random.NextDouble() * 0.03)).ToList();
        await using var cmd = db.CreateCommand("""
            SELECT (SELECT min(ST_Distance(r.geom::geography, p::geography)) FROM roads r
                    WHERE r.source IS NOT NULL AND r.target IS NOT NULL AND ST_DWithin(r.geom::geography, p::geography, 400))
            FROM unnest($1::float8[], $2::float8[]) AS t(lon, lat), LATERAL (SELECT ST_SetSRID(ST_MakePoint(lon, lat), 4326) p) x
            """);
        cmd.Parameters.Add(new() { Value = points.Select(p => p.Lon).ToArray() });
        cmd.Parameters.Add(new() { Value = points.Select(p => p.Lat).ToArray() });
        var nearest = await cmd.ListAsync(r => r.IsDBNull(0) ? double.PositiveInfinity : r.GetDouble(0), default);
        int on = 0, off = 0;
        for (var i = 0; i < points.Count; i++)
        {
            var snap = graph.Snap(points[i].Lon, points[i].Lat, 150);
            if (nearest[i] > 151) { Assert.Null(snap); off++; continue; }
            if (nearest[i] < 149)
            {
                Assert.NotNull(snap);
                Assert.True(Math.Abs(snap.Value.DistanceM - nearest[i]) <= 0.003 * nearest[i] + 0.05,
                    $"point {points[i]}: snapped {snap.Value.DistanceM:0.00} m away, PostGIS's nearest road is {nearest[i]:0.00} m");
                on++;
            }
        }
        Assert.True(on >= 100 && off >= 10, $"{on} points near roads, {off} beyond the snap distance: too few of one kind");
        Assert.Null(graph.Snap(8.5, 44.5, 150)); // far outside the network's grid
    }

    /// <summary>The early-stopping ranking gives the same k units and times as a full search ranked afterwards, with each
    /// unit's time by its kind (a third walk), so the search must go on past walkers the graph reaches early.</summary>
    [Fact]
    public async Task The_ranking_stops_early_but_finds_the_same_k_fastest_units()
    {
        var db = await DemoAsync();
        var graph = await RoadGraphCache.LoadAsync(db, default);
        var points = await db.CreateCommand("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_LineInterpolatePoint(geom, 0.37) p FROM roads ORDER BY id) x")
            .ListAsync(r => (Lon: r.GetDouble(0), Lat: r.GetDouble(1)), default);
        var random = new Random(5);
        var now = DateTime.UtcNow;
        var roadRounds = 0;
        for (var round = 0; round < 20; round++)
        {
            var at = points[random.Next(points.Count)];
            var incident = new IncidentPlace(1, "theft", 2, at.Lon, at.Lat, "1");
            var units = Enumerable.Range(1, 200).Select(i =>
            {
                var p = points[random.Next(points.Count)];
                return new UnitState(i, $"U{i}", i % 3 == 0 ? "foot" : "car", ["patrol"], i % 7 == 0 ? "busy" : "available", p.Lon, p.Lat, now, "1.2");
            }).ToList();

            var ranked = Recommender.Rank(graph, incident, "X", units, new DispatchOptions(), now, 5);

            var full = graph.To(graph.Snap(at.Lon, at.Lat, 150)!.Value);
            var expected = units.Where(u => u.Status == "available")
                .Select(u => (u.Id, Snap: graph.Snap(u.Lon!.Value, u.Lat!.Value, 150)!.Value, u.Kind))
                .Select(x => (x.Id, Secs: UnitTravel.RoadSeconds(x.Kind, full.From(x.Snap), full.RouteMetres(x.Snap))))
                .Where(x => double.IsFinite(x.Secs)).OrderBy(x => x.Secs).ThenBy(x => x.Id).Take(5).ToList();
            // units the roads do not join to the incident get a straight-line estimate, marked so, and may rank among the rest
            var byRoad = ranked.Units.Where(u => u.EtaBasis == "road").ToList();
            Assert.All(ranked.Units.Except(byRoad), u => Assert.Equal("straight_line", u.EtaBasis));
            Assert.Equal(expected.Take(byRoad.Count).Select(x => Math.Round(x.Secs, 1)), byRoad.Select(u => u.EtaSeconds));
            if (expected.Count >= 5)
            {
                Assert.Equal(5, byRoad.Count);
                roadRounds++;
            }
            Assert.All(ranked.Units, u => Assert.True(u.Route!.Length >= 2));
            Assert.All(ranked.Ineligible, u => Assert.Contains("status is busy", u.Reasons));
        }
        Assert.True(roadRounds >= 15, $"only {roadRounds} rounds had five units reachable by road");
    }

    // A --(one-way A->B, 100 s)--> B --(two-way, 50 s)--> C, straight lines along the equator-ish.
    static RoadGraph Tiny() => new([
        new RoadRow(1, 10, 20, 100, -1, [7.40, 43.70, 7.41, 43.70]),
        new RoadRow(2, 20, 30, 50, 50, [7.41, 43.70, 7.42, 43.70]),
    ]);

    /// <summary>Least privilege: a dispatcher sees the units of their own scope, eligible or not, and nothing of the others.</summary>
    [Fact]
    public void Units_outside_the_dispatchers_scope_are_never_listed()
    {
        var graph = Tiny();
        var now = DateTime.UtcNow;
        var incident = new IncidentPlace(1, "theft", 2, 7.415, 43.70, "1");
        UnitState Unit(long id, string status, string path, double lon) => new(id, $"U{id}", "car", ["patrol"], status, lon, 43.70, now, path);
        var units = new[] { Unit(1, "available", "1.2", 7.405), Unit(2, "busy", "1.2", 7.412), Unit(3, "available", "1.3", 7.414), Unit(4, "busy", "1.3", 7.416) };

        var mine = Recommender.Rank(graph, incident, "X", units, new DispatchOptions(), now, 5, userScope: "1.2");
        Assert.Equal([1L], mine.Units.Select(u => u.UnitId));
        Assert.Equal([2L], mine.Ineligible.Select(u => u.UnitId));
        Assert.Equal(["status is busy"], mine.Ineligible[0].Reasons);

        var city = Recommender.Rank(graph, incident, "X", units, new DispatchOptions(), now, 5, userScope: "1");
        Assert.Equal([3L, 1L], city.Units.Select(u => u.UnitId)); // 3 is nearer by road
        Assert.Equal([4L, 2L], city.Ineligible.Select(u => u.UnitId));
    }

    /// <summary>
    /// A unit off the road network gets a straight-line guess; even when that guess is shorter, it never outranks a unit
    /// with a real road time, and it says why (etaNote), so the screen can tell the dispatcher.
    /// </summary>
    [Fact]
    public void An_off_network_estimate_never_outranks_a_road_eta_and_says_why()
    {
        var graph = Tiny();
        var now = DateTime.UtcNow;
        var incident = new IncidentPlace(1, "theft", 2, 7.418, 43.70, "1"); // 0.8 along road 2 (B -> C, 50 s)
        var units = new[]
        {
            new UnitState(1, "ROAD", "car", ["patrol"], "available", 7.41, 43.70, now, "1.2"),    // at B: 40 s by road
            new UnitState(2, "FIELD", "car", ["patrol"], "available", 7.418, 43.7016, now, "1.2"), // ~178 m north, off the network
        };

        var ranked = Recommender.Rank(graph, incident, "X", units, new DispatchOptions(), now, 5);

        Assert.Equal([1L, 2L], ranked.Units.Select(u => u.UnitId));
        var (road, field) = (ranked.Units[0], ranked.Units[1]);
        Assert.Equal(("road", (string?)null), (road.EtaBasis, road.EtaNote));
        // 644 m along a road the graph times at 40 s: a car's 40 km/h makes it 58 s (never faster than the graph either)
        Assert.Equal(UnitTravel.RoadSeconds("car", 40, 0.8 * RoadTwoMetres), road.EtaSeconds, 0);
        Assert.Equal(58, road.EtaSeconds, 0);
        Assert.Equal(("straight_line", "unit_off_network"), (field.EtaBasis, field.EtaNote));
        // the guess alone would have put it first: the rule, not the numbers, decided the order
        Assert.True(field.EtaSeconds < road.EtaSeconds, $"guess {field.EtaSeconds} s, road {road.EtaSeconds} s");

        // an incident off the network: every unit is a guess, ranked by it, each saying so
        var far = Recommender.Rank(graph, incident with { Lat = 43.71 }, "Y", units, new DispatchOptions(), now, 5);
        Assert.False(far.IncidentOnNetwork);
        Assert.All(far.Units, u => Assert.Equal(("straight_line", "incident_off_network"), (u.EtaBasis, u.EtaNote)));
    }

    static readonly double RoadTwoMetres = GeoTwin.Tiling.Geodesy.Wgs84.DistanceM(7.41, 43.70, 7.42, 43.70);

    /// <summary>
    /// A foot patrol's ETA is its route walked at the vocabulary's walking speed, not the car time of the roads (issue #20:
    /// "131 s by road" for a walk of 17 minutes); a car farther in metres but sooner in time is ranked first.
    /// </summary>
    [Fact]
    public void A_foot_units_eta_is_its_walk_and_a_car_sooner_in_time_outranks_it()
    {
        var graph = Tiny();
        var now = DateTime.UtcNow;
        var incident = new IncidentPlace(1, "theft", 2, 7.42, 43.70, "1"); // at C
        var units = new[]
        {
            new UnitState(1, "WALK", "foot", ["patrol"], "available", 7.415, 43.70, now, "1.2"), // half way along road 2: ~400 m
            new UnitState(2, "CAR", "car", ["patrol"], "available", 7.40, 43.70, now, "1.2"),    // at A: ~1,600 m, 150 s by road
        };

        var ranked = Recommender.Rank(graph, incident, "X", units, new DispatchOptions(), now, 5);

        Assert.Equal([2L, 1L], ranked.Units.Select(u => u.UnitId));
        var (car, walk) = (ranked.Units[0], ranked.Units[1]);
        Assert.True(walk.StraightLineM < car.StraightLineM, $"the walker is nearer: {walk.StraightLineM} m against {car.StraightLineM} m");
        Assert.Equal("road", walk.EtaBasis);
        Assert.Equal(6, Vocabulary.ResponseKmh("foot"));
        // its 400 m walked at 6 km/h: 4 minutes, where the road graph's car time is 25 s
        Assert.Equal(RoadTwoMetres / 2 / (6 / 3.6), walk.EtaSeconds, 0);
        Assert.Equal(150, car.EtaSeconds, 0); // 1,600 m at 40 km/h would be 145 s: the roads' own 150 s hold

        // the same unit as a car is first again, at its road time
        var asCar = Recommender.Rank(graph, incident, "X", [units[0] with { Kind = "car" }, units[1]], new DispatchOptions(), now, 5);
        Assert.Equal([1L, 2L], asCar.Units.Select(u => u.UnitId));
        Assert.Equal(RoadTwoMetres / 2 / (40 / 3.6), asCar.Units[0].EtaSeconds, 0);

        // and the simulator drives what the screen said: the same route, at the pace that takes the ETA
        var (line, roadSeconds) = graph.Drive(7.415, 43.70, 7.42, 43.70, 150);
        var metres = line.Zip(line.Skip(1)).Sum(p => GeoTwin.Tiling.Geodesy.Wgs84.DistanceM(p.First[0], p.First[1], p.Second[0], p.Second[1]));
        Assert.Equal(walk.EtaSeconds, metres / (UnitTravel.RouteKmh("foot", roadSeconds, metres) / 3.6), 0);
    }

    [Fact]
    public void Partial_edges_follow_one_way_rules()
    {
        var graph = Tiny();
        var onOneWay = graph.Snap(7.4025, 43.7001, 50)!.Value; // a quarter along road 1
        Assert.Equal(0, onOneWay.Road);
        Assert.Equal(0.25, onOneWay.Fraction, 2);

        // incident at C: from a quarter along the one-way, drive on: 75 + 50
        var toC = graph.To(graph.Snap(7.42, 43.70, 5)!.Value);
        Assert.Equal(125, toC.From(onOneWay), 0);
        // incident at A: the one-way cannot be driven back, so nothing reaches A
        var toA = graph.To(graph.Snap(7.40, 43.70, 5)!.Value);
        Assert.True(double.IsPositiveInfinity(toA.From(onOneWay)));
        Assert.True(double.IsPositiveInfinity(toA.FromJunction(30)));
        // incident three quarters along the one-way: 50 s ahead of the unit, but behind it is unreachable
        var ahead = graph.To(graph.Snap(7.4075, 43.70, 5)!.Value);
        Assert.Equal(50, ahead.From(onOneWay), 0);
        var behindUnit = graph.Snap(7.409, 43.70, 5)!.Value;
        Assert.True(double.IsPositiveInfinity(ahead.From(behindUnit)));
        // from the middle of the two-way road, back to B then along the one-way? no: B->A is not allowed; to the
        // three-quarter point it is 25 s back to B and no way on (road 1 leads away from B only into A->B)
        var midTwoWay = graph.Snap(7.415, 43.70, 5)!.Value;
        Assert.True(double.IsPositiveInfinity(ahead.From(midTwoWay)));
        Assert.Equal(25, toC.From(midTwoWay), 0);

        var route = toC.RouteFrom(onOneWay);
        Assert.Equal([7.4025, 43.70], route[0], new Near());
        Assert.Equal([7.42, 43.70], route[^1], new Near());
    }

    [Fact]
    public void A_point_beyond_the_snap_distance_is_off_the_network()
    {
        Assert.Null(Tiny().Snap(7.41, 43.71, 150)); // ~1.1 km north
    }

    sealed class Near : IEqualityComparer<double[]>
    {
        public bool Equals(double[]? a, double[]? b) => a!.Zip(b!).All(p => Math.Abs(p.First - p.Second) < 1e-6);
        public int GetHashCode(double[] obj) => 0;
    }
}
