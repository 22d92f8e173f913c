using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using GeoTwin.Server.Accounts;
using GeoTwin.Server.Dispatch;
using GeoTwin.Server.Dispatch.Routing;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Tiling.Geodesy;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Npgsql;

namespace GeoTwin.Server.Live;

/// <summary>
/// Drives units along the road network at plausible speeds and reports them once a second through the real
/// ingest API (HTTP, with a device token it issues itself), so the demo map is alive and ingest is exercised
/// end to end. Patrol is a random walk: at each junction a unit takes another edge it may use (one-ways respected).
/// A unit dispatched to an incident (incident_units, not released) leaves its patrol and drives the recommendation's
/// route (<see cref="RoadGraph.Drive"/>) in the time the recommendation promised (<see cref="UnitTravel"/>: its kind's
/// speed, never faster than the road graph), reporting en_route as a device would; at the end
/// it waits on scene, where Dispatch's ArrivalWatcher records the arrival from its position. Released, it patrols on
/// from the nearest road.
/// </summary>
public sealed class UnitSimulator(NpgsqlDataSource db, ILogger log)
{
    sealed record Edge(long Id, long Source, long Target, short Oneway, double SpeedKmh, bool FootOnly, double[][] Points, double[] Cumulative);

    /// <summary>A drive to an incident: the route's points and how far along it the unit is.</summary>
    sealed class Mission
    {
        public long IncidentId;
        public double[][] Points = [];
        public double[] Cumulative = [];
        public double AlongM;
        public double SpeedKmh;
        public bool ReportedEnRoute;
    }

    sealed class Walker
    {
        public long UnitId;
        /// <summary>Set for a unit whose device is a JT/T 808 terminal (a phone number): it reports over TCP.</summary>
        public string? Terminal;
        public string Kind = "";
        public Edge Edge = null!;
        public bool Forward = true;
        public double AlongM;
        public double SpeedKmh;
        public Mission? Mission;
    }

    /// <summary>A fix as the ingest API takes it; a JT/T 808 terminal sends the same over TCP (status goes by HTTP).</summary>
    internal sealed record Fix(long UnitId, string Time, double Lon, double Lat, double Speed, double Heading, double Accuracy, string? Status = null)
    {
        public DateTime At => DateTime.Parse(Time, null, System.Globalization.DateTimeStyles.RoundtripKind).ToUniversalTime();
    }

    /// <summary>The gateway the demo's cars and boats report to (null: every unit reports over HTTP).</summary>
    public System.Net.IPEndPoint? Jt808 { get; init; }

    /// <summary>Consecutive failed posts after which the run is given up and started afresh (new token, new data).</summary>
    public int MaxFailedPosts { get; init; } = 30;

    /// <summary>Units dispatched and not released, with their incident (Dispatch/active_assignments.sql).</summary>
    sealed record Assignment(long UnitId, long IncidentId, double Lon, double Lat, bool Arrived);

    /// <returns>when there is nothing to drive; a failure throws (the caller's supervisor restarts it)</returns>
    public async Task RunAsync(Uri server, CancellationToken ct)
    {
        var (edges, walkers) = await LoadAsync(ct);
        if (walkers.Count == 0) { log.LogInformation("simulator: no units on a road network, nothing to drive"); return; }
        var byNode = edges.SelectMany(e => new[] { (Node: e.Source, Edge: e), (Node: e.Target, Edge: e) })
            .GroupBy(x => x.Node).ToDictionary(g => g.Key, g => g.Select(x => x.Edge).ToArray());
        var graph = await RoadGraphCache.LoadAsync(db, ct);

        await using var rootCmd = db.Sql("Live/sim_root.sql");
        var root = (string)(await rootCmd.ExecuteScalarAsync(ct))!;
        var token = await new AccountsStore(db).CreateTokenAsync($"simulator-{DateTime.UtcNow:yyyyMMddHHmmss}", "position_ingest", root, null, 1, ct);
        using var http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token!.Secret);
        log.LogInformation("simulator: driving {Units} units on {Edges} road edges through {Url}api/positions", walkers.Count, edges.Count, server);

