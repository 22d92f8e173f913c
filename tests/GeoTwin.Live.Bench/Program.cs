// Sustained ingest of N units at 1 Hz through POST /api/positions with V SignalR viewers watching the whole
// region. Separate processes, so the server's figures are the server's: this one (private cluster + server), a
// "send" child (the load generator) and "viewers" children (ten hub connections each); PostgreSQL too. Each part's
// CPU is reported. Reference in the same run: the same fixes as a bare binary COPY into a plain table. Then
// k-nearest on the server's LiveUnits against a brute-force scan.
// The sender first runs 3 s of the same load as warm-up: rate, latency and CPU are over the SECONDS after it;
// sent, accepted, stored and pushed count the whole run.
// transport=jt808: the same units report as JT/T 808 terminals instead, each over its own TCP connection to the
// gateway (registered, authenticated, a 0x0200 a second, acknowledged by 0x8001), and the server's memory is taken
// before and after the fleet connects (see Jt808Load.cs); tests/bench/jt808.sh runs both transports in one command.
// Usage: GeoTwin.Live.Bench [units=10000] [seconds=20] [viewers=50] [spread|burst] [fences=0] [transport=http|jt808]
//        (children: GeoTwin.Live.Bench send URL TOKEN IDS_FILE SECONDS ARRIVAL | send-jt808 ADDRESS:PORT TERMINALS_FILE SECONDS ARRIVAL
//         | viewers URL COUNT USER PASSWORD [OFFSETS_FILE])
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using GeoTwin.Server;
using GeoTwin.Server.Accounts;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Live;
using GeoTwin.Tiling.Geodesy;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using GoeEngine = GeoTwin.Server.Live.Geofences.GeofenceEngine;

if (args.Length > 0 && args[0] == "send") return await Send(args[1], args[2], args[3], int.Parse(args[4]), args.ElementAtOrDefault(5) == "burst");
if (args.Length > 0 && args[0] == "send-jt808") return await Jt808Load.SendAsync(args[1], args[2], int.Parse(args[3]), args.ElementAtOrDefault(4) == "burst");
if (args.Length > 0 && args[0] == "viewers") return await Watch(args[1], int.Parse(args[2]), args[3], args[4], args.ElementAtOrDefault(5));

