using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Live;
using GeoTwin.Server.Tests.Live;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace GeoTwin.Server.Tests.Infrastructure.Db;

/// <summary>
/// The private PostgreSQL's postmaster killed outright while devices keep sending: GeoTwin restarts it by itself,
/// /readyz says so meanwhile and is 200 again after, writes go on, and no acknowledged fix is lost.
/// An external database is only waited for.
/// </summary>
[Collection("postgis")]
public sealed class ClusterSupervisorTests
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_killed_private_postmaster_is_restarted_and_no_acknowledged_fix_is_lost()
    {
        var dir = TempDirs.Make("supervise");
        GeoTwinServer? server = null;
        try
        {
            server = await Program.BuildAsync([], new Dictionary<string, string?>
            {
                ["ConnectionStrings:GeoTwin"] = "", // none: GeoTwin starts its own cluster under the data directory
                ["GeoTwin:DataDirectory"] = dir,
                ["GeoTwin:Port"] = "0", ["GeoTwin:Jobs:Worker"] = "false", ["Logging:LogLevel:Default"] = "Critical",
            });
            await server.App.StartAsync();
            var cluster = server.Database.Cluster!;
            var versions = server.App.Services.GetRequiredService<DataVersions>();
            var (unit1, unit2) = await LiveSeed.SeedAsync(server.Database.DataSource);
            await server.App.Services.GetRequiredService<LiveSync>().RefreshAsync(default);
            using var device = await LiveSeed.DeviceAsync(server, TwoStations.City);
            using var http = new HttpClient { BaseAddress = new Uri(server.Url) };
            await Until(() => versions.Listening, "the data versions listener never started");
            var listenerBefore = versions.ListenerProcessId;

            var acked = new ConcurrentBag<(long Unit, DateTime Time)>();
            var statuses = new ConcurrentDictionary<HttpStatusCode, int>();
            var ackedAfter = 0;
            var back = false;
            var baseTime = DateTime.UnixEpoch.AddMilliseconds(DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds());
            var counter = 0L;
            using var stop = new CancellationTokenSource();
            async Task Send()
            {
                while (!stop.IsCancellationRequested)
                {
                    var fixes = Enumerable.Range(0, 10).Select(_ =>
                    {
                        var n = Interlocked.Increment(ref counter);
                        return (Unit: n % 2 == 0 ? unit1 : unit2, Time: baseTime.AddMilliseconds(n));
                    }).ToList();
                    var response = await device.PostAsJsonAsync("/api/positions", new { fixes = fixes.Select(f => LiveSeed.Fix(f.Unit, f.Time, 7.41, 43.73)) });
                    statuses.AddOrUpdate(response.StatusCode, 1, (_, c) => c + 1);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        foreach (var f in fixes) acked.Add(f);
                        if (Volatile.Read(ref back)) Interlocked.Increment(ref ackedAfter);
                    }
                    else await Task.Delay(20);
                }
            }
            var senders = Enumerable.Range(0, 2).Select(_ => Task.Run(Send)).ToArray();
            await Until(() => acked.Count >= 100, "nothing was acknowledged before the kill");

            var pidFile = Path.Combine(dir, "postgres", "postmaster.pid");
            var killed = int.Parse(File.ReadLines(pidFile).First());
            Assert.Equal(cluster.ProcessId, killed);
            Assert.Equal(0, kill(killed, 9));

            var readyBodies = new List<string>();
            string? restarting = null;
            var deadline = DateTime.UtcNow + Deadline;
            while (true)
            {
                var ready = await http.GetAsync("/readyz");
                var body = await ready.Content.ReadAsStringAsync();
                readyBodies.Add(body);
                if (ready.StatusCode == HttpStatusCode.OK && restarting is not null) break;
                if (ready.StatusCode != HttpStatusCode.OK)
                {
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
                    Assert.Equal("1", ready.Headers.RetryAfter?.ToString());
                    var database = JsonDocument.Parse(body).RootElement.GetProperty("database").GetString()!;
                    if (database.StartsWith("restarting (attempt 1, postmaster exited with signal 9", StringComparison.Ordinal)) restarting = database;
                }
                Assert.True(DateTime.UtcNow < deadline, $"/readyz did not report a restart and 200 again within {Deadline}: {string.Join("\n", readyBodies.Distinct())}");
                await Task.Delay(50);
            }
            Volatile.Write(ref back, true);

            var up = JsonDocument.Parse(readyBodies[^1]).RootElement;
            Assert.Equal("ready", up.GetProperty("status").GetString());
            Assert.Equal("up (restarted 1 time, last after postmaster exited with signal 9)", up.GetProperty("database").GetString());
            Assert.NotEqual(killed, cluster.ProcessId);
            Assert.Equal(int.Parse(File.ReadLines(pidFile).First()), cluster.ProcessId); // same data directory

            await Until(() => Volatile.Read(ref ackedAfter) >= 5, "positions were not acknowledged again after the restart");
            await Until(() => versions.Listening && versions.ListenerProcessId != listenerBefore, "the LISTEN connection did not come back");
            await stop.CancelAsync();
            await Task.WhenAll(senders);

            Assert.All(statuses.Keys, s => Assert.Contains(s, new[] { HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable })); // never a 500
            var stored = new HashSet<(long, DateTime)>();
            await using (var cmd = server.Database.DataSource.CreateCommand("SELECT unit_id, fix_time FROM unit_positions"))
            await using (var r = await cmd.ExecuteReaderAsync())
                while (await r.ReadAsync()) stored.Add((r.GetInt64(0), r.GetDateTime(1)));
            var lost = acked.Where(a => !stored.Contains(a)).ToList();
            Assert.True(lost.Count == 0, $"{lost.Count} of {acked.Count} acknowledged fixes are not stored");

            await server.DisposeAsync();
            server = null;
            Assert.False(File.Exists(pidFile), "the restarted PostgreSQL was not shut down cleanly with GeoTwin");
        }
        finally
        {
            if (server is not null) await server.DisposeAsync();
            TempDirs.Remove(dir);
        }
    }

    [Fact]
    public async Task An_external_database_that_stops_is_waited_for_not_restarted()
    {
        var dir = TempDirs.Make("external");
        var options = new PrivateClusterOptions { DataDirectory = dir, Port = PrivateCluster.FreeLoopbackPort() };
        var external = await PrivateCluster.StartAsync(options);
        GeoTwinServer? server = null;
        try
        {
            server = await Program.BuildAsync([], new Dictionary<string, string?>
            {
                ["ConnectionStrings:GeoTwin"] = external.ConnectionString,
                ["GeoTwin:Port"] = "0", ["GeoTwin:Jobs:Worker"] = "false", ["Logging:LogLevel:Default"] = "Critical",
            });
            await server.App.StartAsync();
            using var http = new HttpClient { BaseAddress = new Uri(server.Url) };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);

            await external.StopAsync();
            var down = await http.GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
            Assert.Equal("1", down.Headers.RetryAfter?.ToString());
            var database = JsonDocument.Parse(await down.Content.ReadAsStringAsync()).RootElement.GetProperty("database").GetString();
            Assert.Equal("unreachable (external database: GeoTwin does not restart it and waits for it to return)", database);
            Assert.False(File.Exists(Path.Combine(dir, "postgres", "postmaster.pid")), "GeoTwin started a database that is not its own");

            external = await PrivateCluster.StartAsync(options);
            var deadline = DateTime.UtcNow + Deadline;
            HttpStatusCode status;
            while ((status = (await http.GetAsync("/readyz")).StatusCode) != HttpStatusCode.OK && DateTime.UtcNow < deadline) await Task.Delay(100);
            Assert.Equal(HttpStatusCode.OK, status);
        }
        finally
        {
            if (server is not null) await server.DisposeAsync();
            await external.StopAsync();
            NpgsqlConnection.ClearAllPools();
            TempDirs.Remove(dir);
        }
    }

    static async Task Until(Func<bool> condition, string failure)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(50);
        }
    }

    [DllImport("libc")]
    static extern int kill(int pid, int sig);
}
