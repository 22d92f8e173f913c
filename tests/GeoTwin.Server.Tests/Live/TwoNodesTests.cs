using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Live;
using GeoTwin.Server.Live.Geofences;
using GeoTwin.Server.Tiles;
using GeoTwin.Tiling.Tiles;
using Hangfire;
using Hangfire.Server;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using NetTopologySuite.IO.VectorTiles.Mapbox;
using Npgsql;

namespace GeoTwin.Server.Tests.Live;

/// <summary>
/// Two GeoTwin nodes in one process on one database, sharing pushes through a real redis-server (started here on a free
/// port), as they would behind a load balancer (issue #22): a fix ingested on one node is in the other's memory, a
/// viewer on either is pushed each fix once, a fence drawn on one is judged on the other and fires once, a recurring
/// Hangfire job runs once an occurrence, one node leads the once-only loops until it goes, and a tile one node has
/// cached is fresh after a write on the other.
/// </summary>
[Collection("postgis")]
public sealed class TwoNodesTests(PostgisFixture pg) : IAsyncLifetime
{
    Process _redis = null!;
    GeoTwinServer _a = null!, _b = null!;
    long _unit1, _unit2;
    readonly List<IAsyncDisposable> _owned = [];

    public async Task InitializeAsync()
    {
        var port = FreePort();
        _redis = Process.Start(new ProcessStartInfo("/usr/bin/redis-server",
            ["--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            { RedirectStandardOutput = true, RedirectStandardError = true })!;
        _redis.OutputDataReceived += (_, _) => { };
        _redis.BeginOutputReadLine();
        await Until(async () =>
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException) { return false; }
        }, "redis-server listens");

        var shared = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = $"127.0.0.1:{port}",
            ["GeoTwin:Jobs:Worker"] = "true",
            ["GeoTwin:Jobs:PollingSeconds"] = "1",
            ["GeoTwin:Jobs:SweepSeconds"] = "1",
        };
        _a = await pg.StartServerAsync(shared);
        _b = await pg.StartServerAsync(new(shared) { ["ConnectionStrings:GeoTwin"] = _a.Database.ConnectionString });
        (_unit1, _unit2) = await LiveSeed.SeedAsync(_a.Database.DataSource);
        await _a.App.Services.GetRequiredService<LiveSync>().RefreshAsync(default);
        await _b.App.Services.GetRequiredService<LiveSync>().RefreshAsync(default);
    }

    public async Task DisposeAsync()
    {
        foreach (var o in _owned) await o.DisposeAsync();
        await _b.DisposeAsync();
        await _a.DisposeAsync();
        if (!_redis.HasExited) _redis.Kill();
        await _redis.WaitForExitAsync();
        _redis.Dispose();
    }

