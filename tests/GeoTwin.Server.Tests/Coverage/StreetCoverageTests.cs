using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GeoTwin.Server.Coverage.Streets;
using GeoTwin.Server.Coverage.Visibility;
using NetTopologySuite.Geometries;
using Npgsql;

namespace GeoTwin.Server.Tests.Coverage;

public sealed class StreetSegmentsTests
{
    static readonly GeometryFactory F = new();

    [Fact]
    public void Roads_split_into_pieces_of_at_most_20_m_that_add_up_and_coverage_adds_up_to_the_overlay()
    {
        var random = new Random(5);
        var roads = Enumerable.Range(0, 30).Select(i =>
        {
            var pts = Enumerable.Range(0, 2 + random.Next(5)).Select(_ => new Coordinate(random.NextDouble() * 400, random.NextDouble() * 400)).ToArray();
            return (Id: (long)i, Line: (Geometry)F.CreateLineString(pts));
        }).ToList();
        var segments = roads.SelectMany(r => StreetCoverage.Split(r.Id, null, r.Line)).ToList();
        Assert.All(segments, s => Assert.InRange(s.LengthM, 1e-9, StreetCoverage.MaxSegmentM + 1e-9));
        foreach (var r in roads)
            Assert.Equal(r.Line.Length, segments.Where(s => s.RoadId == r.Id).Sum(s => s.LengthM), 6);

        var scene = ViewshedTests.RandomScene(random, 30, 200);
        var views = Enumerable.Range(0, 8).Select(i => Viewshed.Compute(
            new CameraView(50 + i * 40, 60 + (i % 3) * 120, 8, i * 45, 90, 120, i % 4 == 0), scene, F)).ToList();
        var coverage = StreetCoverage.Union(views, F);
        StreetCoverage.Measure(segments, coverage);
        // the segments' covered lengths add up to the overlay of the whole roads with the coverage, computed apart
        var expected = roads.Sum(r => r.Line.Intersection(coverage).Length);
        Assert.True(expected > 100);
        Assert.Equal(expected, segments.Sum(s => s.CoveredM), 3);
        var share = StreetCoverage.Share(segments);
        Assert.Equal(expected / roads.Sum(r => r.Line.Length), share.Share, 9);
        Assert.Null(share.WeightedShare); // no density given
    }

    [Fact]
    public void The_neediest_segments_rank_by_uncovered_length_times_density()
    {
        var a = new StreetSegment(1, null, F.CreateLineString([new(0, 0), new(20, 0)]), 20) { CoveredM = 15, Density = 4 }; // 5 × 4 = 20
        var b = new StreetSegment(2, null, F.CreateLineString([new(0, 10), new(10, 10)]), 10) { CoveredM = 0, Density = 3 }; // 10 × 3 = 30
        var c = new StreetSegment(3, null, F.CreateLineString([new(0, 20), new(20, 20)]), 20) { CoveredM = 20, Density = 9 }; // covered
        var d = new StreetSegment(4, null, F.CreateLineString([new(0, 30), new(20, 30)]), 20) { CoveredM = 0, Density = 0 }; // no incidents
        Assert.Equal([2L, 1L], StreetCoverage.Neediest([a, b, c, d], 10).Select(s => s.RoadId));
        var share = StreetCoverage.Share([a, b, c, d]);
        Assert.Equal(35.0 / 70, share.Share, 12);
        Assert.Equal((15.0 * 4 + 20 * 9) / (20.0 * 4 + 10 * 3 + 20 * 9), share.WeightedShare!.Value, 12);
    }
}

/// <summary>The street coverage endpoint over HTTP: two stations with roads, cameras and incidents; planners of each.</summary>
[Collection("postgis")]
public sealed class StreetCoverageEndpointTests(PostgisFixture pg) : IAsyncLifetime
{
    sealed record World(GeoTwinServer Server, HttpClient City, HttpClient Station1, HttpClient Dispatcher);
    static readonly Shared<World> Shared = new();
    World _w = null!;

    public async Task InitializeAsync() => _w = await Shared.GetAsync(() => BuildAsync(pg));
    public Task DisposeAsync() => Task.CompletedTask;

    // A road across both stations along camera 1's latitude, one through camera 2, and a north-south road in station 1;
    // incidents along the first road in the last months.
    const string Seed = """
        INSERT INTO roads (source_ref, name, road_class, speed_kmh, geom) VALUES
            ('r1', '和平路', 'primary', 40, ST_SetSRID(ST_MakeLine(ST_MakePoint(7.405, 43.731), ST_MakePoint(7.440, 43.731)), 4326)),
            ('r2', '海滨路', 'secondary', 30, ST_SetSRID(ST_MakeLine(ST_MakePoint(7.425, 43.741), ST_MakePoint(7.440, 43.741)), 4326)),
            ('r3', '北街', 'residential', 30, ST_SetSRID(ST_MakeLine(ST_MakePoint(7.412, 43.725), ST_MakePoint(7.412, 43.750)), 4326));
        INSERT INTO incidents (code, category, location, jurisdiction_id, received_at)
        SELECT 'SC-' || g, 'theft', ST_SetSRID(ST_MakePoint(7.406 + g * 0.0004, 43.7311), 4326),
               (SELECT id FROM jurisdictions WHERE code = CASE WHEN 7.406 + g * 0.0004 < 7.42 THEN 'T-ST1' ELSE 'T-ST2' END),
               now() - make_interval(days => g * 5)
        FROM generate_series(1, 60) g;
        UPDATE cameras SET range_m = 120, heading_deg = NULL;
        """;

