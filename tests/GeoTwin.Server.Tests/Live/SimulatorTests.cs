using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GeoTwin.DataImport.Demo;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Live;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GeoTwin.Server.Tests.Live;

/// <summary>
/// The demo's unit simulator under supervision (failures logged, retried, restarted), the live feed's stall in /readyz,
/// and a dispatched unit that drives to its incident by itself until Dispatch's arrival watcher records it.
/// One server with the Monaco demo; the simulator is run by the tests themselves (GeoTwin:Demo is not set).
/// </summary>
[Collection("postgis")]
public sealed class SimulatorTests(PostgisFixture pg) : IAsyncLifetime
{
    sealed record World(GeoTwinServer Server, string Root, HttpClient Dispatcher);
    static readonly Shared<World> Shared = new();
    World _w = null!;

    public async Task InitializeAsync() => _w = await Shared.GetAsync(() => BuildAsync(pg));

    public Task DisposeAsync() => Task.CompletedTask;

    static async Task<World> BuildAsync(PostgisFixture pg)
    {
        var server = await pg.StartServerAsync(new()
        {
            ["GeoTwin:Dispatch:ArrivalCheckSeconds"] = "0.5", ["GeoTwin:Freshness:OfflineSeconds"] = "86400",
            ["GeoTwin:Live:StallSeconds"] = "2", ["GeoTwin:Jt808:Port"] = "0",
            ["Logging:LogLevel:GeoTwin.Server.Dispatch.ArrivalWatcher"] = "None",
        });
        await DemoJurisdiction.LoadIfEmptyAsync(server.Database.DataSource);
        await server.App.Services.GetRequiredService<LiveSync>().RefreshAsync(default);
        var root = await server.Database.DataSource.ScalarAsync<string>("SELECT code FROM jurisdictions WHERE parent_id IS NULL");
        return new World(server, root, await Browser.SignedInAsync(server, "sim-disp", "dispatcher", root));
    }