    [Fact]
    public async Task A_fix_ingested_on_A_is_in_Bs_units_and_nearest_and_Bs_viewer_is_pushed_it_once()
    {
        var viewer = await SignedInHub.BuildAsync(_b, "nviewer", "commander", TwoStations.City, LiveHub.Path);
        _owned.Add(viewer);
        var positions = new ConcurrentQueue<UnitView>();
        var moves = 0;
        viewer.On<List<UnitView>>(LiveHub.PositionsMessage, list => { foreach (var u in list) positions.Enqueue(u); });
        viewer.On<byte[]>(LiveHub.MovesMessage, _ => Interlocked.Increment(ref moves));
        await viewer.StartAsync();
        await viewer.InvokeAsync<LiveSnapshot>("Subscribe", 7.0, 43.5, 7.8, 44.0);

        using var deviceA = await LiveSeed.DeviceAsync(_a, TwoStations.City);
        var t = WholeSecond(DateTime.UtcNow.AddSeconds(-5));
        (await deviceA.PostAsJsonAsync("/api/positions", new { fixes = new[] { LiveSeed.Fix(_unit1, t, 7.4101, 43.7301) } })).EnsureSuccessStatusCode();

        // B's memory (the nearest-unit query, which dispatch's ranking reads too) and B's list.
        using var onB = await Browser.SignedInAsync(_b, "ncmd", "commander", TwoStations.City);
        await Until(async () => (await onB.GetFromJsonAsync<JsonElement>("/api/units/nearest?lon=7.41&lat=43.73&k=5"))
            .EnumerateArray().Any(u => u.GetProperty("id").GetInt64() == _unit1 && Math.Abs(u.GetProperty("lon").GetDouble() - 7.4101) < 1e-6),
            "B's memory holds A's fix");
        Assert.Equal(t, _b.App.Services.GetRequiredService<LiveUnits>().Find(_unit1)!.FixAt!.Value, TimeSpan.FromMilliseconds(1));
        var listed = (await onB.GetFromJsonAsync<JsonElement>("/api/units")).EnumerateArray().Single(u => u.GetProperty("id").GetInt64() == _unit1);
        Assert.Equal(7.4101, listed.GetProperty("lon").GetDouble(), 6);

        await Until(() => Task.FromResult(positions.Any(u => u.Id == _unit1)), "B's viewer is pushed A's fix");
        // A marker from B itself: B's pushes reach its viewer in order, so a second push of A's fix by B (had B's relay
        // pushed it) would arrive before the marker.
        using var deviceB = await LiveSeed.DeviceAsync(_b, TwoStations.City);
        (await deviceB.PostAsJsonAsync("/api/positions", new { fixes = new[] { LiveSeed.Fix(_unit2, t, 7.4201, 43.7301) } })).EnsureSuccessStatusCode();
        await Until(() => Task.FromResult(positions.Any(u => u.Id == _unit2)), "B's viewer is pushed B's marker fix");
        Assert.Single(positions, u => u.Id == _unit1);
        Assert.Single(positions, u => u.Id == _unit2);
        Assert.Equal(0, Volatile.Read(ref moves));
        // And A has B's fix in memory too.
        await Until(() => Task.FromResult(_a.App.Services.GetRequiredService<LiveUnits>().Find(_unit2)?.FixAt is not null), "A's memory holds B's fix");
    }

    [Fact]
    public async Task A_status_changed_on_A_is_in_Bs_memory()
    {
        using var dispatcherA = await Browser.SignedInAsync(_a, "ndisp", "dispatcher", TwoStations.City);
        var before = _b.App.Services.GetRequiredService<LiveUnits>().Find(_unit1)!.Status;
        var to = before == "available" ? "busy" : "available";
        (await dispatcherA.PostAsJsonAsync($"/api/units/{_unit1}/status", new { status = to })).EnsureSuccessStatusCode();
        await Until(() => Task.FromResult(_b.App.Services.GetRequiredService<LiveUnits>().Find(_unit1)!.Status == to), "B's memory holds A's status change");
    }

