using System.Collections.Concurrent;
using System.Net;
using System.Runtime.InteropServices;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Live;
using GeoTwin.Server.Live.Jt808;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace GeoTwin.Server.Tests.Live.Jt808;

/// <summary>
/// PostgreSQL crashes and comes back while terminals report over TCP: every position the gateway acknowledged
/// (0x8001 success) is stored afterwards; what came during the outage was answered with a failure or not answered;
/// the terminals resume. The crash is an immediate shutdown (no checkpoint, WAL replay on start), so a commit the
/// gateway acknowledged before PostgreSQL had flushed it would be missing.
/// </summary>
[Collection("postgis")]
public sealed class Jt808RestartTests
{
    const int Terminals = 4;
    const int SIGQUIT = 3;
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    /// <summary>What the terminals saw, counted by phase: before the crash, while down, after the restart.</summary>
    sealed class Tally
    {
        public readonly ConcurrentBag<(long Unit, DateTime Time)> Acked = [];
        public readonly ConcurrentDictionary<Jt808Result, int> Results = [];
        public int Phase; // 0 before, 1 down, 2 back
        public int RefusedWhileDown, UnansweredWhileDown, AckedWhileDown;
        public readonly int[] AckedAfter = new int[Terminals];
    }

    [Fact]
    public async Task A_PostgreSQL_crash_under_terminal_load_loses_nothing_acknowledged_and_terminals_resume()
    {
        var dir = TempDirs.Make("jt808-restart");
        var options = new PrivateClusterOptions { DataDirectory = dir, Port = PrivateCluster.FreeLoopbackPort() };
        var cluster = await PrivateCluster.StartAsync(options);
        GeoTwinServer? server = null;
        try
        {
            server = await Program.BuildAsync([], new Dictionary<string, string?>
            {
                ["ConnectionStrings:GeoTwin"] = cluster.ConnectionString, ["GeoTwin:Jt808:Port"] = "0", ["GeoTwin:Jt808:Address"] = "127.0.0.1",
                ["GeoTwin:Port"] = "0", ["GeoTwin:Jobs:Worker"] = "false", ["Logging:LogLevel:Default"] = "Critical",
            });
            await server.App.StartAsync();
            var db = server.Database.DataSource;
            await TwoStations.SeedAsync(db);
            var units = new List<(long Id, string Phone)>();
            await using (var bind = db.CreateCommand($"""
                INSERT INTO police_units (call_sign, kind, jurisdiction_id, device_id)
                SELECT 'JT' || g, 'car', (SELECT id FROM jurisdictions WHERE code = '{TwoStations.City}'), (13900000000 + g)::text
                FROM generate_series(1, {Terminals}) g
                RETURNING id, device_id
                """))
            await using (var r = await bind.ExecuteReaderAsync())
                while (await r.ReadAsync()) units.Add((r.GetInt64(0), r.GetString(1)));
            await server.App.Services.GetRequiredService<LiveSync>().RefreshAsync(default);
            var port = await server.App.Services.GetRequiredService<Jt808Gateway>().BoundPort.WaitAsync(Deadline);
            var gateway = new IPEndPoint(IPAddress.Loopback, port);

            var tally = new Tally();
            // BCD times are whole seconds: each terminal's n-th fix is a second after its previous, all in the past (five
            // days of seconds before they would reach the present, however fast the gateway answers; the limit is 7).
            var baseTime = DateTime.UnixEpoch.AddSeconds(DateTimeOffset.UtcNow.AddDays(-5).ToUnixTimeSeconds());
            using var stop = new CancellationTokenSource();
            var terminals = units.Select((u, i) => Task.Run(() => Terminal(i, u.Id, u.Phone, gateway, baseTime, tally, stop.Token))).ToArray();

            await Until(() => tally.Acked.Count >= 20 * Terminals, tally, "the terminals' positions were not acknowledged before the crash");
            // Immediate shutdown: every backend dies at once, nothing is checkpointed; the next start replays the WAL.
            Assert.Equal(0, kill(cluster.ProcessId, SIGQUIT));
            await cluster.ExitedAsync().WaitAsync(Deadline);
            Volatile.Write(ref tally.Phase, 1);
            // Down until terminals have met the outage, so the outage is seen, not timed.
            await Until(() => Volatile.Read(ref tally.RefusedWhileDown) + Volatile.Read(ref tally.UnansweredWhileDown) + Volatile.Read(ref tally.AckedWhileDown) >= Terminals,
                tally, "no terminal met the outage");
            // Sent once PostgreSQL and all its backends had gone: nothing could store it, so a success is a lie.
            Assert.True(tally.AckedWhileDown == 0, $"{tally.AckedWhileDown} positions sent while PostgreSQL was down were acknowledged");
            await cluster.StopAsync(); // releases the data directory; the postmaster has already gone
            cluster = await PrivateCluster.StartAsync(options);
            Volatile.Write(ref tally.Phase, 2);
            await Until(() => Enumerable.Range(0, Terminals).All(i => Volatile.Read(ref tally.AckedAfter[i]) >= 5), tally, "not every terminal was acknowledged again after the restart");
            await stop.CancelAsync();
            await Task.WhenAll(terminals);

            var stored = new HashSet<(long, DateTime)>();
            await using (var cmd = db.CreateCommand("SELECT unit_id, fix_time FROM unit_positions"))
            await using (var r = await cmd.ExecuteReaderAsync())
                while (await r.ReadAsync()) stored.Add((r.GetInt64(0), r.GetDateTime(1)));
            var lost = tally.Acked.Where(a => !stored.Contains(a)).ToList();
            Assert.True(lost.Count == 0, $"{lost.Count} of {tally.Acked.Count} acknowledged positions are not stored, e.g. {string.Join(", ", lost.Take(5))}");
            // Only success and failure: an outage is not a broken message.
            Assert.All(tally.Results.Keys, r => Assert.Contains(r, new[] { Jt808Result.Success, Jt808Result.Failure }));
        }
        finally
        {
            if (server is not null) await server.App.DisposeAsync();
            await cluster.StopAsync();
            NpgsqlConnection.ClearAllPools();
            TempDirs.Remove(dir);
        }
    }