    static async Task<World> BuildAsync(PostgisFixture pg)
    {
        var server = await pg.StartServerAsync();
        var db = server.Database.DataSource;
        await TwoStations.SeedAsync(db);
        await db.ExecAsync(Seed);
        await VisibilityStore.RefreshAsync(db, default);
        return new World(server,
            await Browser.SignedInAsync(server, "sc-city", "planner", TwoStations.City),
            await Browser.SignedInAsync(server, "sc-st1", "planner", TwoStations.Station1),
            await Browser.SignedInAsync(server, "sc-disp", "dispatcher", TwoStations.City));
    }

    [Fact]
    public async Task A_station_planner_sees_its_own_cameras_and_streets_only()
    {
        var station = await _w.Station1.GetFromJsonAsync<JsonElement>("/api/coverage/streets?segments=true&top=5");
        Assert.Equal(TwoStations.Station1, station.GetProperty("jurisdiction").GetString());
        Assert.Equal(1, station.GetProperty("cameras").GetInt32());
        var segments = station.GetProperty("segments").EnumerateArray().ToList();
        Assert.NotEmpty(segments);
        foreach (var s in segments)
            foreach (var p in s.GetProperty("line").EnumerateArray())
                Assert.InRange(p[0].GetDouble(), 7.40 - 1e-9, 7.42 + 1e-7); // station 1 lies west of 7.42
        Assert.True(segments.Max(s => s.GetProperty("line").EnumerateArray().Max(p => p[0].GetDouble())) > 7.41);

        var city = await _w.City.GetFromJsonAsync<JsonElement>("/api/coverage/streets?top=5");
        Assert.Equal(2, city.GetProperty("cameras").GetInt32());
        Assert.True(city.GetProperty("lengthM").GetDouble() > station.GetProperty("lengthM").GetDouble() + 1000);
        var areas = city.GetProperty("areas").EnumerateArray().Select(a => a.GetProperty("code").GetString()).ToList();
        Assert.Contains(TwoStations.Station1, areas);
        Assert.Contains(TwoStations.Area1, areas);

        // the other station is not the station planner's: not found, naming the parameter
        var other = await _w.Station1.GetAsync($"/api/coverage/streets?jurisdiction={TwoStations.Station2}");
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Contains("jurisdiction", await other.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Shares_weighted_by_incidents_and_the_neediest_segments_come_with_the_answer()
    {
        var answer = await _w.Station1.GetFromJsonAsync<JsonElement>("/api/coverage/streets?top=5&segments=true");
        var share = answer.GetProperty("share").GetDouble();
        Assert.InRange(share, 0.01, 0.99);
        Assert.True(answer.GetProperty("incidents").GetInt32() >= 20);
        // incidents lie along the covered road: the weighted share is above the plain one
        Assert.True(answer.GetProperty("weightedShare").GetDouble() > share);
        var covered = answer.GetProperty("segments").EnumerateArray().Sum(s => s.GetProperty("coveredFraction").GetDouble()
            * Length(s.GetProperty("line")));
        Assert.Equal(answer.GetProperty("coveredM").GetDouble(), covered, 0); // per-segment fractions add up to the total (to 1 m)
        var needy = answer.GetProperty("neediest").EnumerateArray().ToList();
        Assert.InRange(needy.Count, 1, 5);
        var scores = needy.Select(n => n.GetProperty("score").GetDouble()).ToList();
        Assert.Equal(scores.OrderByDescending(x => x), scores);
        Assert.All(needy, n => Assert.True(n.GetProperty("coveredFraction").GetDouble() < 1));
    }

    static double Length(JsonElement line)
    {
        var p = line.EnumerateArray().Select(x => (Lon: x[0].GetDouble(), Lat: x[1].GetDouble())).ToList();
        var sum = 0.0;
        for (var i = 1; i < p.Count; i++) sum += GeoTwin.Tiling.Geodesy.Wgs84.DistanceM(p[i - 1].Lon, p[i - 1].Lat, p[i].Lon, p[i].Lat);
        return sum;
    }

    [Theory]
    [InlineData("months=0", "months")]
    [InlineData("top=-1", "top")]
    [InlineData("months=abc", "months")]
    public async Task Bad_parameters_are_refused_naming_them(string query, string field)
    {
        var answer = await _w.Station1.GetAsync($"/api/coverage/streets?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        Assert.Contains(field, await answer.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Dispatchers_may_not_plan_and_readiness_reports_the_visibility_worker()
    {
        Assert.Equal(HttpStatusCode.Forbidden, (await _w.Dispatcher.GetAsync("/api/coverage/streets")).StatusCode);
        var ready = await Browser.Anonymous(_w.Server).GetFromJsonAsync<JsonElement>("/readyz");
        Assert.NotNull(ready.GetProperty("coverage").GetString());
    }
}

/// <summary>Placement suggestions over HTTP on the street coverage world of <see cref="StreetCoverageEndpointTests"/>'s kind.</summary>
[Collection("postgis")]
public sealed class PlacementEndpointTests(PostgisFixture pg)
{
    [Fact]
    public async Task Suggestions_raise_the_covered_share_and_greedy_is_within_the_guarantee_of_the_reported_optimum()
    {
        await using var server = await pg.StartServerAsync(new() { ["GeoTwin:Coverage:Worker"] = "false" });
        var db = server.Database.DataSource;
        await TwoStations.SeedAsync(db);
        await db.ExecAsync("""
            INSERT INTO roads (source_ref, name, road_class, speed_kmh, geom) VALUES
                ('p1', '和平路', 'primary', 40, ST_SetSRID(ST_MakeLine(ST_MakePoint(7.405, 43.731), ST_MakePoint(7.418, 43.731)), 4326)),
                ('p2', '北街', 'residential', 30, ST_SetSRID(ST_MakeLine(ST_MakePoint(7.412, 43.728), ST_MakePoint(7.412, 43.736)), 4326));
            INSERT INTO incidents (code, category, location, jurisdiction_id, received_at)
            SELECT 'PL-' || g, 'theft', ST_SetSRID(ST_MakePoint(7.406 + g * 0.0003, 43.7311), 4326),
                   (SELECT id FROM jurisdictions WHERE code = 'T-ST1'), now() - make_interval(days => g * 3)
            FROM generate_series(1, 30) g;
            """);
        await VisibilityStore.RefreshAsync(db, default);
        var planner = await Browser.SignedInAsync(server, "pl-st1", "planner", TwoStations.Station1);

        var answer = await planner.GetFromJsonAsync<JsonElement>("/api/coverage/placement?k=3&spacingM=60&rangeM=60");
        Assert.Equal("incidents", answer.GetProperty("weights").GetString());
        var greedy = answer.GetProperty("greedy").EnumerateArray().ToList();
        Assert.Equal(3, greedy.Count);
        var gains = greedy.Select(g => g.GetProperty("gain").GetDouble()).ToList();
        Assert.Equal(gains.OrderByDescending(x => x), gains);
        Assert.All(greedy, g => Assert.InRange(g.GetProperty("lon").GetDouble(), 7.40, 7.42));
        Assert.True(answer.GetProperty("shareWithGreedy").GetDouble() > answer.GetProperty("share").GetDouble());

        Assert.True(answer.GetProperty("candidates").GetInt32() <= 500);
        Assert.True(answer.GetProperty("optimal").GetBoolean());
        var optimum = answer.GetProperty("optimumValue").GetDouble();
        var greedyValue = answer.GetProperty("greedyValue").GetDouble();
        Assert.True(greedyValue <= optimum + 1e-6 && greedyValue >= (1 - 1 / Math.E) * optimum - 1e-6);
        Assert.Equal((optimum - greedyValue) / optimum, answer.GetProperty("gap").GetDouble(), 9);

        // Accept the first suggestion: a planned camera, and the covered share rises.
        var before = (await planner.GetFromJsonAsync<JsonElement>("/api/coverage/streets")).GetProperty("share").GetDouble();
        var first = greedy[0];
        var accepted = await planner.PostAsJsonAsync("/api/coverage/planned", new
        {
            lon = first.GetProperty("lon").GetDouble(), lat = first.GetProperty("lat").GetDouble(), kind = "ptz", rangeM = 60,
        });
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        var camera = await accepted.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("planned", camera.GetProperty("status").GetString());
        var after = (await planner.GetFromJsonAsync<JsonElement>("/api/coverage/streets")).GetProperty("share").GetDouble();
        Assert.True(after > before + 0.01, $"share {before} -> {after}");
        var outside = await planner.PostAsJsonAsync("/api/coverage/planned", new { lon = 7.43, lat = 43.74 }); // station 2
        Assert.Equal(HttpStatusCode.UnprocessableEntity, outside.StatusCode);

        var bad = await planner.GetAsync("/api/coverage/placement?k=0");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("\"k\"", await bad.Content.ReadAsStringAsync());
        var kind = await planner.GetAsync("/api/coverage/placement?kind=drone");
        Assert.Contains("kind", await kind.Content.ReadAsStringAsync());
    }
}
