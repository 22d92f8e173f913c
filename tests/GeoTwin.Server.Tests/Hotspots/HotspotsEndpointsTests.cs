using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace GeoTwin.Server.Tests.Hotspots;

/// <summary>
/// The hot spot endpoints over HTTP against the real PostGIS: two stations, each with a cluster of incidents over
/// two years, a station analyst and a city analyst.
/// </summary>
[Collection("postgis")]
public sealed class HotspotsEndpointsTests(PostgisFixture pg) : IAsyncLifetime
{
    sealed record World(GeoTwinServer Server, HttpClient City, HttpClient Station1, HttpClient Dispatcher);
    static readonly Shared<World> Shared = new();
    World _w = null!;

    NpgsqlDataSource Db => _w.Server.Database.DataSource;

    public async Task InitializeAsync() => _w = await Shared.GetAsync(() => BuildAsync(pg));

    public Task DisposeAsync() => Task.CompletedTask;

    // Deterministic scatter: half the incidents of a station in a ~200 m cluster, the rest over the station; one
    // every ~6 days from 2024-01-01 at varying hours, so the two years, all weekdays and many hours are covered.
    const string Seed = """
        INSERT INTO incidents (code, category, location, jurisdiction_id, received_at)
        SELECT 'HS1-' || g, (ARRAY['theft', 'robbery', 'snatching', 'fight'])[1 + g % 4],
               ST_SetSRID(CASE WHEN g % 2 = 0
                   THEN ST_MakePoint(7.410 + 0.002 * ((g * 7919) % 1000) / 1000.0, 43.745 + 0.002 * ((g * 104729) % 997) / 997.0)
                   ELSE ST_MakePoint(7.401 + 0.018 * ((g * 7919) % 1000) / 1000.0, 43.721 + 0.038 * ((g * 104729) % 997) / 997.0) END, 4326),
               (SELECT id FROM jurisdictions WHERE code = 'T-ST1'),
               TIMESTAMPTZ '2024-01-01 00:00:00+00' + make_interval(days => g * 6, hours => (g * 7) % 24)
        FROM generate_series(1, 120) g;
        INSERT INTO incidents (code, category, location, jurisdiction_id, received_at)
        SELECT 'HS2-' || g, (ARRAY['theft', 'burglary', 'fraud'])[1 + g % 3],
               ST_SetSRID(CASE WHEN g % 2 = 0
                   THEN ST_MakePoint(7.435 + 0.002 * ((g * 7919) % 1000) / 1000.0, 43.730 + 0.002 * ((g * 104729) % 997) / 997.0)
                   ELSE ST_MakePoint(7.421 + 0.028 * ((g * 7919) % 1000) / 1000.0, 43.721 + 0.038 * ((g * 104729) % 997) / 997.0) END, 4326),
               (SELECT id FROM jurisdictions WHERE code = 'T-ST2'),
               TIMESTAMPTZ '2024-01-03 00:00:00+00' + make_interval(days => g * 8, hours => (g * 5) % 24)
        FROM generate_series(1, 90) g;
        """;

    static async Task<World> BuildAsync(PostgisFixture pg)
    {
        var server = await pg.StartServerAsync(new()
        {
            ["GeoTwin:Hotspots:TimeZone"] = "UTC", ["GeoTwin:Hotspots:MaxCells"] = "150",
            // cubes of more than 150 bins run as Hangfire jobs, on this server's own worker
            ["GeoTwin:Hotspots:SyncBins"] = "150", ["GeoTwin:Jobs:Worker"] = "true",
        });
        await TwoStations.SeedAsync(server.Database.DataSource);
        await server.Database.DataSource.ExecAsync(Seed);
        return new World(server,
            await Browser.SignedInAsync(server, "hs-city", "analyst", TwoStations.City),
            await Browser.SignedInAsync(server, "hs-st1", "analyst", TwoStations.Station1),
            await Browser.SignedInAsync(server, "hs-disp", "dispatcher", TwoStations.City));
    }

