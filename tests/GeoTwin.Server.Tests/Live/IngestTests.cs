using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GeoTwin.Server.Live;
using Microsoft.Extensions.DependencyInjection;

namespace GeoTwin.Server.Tests.Live;

/// <summary>POST /api/positions: per-fix checks, history-only old fixes, write-through, idempotency, limits; status changes and freshness.</summary>
[Collection("postgis")]
public sealed class IngestTests(PostgisFixture pg) : IAsyncLifetime
{
    GeoTwinServer _server = null!;
    HttpClient _city = null!;
    long _unit1, _unit2;
    static readonly DateTime Now = DateTime.UtcNow;

    public async Task InitializeAsync()
    {
        _server = await pg.StartServerAsync(new() { ["GeoTwin:Freshness:StaleSeconds"] = "30", ["GeoTwin:Freshness:OfflineSeconds"] = "120", ["GeoTwin:Live:MaxBatch"] = "50" });
        (_unit1, _unit2) = await LiveSeed.SeedAsync(_server.Database.DataSource);
        await _server.App.Services.GetRequiredService<LiveSync>().RefreshAsync(default);
        _city = await LiveSeed.DeviceAsync(_server, TwoStations.City);
    }

    public async Task DisposeAsync()
    {
        _city.Dispose();
        await _server.DisposeAsync();
    }

    async Task<(HttpStatusCode, JsonElement)> Post(HttpClient http, object body)
    {
        var response = await http.PostAsJsonAsync("/api/positions", body);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    [Fact]
    public async Task Bad_fixes_are_reported_by_index_and_the_good_ones_are_kept()
    {
        var (status, report) = await Post(_city, new
        {
            fixes = new object[]
            {
                LiveSeed.Fix(_unit1, Now.AddSeconds(-5), 7.41, 43.73),
                LiveSeed.Fix(_unit1, Now.AddSeconds(-4), 181, 43.73),
                LiveSeed.Fix(_unit1, Now.AddSeconds(-3), 7.41, -91),
                LiveSeed.Fix(_unit1, Now.AddMinutes(10), 7.41, 43.73),
                LiveSeed.Fix(999_999, Now, 7.41, 43.73),
                new { deviceId = "NOPE", time = Now.ToString("O"), lon = 7.41, lat = 43.73 },
                new { deviceId = "D2", time = Now.AddSeconds(-2).ToString("O"), lon = 7.43, lat = 43.74 },
                new { unitId = _unit1, time = "yesterday", lon = 7.41, lat = 43.73 },
                "<script>",
                new { unitId = _unit1, time = Now.ToString("O"), lon = "7.4", lat = 43.73 },
                new { unitId = _unit1, time = Now.AddSeconds(-1).ToString("O"), lon = 7.41, lat = 43.73, heading = 400 },
            },
        });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, report.GetProperty("accepted").GetInt32());
        var rejected = report.GetProperty("rejected").EnumerateArray().ToDictionary(e => e.GetProperty("index").GetInt32(), e => e.GetProperty("reason").GetString()!);
        Assert.Equal([1, 2, 3, 4, 5, 7, 8, 9, 10], rejected.Keys.Order());
        Assert.Contains("lon 181 is out of range", rejected[1]);
        Assert.Contains("lat -91 is out of range", rejected[2]);
        Assert.Contains("future", rejected[3]);
        Assert.Contains("unknown unit 999999", rejected[4]);
        Assert.Contains("unknown device 'NOPE'", rejected[5]);
        Assert.Contains("time must be an ISO 8601", rejected[7]);
        Assert.Contains("malformed", rejected[8]);
        Assert.Contains("lon must be a number", rejected[9]);
        Assert.Contains("heading 400 is out of range", rejected[10]);

        var db = _server.Database.DataSource;
        Assert.Equal(2, await db.ScalarAsync<long>("SELECT count(*) FROM unit_positions"));
        Assert.Equal(1, await db.ScalarAsync<long>("SELECT count(*) FROM police_units WHERE id = $1 AND last_fix_at IS NOT NULL AND abs(ST_X(last_position) - 7.41) < 1e-9", _unit1));
        Assert.Equal(7.41, _server.App.Services.GetRequiredService<LiveUnits>().Find(_unit1)!.Lon, 9);
    }

