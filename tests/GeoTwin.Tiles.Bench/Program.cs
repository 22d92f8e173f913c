// Usage: dotnet run -c Release --project tests/GeoTwin.Tiles.Bench -- [demo|synthetic] [tiles-per-zoom] [rounds]
// Starts a private cluster in /tmp, loads the Monaco demo or 200,000 synthetic buildings, then for each
// zoom z12-z16 times the same tiles three ways: (a) the statements GeoTwin sends (one batch), straight to PostgreSQL;
// (b) GeoTwin over HTTP with its tile cache off; (c) GeoTwin over HTTP with the cache warm. Prints a
// Markdown table of medians, p95 and tiles/s, then the HTTP floor (GET /healthz with the same client). Each zoom is
// timed at least 60 times (a zoom of one tile takes 60 rounds): a median of three samples says little.
// (c) is timed twice: interleaved with (a) and (b), each request on its own after a database wait, and back to back,
// as a browser asks for the tiles of a view; the HTTP floor is given for both states too. Before any timing, every
// path runs for 5 s (see the warm-up). Besides the ratio of the medians, (b)/(a) is given as the median of the ratio
// for the same tile in the same round: with four tiles of 6-35 ms, a median of the mixture jumps between tiles. A second table times
// the same three with six requests in flight, as Chromium keeps to one host while Cesium loads a view.
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using GeoTwin.DataImport.Demo;
using GeoTwin.Server;
using GeoTwin.Server.Accounts;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Tiles;
using GeoTwin.Tiling.Tiles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

var dataset = args.ElementAtOrDefault(0) ?? "demo";
var perZoom = int.Parse(args.ElementAtOrDefault(1) ?? "60");
var rounds = int.Parse(args.ElementAtOrDefault(2) ?? "3");
const int MinSamples = 60;
const int InFlight = 6;
var layers = dataset == "synthetic" ? "houses" : string.Join(',', TileLayers.All.Select(l => l.Name));

// 200,000 buildings of 13 m x 13 m on a 22 m grid in southern China.
const string Synthetic = """
    INSERT INTO jurisdictions (code, kind, name, boundary)
        VALUES ('SYN', 'city_bureau', '合成市局', ST_Multi(ST_MakeEnvelope(113.30, 22.50, 113.41, 22.59, 4326)));
    INSERT INTO houses (code, footprint, roof_height_m, floors, use, jurisdiction_id)
    SELECT 'S' || i || '-' || j,
           ST_Multi(ST_MakeEnvelope(113.30 + i * 0.0002, 22.50 + j * 0.0002, 113.30 + i * 0.0002 + 0.00012, 22.50 + j * 0.0002 + 0.00012, 4326)),
           6 + (i * 7 + j * 3) % 40, 1 + (i * 7 + j * 3) % 13, 'residential', (SELECT id FROM jurisdictions WHERE code = 'SYN')
    FROM generate_series(0, 499) i, generate_series(0, 399) j;
    """;

var dir = Directory.CreateTempSubdirectory("geotwin-tilebench-").FullName;
File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
await using var cluster = await PrivateCluster.StartAsync(new PrivateClusterOptions { DataDirectory = dir });
await using (var setup = Database.Build(cluster.ConnectionString))
{
    await Migrations.ApplyAsync(setup, Migrations.Embedded);
    await setup.ReloadTypesAsync();
    if (dataset == "synthetic") await Exec(setup, Synthetic);
    else await DemoJurisdiction.LoadIfEmptyAsync(setup);
    await Exec(setup, "ANALYZE");
    await new AccountsStore(setup).CreateUserAsync("bench", "bench", "bench password", "admin", await Scalar<string>(setup, "SELECT code FROM jurisdictions WHERE parent_id IS NULL LIMIT 1"), default);
}