    static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    Task<long> CountAsync(string station, string extra = "") => Db.ScalarAsync<long>(
        $"SELECT count(*) FROM incidents i JOIN jurisdictions j ON i.jurisdiction_path <@ j.path WHERE j.code = $1 AND i.status <> 'merged' {extra}", station);

    static int SumOfCells(JsonElement gi) => gi.GetProperty("cells").EnumerateArray().Sum(c => c.GetProperty("count").GetInt32());

    [Fact]
    public async Task A_station_analyst_s_cells_count_only_the_station_s_incidents()
    {
        const string query = "/api/hotspots/gi?cellSize=250&band=750";
        var station = await Json(await _w.Station1.GetAsync(query));
        var city = await Json(await _w.City.GetAsync(query));

        var own = await CountAsync(TwoStations.Station1);
        Assert.Equal(own, station.GetProperty("parameters").GetProperty("count").GetInt32());
        Assert.Equal(own, SumOfCells(station));
        Assert.Equal(await CountAsync(TwoStations.City), SumOfCells(city));
        Assert.True(SumOfCells(city) > own);
        // every cell of the station analyst lies west of the stations' border at 7.42° (plus half a cell)
        Assert.All(station.GetProperty("cells").EnumerateArray(), c => Assert.True(c.GetProperty("lon").GetDouble() < 7.4215, c.ToString()));

        // the hottest cell's incident list holds that many incidents, all the station's own
        var hot = station.GetProperty("cells").EnumerateArray().MaxBy(c => c.GetProperty("z").GetDouble());
        var cell = await Json(await _w.Station1.GetAsync($"/api/hotspots/cells/{hot.GetProperty("id").GetString()}?cellSize=250&band=750"));
        Assert.Equal(hot.GetProperty("count").GetInt32(), cell.GetProperty("incidents").GetArrayLength());
        Assert.Equal(hot.GetProperty("z").GetDouble(), cell.GetProperty("z").GetDouble());
        Assert.All(cell.GetProperty("incidents").EnumerateArray(), i => Assert.DoesNotContain("HS2-", i.GetProperty("code").GetString()));
        Assert.Equal(7, cell.GetProperty("polygon")[0].GetArrayLength());

        // narrowing to the other station is refused as unknown, not answered with its incidents
        var other = await Json(await _w.Station1.GetAsync($"{query}&jurisdiction={TwoStations.Station2}"), HttpStatusCode.NotFound);
        Assert.Equal("jurisdiction", other.GetProperty("field").GetString());
        // the city analyst may narrow to one station and then sees exactly its incidents
        var narrowed = await Json(await _w.City.GetAsync($"{query}&jurisdiction={TwoStations.Station2}"));
        Assert.Equal(await CountAsync(TwoStations.Station2), SumOfCells(narrowed));
    }

    [Fact]
    public async Task The_answer_states_the_parameters_used_and_why()
    {
        var auto = await Json(await _w.City.GetAsync("/api/hotspots/gi?group=two_robberies_one_theft&hours=0-23&weekdays=1-7"));
        var p = auto.GetProperty("parameters");
        Assert.Equal("nearestNeighbourRule", p.GetProperty("cellSize").GetProperty("rule").GetString());
        Assert.Contains("nearest", p.GetProperty("cellSize").GetProperty("why").GetString());
        Assert.Contains(p.GetProperty("band").GetProperty("rule").GetString(),
            new[] { "firstSignificantPeak", "highestPeak", "nearestNeighbours", "standardDistance", "minimumOfExtent" });
        Assert.NotEmpty(p.GetProperty("band").GetProperty("why").GetString()!);
        Assert.True(p.GetProperty("fdrCorrected").GetBoolean());
        Assert.Equal(await CountAsync(TwoStations.City, "AND category IN ('robbery', 'snatching', 'theft')"), p.GetProperty("count").GetInt32());
        Assert.Equal(new[] { "robbery", "snatching", "theft" }, p.GetProperty("filters").GetProperty("categories").EnumerateArray().Select(c => c.GetString()!).ToArray());
        Assert.Equal(p.GetProperty("cells").GetInt32(), auto.GetProperty("cells").GetArrayLength());

        var given = (await Json(await _w.City.GetAsync("/api/hotspots/gi?cellSize=300&band=900&fdr=false"))).GetProperty("parameters");
        Assert.Equal("given", given.GetProperty("cellSize").GetProperty("rule").GetString());
        Assert.Equal(300, given.GetProperty("cellSize").GetProperty("value").GetDouble());
        Assert.Equal(900, given.GetProperty("band").GetProperty("value").GetDouble());
        Assert.False(given.GetProperty("fdrCorrected").GetBoolean());

        // GeoJSON hexagons and CSV carry the same cells
        var geo = await _w.City.GetAsync("/api/hotspots/gi?cellSize=300&band=900&format=geojson");
        Assert.Equal("application/geo+json", geo.Content.Headers.ContentType!.MediaType);
        var fc = await Json(geo);
        Assert.Equal("Polygon", fc.GetProperty("features")[0].GetProperty("geometry").GetProperty("type").GetString());
        var csv = await _w.City.GetStringAsync("/api/hotspots/gi?cellSize=300&band=900&format=csv");
        var lines = csv.TrimEnd('\n').Split('\n');
        Assert.StartsWith("id,q,r,lon,lat,count,value,z,p,q_fdr,bin", lines[0]);
        Assert.Equal(fc.GetProperty("features").GetArrayLength(), lines.Length - 1);
    }