    /// <summary>
    /// One terminal as devices behave: report a position, move on only once it is acknowledged, else keep it and send
    /// it again; a connection the gateway dropped is opened again (registered, authenticated).
    /// </summary>
    static async Task Terminal(int index, long unit, string phone, IPEndPoint gateway, DateTime baseTime, Tally tally, CancellationToken stop)
    {
        var n = 0;
        Jt808Client? client = null;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var phase = Volatile.Read(ref tally.Phase);
                var time = baseTime.AddSeconds(n);
                try
                {
                    client ??= await Jt808Client.ConnectAsync(gateway, phone, stop);
                    var result = await client.ReportAsync(time, 7.41 + index * 0.001, 43.73, 30, 90, stop);
                    tally.Results.AddOrUpdate(result, 1, (_, c) => c + 1);
                    if (result == Jt808Result.Success)
                    {
                        tally.Acked.Add((unit, time));
                        n++;
                        if (phase == 1) Interlocked.Increment(ref tally.AckedWhileDown);
                        if (phase == 2) Interlocked.Increment(ref tally.AckedAfter[index]);
                        continue;
                    }
                    if (phase == 1) Interlocked.Increment(ref tally.RefusedWhileDown);
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or Jt808Exception && !stop.IsCancellationRequested)
                {
                    // Not answered: the position is kept and sent again on a new connection.
                    if (phase == 1) Interlocked.Increment(ref tally.UnansweredWhileDown);
                    if (client is not null) await client.DisposeAsync();
                    client = null;
                }
                // A terminal retries a refused position after a pause, as devices do, not in a tight loop.
                await Task.Delay(20, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
        finally
        {
            if (client is not null) await client.DisposeAsync();
        }
    }

    static async Task Until(Func<bool> condition, Tally tally, string failure)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline,
                $"{failure} within {Deadline}: acked {tally.Acked.Count}, results {string.Join(", ", tally.Results)}, " +
                $"refused while down {tally.RefusedWhileDown}, unanswered while down {tally.UnansweredWhileDown}, acked while down {tally.AckedWhileDown}, acked after {string.Join("/", tally.AckedAfter)}");
            await Task.Delay(50);
        }
    }

    [DllImport("libc")]
    static extern int kill(int pid, int sig);
}