Dictionary<string, string?> Settings(bool cached) => new()
{
    ["ConnectionStrings:GeoTwin"] = cluster.ConnectionString, ["GeoTwin:Port"] = "0", ["GeoTwin:Jobs:Worker"] = "false",
    ["Logging:LogLevel:Default"] = "Warning", ["GeoTwin:Tiles:CacheBytes"] = cached ? (512L << 20).ToString() : "0",
    ["GeoTwin:Auth:PublicRequestsPerMinute"] = "1000000",
};
await using var uncached = await GeoTwin.Server.Program.BuildAsync([], Settings(false));
await using var cachedServer = await GeoTwin.Server.Program.BuildAsync([], Settings(true));
await uncached.App.StartAsync();
await cachedServer.App.StartAsync();
using var httpUncached = await SignIn(uncached.Url);
using var httpCached = await SignIn(cachedServer.Url);
// A browser (Cesium's tile requests) always sends Accept-Encoding: gzip and gets the cache's stored gzip form; this client
// asks the same and keeps the bytes as sent (no decompression is timed: the page's own work, not the server's).
using var httpBrowser = await SignIn(cachedServer.Url);
httpBrowser.DefaultRequestHeaders.AcceptEncoding.ParseAdd("gzip");
await using var bare = Database.Build(cluster.ConnectionString);
// Both servers keep the data versions in memory once their listener is up; time them in that state.
foreach (var server in new[] { uncached, cachedServer })
    for (var wait = Stopwatch.StartNew(); !server.App.Services.GetRequiredService<DataVersions>().Listening; await Task.Delay(10))
        if (wait.Elapsed > TimeSpan.FromSeconds(30)) throw new InvalidOperationException("the data-version listener did not start");

var (west, south, east, north) = await Extent(bare, dataset);
// A zoom's sample of tiles, the layers of the set drawn there, and their names as the tile URL takes them.
(List<TileAddress> Tiles, List<TileLayer> Selected, string Path) Zoom(int z)
{
    var selected = layers.Split(',').Select(n => TileLayers.ByName[n]).Where(l => z >= l.MinZoom && z <= l.MaxZoom).ToList();
    return (Sample(Cover(west, south, east, north, z), perZoom), selected, string.Join(',', selected.Select(l => l.Name)));
}
// Warm-up: every path timed below runs until .NET has replaced its first quick code with optimised code (tiered
// compilation promotes a method after ~30 calls, then compiles it in the background) and PostgreSQL has the pages in
// memory. Without it the first zoom timed (z12) ran partly on first-tier code: its cached tile cost 2x the others.
var warmUp = Stopwatch.StartNew();
for (var pass = 0; pass < 2 || warmUp.Elapsed < TimeSpan.FromSeconds(5); pass++)
    foreach (var z in Enumerable.Range(12, 5))
    {
        var (tiles, selected, path) = Zoom(z);
        if (selected.Count == 0) continue;
        foreach (var t in tiles.Take(8))
        {
            await BareTile(bare, selected, t);
            await Get(httpUncached, Url(path, t));
            await Get(httpCached, Url(path, t));
            await Get(httpBrowser, Url(path, t));
        }
    }
