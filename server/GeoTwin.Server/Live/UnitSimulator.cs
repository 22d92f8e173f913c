using System.Net.Http.Headers;
using System.Net.Http.Json;
using GeoTwin.Server.Accounts;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Tiling.Geodesy;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Npgsql;

namespace GeoTwin.Server.Live;

/// <summary>
/// Drives units along the road network at plausible speeds and reports them once a second through the real
/// ingest API (HTTP, with a device token it issues itself), so the demo map is alive and ingest is exercised
/// end to end. Random walk: at each junction a unit takes another edge it may use (one-ways respected).
/// </summary>
public sealed class UnitSimulator(NpgsqlDataSource db, ILogger log)
{
    sealed record Edge(long Id, long Source, long Target, short Oneway, double SpeedKmh, bool FootOnly, double[][] Points, double[] Cumulative);

    sealed class Walker
    {
        public long UnitId;
        public string Kind = "";
        public Edge Edge = null!;
        public bool Forward = true;
        public double AlongM;
        public double SpeedKmh;
    }

    public async Task RunAsync(Uri server, CancellationToken ct)
    {
        var (edges, walkers) = await LoadAsync(ct);
        if (walkers.Count == 0) { log.LogInformation("simulator: no units on a road network, nothing to drive"); return; }
        var byNode = edges.SelectMany(e => new[] { (Node: e.Source, Edge: e), (Node: e.Target, Edge: e) })
            .GroupBy(x => x.Node).ToDictionary(g => g.Key, g => g.Select(x => x.Edge).ToArray());

        await using var rootCmd = db.Sql("Live/sim_root.sql");
        var root = (string)(await rootCmd.ExecuteScalarAsync(ct))!;
        var token = await new AccountsStore(db).CreateTokenAsync($"simulator-{DateTime.UtcNow:yyyyMMddHHmmss}", "position_ingest", root, null, 1, ct);
        using var http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token!.Secret);
        log.LogInformation("simulator: driving {Units} units on {Edges} road edges through {Url}api/positions", walkers.Count, edges.Count, server);

        var random = new Random(7);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var last = DateTime.UtcNow;
        do
        {
            var now = DateTime.UtcNow;
            var dt = Math.Min((now - last).TotalSeconds, 5);
            last = now;
            var fixes = walkers.Select(w => Step(w, dt, byNode, random, now)).ToArray();
            try
            {
                var response = await http.PostAsJsonAsync("api/positions", new { fixes }, ct);
                if (!response.IsSuccessStatusCode) log.LogWarning("simulator: ingest answered {Status}", (int)response.StatusCode);
            }
            // an HttpClient timeout is a TaskCanceledException: a failed batch, not a shutdown; the next tick tries again
            catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                log.LogWarning("simulator: ingest failed: {Error}", e.Message);
            }
        } while (await timer.WaitForNextTickAsync(ct));
    }

    async Task<(List<Edge>, List<Walker>)> LoadAsync(CancellationToken ct)
    {
        var edges = await db.Sql("Live/sim_roads.sql").ListAsync(r =>
        {
            var grid = (double[,])r.GetValue(6);
            var points = Enumerable.Range(0, grid.GetLength(0)).Select(i => new[] { grid[i, 0], grid[i, 1] }).ToArray();
            var cumulative = new double[points.Length];
            for (var i = 1; i < points.Length; i++)
                cumulative[i] = cumulative[i - 1] + Wgs84.DistanceM(points[i - 1][0], points[i - 1][1], points[i][0], points[i][1]);
            return new Edge(r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt16(3), r.GetFloat(4), r.GetBoolean(5), points, cumulative);
        }, ct);
        var byId = edges.ToDictionary(e => e.Id);
        var random = new Random(11);
        var walkers = await db.Sql("Live/sim_units.sql").ListAsync(r =>
        {
            var kind = r.GetString(1);
            var edge = byId[r.GetInt64(2)];
            return new Walker
            {
                UnitId = r.GetInt64(0), Kind = kind, Edge = edge, Forward = edge.Oneway != -1,
                AlongM = random.NextDouble() * edge.Cumulative[^1], SpeedKmh = SpeedFor(kind, edge, random),
            };
        }, ct);
        return (edges, walkers);
    }

    static double SpeedFor(string kind, Edge edge, Random random) => kind switch
    {
        "foot" => 4 + random.NextDouble() * 2,
        "motorbike" => Math.Min(edge.SpeedKmh, 50) * (0.6 + random.NextDouble() * 0.4),
        _ => Math.Min(edge.SpeedKmh, 50) * (0.5 + random.NextDouble() * 0.4),
    };

    static object Step(Walker w, double dt, Dictionary<long, Edge[]> byNode, Random random, DateTime now)
    {
        var left = w.SpeedKmh / 3.6 * dt;
        for (var guard = 0; guard < 50 && left > 0; guard++)
        {
            var length = w.Edge.Cumulative[^1];
            var room = w.Forward ? length - w.AlongM : w.AlongM;
            if (left < room) { w.AlongM += w.Forward ? left : -left; break; }
            left -= room;
            var node = w.Forward ? w.Edge.Target : w.Edge.Source;
            var options = byNode.GetValueOrDefault(node, []).Where(e => (w.Kind == "foot" || !e.FootOnly) &&
                (e.Source == node ? e.Oneway != -1 : e.Oneway != 1) && (e.Id != w.Edge.Id || byNode[node].Length == 1)).ToArray();
            if (options.Length == 0) { w.Forward = !w.Forward; continue; } // dead end: turn around
            var next = options[random.Next(options.Length)];
            w.Forward = next.Source == node;
            w.Edge = next;
            w.AlongM = w.Forward ? 0 : next.Cumulative[^1];
            w.SpeedKmh = SpeedFor(w.Kind, next, random);
        }
        var (lon, lat, heading) = At(w);
        return new { unitId = w.UnitId, time = now.ToString("O"), lon, lat, speed = Math.Round(w.SpeedKmh, 1), heading, accuracy = 5.0 };
    }

    static (double Lon, double Lat, double Heading) At(Walker w)
    {
        var c = w.Edge.Cumulative;
        var i = Math.Max(1, Array.FindIndex(c, d => d >= w.AlongM));
        if (i <= 0 || i >= c.Length) i = c.Length - 1;
        var (a, b) = (w.Edge.Points[i - 1], w.Edge.Points[i]);
        var t = c[i] > c[i - 1] ? (w.AlongM - c[i - 1]) / (c[i] - c[i - 1]) : 0;
        var lon = a[0] + (b[0] - a[0]) * t;
        var lat = a[1] + (b[1] - a[1]) * t;
        var dx = (b[0] - a[0]) * Math.Cos(lat * Math.PI / 180);
        var dy = b[1] - a[1];
        var heading = (Math.Atan2(dx, dy) * 180 / Math.PI + (w.Forward ? 360 : 540)) % 360;
        return (Math.Round(lon, 7), Math.Round(lat, 7), Math.Round(heading, 1));
    }
}