    [Fact]
    public async Task A_fence_drawn_on_A_fires_once_for_a_fix_ingested_on_B()
    {
        using var dispatcherA = await Browser.SignedInAsync(_a, "nfence", "dispatcher", TwoStations.Station1);
        var created = await dispatcherA.PostAsJsonAsync("/api/geofences", new
        {
            name = "两节点 fence", circle = new { lon = 7.41, lat = 43.73, radiusM = 200 }, rules = new[] { "enter", "exit" },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var fenceId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var engineB = _b.App.Services.GetRequiredService<GeofenceService>().Engine;
        await Until(() => Task.FromResult(engineB.FenceCount == 1), "B's engine holds the fence drawn on A");

        // Outside then inside, on B: B judges the enter.
        using var deviceB = await LiveSeed.DeviceAsync(_b, TwoStations.City);
        var t = WholeSecond(DateTime.UtcNow.AddSeconds(-20));
        (await deviceB.PostAsJsonAsync("/api/positions", new
        {
            fixes = new[] { LiveSeed.Fix(_unit1, t, 7.400, 43.73), LiveSeed.Fix(_unit1, t.AddSeconds(5), 7.410, 43.73) },
        })).EnsureSuccessStatusCode();
        var events = new List<(string Rule, long Fence)>();
        async Task<bool> Listed(int count)
        {
            events = [.. (await dispatcherA.GetFromJsonAsync<JsonElement>("/api/geofences/events")).EnumerateArray()
                .Select(e => (e.GetProperty("rule").GetString()!, e.GetProperty("fenceId").GetInt64())).Reverse()];
            return events.Count >= count;
        }
        await Until(() => Listed(1), "the enter is stored");

        // Then out again, on A, once A's memory has B's fixes: A judges the exit from where the unit really was. Had A
        // judged B's fixes too, its enter would have been stored before this exit (one queue, in order).
        var unitsA = _a.App.Services.GetRequiredService<LiveUnits>();
        await Until(() => Task.FromResult(unitsA.Find(_unit1)?.FixAt == t.AddSeconds(5)), "A's memory holds B's fixes");
        using var deviceA = await LiveSeed.DeviceAsync(_a, TwoStations.City);
        (await deviceA.PostAsJsonAsync("/api/positions", new { fixes = new[] { LiveSeed.Fix(_unit1, t.AddSeconds(10), 7.400, 43.73) } }))
            .EnsureSuccessStatusCode();
        await Until(() => Listed(2), "the exit is stored");
        Assert.Equal([("enter", fenceId), ("exit", fenceId)], events);
    }

    [Fact]
    public async Task A_tile_B_has_cached_is_fresh_after_a_write_on_A()
    {
        // B builds and caches the tile first; then an incident is taken on A. B's next tile must hold it: the tile cache's
        // key carries the data versions, which every node reads from the one database, not from its own memory.
        var tile = TileAddress.Containing(7.4123, 43.7312, 16);
        var url = $"/tiles/incidents/{tile.Z}/{tile.X}/{tile.Y}.mvt";
        using var onB = await Browser.SignedInAsync(_b, "ntiles", "commander", TwoStations.City);
        async Task<List<string>> CodesOnB()
        {
            var response = await onB.GetAsync(url);
            if (response.StatusCode == HttpStatusCode.NoContent) return []; // an empty tile
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await using var stream = new MemoryStream(await response.Content.ReadAsByteArrayAsync());
            var decoded = new MapboxTileReader().Read(stream, new NetTopologySuite.IO.VectorTiles.Tiles.Tile(tile.X, tile.Y, tile.Z));
            return [.. decoded.Layers.Where(l => l.Name == "incidents").SelectMany(l => l.Features).Select(f => (string)f.Attributes["code"])];
        }
        var before = await CodesOnB();
        var builds = _b.App.Services.GetRequiredService<TileCache>().Builds;
        Assert.Equal(before, await CodesOnB()); // the second read is B's cached tile
        Assert.Equal(builds, _b.App.Services.GetRequiredService<TileCache>().Builds);

        using var dispatcherA = await Browser.SignedInAsync(_a, "ntilesd", "dispatcher", TwoStations.City);
        var created = await dispatcherA.PostAsJsonAsync("/api/incidents", new
        {
            category = "theft", priority = 3, description = "two nodes, one tile", location = new { lon = 7.4123, lat = 43.7312 },
        });
        var body = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, body);
        var code = JsonDocument.Parse(body).RootElement.GetProperty("code").GetString()!;

        var after = await CodesOnB(); // at once: no wait, no refresh
        Assert.Contains(code, after);
        Assert.DoesNotContain(code, before);
    }

    [Fact]
    public async Task A_job_left_running_by_a_node_that_is_gone_is_marked_interrupted_by_the_others()
    {
        // Two tileset jobs "running" on workers of another machine (their process ids mean nothing here): one started by a
        // node whose sessions are all gone (killed), one by node B, which is alive. The nodes' sweep marks the first only.
        await using var conn = await _a.Database.DataSource.OpenConnectionAsync();
        async Task<long> Running(string worker, string session)
        {
            await using var insert = new NpgsqlCommand("""
                INSERT INTO tileset_jobs (tileset, kind, status, created_by, worker, worker_session)
                VALUES ('two-nodes', 'houses', 'running', 'test', $1, $2) RETURNING id
                """, conn) { Parameters = { new() { Value = worker }, new() { Value = session } } };
            return (long)(await insert.ExecuteScalarAsync())!;
        }
        var dead = await Running("elsewhere_4242_0123abcd", Database.NodePrefix + "deadbeef0000");
        var alive = await Running("elsewhere_4243_0123abcd", _b.Database.NodeName);
        async Task<(string Status, string? Message)> Job(long id)
        {
            await using var read = new NpgsqlCommand("SELECT status, message FROM tileset_jobs WHERE id = $1", conn) { Parameters = { new() { Value = id } } };
            await using var r = await read.ExecuteReaderAsync();
            await r.ReadAsync();
            return (r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1));
        }
        await Until(async () => (await Job(dead)).Status == "failed", "the gone node's job is marked");
        Assert.StartsWith("interrupted at 0 %", (await Job(dead)).Message);
        Assert.Equal("running", (await Job(alive)).Status); // judged in the same sweep: B's sessions are there
        var sweeps = _a.App.Services.GetRequiredService<GeoTwin.Server.Infrastructure.Jobs.InterruptedJobs>();
        await Until(() => Task.FromResult(sweeps.Health()?.StartsWith("ok (last sweep") == true), "/readyz's interruptedJobs says the sweeps run");
        await using var tidy = new NpgsqlCommand("DELETE FROM tileset_jobs WHERE id = ANY ($1)", conn) { Parameters = { new() { Value = new[] { dead, alive } } } };
        await tidy.ExecuteNonQueryAsync();
    }