for (var i = 0; i < 200; i++) await Get(httpCached, "/healthz");
Console.WriteLine($"dataset {dataset}: layers {layers}; extent {west:F4},{south:F4},{east:F4},{north:F4}; {perZoom} tiles a zoom, {rounds} rounds");
Console.WriteLine("| zoom | tiles | samples | non-empty | non-empty tile KB median / max, raw / gzip | (a) bare SQL median / p95 ms | (b) GeoTwin uncached median / p95 ms | (c) GeoTwin cached median / p95 ms | (c) cached, gzip as a browser asks, median / p95 ms | (c) gzip, back to back, median / p95 ms | (b)/(a) median | b/a of the same tile, median | tiles/s a / b / c |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
foreach (var z in Enumerable.Range(12, 5))
{
    var (tiles, selected, path) = Zoom(z);
    if (selected.Count == 0) { Console.WriteLine($"| {z} | {tiles.Count} | 0 | 0 | - | - | - | - | - | - | - | - | no layer of the set is drawn at z{z} |"); continue; }
    var zoomRounds = Math.Max(rounds, (MinSamples + tiles.Count - 1) / tiles.Count);
    foreach (var t in tiles) await Get(httpCached, Url(path, t)); // warm (c)
    foreach (var t in tiles) await Get(httpBrowser, Url(path, t)); // and its gzip form
    List<double> a = [], b = [], c = [], cz = [], warm = [], kb = [], kbGzip = [];
    var nonEmpty = 0;
    for (var round = 0; round < zoomRounds; round++)
        foreach (var t in tiles)
        {
            a.Add(await Time(() => BareTile(bare, selected, t)));
            b.Add(await Time(() => Get(httpUncached, Url(path, t))));
            var sw = Stopwatch.StartNew();
            var status = await Get(httpCached, Url(path, t));
            c.Add(sw.Elapsed.TotalMilliseconds);
            if (round == 0 && status == HttpStatusCode.OK) { nonEmpty++; kb.Add(Reads.Length / 1024.0); }
            cz.Add(await Time(() => Get(httpBrowser, Url(path, t))));
            if (round == 0 && status == HttpStatusCode.OK) kbGzip.Add(Reads.Length / 1024.0);
        }
    for (var round = 0; round < zoomRounds; round++)
        foreach (var t in tiles)
            warm.Add(await Time(() => Get(httpBrowser, Url(path, t))));
    Console.WriteLine($"| {z} | {tiles.Count} | {a.Count} | {nonEmpty} | {Size(kb)} / {Size(kbGzip)} | {Median(a):F2} / {P95(a):F2} | {Median(b):F2} / {P95(b):F2} | {Median(c):F3} / {P95(c):F3} | {Median(cz):F3} / {P95(cz):F3} | {Median(warm):F3} / {P95(warm):F3} | " +
                      $"{Median(b) / Median(a):F2}x | {Median([.. a.Select((x, i) => b[i] / x)]):F2}x | {Rate(a):F0} / {Rate(b):F0} / {Rate(c):F0} |");
}
// The same three, with InFlight requests at a time as Chromium keeps to one HTTP/1.1 host while Cesium loads a view
// (a: that many pooled connections; b and c: that many HTTP connections). Per round, each way takes every tile of
// the zoom once, a round at a time, so the three share the machine's noise.
Console.WriteLine();
Console.WriteLine($"{InFlight} requests in flight:");
Console.WriteLine("| zoom | samples | (a) bare SQL median / p95 ms | (b) GeoTwin uncached median / p95 ms | (c) cached, gzip, median / p95 ms | (b)/(a) median | tiles/s a / b / c |");
Console.WriteLine("|---|---|---|---|---|---|---|");
foreach (var z in Enumerable.Range(12, 5))
{
    var (tiles, selected, path) = Zoom(z);
    if (selected.Count == 0) continue;
    // A pass keeps InFlight requests going: a zoom of few tiles repeats them (the same tile asked twice at once
    // is two requests, as two viewers would send).
    var pass = Enumerable.Repeat(tiles, (2 * InFlight + tiles.Count - 1) / tiles.Count).SelectMany(t => t).ToList();
    var zoomRounds = Math.Max(rounds, (MinSamples + pass.Count - 1) / pass.Count);
    List<double> a = [], b = [], c = [];
    double aWall = 0, bWall = 0, cWall = 0;
    for (var round = 0; round < zoomRounds; round++)
    {
        aWall += await InFlightPass(pass, a, t => BareTile(bare, selected, t));
        bWall += await InFlightPass(pass, b, t => Get(httpUncached, Url(path, t)));
        cWall += await InFlightPass(pass, c, t => Get(httpBrowser, Url(path, t)));
    }
    Console.WriteLine($"| {z} | {a.Count} | {Median(a):F2} / {P95(a):F2} | {Median(b):F2} / {P95(b):F2} | {Median(c):F3} / {P95(c):F3} | {Median(b) / Median(a):F2}x | " +
                      $"{a.Count / aWall:F0} / {b.Count / bWall:F0} / {c.Count / cWall:F0} |");
}
Console.WriteLine();

// The floor under (c) and (b): a request with no tile and no database (GeoTwin's /healthz, the same signed-in
// client), back to back and each right after a z16 bare-SQL tile as every (b) request is; beside it nginx (Debian's,
// when installed) answering a 2-byte file to the same kind of client: what any HTTP server costs on this machine.
await using var nginx = await Nginx.StartAsync();
await using var emptyApp = await EmptyApp.StartAsync();
using var httpEmpty = new HttpClient { BaseAddress = new Uri(emptyApp.Url) };
using var httpNginx = nginx is null ? null : new HttpClient { BaseAddress = new Uri(nginx.Url) };
var (lone, selected16, _) = Zoom(16);
// Each request timed in turn, server by server, so the three share the machine's noise.
List<(string Name, HttpClient Http, string Path)> floors =
[
    ("GeoTwin GET /healthz (no tile, no database)", httpCached, "/healthz"),
    ("ASP.NET Core, an empty app (Kestrel, one endpoint answering \"ok\", same process)", httpEmpty, "/floor"),
];
if (httpNginx is not null) floors.Add(("nginx, a 2-byte file", httpNginx, "/floor"));
var backToBack = floors.Select(_ => new List<double>()).ToArray();
var afterWait = floors.Select(_ => new List<double>()).ToArray();
for (var i = 0; i < 200; i++)
    for (var k = 0; k < floors.Count; k++)
        backToBack[k].Add(await Time(() => Get(floors[k].Http, floors[k].Path)));
for (var i = 0; i < 200; i++)
    for (var k = 0; k < floors.Count; k++)
    {
        await BareTile(bare, selected16, lone[i % lone.Count]);
        afterWait[k].Add(await Time(() => Get(floors[k].Http, floors[k].Path)));
    }
Console.WriteLine("| HTTP floor, median / p95 ms | back to back | each after a z16 bare-SQL tile |");
Console.WriteLine("|---|---|---|");
for (var k = 0; k < floors.Count; k++)
    Console.WriteLine($"| {floors[k].Name} | {Median(backToBack[k]):F3} / {P95(backToBack[k]):F3} | {Median(afterWait[k]):F3} / {P95(afterWait[k]):F3} |");
if (nginx is not null)
{
    // The cached tiles beside nginx serving the same gzip bytes from files, back to back, alternating tile by tile.
    Console.WriteLine();
    Console.WriteLine("| zoom | tiles | (c) GeoTwin cached gzip, back to back, median / p95 ms | nginx, the same bytes from a file, median / p95 ms | GeoTwin / nginx, median |");
    Console.WriteLine("|---|---|---|---|---|");
    foreach (var z in Enumerable.Range(12, 5))
    {
        var (tiles, selected, path) = Zoom(z);
        if (selected.Count == 0) continue;
        List<TileAddress> served = [];
        foreach (var t in tiles)
            if (await Get(httpBrowser, Url(path, t)) == HttpStatusCode.OK)
            {
                nginx.Put($"{t.Z}/{t.X}/{t.Y}.mvt", Reads.Buffer.AsSpan(0, (int)Reads.Length));
                served.Add(t);
            }
        if (served.Count == 0) continue;
        List<double> geotwin = [], plain = [];
        for (var round = 0; round < Math.Max(rounds, (MinSamples + served.Count - 1) / served.Count); round++)
            foreach (var t in served)
            {
                geotwin.Add(await Time(() => Get(httpBrowser, Url(path, t))));
                plain.Add(await Time(() => Get(httpNginx!, $"/{t.Z}/{t.X}/{t.Y}.mvt")));
            }
        Console.WriteLine($"| {z} | {served.Count} | {Median(geotwin):F3} / {P95(geotwin):F3} | {Median(plain):F3} / {P95(plain):F3} | {Median(geotwin) / Median(plain):F2}x |");
    }
}
else Console.WriteLine("(nginx is not installed: apt-get install nginx-light for its reference rows)");
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes >> 30} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
await uncached.App.StopAsync();
await cachedServer.App.StopAsync();
await cluster.StopAsync();
Directory.Delete(dir, recursive: true); // a demo cluster is 100 MB of /tmp
return 0;

