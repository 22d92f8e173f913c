using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GeoTwin.Server.Live;
using GeoTwin.Server.Live.Crowds;
using Microsoft.AspNetCore.SignalR.Client;

namespace GeoTwin.Server.Tests.Live.Crowds;

/// <summary>
/// /api/crowds end to end on the two stations: areas drawn by a commander, counts from a crowd_ingest token (all of a
/// batch or none of it), levels by time of day as events (changes only), reads in scope, the live push.
/// </summary>
[Collection("postgis")]
public sealed class CrowdApiTests(PostgisFixture pg) : IAsyncLifetime
{
    GeoTwinServer _server = null!;
    HttpClient _counter1 = null!, _commander1 = null!, _commander2 = null!;
    readonly List<HubConnection> _hubs = [];

    public async Task InitializeAsync()
    {
        _server = await pg.StartServerAsync();
        await TwoStations.SeedAsync(_server.Database.DataSource);
        _counter1 = await LiveSeed.DeviceAsync(_server, TwoStations.Station1, "crowd_ingest");
        _commander1 = await Browser.SignedInAsync(_server, "ccmd1", "commander", TwoStations.Station1);
        _commander2 = await Browser.SignedInAsync(_server, "ccmd2", "commander", TwoStations.Station2);
    }

    public async Task DisposeAsync()
    {
        foreach (var h in _hubs) await h.DisposeAsync();
        foreach (var c in new[] { _counter1, _commander1, _commander2 }) c.Dispose();
        await _server.DisposeAsync();
    }

    static async Task<JsonElement> Json(HttpResponseMessage r) => await r.Content.ReadFromJsonAsync<JsonElement>();

    static object Square(double lon, double lat) => new
    {
        type = "Polygon",
        coordinates = new[] { new[] { new[] { lon, lat }, new[] { lon + 0.001, lat }, new[] { lon + 0.001, lat + 0.001 }, new[] { lon, lat + 0.001 }, new[] { lon, lat } } },
    };