var units = args.Length > 0 ? int.Parse(args[0]) : 10_000;
var seconds = args.Length > 1 ? int.Parse(args[1]) : 20;
var viewerCount = args.Length > 2 ? int.Parse(args[2]) : 50;
// spread: the fleet reports out of phase, as devices on their own clocks do (batches evenly over each second);
// burst: every unit at the same instant each second, the worst case.
var arrival = args.ElementAtOrDefault(3) ?? "spread";
// Named options after the arrival, in any order. fences=N: N circular geofences (50-200 m, enter and exit) scattered
// over the units' region, judged on every fix. transport=jt808: the units are JT/T 808 terminals (default http).
var named = args.Skip(4).Where(a => a.Contains('=')).ToDictionary(a => a[..a.IndexOf('=')], a => a[(a.IndexOf('=') + 1)..]);
var fenceCount = named.TryGetValue("fences", out var f) ? int.Parse(f) : 0;
var transport = named.GetValueOrDefault("transport", "http");
if (transport is not ("http" or "jt808")) throw new ArgumentException("transport must be http or jt808");
var jt808 = transport == "jt808";
const int ViewersAProcess = 10;
const int LatencyBuckets = 120_001; // 1 ms each; the last holds everything slower than two minutes
if (arrival is not ("spread" or "burst")) throw new ArgumentException("arrival must be spread or burst");
var dir = Path.Combine("/tmp", $"geotwin-live-bench-{Guid.NewGuid():N}"[..32]);
Directory.CreateDirectory(dir);
var cluster = await PrivateCluster.StartAsync(new PrivateClusterOptions { DataDirectory = dir });
try
{
    await using var server = await GeoTwin.Server.Program.BuildAsync([], new Dictionary<string, string?>
    {
        ["ConnectionStrings:GeoTwin"] = cluster.ConnectionString, ["GeoTwin:Port"] = "0", ["GeoTwin:Jobs:Worker"] = "false",
        ["Logging:LogLevel:Default"] = "Error", ["GeoTwin:Live:MaxBatch"] = "1000",
        // The first terminals connected wait for the last (and send no heartbeat meanwhile): no idle close before the load.
        ["GeoTwin:Jt808:Port"] = jt808 ? "0" : null, ["GeoTwin:Jt808:Address"] = "127.0.0.1", ["GeoTwin:Jt808:IdleSeconds"] = "3600",
    });
    var db = server.Database.DataSource;
    await using (var seed = db.CreateCommand($"""
        INSERT INTO jurisdictions (code, kind, name, boundary) VALUES ('B-CITY', 'city_bureau', 'bench', ST_Multi(ST_MakeEnvelope(7.0, 43.5, 8.0, 44.0, 4326)));
        -- Each unit bound to its terminal in the same statement (a phone number as its device id): the gateway finds a
        -- terminal's unit by it, in memory, loaded at start.
        INSERT INTO police_units (call_sign, kind, jurisdiction_id, device_id)
        SELECT 'B' || g, 'car', (SELECT id FROM jurisdictions WHERE code = 'B-CITY'), (13000000000 + g)::text FROM generate_series(1, {units}) g;
        SELECT setseed(0.5);
        INSERT INTO geofences (name, area, rules, jurisdiction_id, created_by)
        SELECT 'F' || g, ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(7.05 + random() * 0.9, 43.55 + random() * 0.4), 4326)::geography,
                                            50 + random() * 150, 'quad_segs=8')::geometry),
               ARRAY['enter', 'exit'], (SELECT id FROM jurisdictions WHERE code = 'B-CITY'), 'bench'
        FROM generate_series(1, {fenceCount}) g;
        """)) await seed.ExecuteNonQueryAsync();
    await server.App.StartAsync();
    var ids = (await db.Sql("Live/load_units.sql", (DateTime?)null).ListAsync(r => r.GetInt64(0), default)).ToArray();
    var token = (await new AccountsStore(db).CreateTokenAsync("bench", "position_ingest", "B-CITY", null, null, default))!.Secret;
    await new AccountsStore(db).CreateUserAsync("viewer", "viewer", "bench password 1", "commander", "B-CITY", default);
    var idsFile = Path.Combine(dir, "ids.txt");
    await File.WriteAllLinesAsync(idsFile, ids.Select(i => i.ToString()));
    // JT/T 808: "unit phone offset_ms" a terminal, the offset its report is sent at within each second (spread evenly
    // over the second, or none for burst), which the viewers take off their latencies.
    var terminalsFile = Path.Combine(dir, "terminals.txt");
    var phones = new List<(long Id, string Phone)>();
    await using (var cmd = db.CreateCommand("SELECT id, device_id FROM police_units WHERE device_id IS NOT NULL ORDER BY id"))
    await using (var r = await cmd.ExecuteReaderAsync())
        while (await r.ReadAsync()) phones.Add((r.GetInt64(0), r.GetString(1)));
    await File.WriteAllLinesAsync(terminalsFile, phones.Select((p, i) => $"{p.Id} {p.Phone} {(arrival == "burst" ? 0 : (long)i * 1000 / phones.Count)}"));

    // Browsers are separate processes on separate machines: the viewers run ten to a process, so one process's
    // receive loops do not stand in for fifty clients' (their latencies are merged from each process's histogram).
    var viewerGroups = Enumerable.Range(0, (viewerCount + ViewersAProcess - 1) / ViewersAProcess)
        .Select(g => Math.Min(ViewersAProcess, viewerCount - g * ViewersAProcess)).DefaultIfEmpty(0).ToList();
    var viewers = viewerGroups.Select(n => Child("viewers", server.Url, n.ToString(), "viewer", "bench password 1", jt808 ? terminalsFile : "-")).ToList();
    foreach (var v in viewers) await v.ReadUntilAsync("ready");

    var self = Process.GetCurrentProcess();
    ChildProcess sender;
    if (!jt808) sender = Child("send", server.Url, token, idsFile, seconds.ToString(), arrival);
    else
    {
        // Memory per connection: the server's (this process's) memory after a full collection, before the fleet
        // connects and once every terminal is connected and authenticated, over the number connected.
        var port = await server.App.Services.GetRequiredService<GeoTwin.Server.Live.Jt808.Jt808Gateway>().BoundPort;
        var before = Memory(self);
        sender = Child("send-jt808", $"127.0.0.1:{port}", terminalsFile, seconds.ToString(), arrival);
        var connected = Fields(await sender.ReadUntilAsync("connected"));
        var after = Memory(self);
        var n = Math.Max(1, long.Parse(connected["connected"]));
        Console.WriteLine($"jt808 terminals={units} connected={connected["connected"]} refused={connected["refused"]} connect_s={connected["connect_s"]} " +
                          $"gateway_connections={server.App.Services.GetRequiredService<GeoTwin.Server.Live.Jt808.Jt808Health>().Connections} " +
                          $"server_per_connection_kib: working_set={(after.WorkingSet - before.WorkingSet) / 1024.0 / n:0.0} private={(after.Private - before.Private) / 1024.0 / n:0.0} " +
                          $"managed_heap={(after.Managed - before.Managed) / 1024.0 / n:0.0} (server working_set_mib {before.WorkingSet / 1048576} -> {after.WorkingSet / 1048576}, " +
                          $"private_mib {before.Private / 1048576} -> {after.Private / 1048576})");
        await sender.WriteLineAsync("start");
    }
    using var senderProcess = sender;
    await sender.ReadUntilAsync("go");
    var serverCpu0 = self.TotalProcessorTime;
    var pgCpu0 = TreeCpuSeconds(cluster.ProcessId);
    foreach (var v in viewers) await v.WriteLineAsync("go");
    long peakMemory = 0;
    var sent = sender.ReadUntilAsync("sent");
    while (!sent.IsCompleted)
    {
        self.Refresh();
        peakMemory = Math.Max(peakMemory, self.WorkingSet64);
        await Task.WhenAny(sent, Task.Delay(250));
    }
    var senderLine = Fields(await sent);
    var elapsed = double.Parse(senderLine["measured_s"]);
    var serverCpu = (self.TotalProcessorTime - serverCpu0).TotalSeconds;
    var pgCpu = TreeCpuSeconds(cluster.ProcessId) - pgCpu0;
    var accepted = long.Parse(senderLine["accepted"]);
    foreach (var v in viewers) await v.WriteLineAsync($"settle {accepted}");
    var viewerLines = new List<Dictionary<string, string>>();
    foreach (var v in viewers) viewerLines.Add(Fields(await v.ReadUntilAsync("viewers")));
    var viewerLine = MergeViewers(viewerLines);
    foreach (var v in viewers) v.Dispose();
    var stored = Convert.ToInt64(await db.CreateCommand("SELECT count(*) FROM unit_positions").ExecuteScalarAsync());
    // http: accepted = fixes the 200 answers counted as accepted; jt808: acknowledged = 0x8001 replies with result 0.
    var sentTotal = long.Parse(senderLine["sent"]);
    Console.WriteLine($"ingest transport={transport} units={units} seconds={seconds} viewers={viewerCount} arrival={arrival} sent={sentTotal} " +
                      $"{(jt808 ? "acknowledged" : "accepted")}={accepted} failed={senderLine["failed"]}{(jt808 ? $" dropped={senderLine["dropped"]}" : "")} stored={stored} " +
                      $"lost={sentTotal - stored} pushed_viewer0={viewerLine["pushed_viewer0"]} deliveries={viewerLine["deliveries"]} " +
                      $"rate={long.Parse(senderLine["accepted_measured"]) / elapsed:0} fixes_per_s p50_ms={viewerLine["p50_ms"]} p99_ms={viewerLine["p99_ms"]} " +
                      $"{(jt808 ? "reports_late_over_1s" : "seconds_lagging")}={senderLine["lagging"]}");
    Console.WriteLine($"cpu_cores over the {elapsed:0.0} s of sending: server={serverCpu / elapsed:0.00} postgres={pgCpu / elapsed:0.00} " +
                      $"sender={double.Parse(senderLine["cpu_s"]) / elapsed:0.00} viewers={double.Parse(viewerLine["cpu_s"]) / double.Parse(viewerLine["window_s"]):0.00} " +
                      $"(viewers over their {viewerLine["window_s"]} s incl. settling) server_peak_rss_mib={peakMemory / 1048576}");

    if (jt808)
    {
        // The fences, bare COPY and k-nearest figures do not depend on the transport: the http run beside this one has them.
        await server.App.StopAsync();
        return 0;
    }

    // Fences are judged off the ingest's path: how far behind the stored fixes they were when sending ended, and how
    // long until every fix was judged; then the engine alone, per fix, against the same fences and against none.
    var fences = server.App.Services.GetRequiredService<GeoTwin.Server.Live.Geofences.GeofenceService>();
    {
        var atEnd = System.Text.Json.JsonSerializer.Serialize(fences.Health());
        var drain = Stopwatch.StartNew();
        while (drain.Elapsed < TimeSpan.FromMinutes(5) && System.Text.Json.JsonSerializer.SerializeToElement(fences.Health()).GetProperty("backlog").GetInt32() > 0)
            await Task.Delay(100);
        var events = Convert.ToInt64(await db.CreateCommand("SELECT count(*) FROM geofence_events").ExecuteScalarAsync());
        Console.WriteLine($"geofences fences={fences.Engine.FenceCount} events_stored={events} health_when_sending_ended={atEnd} backlog_judged_within_s={drain.Elapsed.TotalSeconds:0.0}");
        double PerFix(GoeEngine engine)
        {
            var r = new Random(9);
            var walkers = Enumerable.Range(0, 10_000).Select(_ => (Lon: 7.05 + r.NextDouble() * 0.9, Lat: 43.55 + r.NextDouble() * 0.4)).ToArray();
            var t0 = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            var times = new List<double>(300_000);
            for (var second = 0; second < 30; second++)
                for (var i = 0; i < walkers.Length; i++)
                {
                    walkers[i].Lon += 0.0001;
                    var t = Stopwatch.GetTimestamp();
                    engine.Evaluate(1_000_000_000L + i, "car", t0.AddSeconds(second), walkers[i].Lon, walkers[i].Lat);
                    if (second >= 3) times.Add(Stopwatch.GetElapsedTime(t).TotalMicroseconds);
                }
            times.Sort();
            Console.Write($"p50_us={times[times.Count / 2]:0.0} p99_us={times[(int)(times.Count * 0.99)]:0.0} rate_one_core={times.Count / (times.Sum() / 1e6):0} fixes_per_s ");
            return times[times.Count / 2];
        }
        Console.Write($"geofence_engine units=10000 fences={fences.Engine.FenceCount} ");
        var withFences = PerFix(fences.Engine);
        Console.Write("| reference no fences: ");
        var without = PerFix(new GoeEngine());
        Console.WriteLine($"| added_us_per_fix_p50={withFences - without:0.0}");
    }

    // Reference: the same number of fixes as a bare binary COPY into a plain table.
    var sentCount = long.Parse(senderLine["sent"]);
    await using (var conn = await db.OpenConnectionAsync())
    {
        await using (var t = new NpgsqlCommand("CREATE TABLE bare (unit_id bigint, fix_time timestamptz, lon float8, lat float8, speed real, heading real, accuracy real)", conn))
            await t.ExecuteNonQueryAsync();
        var copyClock = Stopwatch.StartNew();
        await using (var copy = await conn.BeginBinaryImportAsync("COPY bare FROM STDIN (FORMAT BINARY)"))
        {
            var t0 = DateTime.UtcNow;
            for (long i = 0; i < sentCount; i++)
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
        Console.WriteLine($"reference bare_copy rows={sentCount} rate={sentCount / copyClock.Elapsed.TotalSeconds:0} rows_per_s ratio_geotwin_to_bare={long.Parse(senderLine["accepted_measured"]) / elapsed / (sentCount / copyClock.Elapsed.TotalSeconds):0.000}");
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
    var brute = Time(p => all.Where(u => u.Status == "available").Select(u => Wgs84.DistanceM(p.Item1, p.Item2, u.Lon, u.Lat)).Order().Take(5).ToArray());
    Console.WriteLine($"knearest units={all.Length} k=5 median_ms={knn:0.0000} brute_force_median_ms={brute:0.000} speedup={brute / knn:0}");
    await server.App.StopAsync();
}
finally
{
    await cluster.StopAsync();
    try { Directory.Delete(dir, true); } catch (Exception) { }
}
return 0;

// This process's (the server's) memory after a full collection: what connections hold, not garbage awaiting a GC.
static (long WorkingSet, long Private, long Managed) Memory(Process self)
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect();
    self.Refresh();
    return (self.WorkingSet64, self.PrivateMemorySize64, GC.GetTotalMemory(false));
}

// The load generator: every second one fix for each unit, as 500-fix batches, either spread evenly over the second
// or all at once (burst); each fix stamped with the time its batch is built, right before it is posted, so latency
// counts the whole way through the server.
static async Task<int> Send(string url, string token, string idsFile, int seconds, bool burst)
{
    // A server runs for hours: the first seconds (JIT tiering up the hot paths, pools filling) are sent but not timed.
    const int WarmUpSeconds = 3;
    const int batch = 500;
    var ids = (await File.ReadAllLinesAsync(idsFile)).Select(long.Parse).ToArray();
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 32 }) { BaseAddress = new Uri(url) };
    http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    var random = new Random(1);
    var pos = ids.Select(_ => (Lon: 7.05 + random.NextDouble() * 0.9, Lat: 43.55 + random.NextDouble() * 0.4)).ToArray();
    long sent = 0, accepted = 0, failed = 0, acceptedBeforeGo = 0;
    var lagging = 0;
    var self = Process.GetCurrentProcess();
    var cpu0 = self.TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    var measuredFrom = TimeSpan.Zero;
    for (var s = -WarmUpSeconds; s < seconds; s++)
    {
        if (s == 0)
        {
            Console.WriteLine("go");
            acceptedBeforeGo = Interlocked.Read(ref accepted);
            cpu0 = self.TotalProcessorTime;
            measuredFrom = clock.Elapsed;
            lagging = 0;
        }
        var tick = clock.Elapsed;
        var batches = (ids.Length + batch - 1) / batch;
        var sends = Enumerable.Range(0, batches).Select(async b =>
        {
            if (!burst && tick + TimeSpan.FromSeconds((double)b / batches) - clock.Elapsed is { Ticks: > 0 } due) await Task.Delay(due);
            var now = DateTime.UtcNow;
            var fixes = Enumerable.Range(b * batch, Math.Min(batch, ids.Length - b * batch)).Select(i =>
            {
                var (lon, lat) = pos[i];
                pos[i] = (lon + 0.0001, lat);
                return new { unitId = ids[i], time = now.ToString("O"), lon = lon + 0.0001, lat, speed = 36.0, heading = 90.0, accuracy = 5.0 };
            }).ToArray();
            var response = await http.PostAsJsonAsync("/api/positions", new { fixes });
            Interlocked.Add(ref sent, fixes.Length);
            if (response.IsSuccessStatusCode) Interlocked.Add(ref accepted, (await response.Content.ReadFromJsonAsync<IngestReport>())!.Accepted);
            else Interlocked.Add(ref failed, fixes.Length);
        }).ToArray();
        await Task.WhenAll(sends);
        var wait = tick + TimeSpan.FromSeconds(1) - clock.Elapsed;
        if (wait > TimeSpan.Zero) await Task.Delay(wait); else lagging++;
    }
    Console.WriteLine($"sent sent={sent} accepted={accepted} failed={failed} lagging={lagging} cpu_s={(self.TotalProcessorTime - cpu0).TotalSeconds:0.00} " +
                      $"accepted_measured={accepted - acceptedBeforeGo} measured_s={(clock.Elapsed - measuredFrom).TotalSeconds:0.000}");
    return 0;
}