// The statements GeoTwin sends for one tile: one batch (one implicit transaction) of role and scope,
// then one query a layer.
static async Task BareTile(NpgsqlDataSource db, List<TileLayer> selected, TileAddress t)
{
    await using var conn = await db.OpenConnectionAsync();
    await using var batch = new NpgsqlBatch(conn);
    batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT set_config('role', 'geotwin_personal', true), set_config('geotwin.scope', '*', true)"));
    foreach (var layer in selected)
    {
        var cmd = new NpgsqlBatchCommand(EmbeddedSql.Get(layer.SqlFile));
        object?[] values = layer.TakesIncidentFilters ? [t.Z, t.X, t.Y, null, null, null] : [t.Z, t.X, t.Y];
        foreach (var v in values) cmd.Parameters.Add(new NpgsqlParameter { Value = v ?? DBNull.Value });
        batch.BatchCommands.Add(cmd);
    }
    await using var reader = await batch.ExecuteReaderAsync();
    do while (await reader.ReadAsync()) reader.GetValue(0); while (await reader.NextResultAsync());
}

// Every byte of the body is read, into one reused buffer: a browser reads into its own network buffers, and this
// client shares the servers' process and garbage collector, so growing a fresh array per response would time its
// collections as the server's.
static async Task<HttpStatusCode> Get(HttpClient http, string path)
{
    using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
    if ((int)response.StatusCode >= 300) throw new InvalidOperationException($"{path}: {(int)response.StatusCode}");
    await using var body = await response.Content.ReadAsStreamAsync();
    Reads.Length = 0;
    for (int n; (n = await body.ReadAsync(Reads.Buffer)) > 0;) Reads.Length += n;
    return response.StatusCode;
}

