using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Live;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace GeoTwin.Server.Tests.Live;

/// <summary>
/// Restarts the server's PostgreSQL (its own private cluster, same port) while devices keep sending: every
/// acknowledged fix is stored afterwards, and while the database is down the answer is a retryable 503, never a 200.
/// </summary>
[Collection("postgis")]
public sealed class DurabilityTests
{
    [Fact]
    public async Task Every_acknowledged_fix_survives_a_PostgreSQL_restart_under_load()
    {
        var dir = TempDirs.Make("live-restart");
        var port = PrivateCluster.FreeLoopbackPort();
        var options = new PrivateClusterOptions { DataDirectory = dir, Port = port };
        var cluster = await PrivateCluster.StartAsync(options);
        GeoTwinServer? server = null;
        try
        {
            server = await Program.BuildAsync([], new Dictionary<string, string?>
            {
                ["ConnectionStrings:GeoTwin"] = cluster.ConnectionString,
                ["GeoTwin:Port"] = "0", ["GeoTwin:Jobs:Worker"] = "false", ["Logging:LogLevel:Default"] = "Critical",
            });
            await server.App.StartAsync();
            var (unit1, unit2) = await LiveSeed.SeedAsync(server.Database.DataSource);
            await server.App.Services.GetRequiredService<LiveSync>().RefreshAsync(default);
            using var device = await LiveSeed.DeviceAsync(server, TwoStations.City);

            var acked = new ConcurrentBag<(long Unit, DateTime Time)>();
            var statuses = new ConcurrentDictionary<HttpStatusCode, int>();
            var ackedAfterRestart = 0;
            var restarted = false;
            // Whole milliseconds: PostgreSQL keeps microseconds, so a 100 ns tick would not compare equal when read back.
            var baseTime = DateTime.UnixEpoch.AddMilliseconds(DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds());
            var counter = 0L;
            using var stop = new CancellationTokenSource();

            async Task Send()
            {
                while (!stop.IsCancellationRequested)
                {
                    var fixes = Enumerable.Range(0, 20).Select(_ =>
                    {
                        var n = Interlocked.Increment(ref counter);
                        return (Unit: n % 2 == 0 ? unit1 : unit2, Time: baseTime.AddMilliseconds(n));
                    }).ToList();
                    try
                    {
                        var response = await device.PostAsJsonAsync("/api/positions",
                            new { fixes = fixes.Select(f => LiveSeed.Fix(f.Unit, f.Time, 7.41, 43.73)) });
                        statuses.AddOrUpdate(response.StatusCode, 1, (_, c) => c + 1);
                        if (response.StatusCode == HttpStatusCode.OK)
                        {
                            foreach (var f in fixes) acked.Add(f);
                            if (Volatile.Read(ref restarted)) Interlocked.Increment(ref ackedAfterRestart);
                        }
                        else if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                            Assert.Equal("1", response.Headers.RetryAfter?.ToString());
                        else await Task.Delay(10);
                    }
                    catch (HttpRequestException) { await Task.Delay(10); }
                }
            }

            var senders = Enumerable.Range(0, 4).Select(_ => Task.Run(Send)).ToArray();
            // Until writes flow (a fixed wait saw none on a loaded machine), then a little more traffic.
            var flowing = DateTime.UtcNow.AddSeconds(60);
            while (acked.Count < 200 && DateTime.UtcNow < flowing) await Task.Delay(50);
            var beforeRestart = acked.Count;
            await cluster.StopAsync();
            await Task.Delay(1500);
            cluster = await PrivateCluster.StartAsync(options);
            Volatile.Write(ref restarted, true);
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (Volatile.Read(ref ackedAfterRestart) < 5 && DateTime.UtcNow < deadline) await Task.Delay(100);
            await stop.CancelAsync();
            await Task.WhenAll(senders);

            Assert.True(beforeRestart > 0, $"nothing was acknowledged before the restart: {string.Join(", ", statuses)}");
            Assert.True(ackedAfterRestart >= 5, $"only {ackedAfterRestart} batches acknowledged after the restart");
            Assert.True(statuses.GetValueOrDefault(HttpStatusCode.ServiceUnavailable) > 0, $"no 503 while the database was down: {string.Join(", ", statuses)}");
            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable], statuses.Keys.Order());

            await using var db = Database.Build(cluster.ConnectionString);
            await using var cmd = db.CreateCommand("SELECT unit_id, fix_time FROM unit_positions");
            var stored = new HashSet<(long, DateTime)>();
            await using (var r = await cmd.ExecuteReaderAsync())
                while (await r.ReadAsync()) stored.Add((r.GetInt64(0), r.GetDateTime(1)));
            var lost = acked.Where(a => !stored.Contains(a)).ToList();
            Assert.True(lost.Count == 0, $"{lost.Count} of {acked.Count} acknowledged fixes are not stored");
        }
        finally
        {
            if (server is not null) await server.App.DisposeAsync();
            await cluster.StopAsync();
            NpgsqlConnection.ClearAllPools();
            TempDirs.Remove(dir);
        }
    }
}