// V viewers of one signed-in commander session, all watching the whole region. Latency = receipt − the fix's time,
// into 1 ms buckets (a list of millions of doubles would cost the viewers more than the parsing). pushed = distinct
// (unit, time) received by viewer 0. An offsets file ("unit phone offset_ms" lines, JT/T 808): a fix's time is its
// whole second and the frame left the terminal offset_ms later, so latency is counted from then.
static async Task<int> Watch(string url, int count, string user, string password, string? offsetsFile)
{
    var offsets = offsetsFile is null or "-" ? new Dictionary<long, TimeSpan>() : File.ReadLines(offsetsFile).Select(l => l.Split(' '))
        .ToDictionary(f => long.Parse(f[0]), f => TimeSpan.FromMilliseconds(long.Parse(f[2])));
    var cookies = new CookieContainer();
    using (var login = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = new Uri(url) })
        (await login.PostAsJsonAsync("/api/auth/login", new { username = user, password })).EnsureSuccessStatusCode();
    var csrf = cookies.GetCookies(new Uri(url))["geotwin.csrf"]!.Value;
    var buckets = new long[LatencyBuckets];
    long deliveries = 0;
    var pushedFirst = new ConcurrentDictionary<(long, DateTime), byte>();
    // One clock read and one shared counter update a message, not a unit: 50 viewers on 2 cores must not spend on
    // counting what the server is being measured for.
    void Received(bool first, IReadOnlyList<(long Id, DateTime Time)> units)
    {
        var now = DateTime.UtcNow;
        foreach (var (id, time) in units)
        {
            Interlocked.Increment(ref buckets[(int)Math.Clamp((now - time - offsets.GetValueOrDefault(id)).TotalMilliseconds, 0, buckets.Length - 1)]);
            if (first) pushedFirst.TryAdd((id, time), 0);
        }
        Interlocked.Add(ref deliveries, units.Count);
    }
    var hubs = new List<HubConnection>();
    for (var v = 0; v < count; v++)
    {
        var hub = new HubConnectionBuilder().WithUrl(url + LiveHub.Path, o => { o.Cookies = cookies; o.Headers["X-CSRF-Token"] = csrf; }).Build();
        var first = v == 0;
        hub.On<List<UnitView>>(LiveHub.PositionsMessage, views => Received(first, views.Select(u => (u.Id, u.Time!.Value)).ToList()));
        hub.On<byte[]>(LiveHub.MovesMessage, frame => Received(first, LiveFrame.Read(frame).Select(m => (m.Id, m.Time)).ToList()));
        await hub.StartAsync();
        await hub.InvokeAsync<LiveSnapshot>("Subscribe", 7.0, 43.5, 8.0, 44.0);
        hubs.Add(hub);
    }
    Console.WriteLine("ready");
    var self = Process.GetCurrentProcess();
    while (Console.ReadLine() is { } line && line != "go") { }
    // Only what arrives after the warm-up counts for latency (pushed_viewer0 counts the whole run, as sent does).
    Array.Clear(buckets);
    Interlocked.Exchange(ref deliveries, 0);
    var cpu0 = self.TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    var expected = 0L;
    while (Console.ReadLine() is { } line) if (line.StartsWith("settle ")) { expected = long.Parse(line[7..]); break; }
    var settle = Stopwatch.StartNew();
    while (count > 0 && pushedFirst.Count < expected && settle.Elapsed < TimeSpan.FromSeconds(15)) await Task.Delay(100);
    var cpu = (self.TotalProcessorTime - cpu0).TotalSeconds;
    var window = clock.Elapsed.TotalSeconds;
    var total = Interlocked.Read(ref deliveries);
    // the latency histogram as ms:count, merged with the other viewer processes' by MergeViewers
    var hist = string.Join(',', buckets.Select((n, ms) => (n, ms)).Where(b => b.n > 0).Select(b => $"{b.ms}:{b.n}"));
    Console.WriteLine($"viewers pushed_viewer0={pushedFirst.Count} deliveries={total} cpu_s={cpu:0.00} window_s={window:0.0} hist={hist}");
    foreach (var h in hubs) await h.DisposeAsync();
    return 0;
}