        var random = new Random(7);
        await using var terminals = new Terminals(Jt808, log);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var last = DateTime.UtcNow;
        var failed = 0;
        do
        {
            var now = DateTime.UtcNow;
            var dt = Math.Min((now - last).TotalSeconds, 5);
            last = now;
            // a database error here throws: the supervisor logs it and starts the run again
            var assignments = (await db.Sql("Dispatch/active_assignments.sql").ListAsync(
                r => new Assignment(r.GetInt64(0), r.GetInt64(1), r.GetDouble(4), r.GetDouble(5), r.GetBoolean(6)), ct)).ToDictionary(a => a.UnitId);
            foreach (var w in walkers) Assign(w, assignments.GetValueOrDefault(w.UnitId), graph, edges);
            var all = walkers.Select(w => (Walker: w, Fix: w.Mission is { } m ? Drive(w, m, dt, now) : Step(w, dt, byNode, random, now))).ToArray();
            // Terminals report over JT/T 808; a reported status (en route) has no place in 0x0200 and goes by HTTP too.
            var overTcp = Jt808 is null ? [] : all.Where(x => x.Walker.Terminal is not null).ToArray();
            var fixes = all.Where(x => x.Walker.Terminal is null || Jt808 is null || x.Fix.Status is not null).Select(x => x.Fix).ToArray();
            if (overTcp.Length > 0 && await terminals.ReportAsync(overTcp.Select(x => (x.Walker.Terminal!, x.Fix)), ct) is { } failure)
                Failed(failure);
            try
            {
                var response = await http.PostAsJsonAsync("api/positions", new { fixes }, ct);
                if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                    throw new InvalidOperationException($"ingest refused the simulator's token ({(int)response.StatusCode}); a new run issues a new one");
                if (response.IsSuccessStatusCode) failed = 0;
                else Failed($"ingest answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }
            // an HttpClient timeout is a TaskCanceledException: a failed batch, not a shutdown; the next tick tries again
            catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                Failed(e is OperationCanceledException ? $"ingest timed out after {http.Timeout.TotalSeconds} s" : $"ingest failed: {e.Message}");
            }
        } while (await timer.WaitForNextTickAsync(ct));

        void Failed(string reason)
        {
            failed++;
            log.LogWarning("simulator: {Reason} (failure {Count} in a row; retrying next second)", reason, failed);
            if (failed >= MaxFailedPosts) throw new InvalidOperationException($"{failed} posts in a row failed, the last: {reason}");
        }
    }

    /// <summary>Starts a drive for a newly dispatched unit, or ends one whose unit was released.</summary>
    void Assign(Walker w, Assignment? a, RoadGraph graph, List<Edge> edges)
    {
        if (a is not null && w.Mission?.IncidentId == a.IncidentId) return;
        if (a is null)
        {
            if (w.Mission is not { } done) return;
            var (lon, lat) = Last(done);
            Rejoin(w, lon, lat, edges);
            w.Mission = null;
            return;
        }
        var (fromLon, fromLat) = w.Mission is { } m ? Last(m) : At(w) is var p ? (p.Lon, p.Lat) : default;
        var (points, roadSeconds) = graph.Drive(fromLon, fromLat, a.Lon, a.Lat, 150);
        var cumulative = new double[points.Length];
        for (var i = 1; i < points.Length; i++)
            cumulative[i] = cumulative[i - 1] + Wgs84.DistanceM(points[i - 1][0], points[i - 1][1], points[i][0], points[i][1]);
        // the pace that takes the time the dispatcher was shown: the same rule the recommendation's ETA follows
        var kmh = UnitTravel.RouteKmh(w.Kind, roadSeconds, cumulative[^1]);
        // a unit already on scene (a restarted simulator) reports no en_route: on_scene -> en_route is no transition
        w.Mission = new Mission { IncidentId = a.IncidentId, Points = points, Cumulative = cumulative, SpeedKmh = kmh, ReportedEnRoute = a.Arrived };
        log.LogInformation("simulator: unit {Unit} ({Kind}) drives {Metres:0} m to incident {Incident} at {Kmh:0.#} km/h, {Seconds:0} s",
            w.UnitId, w.Kind, cumulative[^1], a.IncidentId, kmh, cumulative[^1] / (kmh / 3.6));
    }