    [Fact]
    public async Task A_new_incident_invalidates_the_cached_answer()
    {
        const string query = "/api/hotspots/gi?cellSize=250&band=750&jurisdiction=T-ST2&category=theft&category=burglary&category=fraud";
        var first = await _w.City.GetAsync(query);
        var before = SumOfCells(await Json(first));
        var again = await _w.City.GetAsync(query);
        Assert.Equal("hit", again.Headers.GetValues("X-GeoTwin-Cache").Single());
        Assert.Equal(before, SumOfCells(await Json(again)));

        await Db.ExecAsync("""
            INSERT INTO incidents (code, category, location, jurisdiction_id, received_at)
            SELECT 'HS2-NEW', 'theft', ST_SetSRID(ST_MakePoint(7.436, 43.731), 4326), id, now() FROM jurisdictions WHERE code = 'T-ST2'
            """);
        // The version bump is heard within milliseconds of the commit; poll with a deadline.
        var deadline = Stopwatch.StartNew();
        int after;
        string cache;
        do
        {
            var response = await _w.City.GetAsync(query);
            cache = response.Headers.GetValues("X-GeoTwin-Cache").Single();
            after = SumOfCells(await Json(response));
        } while (after == before && deadline.Elapsed < TimeSpan.FromSeconds(10));
        Assert.Equal(before + 1, after);
        Assert.Equal("miss", cache);
    }