// The viewer processes' figures as one: viewer 0 is the first process's first; latencies from the merged histograms;
// CPU summed over the processes.
static Dictionary<string, string> MergeViewers(List<Dictionary<string, string>> lines)
{
    var merged = new SortedDictionary<int, long>();
    foreach (var l in lines)
        foreach (var entry in l.GetValueOrDefault("hist", "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var (ms, n) = (int.Parse(entry[..entry.IndexOf(':')]), long.Parse(entry[(entry.IndexOf(':') + 1)..]));
            merged[ms] = merged.GetValueOrDefault(ms) + n;
        }
    var total = merged.Values.Sum();
    string Percentile(double q)
    {
        if (total == 0) return "-";
        long seen = 0;
        foreach (var (ms, n) in merged) if ((seen += n) > q * total) return ms == LatencyBuckets - 1 ? $">{ms}" : ms.ToString();
        return "-";
    }
    return new Dictionary<string, string>
    {
        ["pushed_viewer0"] = lines[0]["pushed_viewer0"], ["deliveries"] = lines.Sum(l => long.Parse(l["deliveries"])).ToString(),
        ["p50_ms"] = Percentile(0.5), ["p99_ms"] = Percentile(0.99),
        ["cpu_s"] = lines.Sum(l => double.Parse(l["cpu_s"])).ToString("0.00"), ["window_s"] = lines.Max(l => double.Parse(l["window_s"])).ToString("0.0"),
    };
}

// A child process of this same binary, with its output read line by line.
static ChildProcess Child(params string[] args)
{
    var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardInput = true, RedirectStandardOutput = true };
    foreach (var a in args) start.ArgumentList.Add(a);
    return new ChildProcess(Process.Start(start)!);
}