    static (double Lon, double Lat) Last(Mission m) => Point(m.Points, m.Cumulative, m.AlongM) is var p ? (p.Lon, p.Lat) : default;

    /// <summary>Back on patrol: onto the nearest edge the unit may use.</summary>
    static void Rejoin(Walker w, double lon, double lat, List<Edge> edges)
    {
        var best = (D: double.MaxValue, E: w.Edge, I: 0);
        foreach (var e in edges)
        {
            if (e.FootOnly && w.Kind != "foot") continue;
            for (var i = 0; i < e.Points.Length; i++)
                if (Wgs84.DistanceM(lon, lat, e.Points[i][0], e.Points[i][1]) is var d && d < best.D) best = (d, e, i);
        }
        w.Edge = best.E;
        w.AlongM = best.E.Cumulative[best.I];
        w.Forward = best.E.Oneway != -1;
    }

    Fix Drive(Walker w, Mission m, double dt, DateTime now)
    {
        var length = m.Cumulative[^1];
        var speed = m.AlongM >= length ? 0 : m.SpeedKmh;
        m.AlongM = Math.Min(length, m.AlongM + speed / 3.6 * dt);
        var (lon, lat, heading) = Point(m.Points, m.Cumulative, m.AlongM);
        // the device says it is on its way, once, as a crew pressing "en route" would (dispatched -> en_route)
        string? status = m.ReportedEnRoute ? null : "en_route";
        m.ReportedEnRoute = true;
        return new Fix(w.UnitId, now.ToString("O"), lon, lat, speed, heading, 5.0, status);
    }