    [Fact]
    public async Task The_when_matrix_and_months_add_up_to_the_filtered_count()
    {
        const string filters = "category=theft&category=robbery&from=2025-01-01&to=2025-07-01&hours=6-23";
        var gi = await Json(await _w.City.GetAsync($"/api/hotspots/gi?{filters.Replace("&from=2025-01-01", "&from=2024-01-01")}&cellSize=300&band=900"));
        var when = await Json(await _w.City.GetAsync($"/api/hotspots/when?{filters}"));
        var expected = await CountAsync(TwoStations.City, """
            AND category IN ('theft', 'robbery') AND received_at >= '2025-01-01Z' AND received_at < '2025-07-01Z' AND extract(hour FROM received_at AT TIME ZONE 'UTC') >= 6
            """);
        Assert.Equal(expected, when.GetProperty("total").GetInt32());
        var matrix = when.GetProperty("hourWeekday");
        Assert.Equal(7, matrix.GetArrayLength());
        Assert.All(matrix.EnumerateArray(), row => Assert.Equal(24, row.GetArrayLength()));
        Assert.Equal(expected, matrix.EnumerateArray().Sum(row => row.EnumerateArray().Sum(v => v.GetInt32())));
        // hours before 6 were filtered out
        Assert.All(matrix.EnumerateArray(), row => Assert.Equal(0, row.EnumerateArray().Take(6).Sum(v => v.GetInt32())));
        var months = when.GetProperty("months");
        Assert.Equal(new[] { "2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06" }, months.EnumerateArray().Select(m => m.GetProperty("month").GetString()!).ToArray());
        Assert.Equal(expected, months.EnumerateArray().Sum(m => m.GetProperty("count").GetInt32()));
        var lastYear = await CountAsync(TwoStations.City, """
            AND category IN ('theft', 'robbery') AND received_at >= '2024-01-01Z' AND received_at < '2024-07-01Z' AND extract(hour FROM received_at AT TIME ZONE 'UTC') >= 6
            """);
        Assert.Equal(lastYear, months.EnumerateArray().Sum(m => m.GetProperty("lastYear").GetInt32()));

        // a cell's counts are its own incidents
        var hot = gi.GetProperty("cells").EnumerateArray().MaxBy(c => c.GetProperty("count").GetInt32());
        var cellWhen = await Json(await _w.City.GetAsync(
            $"/api/hotspots/when?{filters.Replace("&from=2025-01-01", "&from=2024-01-01")}&cellSize=300&band=900&cell={hot.GetProperty("id").GetString()}"));
        Assert.Equal(hot.GetProperty("count").GetInt32(), cellWhen.GetProperty("total").GetInt32());

        // a drawn polygon: station 1's box
        var box = await Json(await _w.City.GetAsync($"/api/hotspots/when?polygon={Uri.EscapeDataString("POLYGON((7.40 43.72,7.42 43.72,7.42 43.76,7.40 43.76,7.40 43.72))")}"));
        Assert.Equal(await Db.ScalarAsync<long>("""
            SELECT count(*) FROM incidents WHERE ST_Covers(ST_MakeEnvelope(7.40, 43.72, 7.42, 43.76, 4326), location) AND status <> 'merged'
            """), box.GetProperty("total").GetInt32());
    }