static Dictionary<string, string> Fields(string line) =>
    line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(f => f.Contains('=')).ToDictionary(f => f[..f.IndexOf('=')], f => f[(f.IndexOf('=') + 1)..]);

// CPU seconds of a process and all its descendants alive now (PostgreSQL: the postmaster and its backends, whose
// connections the server pools, so they live through the run).
static double TreeCpuSeconds(int root)
{
    var parents = new Dictionary<int, (int Parent, long Ticks)>();
    foreach (var d in Directory.EnumerateDirectories("/proc"))
    {
        if (!int.TryParse(Path.GetFileName(d), out var pid)) continue;
        try
        {
            var stat = File.ReadAllText(Path.Combine(d, "stat"));
            var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            parents[pid] = (int.Parse(f[1]), long.Parse(f[11]) + long.Parse(f[12]));
        }
        catch (IOException) { }
    }
    bool Under(int pid) { for (var p = pid; p > 1 && parents.ContainsKey(p); p = parents[p].Parent) if (p == root) return true; return false; }
    return parents.Where(p => Under(p.Key)).Sum(p => p.Value.Ticks) / 100.0;
}

sealed class ChildProcess(Process process) : IDisposable
{
    public async Task<string> ReadUntilAsync(string first)
    {
        while (await process.StandardOutput.ReadLineAsync() is { } line)
            if (line == first || line.StartsWith(first + " ")) return line;
        throw new InvalidOperationException($"{process.StartInfo.ArgumentList[0]} ended before '{first}' (exit {(process.WaitForExit(5000) ? process.ExitCode : -1)})");
    }

    public async Task WriteLineAsync(string line)
    {
        await process.StandardInput.WriteLineAsync(line);
        await process.StandardInput.FlushAsync();
    }

    public void Dispose()
    {
        if (!process.WaitForExit(10_000)) process.Kill();
        process.Dispose();
    }
}