    static (double Lon, double Lat, double Heading) Point(double[][] points, double[] c, double along)
    {
        if (points.Length == 1) return (points[0][0], points[0][1], 0);
        var i = Array.FindIndex(c, d => d >= along);
        if (i <= 0) i = i == 0 ? 1 : c.Length - 1;
        var (a, b) = (points[i - 1], points[i]);
        var t = c[i] > c[i - 1] ? Math.Clamp((along - c[i - 1]) / (c[i] - c[i - 1]), 0, 1) : 0;
        var lon = a[0] + (b[0] - a[0]) * t;
        var lat = a[1] + (b[1] - a[1]) * t;
        var heading = (Math.Atan2((b[0] - a[0]) * Math.Cos(lat * Math.PI / 180), b[1] - a[1]) * 180 / Math.PI + 360) % 360;
        return (Math.Round(lon, 7), Math.Round(lat, 7), Math.Round(heading, 1));
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
                UnitId = r.GetInt64(0), Kind = kind, Edge = edge, Terminal = r.IsDBNull(3) ? null : r.GetString(3), Forward = edge.Oneway != -1,
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

    static Fix Step(Walker w, double dt, Dictionary<long, Edge[]> byNode, Random random, DateTime now)
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
        return new Fix(w.UnitId, now.ToString("O"), lon, lat, Math.Round(w.SpeedKmh, 1), heading, 5.0);
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

/// <summary>
/// The simulator's JT/T 808 terminals, one connection each, opened on first use and again after a failure. Every
/// position waits for its acknowledgement, so a report counts only once the gateway stored it.
/// </summary>
sealed class Terminals(System.Net.IPEndPoint? gateway, ILogger log) : IAsyncDisposable
{
    readonly System.Collections.Concurrent.ConcurrentDictionary<string, Jt808.Jt808Client> _open = [];

    /// <returns>null when every position was stored; else why not (for the simulator's failure count)</returns>
    public async Task<string?> ReportAsync(IEnumerable<(string Phone, UnitSimulator.Fix Fix)> fixes, CancellationToken ct)
    {
        var results = await Task.WhenAll(fixes.Select(async x =>
        {
            try
            {
                if (!_open.TryGetValue(x.Phone, out Jt808.Jt808Client? client))
                {
                    client = await Jt808.Jt808Client.ConnectAsync(gateway!, x.Phone, ct);
                    _open[x.Phone] = client;
                    log.LogInformation("simulator: terminal {Phone} registered and authenticated over JT/T 808 at {Gateway}", x.Phone, gateway);
                }
                var result = await client.ReportAsync(x.Fix.At, x.Fix.Lon, x.Fix.Lat, x.Fix.Speed, x.Fix.Heading, ct);
                return result == Jt808.Jt808Result.Success ? null : $"terminal {x.Phone}: the gateway answered {result}";
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or Jt808.Jt808Exception)
            {
                Drop(x.Phone);
                return $"terminal {x.Phone}: {e.Message}";
            }
        }));
        var failures = results.Where(r => r is not null).ToList();
        return failures.Count == 0 ? null : $"{failures.Count} JT/T 808 reports failed, e.g. {failures[0]}";
    }

    void Drop(string phone)
    {
        if (_open.TryRemove(phone, out var client)) _ = client.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _open.Values) await client.DisposeAsync();
        _open.Clear();
    }
}

/// <summary>
/// Runs the simulator inside <c>serve --demo</c> (GeoTwin:Live:Simulate=false turns it off), once Kestrel listens,
/// supervised: any failure (database, ingest, a bug) is logged and the simulator starts again after a back-off; its
/// state goes to <see cref="LiveFeed"/> (so /readyz and the screens say why the feed stalled).
/// </summary>
public sealed class UnitSimulatorService(IConfiguration config, NpgsqlDataSource db, IServer server, IHostApplicationLifetime lifetime,
    LiveFeed feed, Jt808.Jt808Options jt808, Jt808.Jt808Gateway gateway, NodeLeader leader, ILogger<UnitSimulator> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (config["GeoTwin:Demo"] != "true" || !config.GetValue("GeoTwin:Live:Simulate", true)) return;
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled()))
            try { await started.Task; } catch (TaskCanceledException) { return; }
        var url = server.Features.Get<IServerAddressesFeature>()!.Addresses.First().Replace("0.0.0.0", "127.0.0.1").Replace("[::]", "127.0.0.1");
        System.Net.IPEndPoint? terminals = null;
        if (jt808.Port is not null)
        {
            // The cars report through the gateway: until it listens the feed says so (/readyz, the screen), not nothing.
            feed.Simulator = "waiting for the JT/T 808 gateway to listen";
            log.LogInformation("simulator: waiting for the JT/T 808 gateway to listen");
            terminals = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, await gateway.BoundPort.WaitAsync(stoppingToken));
        }
        // One simulator however many nodes serve the database: the leader's (NodeLeader); another node takes over if it dies.
        feed.Simulator = "waiting to lead (another node simulates)";
        await leader.RunAsync(lead => Supervised.RunAsync("simulator", ct => new UnitSimulator(db, log) { Jt808 = terminals }.RunAsync(new Uri(url.TrimEnd('/') + "/"), ct),
            Backoff.Default, log, s => feed.Simulator = s, lead), stoppingToken);
        if (!stoppingToken.IsCancellationRequested) feed.Simulator = "idle: no units on the road network";
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
        if (args.Length > 0 && args[0] == "platform") return await Warnings.Demo.PlatformCommand.RunAsync(args[1..]);
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
