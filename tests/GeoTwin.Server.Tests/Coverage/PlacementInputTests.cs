using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GeoTwin.Server.Coverage.Visibility;
using Npgsql;

namespace GeoTwin.Server.Tests.Coverage;

/// <summary>
/// What a planner supplies to placement: imported sites (CSV, GeoJSON), a drawn area, a budget; and the viewer's
/// per-camera visibility, scoped. Two stations (station 1 west of 7.42), roads and incidents in station 1.
/// </summary>
[Collection("postgis")]
public sealed class PlacementInputTests(PostgisFixture pg) : IAsyncLifetime
{
    sealed record World(GeoTwinServer Server, HttpClient Station1, HttpClient City);
    static readonly Shared<World> Shared = new();
    World _w = null!;

    public async Task InitializeAsync() => _w = await Shared.GetAsync(async () =>
    {
        var server = await pg.StartServerAsync(new() { ["GeoTwin:Coverage:Worker"] = "false" });
        var db = server.Database.DataSource;
        await TwoStations.SeedAsync(db);
        await db.ExecAsync("""
            INSERT INTO roads (source_ref, name, road_class, speed_kmh, geom) VALUES
                ('i1', '和平路', 'primary', 40, ST_SetSRID(ST_MakeLine(ST_MakePoint(7.405, 43.731), ST_MakePoint(7.418, 43.731)), 4326)),
                ('i2', '北街', 'residential', 30, ST_SetSRID(ST_MakeLine(ST_MakePoint(7.412, 43.728), ST_MakePoint(7.412, 43.736)), 4326));
            INSERT INTO incidents (code, category, location, jurisdiction_id, received_at)
            SELECT 'PI-' || g, 'theft', ST_SetSRID(ST_MakePoint(7.406 + g * 0.0003, 43.7311), 4326),
                   (SELECT id FROM jurisdictions WHERE code = 'T-ST1'), now() - make_interval(days => g * 3)
            FROM generate_series(1, 30) g;
            """);
        await VisibilityStore.RefreshAsync(db, default);
        return new World(server, await Browser.SignedInAsync(server, "pi-st1", "planner", TwoStations.Station1),
            await Browser.SignedInAsync(server, "pi-city", "planner", TwoStations.City));
    });

    public Task DisposeAsync() => Task.CompletedTask;

