// Sustained ingest of N units at 1 Hz through POST /api/positions with V SignalR viewers watching the whole
// region, in one process with the server (so CPU and memory below are server + load generator together;
// PostgreSQL is its own process and not counted). Reference in the same run: the same fixes as a bare binary
// COPY into a plain table. Then k-nearest on the server's LiveUnits against a brute-force scan.
// Usage: GeoTwin.Live.Bench [units=10000] [seconds=20] [viewers=50]
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using GeoTwin.Server;
using GeoTwin.Server.Accounts;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Live;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

var units = args.Length > 0 ? int.Parse(args[0]) : 10_000;
var seconds = args.Length > 1 ? int.Parse(args[1]) : 20;
var viewerCount = args.Length > 2 ? int.Parse(args[2]) : 50;
const int batch = 500;
var dir = Path.Combine("/tmp", $"geotwin-live-bench-{Guid.NewGuid():N}"[..32]);
Directory.CreateDirectory(dir);
var cluster = await PrivateCluster.StartAsync(new PrivateClusterOptions { DataDirectory = dir });
try
{
    await using var server = await GeoTwin.Server.Program.BuildAsync([], new Dictionary<string, string?>
    {
        ["ConnectionStrings:GeoTwin"] = cluster.ConnectionString, ["GeoTwin:Port"] = "0", ["GeoTwin:Jobs:Worker"] = "false",
        ["Logging:LogLevel:Default"] = "Error", ["GeoTwin:Live:MaxBatch"] = "1000",
    });
    var db = server.Database.DataSource;
    await using (var seed = db.CreateCommand($"""
        INSERT INTO jurisdictions (code, kind, name, boundary) VALUES ('B-CITY', 'city_bureau', 'bench', ST_Multi(ST_MakeEnvelope(7.0, 43.5, 8.0, 44.0, 4326)));
        INSERT INTO police_units (call_sign, kind, jurisdiction_id) SELECT 'B' || g, 'car', (SELECT id FROM jurisdictions WHERE code = 'B-CITY') FROM generate_series(1, {units}) g;
        """)) await seed.ExecuteNonQueryAsync();
    await server.App.StartAsync();
    var ids = (await db.Sql("Live/load_units.sql", (DateTime?)null).ListAsync(r => r.GetInt64(0), default)).ToArray();
    var token = (await new AccountsStore(db).CreateTokenAsync("bench", "position_ingest", "B-CITY", null, null, default))!.Secret;
    await new AccountsStore(db).CreateUserAsync("viewer", "viewer", "bench password 1", "commander", "B-CITY", default);

    // Viewers: one signed-in session, V hub connections, all watching the whole region.
    var cookies = new CookieContainer();
    using (var login = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = new Uri(server.Url) })
        (await login.PostAsJsonAsync("/api/auth/login", new { username = "viewer", password = "bench password 1" })).EnsureSuccessStatusCode();
    var csrf = cookies.GetCookies(new Uri(server.Url))["geotwin.csrf"]!.Value;
    var latencies = new ConcurrentBag<double>();
    var pushedFirst = new ConcurrentDictionary<(long, DateTime), byte>();
    var viewers = new List<HubConnection>();
    for (var v = 0; v < viewerCount; v++)
    {
        var hub = new HubConnectionBuilder().WithUrl(server.Url + LiveHub.Path, o => { o.Cookies = cookies; o.Headers["X-CSRF-Token"] = csrf; }).Build();
        var first = v == 0;
        hub.On<List<UnitView>>(LiveHub.PositionsMessage, views =>
        {
            var now = DateTime.UtcNow;
            foreach (var u in views)
            {
                latencies.Add((now - u.Time!.Value).TotalMilliseconds);
                if (first) pushedFirst.TryAdd((u.Id, u.Time.Value), 0);
            }
        });
        await hub.StartAsync();
        await hub.InvokeAsync<LiveSnapshot>("Subscribe", 7.0, 43.5, 8.0, 44.0);
        viewers.Add(hub);
    }

    // Sender: every second one fix for each unit, in batches, sent concurrently; each fix stamped when sent.
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 32 }) { BaseAddress = new Uri(server.Url) };
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    var random = new Random(1);
    var index = ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
    var pos = ids.Select(_ => (Lon: 7.05 + random.NextDouble() * 0.9, Lat: 43.55 + random.NextDouble() * 0.4)).ToArray();
    long sent = 0, accepted = 0, failed = 0;
    var process = Process.GetCurrentProcess();
    var cpu0 = process.TotalProcessorTime;
    long peakMemory = 0;
    var clock = Stopwatch.StartNew();
    var lagging = 0;
    for (var s = 0; s < seconds; s++)
    {
        var tick = clock.Elapsed;
        var sends = ids.Chunk(batch).Select(async chunk =>
        {
            var now = DateTime.UtcNow;
            var fixes = chunk.Select(id =>
            {
                var (lon, lat) = pos[index[id]];
                pos[index[id]] = (lon + 0.0001, lat);
                return new { unitId = id, time = now.ToString("O"), lon = lon + 0.0001, lat, speed = 36.0, heading = 90.0, accuracy = 5.0 };
            }).ToArray();
            var response = await http.PostAsJsonAsync("/api/positions", new { fixes });
            Interlocked.Add(ref sent, fixes.Length);
            if (response.IsSuccessStatusCode) Interlocked.Add(ref accepted, (await response.Content.ReadFromJsonAsync<IngestReport>())!.Accepted);
            else Interlocked.Add(ref failed, fixes.Length);
        }).ToArray();
        await Task.WhenAll(sends);
        process.Refresh();
        peakMemory = Math.Max(peakMemory, process.WorkingSet64);
        var wait = tick + TimeSpan.FromSeconds(1) - clock.Elapsed;
        if (wait > TimeSpan.Zero) await Task.Delay(wait); else lagging++;
    }
    var elapsed = clock.Elapsed.TotalSeconds;
    var cpu = (process.TotalProcessorTime - cpu0).TotalSeconds / elapsed;
    var settle = Stopwatch.StartNew();
    while (pushedFirst.Count < accepted && settle.Elapsed < TimeSpan.FromSeconds(15)) await Task.Delay(100);
    var stored = Convert.ToInt64(await db.CreateCommand("SELECT count(*) FROM unit_positions").ExecuteScalarAsync());
    var sorted = latencies.Order().ToArray();
    double P(double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
    Console.WriteLine($"ingest units={units} seconds={seconds} viewers={viewerCount} sent={sent} accepted={accepted} failed={failed} stored={stored} " +
                      $"pushed_viewer0={pushedFirst.Count} deliveries={sorted.Length} rate={accepted / elapsed:0} fixes_per_s " +
                      $"p50_ms={P(0.5):0.0} p99_ms={P(0.99):0.0} cpu_cores={cpu:0.00} peak_rss_mib={peakMemory / 1048576} seconds_lagging={lagging}");

    // Reference: the same number of fixes as a bare binary COPY into a plain table.
    await using (var conn = await db.OpenConnectionAsync())
    {
        await using (var t = new NpgsqlCommand("CREATE TABLE bare (unit_id bigint, fix_time timestamptz, lon float8, lat float8, speed real, heading real, accuracy real)", conn))
            await t.ExecuteNonQueryAsync();
        var copyClock = Stopwatch.StartNew();
        await using (var copy = await conn.BeginBinaryImportAsync("COPY bare FROM STDIN (FORMAT BINARY)"))
        {
            var t0 = DateTime.UtcNow;
            for (long i = 0; i < sent; i++)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(ids[i % ids.Length], NpgsqlDbType.Bigint);
                await copy.WriteAsync(t0.AddMilliseconds(i), NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(7.5, NpgsqlDbType.Double);
                await copy.WriteAsync(43.7, NpgsqlDbType.Double);
                await copy.WriteAsync(36f, NpgsqlDbType.Real);
                await copy.WriteAsync(90f, NpgsqlDbType.Real);
                await copy.WriteAsync(5f, NpgsqlDbType.Real);
            }
            await copy.CompleteAsync();
        }
        Console.WriteLine($"reference bare_copy rows={sent} rate={sent / copyClock.Elapsed.TotalSeconds:0} rows_per_s ratio_geotwin_to_bare={accepted / elapsed / (sent / copyClock.Elapsed.TotalSeconds):0.000}");
    }

    // k-nearest on the live picture (10,000 units with fixes) against a brute-force scan of the same units.
    var live = server.App.Services.GetRequiredService<LiveUnits>();
    var all = live.Snapshot().Where(u => u.HasFix).ToArray();
    var q = new Random(3);
    var points = Enumerable.Range(0, 20_000).Select(_ => (7.05 + q.NextDouble() * 0.9, 43.55 + q.NextDouble() * 0.4)).ToArray();
    double Time(Action<(double, double)> run)
    {
        var times = new double[points.Length];
        for (var i = 0; i < points.Length; i++)
        {
            var t = Stopwatch.GetTimestamp();
            run(points[i]);
            times[i] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
        }
        Array.Sort(times);
        return times[times.Length / 2];
    }
    foreach (var p in points.Take(2000)) live.Nearest(p.Item1, p.Item2, 5, u => u.Status == "available"); // warm up
    var knn = Time(p => live.Nearest(p.Item1, p.Item2, 5, u => u.Status == "available"));
    var brute = Time(p => all.Where(u => u.Status == "available").Select(u => LiveUnits.DistanceM(p.Item1, p.Item2, u.Lon, u.Lat)).Order().Take(5).ToArray());
    Console.WriteLine($"knearest units={all.Length} k=5 median_ms={knn:0.0000} brute_force_median_ms={brute:0.000} speedup={brute / knn:0}");

    foreach (var v in viewers) await v.DisposeAsync();
    await server.App.StopAsync();
}
finally
{
    await cluster.StopAsync();
    try { Directory.Delete(dir, true); } catch (Exception) { }
}