// Every tile once, InFlight at a time; each request's latency into times; returns the pass's wall time in seconds.
static async Task<double> InFlightPass(List<TileAddress> tiles, List<double> times, Func<TileAddress, Task> work)
{
    var next = -1;
    var wall = Stopwatch.StartNew();
    var workers = Enumerable.Range(0, InFlight).Select(async _ =>
    {
        var mine = new List<double>();
        for (int i; (i = Interlocked.Increment(ref next)) < tiles.Count;)
            mine.Add(await Time(() => work(tiles[i])));
        return mine;
    }).ToList();
    foreach (var mine in await Task.WhenAll(workers)) times.AddRange(mine);
    return wall.Elapsed.TotalSeconds;
}

static string Url(string path, TileAddress t) => $"/tiles/{path}/{t.Z}/{t.X}/{t.Y}.mvt";

static async Task<double> Time(Func<Task> work)
{
    var sw = Stopwatch.StartNew();
    await work();
    return sw.Elapsed.TotalMilliseconds;
}

static double Median(List<double> v) => Percentile(v, 0.5);
static double P95(List<double> v) => Percentile(v, 0.95);
static double Percentile(List<double> v, double p) { var s = v.Order().ToList(); return s[(int)Math.Min(s.Count - 1, Math.Floor(p * s.Count))]; }
static string Size(List<double> kb) => kb.Count == 0 ? "-" : $"{Median(kb):F0} / {kb.Max():F0}";
static double Rate(List<double> v) => v.Count / (v.Sum() / 1000);

static List<TileAddress> Cover(double w, double s, double e, double n, int z)
{
    var a = TileAddress.Containing(w, n, z);
    var b = TileAddress.Containing(e, s, z);
    return [.. from x in Enumerable.Range(a.X, b.X - a.X + 1) from y in Enumerable.Range(a.Y, b.Y - a.Y + 1) select new TileAddress(z, x, y)];
}

static List<TileAddress> Sample(List<TileAddress> all, int n) =>
    all.Count <= n ? all : [.. Enumerable.Range(0, n).Select(i => all[(int)((long)i * all.Count / n)])];

static async Task<(double, double, double, double)> Extent(NpgsqlDataSource db, string dataset)
{
    await using var cmd = db.CreateCommand(dataset == "synthetic"
        ? "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(footprint) e FROM houses) x"
        : "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent(boundary) e FROM jurisdictions WHERE parent_id IS NULL) x");
    await using var r = await cmd.ExecuteReaderAsync();
    await r.ReadAsync();
    return (r.GetDouble(0), r.GetDouble(1), r.GetDouble(2), r.GetDouble(3));
}

