using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace GeoTwin.Server.Tests.Dispatch;

/// <summary>GET /api/incidents/replay: the after-action review's incidents, on the same server and accounts as the rest.</summary>
public sealed partial class DispatchEndpointsTests
{
    static string Q(DateTimeOffset t) => Uri.EscapeDataString(t.ToString("O"));

    /// <summary>A point on a street of a station other than the officer's.</summary>
    async Task<(double Lon, double Lat)> OutsideTheOfficersStationAsync()
    {
        await using var cmd = Db.CreateCommand("""
            SELECT ST_X(p), ST_Y(p) FROM jurisdictions j
            JOIN LATERAL (SELECT ST_LineInterpolatePoint(r.geom, 0.5) p FROM roads r
                          WHERE ST_Covers(j.boundary, ST_LineInterpolatePoint(r.geom, 0.5)) ORDER BY r.id LIMIT 1) x ON true
            WHERE j.kind = 'station' AND j.code <> $1 ORDER BY j.code LIMIT 1
            """);
        cmd.Parameters.AddWithValue(_w.Station);
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync(), "the demo has a second station");
        return (r.GetDouble(0), r.GetDouble(1));
    }

    static JsonElement? Find(JsonElement list, string code) =>
        list.EnumerateArray().Where(i => i.GetProperty("code").GetString() == code).Select(i => (JsonElement?)i).FirstOrDefault();

    [Fact]
    public async Task Replay_gives_each_incident_of_the_window_its_status_changes_at_its_trail_s_times_within_the_caller_s_scope()
    {
        var from = DateTimeOffset.UtcNow.AddSeconds(-2);
        var mine = await CreateAsync(category: "disturbance", priority: 3);
        var (unit, seen) = await FirstRecommendedAsync(mine);
        await Json(await _w.Dispatcher.PostAsJsonAsync($"/api/incidents/{mine}/dispatch", new { units = new[] { new { unitId = unit, seenStatus = seen } } }));
        await Json(await _w.Dispatcher.PostAsJsonAsync($"/api/incidents/{mine}/arrive", new { unitId = unit }));
        await Json(await _w.Dispatcher.PostAsJsonAsync($"/api/incidents/{mine}/cancel", new { reason = "replay test" }));
        var (lon, lat) = await OutsideTheOfficersStationAsync();
        var theirs = await CreateAsync(new { lon, lat }, category: "disturbance", priority: 4);
        var to = DateTimeOffset.UtcNow.AddSeconds(2);

        var all = await Json(await _w.Dispatcher.GetAsync($"/api/incidents/replay?from={Q(from)}&to={Q(to)}"));
        var replayed = Find(all, mine) ?? throw new Xunit.Sdk.XunitException($"{mine} not replayed");
        var changes = replayed.GetProperty("changes").EnumerateArray().ToList();
        Assert.Equal(["new", "dispatched", "on_scene", "cancelled"], changes.Select(c => c.GetProperty("status").GetString()));
        // each change at the time its step is in the trail
        var trail = (await Json(await _w.Dispatcher.GetAsync($"/api/incidents/{mine}/trail"))).EnumerateArray()
            .ToDictionary(e => e.GetProperty("kind").GetString()!, e => e.GetProperty("at").GetDateTime());
        Assert.Equal([trail["intake"], trail["dispatch"], trail["arrival"], trail["cancel"]], changes.Select(c => c.GetProperty("at").GetDateTime()));
        Assert.Equal(3, replayed.GetProperty("priority").GetInt32());
        Assert.NotNull(Find(all, theirs));

        // the officer's station holds the first incident, not the second
        var officers = await Json(await _w.Officer.GetAsync($"/api/incidents/replay?from={Q(from)}&to={Q(to)}"));
        Assert.NotNull(Find(officers, mine));
        Assert.Null(Find(officers, theirs));

        // a window that ends before the intake does not have it; one that ends before the dispatch has it as new
        Assert.Null(Find(await Json(await _w.Dispatcher.GetAsync($"/api/incidents/replay?from={Q(from.AddHours(-1))}&to={Q(from)}")), mine));
        var early = Find(await Json(await _w.Dispatcher.GetAsync($"/api/incidents/replay?from={Q(from)}&to={Q(new DateTimeOffset(trail["dispatch"]))}")), mine);
        Assert.Equal(["new"], early!.Value.GetProperty("changes").EnumerateArray().Select(c => c.GetProperty("status").GetString()));
    }

    [Theory]
    [InlineData("from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "from", "must be before to")]
    [InlineData("from=2026-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from", "must be before to")]
    [InlineData("from=2026-01-01T00:00:00Z&to=2026-01-08T00:00:01Z", "to", "at most 168 hours")]
    [InlineData("from=yesterday&to=2026-01-01T00:00:00Z", "from", "yesterday")]
    [InlineData("from=2026-01-01T00:00:00Z&to=2026-13-01", "to", "2026-13-01")]
    public async Task A_bad_replay_window_is_a_problem_naming_its_field(string query, string field, string text)
    {
        var response = await _w.Dispatcher.GetAsync($"/api/incidents/replay?{query}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Contains(text, problem.GetProperty("detail").GetString());
    }
}