    public static readonly ConcurrentDictionary<string, int> Runs = new();

    /// <summary>Counts its runs by occurrence (Hangfire's "Time" parameter: when the recurring job was due).</summary>
    public sealed class CountedJob
    {
        public void Run(string test, PerformContext context) =>
            Runs.AddOrUpdate($"{test}|{context.GetJobParameter<long>("Time")}", 1, (_, n) => n + 1);
    }

    [Fact]
    public async Task A_recurring_job_runs_once_an_occurrence_with_two_nodes()
    {
        var test = Guid.NewGuid().ToString("N");
        // Every 2 seconds (Hangfire reads a six-part cron with seconds); both nodes' schedulers poll every second.
        _a.App.Services.GetRequiredService<IRecurringJobManager>()
            .AddOrUpdate<CountedJob>($"two-nodes-{test}", j => j.Run(test, null!), "*/2 * * * * *");
        await Until(() => Task.FromResult(Runs.Keys.Count(k => k.StartsWith(test)) >= 4), "four occurrences ran", 180);
        _a.App.Services.GetRequiredService<IRecurringJobManager>().RemoveIfExists($"two-nodes-{test}");
        var ours = Runs.Where(r => r.Key.StartsWith(test)).ToList();
        Assert.All(ours, r => Assert.Equal(1, r.Value));
    }

    [Fact]
    public async Task One_node_leads_and_the_other_takes_over_when_it_goes()
    {
        var a = _a.App.Services.GetRequiredService<NodeLeader>();
        var b = _b.App.Services.GetRequiredService<NodeLeader>();
        await Until(() => Task.FromResult(a.IsLeader || b.IsLeader), "a node leads");
        Assert.False(a.IsLeader && b.IsLeader);
        var (leader, other) = a.IsLeader ? (_a, b) : (_b, a);
        // /readyz's "leader" part says which: the leader leads, the other follows.
        Assert.Equal("{ leads = True, state = leading }", leader.App.Services.GetRequiredService<NodeLeader>().Health().ToString());
        Assert.Equal("{ leads = False, state = following (another node leads) }", other.Health().ToString());
        await leader.App.StopAsync(); // its lock's session ends with it
        await Until(() => Task.FromResult(other.IsLeader), "the other node leads");
    }

    /// <summary>PostgreSQL keeps microseconds: a time without a fraction comes back equal.</summary>
    static DateTime WholeSecond(DateTime t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);

    static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    static async Task Until(Func<Task<bool>> probe, string what, int seconds = 120)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await probe())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting until {what}");
            await Task.Delay(100);
        }
    }
}