static async Task<HttpClient> SignIn(string url)
{
    var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(url) };
    var response = await http.PostAsJsonAsync("/api/auth/login", new { username = "bench", password = "bench password" });
    response.EnsureSuccessStatusCode();
    return http;
}

static async Task Exec(NpgsqlDataSource db, string sql) { await using var cmd = db.CreateCommand(sql); await cmd.ExecuteNonQueryAsync(); }
static async Task<T> Scalar<T>(NpgsqlDataSource db, string sql) { await using var cmd = db.CreateCommand(sql); return (T)(await cmd.ExecuteScalarAsync())!; }

/// <summary>The stack GeoTwin is built on with nothing of GeoTwin: Kestrel and one endpoint, in this process as GeoTwin is.</summary>
sealed class EmptyApp : IAsyncDisposable
{
    readonly Microsoft.AspNetCore.Builder.WebApplication _app;

    EmptyApp(Microsoft.AspNetCore.Builder.WebApplication app, string url) => (_app, Url) = (app, url);

    public string Url { get; }

    public static async Task<EmptyApp> StartAsync()
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/floor", () => "ok");
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
            .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses;
        return new EmptyApp(app, addresses.First());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>nginx on a free loopback port serving a folder of files, started and removed by the bench.</summary>
sealed class Nginx : IAsyncDisposable
{
    readonly System.Diagnostics.Process _process;
    readonly string _dir;

    Nginx(System.Diagnostics.Process process, string dir, string url) => (_process, _dir, Url) = (process, dir, url);

    public string Url { get; }

    public void Put(string name, ReadOnlySpan<byte> bytes)
    {
        var file = Path.Combine(_dir, "root", name);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllBytes(file, bytes);
    }

    public static async Task<Nginx?> StartAsync()
    {
        var binary = new[] { "/usr/sbin/nginx", "/usr/bin/nginx" }.FirstOrDefault(File.Exists);
        if (binary is null) return null;
        var dir = Directory.CreateTempSubdirectory("geotwin-tilebench-nginx-").FullName;
        File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101); // its workers run as nobody
        Directory.CreateDirectory(Path.Combine(dir, "root"));
        Directory.CreateDirectory(Path.Combine(dir, "tmp"));
        File.WriteAllText(Path.Combine(dir, "root", "floor"), "ok");
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        File.WriteAllText(Path.Combine(dir, "nginx.conf"), $$"""
            daemon off;
            worker_processes auto;
            pid {{dir}}/nginx.pid;
            error_log {{dir}}/error.log;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path {{dir}}/tmp;
                proxy_temp_path {{dir}}/tmp;
                fastcgi_temp_path {{dir}}/tmp;
                uwsgi_temp_path {{dir}}/tmp;
                scgi_temp_path {{dir}}/tmp;
                default_type application/octet-stream;
                sendfile on;
                server { listen 127.0.0.1:{{port}}; root {{dir}}/root; }
            }
            """);
        var process = System.Diagnostics.Process.Start(binary, ["-c", Path.Combine(dir, "nginx.conf"), "-e", Path.Combine(dir, "error.log")]);
        var nginx = new Nginx(process, dir, $"http://127.0.0.1:{port}");
        using var probe = new HttpClient();
        for (var wait = Stopwatch.StartNew(); ; await Task.Delay(50))
        {
            try { if ((await probe.GetAsync($"{nginx.Url}/floor")).IsSuccessStatusCode) return nginx; }
            catch (HttpRequestException) when (wait.Elapsed < TimeSpan.FromSeconds(10)) { continue; }
            if (wait.Elapsed > TimeSpan.FromSeconds(10)) throw new InvalidOperationException($"nginx did not serve {nginx.Url}/floor: see {dir}/error.log");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        Directory.Delete(_dir, recursive: true);
    }
}

/// <summary>One client, one request at a time: one buffer serves every response body.</summary>
static class Reads
{
    public static readonly byte[] Buffer = new byte[1 << 20];
    public static long Length; // of the last body read
}