    /// <summary>A logger that keeps every line, to assert what was said and why.</summary>
    sealed class Lines : ILogger
    {
        public readonly ConcurrentQueue<(LogLevel Level, string Text)> All = new();
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel level, EventId id, TState state, Exception? e, Func<TState, Exception?, string> format) =>
            All.Enqueue((level, format(state, e)));
    }

    static async Task Until(Func<Task<bool>> condition, string what, int seconds = 240)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, $"never happened: {what}");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task A_loop_failing_on_the_database_is_logged_with_its_reason_and_restarted()
    {
        var log = new Lines();
        var states = new List<string>();
        var runs = 0;
        await Supervised.RunAsync("probe", async ct =>
        {
            // two runs fail on a real database error, the third finishes its work
            if (++runs < 3) await _w.Server.Database.DataSource.ScalarAsync<int>("SELECT 1 / 0");
        }, new Backoff(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(40), TimeSpan.FromHours(1)), log, states.Add, default);

        Assert.Equal(3, runs);
        var errors = log.All.Where(l => l.Level == LogLevel.Error).Select(l => l.Text).ToList();
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Contains("division by zero", e));
        Assert.Contains("attempt 2", errors[1]);
        Assert.Equal(["running", "restarting in 0 s (attempt 1): PostgresException: 22012: division by zero", "running",
            "restarting in 0 s (attempt 2): PostgresException: 22012: division by zero", "running"], states);
        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(60)],
            new[] { 1, 4, 12 }.Select(Backoff.Default.After));
    }

    /// <summary>
    /// The simulator posts through a small real front that answers 503 three times, then passes posts on to GeoTwin:
    /// each failure is logged with its reason and the next second tries again, until fixes are stored.
    /// </summary>
    [Fact]
    public async Task A_failing_ingest_is_logged_and_retried_until_fixes_are_stored()
    {
        var failures = 0;
        var stored = new TaskCompletionSource();
        using var upstream = new HttpClient { BaseAddress = new Uri(_w.Server.Url) };
        var front = WebApplication.CreateSlimBuilder();
        front.WebHost.UseUrls("http://127.0.0.1:0");
        front.Logging.ClearProviders();
        await using var app = front.Build();
        app.MapPost("/api/positions", async (HttpRequest request) =>
        {
            if (Interlocked.Increment(ref failures) <= 3) return Results.StatusCode(503);
            using var forward = new HttpRequestMessage(HttpMethod.Post, "/api/positions") { Content = new StreamContent(request.Body) };
            forward.Content.Headers.ContentType = new("application/json");
            forward.Headers.TryAddWithoutValidation("Authorization", request.Headers.Authorization.ToString());
            var answer = await upstream.SendAsync(forward);
            if (answer.IsSuccessStatusCode) stored.TrySetResult();
            return Results.StatusCode((int)answer.StatusCode);
        });
        await app.StartAsync();
        var frontUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        var log = new Lines();
        using var stop = new CancellationTokenSource();
        var run = new UnitSimulator(_w.Server.Database.DataSource, log).RunAsync(new Uri(frontUrl + "/"), stop.Token);
        await Task.WhenAny(stored.Task, run);
        Assert.True(stored.Task.IsCompleted, $"the simulator ended: {run.Exception}");
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        var warnings = log.All.Where(l => l.Level == LogLevel.Warning).Select(l => l.Text).ToList();
        Assert.Equal(3, warnings.Count);
        Assert.All(warnings, w => Assert.Contains("ingest answered 503", w));
        Assert.Contains("failure 3 in a row", warnings[2]);
    }

    /// <summary>No fix stored for StallSeconds (2 here) after the feed started: /readyz says "stalled"; a fix makes it live again.</summary>
    [Fact]
    public async Task A_stalled_feed_is_reported_in_readyz_and_a_fix_ends_it()
    {
        using var device = await LiveSeed.DeviceAsync(_w.Server, _w.Root);
        var unit = _w.Server.App.Services.GetRequiredService<LiveUnits>().Snapshot().First(u => u.HasFix);
        async Task<JsonElement> FeedAsync()
        {
            var ready = await _w.Dispatcher.GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode); // a stalled feed is reported, the server still serves
            return (await ready.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("liveFeed");
        }
        async Task PostAsync() => (await device.PostAsJsonAsync("/api/positions",
            new { fixes = new[] { LiveSeed.Fix(unit.Id, DateTime.UtcNow, unit.Lon, unit.Lat) } })).EnsureSuccessStatusCode();

        await PostAsync();
        JsonElement feed = default;
        await Until(async () => (feed = await FeedAsync()).GetProperty("state").GetString() == "stalled", "the feed reported stalled", 60);
        // stalled means more than 2 s; the report rounds to 0.1 s, so 2.04 s reads 2.0 (a full run saw exactly that)
        Assert.True(feed.GetProperty("secondsSinceLastFix").GetDouble() >= 2, feed.ToString());
        Assert.Equal(2, feed.GetProperty("stallSeconds").GetDouble());

        await PostAsync();
        Assert.Equal("live", (await FeedAsync()).GetProperty("state").GetString());
    }

    /// <summary>
    /// A unit dispatched in the demo drives the recommended road route by itself (reporting en route), and the arrival
    /// watcher records its arrival from its position; closed, the unit is released and patrols again.
    /// </summary>
    [Fact]
    public async Task A_dispatched_simulated_unit_drives_to_the_incident_and_its_arrival_is_recorded()
    {
        var db = _w.Server.Database.DataSource;
        var live = _w.Server.App.Services.GetRequiredService<LiveUnits>();
        var log = new Lines();
        using var stop = new CancellationTokenSource();
        var started = DateTime.UtcNow;
        // The demo's cars are JT/T 808 terminals: they report over TCP to the server's gateway, the rest over HTTP.
        var gateway = _w.Server.App.Services.GetRequiredService<GeoTwin.Server.Live.Jt808.Jt808Gateway>();
        var terminals = new IPEndPoint(IPAddress.Loopback, await gateway.BoundPort);
        var run = new UnitSimulator(db, log) { Jt808 = terminals }.RunAsync(new Uri(_w.Server.Url + "/"), stop.Token);
        try
        {
            await Until(() => Task.FromResult(run.IsCompleted || live.Snapshot().Any(u => u.Kind == "car" && u.FixAt > started)), "simulated fixes");
            Assert.Contains(log.All, l => l.Text.Contains("registered and authenticated over JT/T 808"));
            Assert.True(_w.Server.App.Services.GetRequiredService<GeoTwin.Server.Live.Jt808.Jt808Health>().Connections > 0);
            Assert.False(run.IsCompleted, $"the simulator ended: {run.Exception}");
            // a point on a street some 400 m from an available car of a station, inside that station
            var car = live.Snapshot().Where(u => u.Kind == "car" && u.Status == "available" && u.FixAt > started).OrderBy(u => u.Id).First();
            await using var cmd = db.CreateCommand("""
                SELECT ST_X(p), ST_Y(p) FROM (
                  SELECT ST_LineInterpolatePoint(r.geom, 0.5) p FROM roads r
                  WHERE r.road_class IN ('residential', 'tertiary', 'secondary', 'primary') AND r.oneway = 0
                    AND ST_DWithin(r.geom::geography, ST_MakePoint($1, $2)::geography, 500)) x
                WHERE ST_Distance(p::geography, ST_MakePoint($1, $2)::geography) > 250
                  AND EXISTS (SELECT 1 FROM jurisdictions j WHERE j.kind = 'station' AND ST_Covers(j.boundary, p))
                ORDER BY ST_Distance(p::geography, ST_MakePoint($1, $2)::geography) LIMIT 1
                """);
            cmd.Parameters.AddWithValue(car.Lon);
            cmd.Parameters.AddWithValue(car.Lat);
            var at = await cmd.ListAsync(r => (Lon: r.GetDouble(0), Lat: r.GetDouble(1)), default);
            Assert.NotEmpty(at);
            var created = await _w.Dispatcher.PostAsJsonAsync("/api/incidents", new { category = "missing_person", priority = 1, location = new { lon = at[0].Lon, lat = at[0].Lat } });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var code = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString()!;
            var rec = await _w.Dispatcher.GetFromJsonAsync<JsonElement>($"/api/incidents/{code}/recommendations?k=3");
            var first = rec.GetProperty("units").EnumerateArray().First(u => u.GetProperty("etaBasis").GetString() == "road");
            var unitId = first.GetProperty("unitId").GetInt64();
            var sent = await _w.Dispatcher.PostAsJsonAsync($"/api/incidents/{code}/dispatch",
                new { units = new[] { new { unitId, seenStatus = first.GetProperty("status").GetString() } } });
            Assert.True(sent.IsSuccessStatusCode, await sent.Content.ReadAsStringAsync());

            JsonElement detail = default;
            await Until(async () => (detail = await _w.Dispatcher.GetFromJsonAsync<JsonElement>($"/api/incidents/{code}/detail"))
                .GetProperty("status").GetString() == "on_scene" || run.IsCompleted, "arrival recorded");
            Assert.False(run.IsCompleted, $"the simulator ended: {run.Exception}");
            var assigned = detail.GetProperty("units")[0];
            Assert.Equal("position", assigned.GetProperty("arrivalHow").GetString());
            Assert.True(assigned.GetProperty("arrivedAt").GetDateTime() > assigned.GetProperty("dispatchedAt").GetDateTime());
            // the device reported en route on the way, through the one status rule
            var statuses = await db.CreateCommand($"SELECT to_status FROM unit_status_events WHERE unit_id = {unitId} ORDER BY id")
                .ListAsync(r => r.GetString(0), default);
            Assert.Equal(["dispatched", "en_route", "on_scene"], statuses.Skip(statuses.LastIndexOf("dispatched")).ToList());
            var there = live.Find(unitId)!;
            // it drove at the pace the dispatcher's ETA promised (the one rule, UnitTravel): the same time, give or take the
            // seconds the unit patrolled on between the recommendation and the simulator's next tick
            var drive = Assert.Single(log.All, l => l.Text.Contains($"unit {unitId} (") && l.Text.Contains("drives")).Text;
            var driveSeconds = double.Parse(System.Text.RegularExpressions.Regex.Match(drive, @", (\d+) s$").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            var eta = first.GetProperty("etaSeconds").GetDouble();
            Assert.True(Math.Abs(driveSeconds - eta) <= Math.Max(30, eta / 2), $"ETA {eta} s on screen, the simulator: {drive}");

            (await _w.Dispatcher.PostAsJsonAsync($"/api/incidents/{code}/close", new { disposition = "found" })).EnsureSuccessStatusCode();
            // released: available, and off on patrol again from the scene
            await Until(() => Task.FromResult(live.Find(unitId) is { Status: "available" } u && (u.Lon, u.Lat) != (there.Lon, there.Lat) && u.SpeedKmh > 0),
                "the released unit patrols again");
        }
        finally
        {
            stop.Cancel();
            try { await run; } catch (OperationCanceledException) { }
        }
    }
}