    /// <summary>
    /// The cells as the tile catalog's "hotspots" layer (analysts only, hidden until asked for), decoded from a real tile:
    /// the same count, z, p and bin as /gi for the same parameters; trend (the emerging pattern) appears on the tile,
    /// /gi and its CSV once an emerging run of those parameters exists, and is absent before.
    /// </summary>
    [Fact]
    public async Task The_cells_are_a_catalog_tile_layer_with_the_emerging_trend_once_it_ran()
    {
        var catalog = await Json(await _w.City.GetAsync("/api/layers"));
        var layer = catalog.EnumerateArray().Single(l => l.GetProperty("name").GetString() == "hotspots");
        Assert.Equal("/tiles/hotspots/{z}/{x}/{y}.mvt", layer.GetProperty("tiles").GetString());
        Assert.Equal("polygon", layer.GetProperty("geometry").GetString());
        Assert.True(layer.GetProperty("hidden").GetBoolean());
        var attributes = layer.GetProperty("attributes").EnumerateArray().Select(a => a.GetString()).ToList();
        Assert.All(new[] { "id", "cell", "count", "z", "p", "bin", "trend" }, a => Assert.Contains(a, attributes));
        Assert.DoesNotContain((await Json(await _w.Dispatcher.GetAsync("/api/layers"))).EnumerateArray(), l => l.GetProperty("name").GetString() == "hotspots");

        // a period no other test analyses, so no emerging run of these parameters is cached before this one's
        const string q = "cellSize=2000&band=5000&from=2024-01-01&to=2024-11-01"; // 10 months: the fewest a trend takes
        var gi = await Json(await _w.City.GetAsync($"/api/hotspots/gi?{q}"));
        Assert.False(gi.GetProperty("parameters").GetProperty("trend").GetProperty("computed").GetBoolean());
        var hot = gi.GetProperty("cells").EnumerateArray().MaxBy(c => c.GetProperty("count").GetInt32());
        Assert.False(hot.TryGetProperty("trend", out _));
        var t = GeoTwin.Tiling.Tiles.TileAddress.Containing(hot.GetProperty("lon").GetDouble(), hot.GetProperty("lat").GetDouble(), 12);
        var path = $"/tiles/hotspots/{t.Z}/{t.X}/{t.Y}.mvt?{q}";

        async Task<IDictionary<string, object>> FeatureOfHot()
        {
            var response = await _w.City.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/vnd.mapbox-vector-tile", response.Content.Headers.ContentType?.MediaType);
            await using var stream = new MemoryStream(await response.Content.ReadAsByteArrayAsync());
            var tile = new NetTopologySuite.IO.VectorTiles.Mapbox.MapboxTileReader().Read(stream, new NetTopologySuite.IO.VectorTiles.Tiles.Tile(t.X, t.Y, t.Z));
            var cells = Assert.Single(tile.Layers, l => l.Name == "hotspots");
            var feature = Assert.Single(cells.Features, f => (string)f.Attributes["cell"] == hot.GetProperty("id").GetString());
            Assert.IsAssignableFrom<NetTopologySuite.Geometries.Polygon>(feature.Geometry);
            return feature.Attributes.GetNames().ToDictionary(n => n, n => feature.Attributes[n]);
        }
        var before = await FeatureOfHot();
        Assert.Equal(hot.GetProperty("count").GetInt32(), Convert.ToInt32(before["count"]));
        Assert.Equal(hot.GetProperty("z").GetDouble(), Convert.ToDouble(before["z"]), 1e-12);
        Assert.Equal(hot.GetProperty("p").GetDouble(), Convert.ToDouble(before["p"]), 1e-12);
        Assert.Equal(hot.GetProperty("bin").GetInt32(), Convert.ToInt32(before["bin"]));
        Assert.False(before.ContainsKey("trend"));
        // a dispatcher may not have the layer's tiles, alone or combined
        Assert.Equal(HttpStatusCode.Forbidden, (await _w.Dispatcher.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _w.Dispatcher.GetAsync($"/tiles/incidents,hotspots/{t.Z}/{t.X}/{t.Y}.mvt?{q}")).StatusCode);

        var emerging = await Json(await _w.City.GetAsync($"/api/hotspots/emerging?{q}"));
        var pattern = emerging.GetProperty("cells").EnumerateArray().Single(c => c.GetProperty("id").GetString() == hot.GetProperty("id").GetString())
            .GetProperty("pattern").GetString();
        Assert.Equal(pattern, (await FeatureOfHot())["trend"]);
        var after = await Json(await _w.City.GetAsync($"/api/hotspots/gi?{q}"));
        Assert.True(after.GetProperty("parameters").GetProperty("trend").GetProperty("computed").GetBoolean());
        Assert.Equal(pattern, after.GetProperty("cells").EnumerateArray().Single(c => c.GetProperty("id").GetString() == hot.GetProperty("id").GetString())
            .GetProperty("trend").GetString());
        var csv = await _w.City.GetStringAsync($"/api/hotspots/gi?{q}&format=csv");
        Assert.EndsWith(",trend", csv.Split('\n')[0]);
        Assert.Contains(csv.Split('\n'), line => line.StartsWith(hot.GetProperty("id").GetString() + ",") && line.EndsWith("," + pattern));
    }

    [Fact]
    public async Task Posted_points_reproduce_esda_G_Local_star()
    {
        // esda's published case in metres, placed at the equator (1° of longitude = 111,319.49 m, of latitude 110,574.27 m
        // there); the band 15.5 m holds the same neighbours as esda's 15 with no pair between 15 and 15.5 m.
        double[] x = [10, 20, 40, 15, 30, 30], y = [10, 10, 10, 20, 20, 30], v = [2, 3, 3.2, 5, 8, 7];
        var features = Enumerable.Range(0, 6).Select(i => new
        {
            type = "Feature", id = $"p{i}",
            geometry = new { type = "Point", coordinates = new[] { x[i] / 111_319.4908, y[i] / 110_574.2727 } },
            properties = new { weight = v[i] },
        });
        var answer = await Json(await _w.City.PostAsJsonAsync("/api/hotspots/points?band=15.5", new { type = "FeatureCollection", features }));
        double[] expected = [-1.39727626, -0.28917762, 0.65064964, -0.28917762, 1.23452088, 2.02424331];
        var cells = answer.GetProperty("cells");
        for (var i = 0; i < 6; i++)
        {
            Assert.Equal($"p{i}", cells[i].GetProperty("id").GetString());
            Assert.Equal(expected[i], cells[i].GetProperty("z").GetDouble(), 1e-8);
        }
        Assert.Equal("given", answer.GetProperty("parameters").GetProperty("band").GetProperty("rule").GetString());
    }

