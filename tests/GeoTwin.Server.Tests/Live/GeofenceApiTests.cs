using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GeoTwin.Server.Live;
using Microsoft.Extensions.DependencyInjection;

namespace GeoTwin.Server.Tests.Live;

/// <summary>/api/geofences end to end: drawn by a dispatcher, watched on every stored fix, events in scope; bad input refused.</summary>
[Collection("postgis")]
public sealed class GeofenceApiTests(PostgisFixture pg) : IAsyncLifetime
{
    GeoTwinServer _server = null!;
    HttpClient _device = null!, _dispatcher1 = null!, _dispatcher2 = null!;
    long _unit1;

    public async Task InitializeAsync()
    {
        _server = await pg.StartServerAsync();
        (_unit1, _) = await LiveSeed.SeedAsync(_server.Database.DataSource);
        await _server.App.Services.GetRequiredService<LiveSync>().RefreshAsync(default);
        _device = await LiveSeed.DeviceAsync(_server, TwoStations.City);
        _dispatcher1 = await Browser.SignedInAsync(_server, "disp1", "dispatcher", TwoStations.Station1);
        _dispatcher2 = await Browser.SignedInAsync(_server, "disp2", "dispatcher", TwoStations.Station2);
    }

    public async Task DisposeAsync()
    {
        foreach (var c in new[] { _device, _dispatcher1, _dispatcher2 }) c.Dispose();
        await _server.DisposeAsync();
    }

    static async Task<JsonElement> Json(HttpResponseMessage r) => await r.Content.ReadFromJsonAsync<JsonElement>();

