using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GeoTwin.Server.Live;
using Microsoft.Extensions.DependencyInjection;

namespace GeoTwin.Server.Tests.Live;

/// <summary>GET /api/units/{id}/track (simplified, times kept) and /api/units/replay (sampled, scoped).</summary>
[Collection("postgis")]
public sealed class TrackTests(PostgisFixture pg) : IAsyncLifetime
{
    GeoTwinServer _server = null!;
    long _unit1, _unit2;
    readonly DateTime _start = DateTime.UtcNow.AddMinutes(-10);

    public async Task InitializeAsync()
    {
        _server = await pg.StartServerAsync();
        (_unit1, _unit2) = await LiveSeed.SeedAsync(_server.Database.DataSource);
        await _server.App.Services.GetRequiredService<LiveSync>().RefreshAsync(default);
        using var device = await LiveSeed.DeviceAsync(_server, TwoStations.City);
        // 60 fixes a second apart along a straight line (simplifies to its two ends), then a turn north.
        var fixes = Enumerable.Range(0, 60).Select(i => LiveSeed.Fix(_unit1, _start.AddSeconds(i), 7.40 + i * 0.0001, 43.73))
            .Append(LiveSeed.Fix(_unit1, _start.AddSeconds(60), 7.406, 43.735))
            .Append(LiveSeed.Fix(_unit2, _start.AddSeconds(5), 7.43, 43.74)).ToArray();
        (await device.PostAsJsonAsync("/api/positions", new { fixes })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    string Q(DateTime t) => Uri.EscapeDataString(t.ToString("O"));

    [Fact]
    public async Task A_track_is_simplified_for_display_and_keeps_the_time_of_each_point()
    {
        using var http = await Browser.SignedInAsync(_server, "cmd", "commander", TwoStations.City);
        var track = await http.GetFromJsonAsync<JsonElement>($"/api/units/{_unit1}/track?from={Q(_start.AddSeconds(-1))}&to={Q(_start.AddMinutes(5))}");
        Assert.Equal(61, track.GetProperty("fixes").GetInt64());
        var points = track.GetProperty("points").EnumerateArray().Select(p => p.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToList();
        Assert.Equal(3, points.Count);
        Assert.Equal(7.40, points[0][0], 9);
        // the fix's own time (PostgreSQL keeps microseconds), not rounded: a tolerance, as rounding both to 0.01 s can split them
        Assert.Equal((_start - DateTime.UnixEpoch).TotalSeconds, points[0][2], tolerance: 0.001);
        Assert.Equal(43.735, points[2][1], 9);

        var unsimplified = await http.GetFromJsonAsync<JsonElement>($"/api/units/{_unit1}/track?from={Q(_start.AddSeconds(-1))}&to={Q(_start.AddMinutes(5))}&toleranceM=0");
        Assert.True(unsimplified.GetProperty("points").GetArrayLength() > 3);
    }

    [Fact]
    public async Task Bad_windows_unknown_and_foreign_units_are_refused()
    {
        using var officer = await Browser.SignedInAsync(_server, "off1", "community_officer", TwoStations.Station1);
        Assert.Equal(HttpStatusCode.NotFound, (await officer.GetAsync($"/api/units/{_unit2}/track")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await officer.GetAsync("/api/units/987654/track")).StatusCode);
        var backwards = await officer.GetAsync($"/api/units/{_unit1}/track?from={Q(_start)}&to={Q(_start.AddHours(-1))}");
        Assert.Equal(HttpStatusCode.BadRequest, backwards.StatusCode);
        Assert.Contains("before", await backwards.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await officer.GetAsync($"/api/units/{_unit1}/track?from=notatime")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await officer.GetAsync($"/api/units/replay?from={Q(_start.AddDays(-3))}&to={Q(_start)}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await officer.GetAsync("/api/units/replay?stepSeconds=0")).StatusCode);
    }

    [Fact]
    public async Task Replay_samples_every_visible_unit_per_step()
    {
        using var city = await Browser.SignedInAsync(_server, "cmd2", "commander", TwoStations.City);
        using var officer = await Browser.SignedInAsync(_server, "off2", "community_officer", TwoStations.Station1);
        var url = $"/api/units/replay?from={Q(_start.AddSeconds(-1))}&to={Q(_start.AddMinutes(5))}&stepSeconds=10";
        var all = (await city.GetFromJsonAsync<JsonElement>(url)).EnumerateArray().ToDictionary(u => u.GetProperty("unitId").GetInt64(), u => u.GetProperty("points").GetArrayLength());
        Assert.Equal(1, all[_unit2]);
        Assert.InRange(all[_unit1], 7, 8); // 61 s of fixes in 10 s steps
        var mine = (await officer.GetFromJsonAsync<JsonElement>(url)).EnumerateArray().Select(u => u.GetProperty("unitId").GetInt64());
        Assert.Equal([_unit1], mine);
    }

    [Fact]
    public async Task Replay_gives_each_unit_its_status_at_the_start_and_its_changes_in_the_window()
    {
        // the unit's history: busy before the window, available 30 s into it (rows as change_unit_status writes them)
        await _server.Database.DataSource.ExecAsync(
            "INSERT INTO unit_status_events (unit_id, from_status, to_status, changed_by, changed_at) VALUES ($1, 'available', 'busy', 'test', $2), ($1, 'busy', 'available', 'test', $3)",
            _unit1, _start.AddMinutes(-2), _start.AddSeconds(30));
        using var city = await Browser.SignedInAsync(_server, "cmd3", "commander", TwoStations.City);
        var from = _start.AddSeconds(-1);
        var replay = await city.GetFromJsonAsync<JsonElement>($"/api/units/replay?from={Q(from)}&to={Q(_start.AddMinutes(5))}&stepSeconds=10");
        var statuses = replay.EnumerateArray().Single(u => u.GetProperty("unitId").GetInt64() == _unit1).GetProperty("statuses").EnumerateArray()
            .Select(x => (At: x.GetProperty("at").GetDouble(), Status: x.GetProperty("status").GetString())).ToList();
        Assert.Equal(["busy", "available"], statuses.Select(x => x.Status));
        Assert.Equal((from - DateTime.UnixEpoch).TotalSeconds, statuses[0].At, tolerance: 0.001);
        Assert.Equal((_start.AddSeconds(30) - DateTime.UnixEpoch).TotalSeconds, statuses[1].At, tolerance: 0.001);
    }
}