    [Fact]
    public async Task An_older_fix_goes_to_history_without_moving_the_unit_back_and_a_retry_stores_nothing_twice()
    {
        var latest = LiveSeed.Fix(_unit1, Now.AddSeconds(-1), 7.415, 43.735);
        var (s1, r1) = await Post(_city, new { fixes = new[] { latest } });
        var (s2, r2) = await Post(_city, new { fixes = new[] { LiveSeed.Fix(_unit1, Now.AddSeconds(-60), 7.401, 43.721) } });
        var (s3, _) = await Post(_city, new { fixes = new[] { latest } });
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK], new[] { s1, s2, s3 });
        Assert.Equal(0, r1.GetProperty("historyOnly").GetInt32());
        Assert.Equal(1, r2.GetProperty("historyOnly").GetInt32());

        var db = _server.Database.DataSource;
        Assert.Equal(2, await db.ScalarAsync<long>("SELECT count(*) FROM unit_positions WHERE unit_id = $1", _unit1));
        Assert.Equal(1, await db.ScalarAsync<long>("SELECT count(*) FROM police_units WHERE id = $1 AND abs(ST_X(last_position) - 7.415) < 1e-9", _unit1));
        Assert.Equal(7.415, _server.App.Services.GetRequiredService<LiveUnits>().Find(_unit1)!.Lon, 9);
        // Today's fixes land in today's partition, not the default one.
        Assert.Equal(0, await db.ScalarAsync<long>("SELECT count(*) FROM unit_positions_default WHERE fix_time > now() - interval '30 minutes'"));
    }

    [Fact]
    public async Task A_station_token_may_not_report_for_the_other_station_and_a_token_of_another_purpose_is_refused()
    {
        using var station1 = await LiveSeed.DeviceAsync(_server, TwoStations.Station1);
        var (status, report) = await Post(station1, new { fixes = new[] { LiveSeed.Fix(_unit2, Now, 7.43, 43.74), LiveSeed.Fix(_unit1, Now, 7.41, 43.73) } });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(1, report.GetProperty("accepted").GetInt32());
        Assert.Contains("another jurisdiction", report.GetProperty("rejected")[0].GetProperty("reason").GetString());

        using var import = await LiveSeed.DeviceAsync(_server, TwoStations.City, "import");
        Assert.Equal(HttpStatusCode.Forbidden, (await import.PostAsJsonAsync("/api/positions", new { fixes = Array.Empty<object>() })).StatusCode);
        using var anonymous = new HttpClient { BaseAddress = new Uri(_server.Url) };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/positions", new { fixes = Array.Empty<object>() })).StatusCode);
    }

    [Fact]
    public async Task Oversized_malformed_and_all_bad_batches_get_clear_errors_and_store_nothing()
    {
        var tooMany = Enumerable.Range(0, 51).Select(i => LiveSeed.Fix(_unit1, Now.AddSeconds(-i), 7.41, 43.73)).ToArray();
        var big = await _city.PostAsJsonAsync("/api/positions", new { fixes = tooMany });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);
        Assert.Contains("at most 50", await big.Content.ReadAsStringAsync());

        var huge = await _city.PostAsync("/api/positions", new StringContent("{\"fixes\":[" + new string(' ', 50_000) + "]}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, huge.StatusCode);

        var notJson = await _city.PostAsync("/api/positions", new StringContent("{fixes:", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Contains("not JSON", await notJson.Content.ReadAsStringAsync());
        var (wrongShape, _) = await Post(_city, new { positions = 1 });
        Assert.Equal(HttpStatusCode.BadRequest, wrongShape);

        var (allBad, report) = await Post(_city, new { fixes = new[] { LiveSeed.Fix(_unit1, Now, 200, 43.73) } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, allBad);
        Assert.Equal(0, report.GetProperty("accepted").GetInt32());
        Assert.Equal(0, await _server.Database.DataSource.ScalarAsync<long>("SELECT count(*) FROM unit_positions"));
    }

    [Fact]
    public async Task Status_changes_follow_the_rules_and_the_list_shows_freshness()
    {
        using var dispatcher = await Browser.SignedInAsync(_server, "disp", "dispatcher", TwoStations.City);
        using var analyst = await Browser.SignedInAsync(_server, "ana", "analyst", TwoStations.City);
        using var officer1 = await Browser.SignedInAsync(_server, "off1", "community_officer", TwoStations.Station1);

        var ok = await dispatcher.PostAsJsonAsync($"/api/units/{_unit1}/status", new { status = "busy", expected = "available" });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("busy", _server.App.Services.GetRequiredService<LiveUnits>().Find(_unit1)!.Status);
        var stale = await dispatcher.PostAsJsonAsync($"/api/units/{_unit1}/status", new { status = "available", expected = "available" });
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var notAllowed = await dispatcher.PostAsJsonAsync($"/api/units/{_unit1}/status", new { status = "on_scene" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, notAllowed.StatusCode);
        Assert.Contains("cannot go from busy to on_scene", await notAllowed.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await dispatcher.PostAsJsonAsync($"/api/units/{_unit1}/status", new { status = "asleep" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await dispatcher.PostAsJsonAsync("/api/units/424242/status", new { status = "busy" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await officer1.PostAsJsonAsync($"/api/units/{_unit2}/status", new { status = "busy" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.PostAsJsonAsync($"/api/units/{_unit1}/status", new { status = "available" })).StatusCode);
        Assert.Equal(1, await _server.Database.DataSource.ScalarAsync<long>(
            "SELECT count(*) FROM unit_status_events WHERE unit_id = $1 AND changed_by = 'disp' AND to_status = 'busy'", _unit1));

        // A device reports a status with its fix: allowed (busy -> available) and refused (unit 2 available -> on_scene).
        var (s, report) = await Post(_city, new { fixes = new[] { LiveSeed.Fix(_unit1, Now.AddSeconds(-50), 7.41, 43.73, "available"),
            LiveSeed.Fix(_unit2, Now.AddSeconds(-200), 7.43, 43.74, "on_scene") } });
        Assert.Equal(HttpStatusCode.OK, s);
        var changes = report.GetProperty("statusChanges").EnumerateArray().ToDictionary(c => c.GetProperty("unitId").GetInt64(), c => c);
        Assert.Equal(JsonValueKind.Null, changes[_unit1].GetProperty("error").ValueKind);
        Assert.Contains("cannot go from available to on_scene", changes[_unit2].GetProperty("error").GetString());

        var units = (await dispatcher.GetFromJsonAsync<JsonElement>("/api/units")).EnumerateArray().ToDictionary(u => u.GetProperty("id").GetInt64(), u => u);
        Assert.Equal("available", units[_unit1].GetProperty("status").GetString());
        Assert.Equal("stale", units[_unit1].GetProperty("freshness").GetString());
        Assert.Equal("offline", units[_unit2].GetProperty("freshness").GetString());
        Assert.InRange(units[_unit1].GetProperty("fixAgeSeconds").GetDouble(), 49, 80);
        Assert.Equal("一所", units[_unit1].GetProperty("station").GetString());
    }
}