    static readonly string[] Patterns = ["no_pattern", "new_hot", "consecutive_hot", "intensifying_hot", "persistent_hot", "diminishing_hot",
        "sporadic_hot", "oscillating_hot", "historical_hot", "new_cold", "consecutive_cold", "intensifying_cold", "persistent_cold",
        "diminishing_cold", "sporadic_cold", "oscillating_cold", "historical_cold"];

    static void AssertPatterns(JsonElement answer)
    {
        Assert.NotEmpty(answer.GetProperty("cells").EnumerateArray());
        Assert.All(answer.GetProperty("cells").EnumerateArray(), c =>
        {
            Assert.Contains(c.GetProperty("pattern").GetString(), Patterns);
            Assert.Contains(c.GetProperty("trend").GetString(), new[] { "up", "down", "none" });
        });
    }

    [Fact]
    public async Task A_small_emerging_cube_is_answered_at_once()
    {
        // a few 2 km cells × 12 months: under the 150 bins answered synchronously
        var answer = await Json(await _w.City.GetAsync("/api/hotspots/emerging?step=month&cellSize=2000&band=5000&from=2024-01-01&to=2025-01-01"));
        Assert.Equal(12, answer.GetProperty("parameters").GetProperty("steps").GetInt32());
        Assert.Equal("2024-01", answer.GetProperty("parameters").GetProperty("first").GetString());
        AssertPatterns(answer);
    }

    [Fact]
    public async Task A_large_emerging_cube_runs_as_a_job_with_a_percentage_only_its_owner_reads()
    {
        var accepted = await Json(await _w.City.GetAsync("/api/hotspots/emerging?step=week&cellSize=400&band=1200&from=2024-01-01&to=2024-07-01"),
            HttpStatusCode.Accepted);
        var status = accepted.GetProperty("status").GetString()!;
        var deadline = Stopwatch.StartNew();
        JsonElement job;
        while (true)
        {
            job = await Json(await _w.City.GetAsync(status));
            if (job.GetProperty("status").GetString() is "succeeded" or "failed" || deadline.Elapsed > TimeSpan.FromSeconds(30)) break;
            await Task.Delay(100); // a poll interval, as the viewer's; the deadline bounds the wait
        }
        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        Assert.Equal(100, job.GetProperty("percent").GetDouble());
        var result = job.GetProperty("result");
        Assert.Equal("2024-01-01", result.GetProperty("parameters").GetProperty("first").GetString()); // a Monday
        Assert.Equal(26, result.GetProperty("parameters").GetProperty("steps").GetInt32());
        AssertPatterns(result);
        // another analyst's poll learns nothing of it
        Assert.Equal(HttpStatusCode.NotFound, (await _w.Station1.GetAsync(status)).StatusCode);
    }