    [Fact]
    public async Task A_unit_driving_through_a_drawn_circle_raises_enter_then_exit_seen_only_in_the_fences_station()
    {
        // A 300 m circle in station 1 (lon 7.40-7.42), entered and left by unit 1.
        var created = await _dispatcher1.PostAsJsonAsync("/api/geofences", new
        {
            name = "港口重点区域 <b>harbour</b>", circle = new { lon = 7.41, lat = 43.73, radiusM = 300 }, rules = new[] { "enter", "exit" }, marginM = 20,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var fence = await Json(created);
        Assert.Equal("T-ST1-A", fence.GetProperty("jurisdiction").GetString()); // the smallest jurisdiction holding its centre
        Assert.Equal("MultiPolygon", fence.GetProperty("area").GetProperty("type").GetString());

        var t = DateTime.UtcNow.AddSeconds(-20);
        var batch = await _device.PostAsJsonAsync("/api/positions", new
        {
            fixes = new[]
            {
                LiveSeed.Fix(_unit1, t, 7.400, 43.73),              // ~800 m west: outside
                LiveSeed.Fix(_unit1, t.AddSeconds(5), 7.410, 43.73), // the centre
                LiveSeed.Fix(_unit1, t.AddSeconds(10), 7.4136, 43.73), // ~290 m east: still inside
                LiveSeed.Fix(_unit1, t.AddSeconds(15), 7.418, 43.73),  // ~640 m east: out
            },
        });
        Assert.Equal(HttpStatusCode.OK, batch.StatusCode);

        var rules = new List<string>();
        await Until(async () =>
        {
            var events = await Json(await _dispatcher1.GetAsync("/api/geofences/events"));
            rules = events.EnumerateArray().Reverse().Select(e => e.GetProperty("rule").GetString()!).ToList();
            return rules.Count >= 2;
        }, "the fence's events are listed");
        Assert.Equal(["enter", "exit"], rules);
        var first = (await Json(await _dispatcher1.GetAsync("/api/geofences/events"))).EnumerateArray().Last();
        Assert.Equal(TwoStations.Unit1, first.GetProperty("callSign").GetString());
        Assert.Equal("港口重点区域 <b>harbour</b>", first.GetProperty("fenceName").GetString()); // kept as written; the viewer escapes

        // The other station sees neither the fence nor its events, and cannot delete it.
        Assert.Equal(0, (await Json(await _dispatcher2.GetAsync("/api/geofences"))).GetArrayLength());
        Assert.Equal(0, (await Json(await _dispatcher2.GetAsync("/api/geofences/events"))).GetArrayLength());
        var id = fence.GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.NotFound, (await _dispatcher2.DeleteAsync($"/api/geofences/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _dispatcher1.DeleteAsync($"/api/geofences/{id}")).StatusCode);
        Assert.Equal(0, (await Json(await _dispatcher1.GetAsync("/api/geofences"))).GetArrayLength());
        Assert.Equal(2, (await Json(await _dispatcher1.GetAsync("/api/geofences/events"))).GetArrayLength()); // what happened stays
    }

    [Theory]
    [InlineData("""{"name":"x","rules":["enter"]}""", "area")]
    [InlineData("""{"name":"x","rules":["enter"],"circle":{"lon":7.41,"lat":43.73,"radiusM":300},"area":{"type":"Point","coordinates":[7.41,43.73]}}""", "area")]
    [InlineData("""{"name":"x","rules":["enter"],"area":{"type":"Point","coordinates":[7.41,43.73]}}""", "area")]
    [InlineData("""{"name":"x","rules":["enter"],"area":{"type":"Polygon","coordinates":[[[7.40,43.72],[7.41,43.73],[7.40,43.73],[7.41,43.72],[7.40,43.72]]]}}""", "area")]
    [InlineData("""{"name":"x","rules":["enter"],"area":{"type":"Polygon","coordinates":"nope"}}""", "area")]
    [InlineData("""{"name":"x","rules":["enter"],"area":{"type":"Polygon","coordinates":[[[743,43.72],[744,43.72],[744,43.73],[743,43.72]]]}}""", "area")]
    [InlineData("""{"name":"x","rules":["enter"],"circle":{"lon":7.41,"lat":43.73,"radiusM":1}}""", "circle.radiusM")]
    [InlineData("""{"name":"x","rules":["teleport"],"circle":{"lon":7.41,"lat":43.73,"radiusM":300}}""", "rules")]
    [InlineData("""{"name":"x","rules":["dwell"],"circle":{"lon":7.41,"lat":43.73,"radiusM":300}}""", "dwellMinutes")]
    [InlineData("""{"name":"x","rules":["enter"],"circle":{"lon":7.41,"lat":43.73,"radiusM":300},"activeHours":"25-3"}""", "activeHours")]
    [InlineData("""{"name":"x","rules":["enter"],"circle":{"lon":7.41,"lat":43.73,"radiusM":300},"unitKinds":["tank"]}""", "unitKinds")]
    [InlineData("""{"name":"","rules":["enter"],"circle":{"lon":7.41,"lat":43.73,"radiusM":300}}""", "name")]
    public async Task A_bad_fence_is_refused_naming_the_field_and_nothing_is_stored(string body, string field)
    {
        var response = await _dispatcher1.PostAsync("/api/geofences", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await Json(response);
        Assert.StartsWith(field, problem.GetProperty("detail").GetString());
        Assert.Equal(0, (await Json(await _dispatcher1.GetAsync("/api/geofences"))).GetArrayLength());
    }

    [Fact]
    public async Task A_fence_outside_the_callers_station_is_422_and_a_planner_may_not_draw()
    {
        var outside = await _dispatcher1.PostAsJsonAsync("/api/geofences", new { name = "二所的", circle = new { lon = 7.435, lat = 43.74, radiusM = 200 }, rules = new[] { "enter" } });
        Assert.Equal((HttpStatusCode)422, outside.StatusCode);
        Assert.Contains("outside your jurisdiction", (await Json(outside)).GetProperty("detail").GetString());
        using var planner = await Browser.SignedInAsync(_server, "plan1", "planner", TwoStations.Station1);
        var refused = await planner.PostAsJsonAsync("/api/geofences", new { name = "p", circle = new { lon = 7.41, lat = 43.73, radiusM = 200 }, rules = new[] { "enter" } });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(0, (await Json(await _dispatcher1.GetAsync("/api/geofences"))).GetArrayLength());
    }

    static async Task Until(Func<Task<bool>> condition, string what, int seconds = 120)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, $"never happened: {what}");
            await Task.Delay(200);
        }
    }
}