    /// <summary>Capacity 100; night from 00:00 yellow/orange/red at 50/70/90 %, day from 10:00 at 80/90/95 %.</summary>
    async Task<long> AreaAsync(HttpClient who, string name, double lon, params string[] sensors)
    {
        var created = await who.PostAsJsonAsync("/api/crowds/areas", new
        {
            name, area = Square(lon, 43.73), capacity = 100,
            thresholds = new object[]
            {
                new { from = "00:00", yellow = 0.5, orange = 0.7, red = 0.9 },
                new { from = "10:00", yellow = 0.8, orange = 0.9, red = 0.95 },
            },
            sensors = sensors.Select(s => new { code = s, name = "闸机 " + s }).ToArray(),
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await Json(created)).GetProperty("id").GetInt64();
    }

    static string Yesterday(int hour, int minute = 0) => DateTime.UtcNow.Date.AddDays(-1).AddHours(hour).AddMinutes(minute).ToString("O");

    async Task<long> StoredAsync() => await _server.Database.DataSource.ScalarAsync<long>("SELECT count(*) FROM crowd_counts");

    [Fact]
    public async Task Counts_raise_level_changes_by_time_of_day_as_events_changes_only()
    {
        var beach = await AreaAsync(_commander1, "拉沃托海滩 Larvotto", 7.405, "G1", "G2");
        var sent = await _counter1.PostAsJsonAsync("/api/crowds/counts", new
        {
            counts = new object[]
            {
                new { sensor = "G1", time = Yesterday(9, 0), count = 30, @in = 40, @out = 10 },
                new { sensor = "G2", time = Yesterday(9, 5), count = 25 }, // 55 of 100 at night's thresholds: yellow
            },
        });
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        var report = await Json(sent);
        Assert.Equal(2, report.GetProperty("stored").GetInt32());
        var raised = Assert.Single(report.GetProperty("events").EnumerateArray());
        Assert.Equal(("yellow", "normal", 55), (raised.GetProperty("level").GetString(), raised.GetProperty("previousLevel").GetString(), raised.GetProperty("count").GetInt32()));

        // The same crowd again: no event (changes only). Then 10:30: the day's thresholds (80) make 56 normal again.
        var again = await Json(await _counter1.PostAsJsonAsync("/api/crowds/counts", new { counts = new[] { new { sensor = "G1", time = Yesterday(9, 10), count = 31 } } }));
        Assert.Empty(again.GetProperty("events").EnumerateArray());
        var day = await Json(await _counter1.PostAsJsonAsync("/api/crowds/counts", new { counts = new[] { new { areaId = beach, time = Yesterday(10, 30), count = 0 } } }));
        // the area's own count (0) adds to the sensors' latest (31 + 25): 56 at 10:30 < 80 × 0.95
        Assert.Equal("normal", Assert.Single(day.GetProperty("events").EnumerateArray()).GetProperty("level").GetString());
        var red = await Json(await _counter1.PostAsJsonAsync("/api/crowds/counts", new { counts = new[] { new { areaId = beach, time = Yesterday(15, 0), count = 50 } } }));
        Assert.Equal("red", Assert.Single(red.GetProperty("events").EnumerateArray()).GetProperty("level").GetString()); // 106 of 100

        var events = await Json(await _commander1.GetAsync("/api/crowds/events"));
        Assert.Equal(["red", "normal", "yellow"], events.EnumerateArray().Select(e => e.GetProperty("level").GetString()));
        var areas = await Json(await _commander1.GetAsync("/api/crowds/areas"));
        var listed = Assert.Single(areas.EnumerateArray());
        Assert.Equal(("red", 106, 100), (listed.GetProperty("level").GetString(), listed.GetProperty("count").GetInt32(), listed.GetProperty("capacity").GetInt32()));
        Assert.Equal(["G1", "G2"], listed.GetProperty("sensors").EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task A_bad_batch_is_refused_naming_the_field_and_nothing_of_it_is_stored()
    {
        var mine = await AreaAsync(_commander1, "一所广场", 7.405, "S1");
        var theirs = await AreaAsync(_commander2, "二所广场", 7.430);
        var good = new { areaId = mine, time = Yesterday(12), count = 10 };
        var future = DateTime.UtcNow.AddHours(1).ToString("O");
        var cases = new (object Bad, HttpStatusCode Status, string Field)[]
        {
            (new { areaId = mine, time = Yesterday(12), count = -5 }, HttpStatusCode.BadRequest, "counts[1].count"),
            (new { areaId = mine, time = Yesterday(12), count = 2.5 }, HttpStatusCode.BadRequest, "counts[1].count"),
            (new { areaId = mine, time = Yesterday(12), count = "many" }, HttpStatusCode.BadRequest, "counts[1].count"),
            (new { areaId = mine, time = Yesterday(12) }, HttpStatusCode.BadRequest, "counts[1].count"),
            (new { areaId = mine, time = future, count = 3 }, HttpStatusCode.BadRequest, "counts[1].time"),
            (new { areaId = mine, time = "yesterday", count = 3 }, HttpStatusCode.BadRequest, "counts[1].time"),
            (new { areaId = mine, time = Yesterday(12), count = 3, @in = -1 }, HttpStatusCode.BadRequest, "counts[1].in"),
            (new { time = Yesterday(12), count = 3 }, HttpStatusCode.BadRequest, "counts[1].areaId"),
            (new { areaId = 999_999, time = Yesterday(12), count = 3 }, HttpStatusCode.UnprocessableEntity, "counts[1].areaId"),
            (new { sensor = "NOPE", time = Yesterday(12), count = 3 }, HttpStatusCode.UnprocessableEntity, "counts[1].sensor"),
            (new { areaId = theirs, time = Yesterday(12), count = 3 }, HttpStatusCode.UnprocessableEntity, "counts[1].areaId"),
        };
        foreach (var (bad, status, field) in cases)
        {
            var answer = await _counter1.PostAsJsonAsync("/api/crowds/counts", new { counts = new[] { good, bad } });
            Assert.True(status == answer.StatusCode, $"{field}: {answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
            var problem = await Json(answer);
            Assert.Equal(field, problem.GetProperty("field").GetString());
            Assert.StartsWith(field + ":", problem.GetProperty("detail").GetString());
            Assert.Equal(0, await StoredAsync()); // not even the good count before it
        }
        var tooMany = await _counter1.PostAsJsonAsync("/api/crowds/counts", new { counts = Enumerable.Repeat(good, CrowdIngest.MaxBatch + 1).ToArray() });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooMany.StatusCode);
        Assert.Equal("counts", (await Json(tooMany)).GetProperty("field").GetString());
        Assert.Equal(0, await StoredAsync());

        var full = await _counter1.PostAsJsonAsync("/api/crowds/counts", new { counts = Enumerable.Repeat(good, CrowdIngest.MaxBatch).ToArray() });
        Assert.Equal(HttpStatusCode.OK, full.StatusCode);
        Assert.Equal(CrowdIngest.MaxBatch, await StoredAsync());

        // Only a crowd_ingest token posts counts; only admins and commanders draw areas.
        using var positions = await LiveSeed.DeviceAsync(_server, TwoStations.Station1);
        Assert.Equal(HttpStatusCode.Forbidden, (await positions.PostAsJsonAsync("/api/crowds/counts", new { counts = new[] { good } })).StatusCode);
        using var dispatcher = await Browser.SignedInAsync(_server, "cdisp1", "dispatcher", TwoStations.Station1);
        Assert.Equal(HttpStatusCode.Forbidden, (await dispatcher.PostAsJsonAsync("/api/crowds/areas", new { name = "x" })).StatusCode);
    }

    [Fact]
    public async Task Areas_are_drawn_checked_and_read_in_scope_only()
    {
        var mine = await AreaAsync(_commander1, "一所码头 pier", 7.405, "P1");
        var created = await _commander1.PostAsJsonAsync("/api/crowds/areas", new
        {
            name = "bad", area = Square(7.41, 43.73), capacity = 100, thresholds = new[] { new { from = "00:00", yellow = 0.9, orange = 0.7, red = 0.95 } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);
        Assert.Equal("thresholds[0]", (await Json(created)).GetProperty("field").GetString());
        var outside = await _commander1.PostAsJsonAsync("/api/crowds/areas", new
        {
            name = "not mine", area = Square(7.43, 43.73), capacity = 100, thresholds = new[] { new { from = "00:00", yellow = 0.5, orange = 0.7, red = 0.9 } },
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, outside.StatusCode);
        var taken = await _commander2.PostAsJsonAsync("/api/crowds/areas", new
        {
            name = "dup", area = Square(7.43, 43.73), capacity = 100, thresholds = new[] { new { from = "00:00", yellow = 0.5, orange = 0.7, red = 0.9 } },
            sensors = new[] { new { code = "P1", name = "" } },
        });
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);

        Assert.Empty((await Json(await _commander2.GetAsync("/api/crowds/areas"))).EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await _commander2.GetAsync($"/api/crowds/areas/{mine}/today")).StatusCode);
        var counts = Enumerable.Range(0, 7).Select(d => new { areaId = mine, time = DateTime.UtcNow.Date.AddDays(-d).AddHours(0).AddMinutes(20).ToString("O"), count = 10 + d })
            .Where(c => DateTime.Parse(c.time).ToUniversalTime() < DateTime.UtcNow).ToArray();
        Assert.Equal(HttpStatusCode.OK, (await _counter1.PostAsJsonAsync("/api/crowds/counts", new { counts })).StatusCode);
        Assert.Empty((await Json(await _commander2.GetAsync("/api/crowds/events"))).EnumerateArray());

        var today = await Json(await _commander1.GetAsync($"/api/crowds/areas/{mine}/today"));
        Assert.Equal(96, today.GetProperty("today").GetArrayLength());
        Assert.Equal("UTC", today.GetProperty("timeZone").GetString()); // the test tree names no time zone
        // 00:20 is the second quarter hour; today's count is there once the day is past 00:20
        if (DateTime.UtcNow.TimeOfDay > TimeSpan.FromMinutes(20)) Assert.Equal(10, today.GetProperty("today")[1].GetInt32());
        // the ingest takes counts up to 7 days old, so here the same weekday has no count: the median of the 6 days before
        Assert.Equal("recent_days", today.GetProperty("typicalBasis").GetString());
        Assert.Equal(6, today.GetProperty("typicalDays").GetArrayLength());
        Assert.Equal(13.5, today.GetProperty("typical")[1].GetDouble()); // median of 11..16
    }

    [Fact]
    public async Task A_level_change_is_pushed_to_the_areas_station_only()
    {
        async Task<ConcurrentQueue<CrowdEventView>> WatchAsync(string user, string jurisdiction)
        {
            var hub = await SignedInHub.BuildAsync(_server, user, "commander", jurisdiction, LiveHub.Path);
            _hubs.Add(hub);
            var received = new ConcurrentQueue<CrowdEventView>();
            hub.On<List<CrowdEventView>>(CrowdService.EventsMessage, list => { foreach (var e in list) received.Enqueue(e); });
            await hub.StartAsync();
            await hub.InvokeAsync<LiveSnapshot>("Subscribe", 7.0, 43.0, 7.01, 43.01); // anywhere: the jurisdiction's alerts come
            return received;
        }
        var station1 = await WatchAsync("cwatch1", TwoStations.Station1);
        var station2 = await WatchAsync("cwatch2", TwoStations.Station2);
        var area = await AreaAsync(_commander1, "一所海滩", 7.405);
        var sent = await _counter1.PostAsJsonAsync("/api/crowds/counts", new { counts = new[] { new { areaId = area, time = Yesterday(8), count = 95 } } });
        var stored = Assert.Single((await Json(sent)).GetProperty("events").EnumerateArray());

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (station1.IsEmpty && DateTime.UtcNow < deadline) await Task.Delay(100);
        var pushed = Assert.Single(station1);
        Assert.Equal((stored.GetProperty("id").GetInt64(), area, "red", 95), (pushed.Id, pushed.AreaId, pushed.Level, pushed.Count));
        // station 2's viewer was subscribed before station 1's and is told nothing of it
        Assert.Empty(station2);
    }
}