    public static TheoryData<string, int, string> BadQueries => new()
    {
        { "/api/hotspots/gi?category=arson", 400, "category" },
        { "/api/hotspots/gi?group=three_thefts", 400, "group" },
        { "/api/hotspots/gi?from=2025-03-01&to=2025-01-01", 422, "to" },
        { "/api/hotspots/gi?from=2025-03-01&to=2025-03-01", 422, "to" },
        { "/api/hotspots/gi?from=", 400, "from" },
        { "/api/hotspots/gi?from=yesterday", 400, "from" },
        { "/api/hotspots/gi?hours=20-24", 400, "hours" },
        { "/api/hotspots/gi?weekdays=0-5", 400, "weekdays" },
        { "/api/hotspots/gi?cellSize=-5", 400, "cellSize" },
        { "/api/hotspots/gi?band=abc", 400, "band" },
        { "/api/hotspots/gi?format=xml", 400, "format" },
        { "/api/hotspots/gi?jurisdiction=NOPE", 404, "jurisdiction" },
        { "/api/hotspots/cells/abc", 400, "id" },
        { "/api/hotspots/cells/999_999?cellSize=250&band=750", 404, "id" },
        { "/api/hotspots/when?cell=0_0&community=X", 400, "community" },
        { "/api/hotspots/when?polygon=POLYGON((1 1,2 2))", 400, "polygon" },
        { "/api/hotspots/when?polygon=POINT(7.41 43.73)", 400, "polygon" },
        { "/api/hotspots/when?community=T-ST1", 400, "community" },
        { "/api/hotspots/emerging?step=day", 400, "step" },
        { "/api/hotspots/emerging?step=week&cellSize=250&band=750&from=2000-01-01&to=2030-01-01", 422, "step" },
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task Bad_input_is_refused_naming_the_parameter(string url, int status, string field)
    {
        var response = await _w.City.GetAsync(url);
        var problem = await Json(response, (HttpStatusCode)status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Contains(field, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Too_few_incidents_and_too_many_cells_are_refused_with_the_numbers()
    {
        var few = await Json(await _w.City.GetAsync("/api/hotspots/gi?from=2025-12-01&to=2026-01-01"), HttpStatusCode.UnprocessableEntity);
        Assert.Equal("incidents", few.GetProperty("field").GetString());
        Assert.Equal(30, few.GetProperty("minimum").GetDouble());
        var count = few.GetProperty("count").GetDouble();
        Assert.Contains($"{count} incidents", few.GetProperty("detail").GetString());

        var many = await Json(await _w.City.GetAsync("/api/hotspots/gi?cellSize=0.5&band=10"), HttpStatusCode.UnprocessableEntity);
        Assert.Equal("cellSize", many.GetProperty("field").GetString());
        Assert.Equal(150, many.GetProperty("maximum").GetDouble());
        Assert.True(many.GetProperty("count").GetDouble() > 150);
    }

    public static TheoryData<string, string> BadPosts => new()
    {
        { """{"type":"FeatureCollection","features":[]}""", "features" },
        { """{"type":"Feature"}""", "type" },
        { """{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[7.41,43.73]},"properties":{"weight":1}}, {"type":"Feature","geometry":{"type":"Point","coordinates":[7.42,43.73]},"properties":{"weight":"NaN"}}]}""", "features[1].properties.weight" },
        { """{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[7.41,43.73]},"properties":{"value":1}}, {"type":"Feature","geometry":{"type":"Point","coordinates":[7.42,43.73]},"properties":{}}]}""", "features[1].properties.value" },
        { """{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[7.41,43.73]},"properties":{"weight":1}}, {"type":"Feature","geometry":{"type":"Point","coordinates":[7.41,43.73]},"properties":{"weight":2}}]}""", "features[1].geometry" },
        { """{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"LineString","coordinates":[[7.41,43.73],[7.42,43.73]]},"properties":{"weight":1}}]}""", "features[0].geometry" },
        { """{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[7.41,43.73]},"properties":{"weight":NaN}}]}""", "body" },
    };

    [Theory]
    [MemberData(nameof(BadPosts))]
    public async Task Bad_posted_points_are_refused_naming_the_field(string body, string field)
    {
        var response = await _w.City.PostAsync("/api/hotspots/points?band=100", new StringContent(body, Encoding.UTF8, "application/json"));
        var problem = await Json(response, HttpStatusCode.BadRequest);
        Assert.Equal(field, problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Posted_points_need_a_band_and_hotspots_need_the_analysis_role()
    {
        var noBand = await _w.City.PostAsync("/api/hotspots/points", new StringContent(
            """{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[7.41,43.73]},"properties":{"weight":1}}]}""",
            Encoding.UTF8, "application/json"));
        Assert.Equal("band", (await Json(noBand, HttpStatusCode.BadRequest)).GetProperty("field").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await _w.Dispatcher.GetAsync("/api/hotspots/gi")).StatusCode);
    }
}