    static StringContent Csv(string text) => new(text, Encoding.UTF8, "text/csv");
    static StringContent GeoJson(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/geo+json");

    async Task<int> SitesAsync(HttpClient who) => (await who.GetFromJsonAsync<JsonElement>("/api/coverage/sites")).GetArrayLength();

    [Fact]
    public async Task Imported_lamp_posts_are_the_only_candidates_when_asked_and_a_batch_is_replaced_not_doubled()
    {
        var posts = new[] { (7.4080, 43.7311), (7.4140, 43.7311), (7.4121, 43.7330) };
        var csv = "lon,lat,name\n" + string.Join("\n", posts.Select((p, i) => $"{p.Item1},{p.Item2},\"灯杆 {i}, 和平路\""));
        var created = await _w.Station1.PostAsync("/api/coverage/sites?batch=lamps", Csv(csv));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(3, (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("imported").GetInt32());
        Assert.Equal(HttpStatusCode.Created, (await _w.Station1.PostAsync("/api/coverage/sites?batch=lamps", Csv(csv))).StatusCode);
        var listed = await _w.Station1.GetFromJsonAsync<JsonElement>("/api/coverage/sites");
        Assert.Equal(3, listed.EnumerateArray().Count(s => s.GetProperty("batch").GetString() == "lamps"));
        Assert.Contains(listed.EnumerateArray(), s => s.GetProperty("name").GetString() == "灯杆 1, 和平路");

        var answer = await (await _w.Station1.PostAsJsonAsync("/api/coverage/placement",
            new { k = 2, sites = "imported", rangeM = 60, kind = "ptz" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("imported", answer.GetProperty("sites").GetString());
        Assert.True(answer.GetProperty("importedSites").GetInt32() >= 3);
        var greedy = answer.GetProperty("greedy").EnumerateArray().ToList();
        Assert.Equal(2, greedy.Count);
        var lamps = listed.EnumerateArray().Select(s => (s.GetProperty("lon").GetDouble(), s.GetProperty("lat").GetDouble())).ToList();
        foreach (var g in greedy) // every suggestion stands on an imported site (to a few centimetres: the metric frame's round trip)
            Assert.Contains(lamps, l => Math.Abs(l.Item1 - g.GetProperty("lon").GetDouble()) < 1e-6 && Math.Abs(l.Item2 - g.GetProperty("lat").GetDouble()) < 1e-6);

        // the city planner's streets-only placement has many more candidates
        var streets = await _w.Station1.GetFromJsonAsync<JsonElement>("/api/coverage/placement?k=2&rangeM=60&spacingM=60");
        Assert.True(streets.GetProperty("candidates").GetInt32() > answer.GetProperty("candidates").GetInt32());
    }

    [Fact]
    public async Task Bad_rows_are_named_by_number_and_nothing_is_imported()
    {
        var before = await SitesAsync(_w.Station1);
        var csv = "lon,lat,name\n7.41,43.73,好的\nabc,43.73,坏经度\n7.41,95,坏纬度\n7.43,43.74,二所的灯杆\n7.411,43.731,\"控制\u0001字符\"\n";
        var answer = await _w.Station1.PostAsync("/api/coverage/sites?batch=bad", Csv(csv));
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        var problem = await answer.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("4 of 5 rows", problem.GetProperty("detail").GetString());
        var rows = problem.GetProperty("rows").EnumerateArray().Select(r => (r.GetProperty("row").GetInt32(), r.GetProperty("field").GetString(),
            r.GetProperty("reason").GetString()!)).ToList();
        Assert.Equal([2, 3, 4, 5], rows.Select(r => r.Item1));
        Assert.Equal(["lon", "lat", "lon", "name"], rows.Select(r => r.Item2));
        Assert.Contains("'abc'", rows[0].Item3);
        Assert.Contains("outside your jurisdiction", rows[2].Item3);
        Assert.Contains("control", rows[3].Item3);
        Assert.Equal(before, await SitesAsync(_w.Station1));

        var header = await _w.Station1.PostAsync("/api/coverage/sites", Csv("x1,y1\n7.41,43.73\n"));
        Assert.Equal(HttpStatusCode.BadRequest, header.StatusCode);
        Assert.Equal("lon", (await header.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());

        var geo = await _w.Station1.PostAsync("/api/coverage/sites", GeoJson(new
        {
            type = "FeatureCollection",
            features = new object[]
            {
                new { type = "Feature", geometry = new { type = "Point", coordinates = new[] { 7.41, 43.73 } }, properties = new { name = "好" } },
                new { type = "Feature", geometry = new { type = "LineString", coordinates = new[] { new[] { 7.41, 43.73 }, new[] { 7.411, 43.73 } } } },
            },
        }));
        Assert.Equal(HttpStatusCode.BadRequest, geo.StatusCode);
        var g = await geo.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, g.GetProperty("rows")[0].GetProperty("row").GetInt32());
        Assert.Equal("geometry", g.GetProperty("field").GetString());
        Assert.Equal(before, await SitesAsync(_w.Station1));

        var wrongType = await _w.Station1.PostAsync("/api/coverage/sites", new StringContent("<xml/>", Encoding.UTF8, "application/xml"));
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
        Assert.Contains("body", await wrongType.Content.ReadAsStringAsync());
        var notJson = await _w.Station1.PostAsync("/api/coverage/sites", new StringContent("{", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);

        var geoGood = await _w.Station1.PostAsync("/api/coverage/sites?batch=geo", GeoJson(new
        {
            type = "FeatureCollection",
            features = new[] { new { type = "Feature", geometry = new { type = "Point", coordinates = new[] { 7.413, 43.7311 } }, properties = new { name = "路灯" } } },
        }));
        Assert.Equal(HttpStatusCode.Created, geoGood.StatusCode);
        Assert.Equal(before + 1, await SitesAsync(_w.Station1));
    }

    static object Box(double w, double s, double e, double n) => new
    {
        type = "Polygon", coordinates = new[] { new[] { new[] { w, s }, new[] { e, s }, new[] { e, n }, new[] { w, n }, new[] { w, s } } },
    };

    [Fact]
    public async Task A_drawn_area_limits_the_candidates_and_the_streets_counted()
    {
        // the western part of 和平路 only: 7.405..7.409
        var answer = await _w.Station1.PostAsJsonAsync("/api/coverage/placement",
            new { k = 3, rangeM = 40, spacingM = 30, area = Box(7.404, 43.729, 7.409, 43.733) });
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var a = await answer.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(a.GetProperty("area").GetBoolean());
        var greedy = a.GetProperty("greedy").EnumerateArray().ToList();
        Assert.NotEmpty(greedy);
        Assert.All(greedy, s => Assert.InRange(s.GetProperty("lon").GetDouble(), 7.404, 7.409));
        var whole = await _w.Station1.GetFromJsonAsync<JsonElement>("/api/coverage/placement?k=3&rangeM=40&spacingM=30");
        Assert.True(a.GetProperty("candidates").GetInt32() < whole.GetProperty("candidates").GetInt32() / 2);

        var outside = await _w.Station1.PostAsJsonAsync("/api/coverage/placement", new { k = 3, area = Box(7.43, 43.73, 7.44, 43.74) }); // station 2
        Assert.Equal(HttpStatusCode.UnprocessableEntity, outside.StatusCode);
        Assert.Equal("area", (await outside.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());

        var bowtie = new { type = "Polygon", coordinates = new[] { new[] { new[] { 7.405, 43.73 }, new[] { 7.41, 43.735 }, new[] { 7.41, 43.73 }, new[] { 7.405, 43.735 }, new[] { 7.405, 43.73 } } } };
        foreach (var bad in new object[] { bowtie, new { type = "Point", coordinates = new[] { 7.41, 43.73 } }, Box(7.41, 43.73, 200, 43.74) })
        {
            var r = await _w.Station1.PostAsJsonAsync("/api/coverage/placement", new { k = 3, area = bad });
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            Assert.Equal("area", (await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        }
    }

    [Theory]
    [InlineData("{\"budget\":3,\"costPerCamera\":1}", null, 3)]
    [InlineData("{\"budget\":10,\"costPerCamera\":4.5}", null, 2)]
    [InlineData("{\"budget\":0.5,\"costPerCamera\":1}", "budget", 0)]
    [InlineData("{\"budget\":100,\"costPerCamera\":1}", "budget", 0)]
    [InlineData("{\"budget\":5,\"costPerCamera\":-1}", "costPerCamera", 0)]
    [InlineData("{\"k\":3,\"sites\":\"roofs\"}", "sites", 0)]
    [InlineData("{\"k\":3,\"mountHeightM\":-2}", "mountHeightM", 0)]
    [InlineData("{\"k\":\"three\"}", "k", 0)]
    public async Task A_budget_buys_cameras_and_bad_parameters_are_refused_naming_them(string body, string? field, int k)
    {
        var answer = await _w.Station1.PostAsync("/api/coverage/placement", new StringContent(body.Replace("}", ",\"rangeM\":40,\"spacingM\":60}"),
            Encoding.UTF8, "application/json"));
        if (field is null)
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            var a = await answer.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(k, a.GetProperty("k").GetInt32());
            Assert.Equal(k, a.GetProperty("greedy").GetArrayLength());
            return;
        }
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        Assert.Contains(field, await answer.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_station_planner_sees_its_own_cameras_and_their_visibility_only()
    {
        var cameras = await _w.Station1.GetFromJsonAsync<JsonElement>("/api/cameras");
        Assert.Equal([TwoStations.Camera1], cameras.EnumerateArray().Select(c => c.GetProperty("id").GetString()));
        var mine = await _w.Station1.GetFromJsonAsync<JsonElement>($"/api/cameras/{TwoStations.Camera1}/visibility");
        Assert.Equal("MultiPolygon", mine.GetProperty("type").GetString());
        Assert.True(mine.GetProperty("areaM2").GetDouble() > 100);
        var ring = mine.GetProperty("coordinates")[0][0].EnumerateArray().ToList();
        Assert.True(ring.Count >= 4);
        Assert.All(ring, p => Assert.InRange(p[0].GetDouble(), 7.40, 7.42));
        var theirs = await _w.Station1.GetAsync($"/api/cameras/{TwoStations.Camera2}/visibility");
        Assert.Equal(HttpStatusCode.NotFound, theirs.StatusCode);
        Assert.Contains("id", await theirs.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await _w.City.GetAsync($"/api/cameras/{TwoStations.Camera2}/visibility")).StatusCode);
        Assert.Equal(2, (await _w.City.GetFromJsonAsync<JsonElement>("/api/cameras")).GetArrayLength());

        // station 2's imported sites are not station 1's
        Assert.Equal(HttpStatusCode.Created, (await _w.City.PostAsync("/api/coverage/sites?batch=st2", Csv("lon,lat\n7.431,43.741\n"))).StatusCode);
        var sites = await _w.Station1.GetFromJsonAsync<JsonElement>("/api/coverage/sites");
        Assert.DoesNotContain(sites.EnumerateArray(), s => s.GetProperty("batch").GetString() == "st2");
    }
}