/// <summary>Runs the simulator inside <c>serve --demo</c> (GeoTwin:Live:Simulate=false turns it off), once Kestrel listens.</summary>
public sealed class UnitSimulatorService(IConfiguration config, NpgsqlDataSource db, IServer server, IHostApplicationLifetime lifetime,
    ILogger<UnitSimulator> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (config["GeoTwin:Demo"] != "true" || !config.GetValue("GeoTwin:Live:Simulate", true)) return;
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled()))
            try { await started.Task; } catch (TaskCanceledException) { return; }
        var url = server.Features.Get<IServerAddressesFeature>()!.Addresses.First().Replace("0.0.0.0", "127.0.0.1").Replace("[::]", "127.0.0.1");
        try { await new UnitSimulator(db, log).RunAsync(new Uri(url.TrimEnd('/') + "/"), stoppingToken); }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException) { log.LogWarning("simulator stopped: {Error}", e.Message); }
    }
}

/// <summary>
/// <c>geotwin simulate units [--url http://127.0.0.1:8080] [--data DIR]</c>: the simulator against a running server,
/// reading the road network from the database that server uses (GEOTWIN_DB, or a private cluster not held by it).
/// </summary>
public static class SimulateCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] != "units")
        {
            Cli.Say("error: usage: geotwin simulate units [--url URL] [--data DIR]");
            return 64;
        }
        var url = "http://127.0.0.1:8080/";
        var settings = new Dictionary<string, string?>();
        for (var i = 1; i < args.Length; i++)
        {
            if (i + 1 >= args.Length) { Cli.Say($"error: option {args[i]} needs a value"); return 64; }
            switch (args[i])
            {
                case "--url" when Uri.TryCreate(args[i + 1], UriKind.Absolute, out var u) && u.Scheme is "http" or "https":
                    url = u.ToString().TrimEnd('/') + "/"; break;
                case "--url": Cli.Say($"error: --url '{args[i + 1]}' is not an http(s) address"); return 64;
                case "--data": settings["GeoTwin:DataDirectory"] = args[i + 1]; break;
                default: Cli.Say($"error: unknown option '{args[i]}'"); return 64;
            }
            i++;
        }
        if (Environment.GetEnvironmentVariable("GEOTWIN_DB") is { Length: > 0 } cs) settings["ConnectionStrings:GeoTwin"] = cs;
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        await using var database = await Database.OpenAsync(config, Cli.Say);
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        using var logs = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true));
        Cli.Say($"simulating units through {url}api/positions (Ctrl-C stops)");
        try { await new UnitSimulator(database.DataSource, logs.CreateLogger("simulate")).RunAsync(new Uri(url), stop.Token); }
        catch (OperationCanceledException) { }
        return 0;
    }
}
