using System.Globalization;
using System.Text.Json;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Live;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Npgsql;

namespace GeoTwin.Server.Warnings.Demo;

/// <summary>
/// The demo's call-handling platform (接处警平台): new calls over HTTP JSON in the shape the pull's documented mapping reads
/// (<c>GET /jq/incidents?since=N</c> answers <c>{ "code": 0, "data": { "items": [...], "next": "M" } }</c>, with the
/// platform's own field names and category codes: jjdbh, ajlb, x, y, bjsj, jyaq, jjjb). Calls come from
/// <see cref="DemoCallGenerator"/> at a realistic rate, or are pushed by hand (<c>POST /jq/demo/incidents</c>), so a
/// demo or a browser test can make a place turn red when it wants to. Runs inside <c>serve --demo</c> (the demo's
/// connector pulls from it) and as <c>geotwin simulate platform</c>.
/// </summary>
public sealed class DemoCallPlatform
{
    /// <summary>The platform's category codes (its mapping file says which GeoTwin category each is).</summary>
    public static readonly IReadOnlyDictionary<string, string> Codes = new Dictionary<string, string>
    {
        ["0201"] = "robbery", ["0202"] = "snatching", ["0301"] = "theft", ["0302"] = "burglary", ["0901"] = "fight",
        ["1001"] = "traffic_accident", ["1101"] = "disturbance", ["1201"] = "medical", ["1301"] = "fraud", ["9901"] = "other",
    };

    /// <summary>The mapping file the demo's connector reads (the platform's documented shape).</summary>
    public static string MappingJson => JsonSerializer.Serialize(new
    {
        records = "data.items", next = "data.next",
        fields = new { number = "jjdbh", category = "ajlb", lon = "x", lat = "y", receivedAt = "bjsj", description = "jyaq", priority = "jjjb" },
        categories = Codes, timeZone = "UTC",
    });

    public const int PageSize = 200;
    readonly Lock _gate = new();
    readonly List<string> _calls = [];   // JSON records, their index + 1 is the cursor past them
    int _number;

    public int Count { get { lock (_gate) return _calls.Count; } }

    public string Add(string category, double lon, double lat, DateTimeOffset at, string description, int priority)
    {
        var code = Codes.First(c => c.Value == category).Key;
        lock (_gate)
        {
            var number = $"DEMO{at.UtcDateTime:yyyyMMdd}{++_number:D6}";
            _calls.Add(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["jjdbh"] = number, ["ajlb"] = code, ["x"] = Math.Round(lon, 7), ["y"] = Math.Round(lat, 7),
                ["bjsj"] = at.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture), ["jyaq"] = description, ["jjjb"] = priority,
            }));
            return number;
        }
    }

    /// <summary>The calls after cursor <paramref name="since"/>, a page at most, and the cursor past them.</summary>
    public string Page(int since)
    {
        lock (_gate)
        {
            since = Math.Clamp(since, 0, _calls.Count);
            var items = _calls.Skip(since).Take(PageSize).ToList();
            return $$$"""{"code":0,"data":{"items":[{{{string.Join(",", items)}}}],"next":"{{{since + items.Count}}}"}}""";
        }
    }

    /// <summary>Serves the platform on 127.0.0.1:<paramref name="port"/> (0: a free port); returns the running app.</summary>
    public async Task<WebApplication> ServeAsync(int port, Func<DemoCallGenerator?> generatorOf, ILoggerProvider? logs = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        if (logs is not null) builder.Logging.AddProvider(logs);
        var app = builder.Build();
        app.MapGet("/jq/incidents", (string? since) =>
        {
            if (since is { Length: > 0 } && !int.TryParse(since, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                return Results.Json(new { code = 400, msg = "since: not a cursor of this platform" }, statusCode: 400);
            return Results.Text(Page(since is { Length: > 0 } ? int.Parse(since, CultureInfo.InvariantCulture) : 0), "application/json");
        });
        // By hand: { "place": "code", "count": 3, "category": "theft" } -> calls at points the assignment gives that place.
        app.MapPost("/jq/demo/incidents", async (HttpContext http, CancellationToken ct) =>
        {
            if (generatorOf() is not { } generator) return Results.Json(new { code = 503, msg = "this platform has no database to place calls" }, statusCode: 503);
            JsonElement body;
            try { body = (await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: ct)).RootElement; }
            catch (JsonException e) { return Results.Json(new { code = 400, msg = "body: " + e.Message }, statusCode: 400); }
            var place = body.TryGetProperty("place", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            var count = body.TryGetProperty("count", out var c) && c.TryGetInt32(out var n) ? n : 1;
            var category = body.TryGetProperty("category", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString()! : "theft";
            if (count is < 1 or > 100) return Results.Json(new { code = 400, msg = "count: 1..100" }, statusCode: 400);
            if (!Codes.Values.Contains(category)) return Results.Json(new { code = 400, msg = $"category: one of {string.Join(", ", Codes.Values)}" }, statusCode: 400);
            var numbers = await generator.CallsAtAsync(place, count, category, ct);
            return numbers.Count == 0 ? Results.Json(new { code = 404, msg = $"place: no warning place '{place}'" }, statusCode: 404)
                : Results.Json(new { code = 0, numbers });
        });
        await app.StartAsync();
        return app;
    }

    public static string UrlOf(WebApplication app) => app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
}

/// <summary>
/// Calls at a realistic rate (GeoTwin:Warnings:DemoPlatform:CallsPerHour, 40 by default: a busy district's evening),
/// Poisson-spaced, a third of them robbery, snatching or theft, each at a point of a random warning place.
/// </summary>
public sealed class DemoCallGenerator(NpgsqlDataSource db, DemoCallPlatform platform, double callsPerHour, ILogger log)
{
    static readonly (string Category, double Weight)[] Mix =
    [
        ("theft", 25), ("snatching", 4), ("robbery", 3), ("burglary", 6), ("fight", 10), ("traffic_accident", 16),
        ("disturbance", 14), ("medical", 10), ("fraud", 7), ("other", 5),
    ];

    readonly Random _random = new();

    /// <summary><paramref name="count"/> calls of a category at place <paramref name="place"/> (null: a random one); their numbers.</summary>
    public async Task<List<string>> CallsAtAsync(string? place, int count, string category, CancellationToken ct)
    {
        var points = await db.Sql("Warnings/Demo/point_in_place.sql", place, count).ListAsync(r => (r.GetString(0), r.GetDouble(1), r.GetDouble(2)), ct);
        var now = DateTimeOffset.Now;
        return [.. points.Select(pt => platform.Add(category, pt.Item2, pt.Item3, now, $"演示接警：{pt.Item1} 附近", category is "robbery" or "snatching" ? 1 : 3))];
    }

    /// <summary>Runs until stopped; a failure throws (the caller supervises and restarts it).</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        log.LogInformation("demo call platform: {Rate} calls an hour", callsPerHour);
        while (!ct.IsCancellationRequested)
        {
            // Exponential gaps: calls arrive as a Poisson process, not on a clock.
            var gap = -Math.Log(1 - _random.NextDouble()) * 3600 / callsPerHour;
            await Task.Delay(TimeSpan.FromSeconds(Math.Min(gap, 3600)), ct);
            var pick = _random.NextDouble() * Mix.Sum(m => m.Weight);
            var category = Mix.First(m => (pick -= m.Weight) < 0).Category;
            var numbers = await CallsAtAsync(null, 1, category, ct);
            log.LogInformation("demo call platform: call {Number} ({Category}); {Total} served so far", numbers.FirstOrDefault(), category, platform.Count);
        }
    }

    /// <summary>The generator, supervised: logged, restarted with back-off; its state for /readyz (warningDemoPlatform).</summary>
    public Task SuperviseAsync(Action<string> state, CancellationToken ct) =>
        Supervised.RunAsync("demo call platform", RunAsync, Backoff.Default, log, state, ct);
}

/// <summary>
/// <c>serve --demo</c>: the platform on its own local port, its generator supervised, and the demo's connector pointed at
/// it (unless GeoTwin:Warnings:Pull:Url is set, or GeoTwin:Warnings:DemoPlatform:Serve is false), pulling every
/// minute so places change colour while the demo runs.
/// </summary>
public sealed class DemoPlatformService(DemoCallPlatform platform, DemoPlatformState state, NpgsqlDataSource db, IConfiguration config,
    IHostApplicationLifetime lifetime, GeoTwin.Server.Infrastructure.Db.NodeLeader leader, ILogger<DemoCallGenerator> log) : BackgroundService
{
    internal static WebApplication? App;
    static DemoCallGenerator? Generator;

    /// <summary>Called while the server is being built: starts the platform and points the pull at it. False when not wanted.</summary>
    public static bool Configure(WebApplicationBuilder builder, DemoCallPlatform platform)
    {
        var config = builder.Configuration;
        if (config["GeoTwin:Demo"] != "true" || !config.GetValue("GeoTwin:Warnings:DemoPlatform:Serve", true)
            || !string.IsNullOrEmpty(config["GeoTwin:Warnings:Pull:Url"])) return false;
        App = platform.ServeAsync(config.GetValue("GeoTwin:Warnings:DemoPlatform:Port", 0), () => Generator).GetAwaiter().GetResult();
        var mapping = Path.Combine(Path.GetTempPath(), $"geotwin-demo-platform-{Environment.ProcessId}.json");
        File.WriteAllText(mapping, DemoCallPlatform.MappingJson);
        config["GeoTwin:Warnings:Pull:Url"] = DemoCallPlatform.UrlOf(App) + "/jq/incidents";
        config["GeoTwin:Warnings:Pull:MappingFile"] = mapping;
        config["GeoTwin:Warnings:Pull:EveryMinutes"] ??= "1";
        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled()))
            try { await started.Task; } catch (TaskCanceledException) { return; }
        var rate = config.GetValue("GeoTwin:Warnings:DemoPlatform:CallsPerHour", 40.0);
        var generator = new DemoCallGenerator(db, platform, rate, log);
        state.Generator = Generator = generator;
        state.Url = App is null ? null : DemoCallPlatform.UrlOf(App);
        // One generator however many nodes serve the database: the leader's (NodeLeader).
        state.State = "waiting to lead (another node generates calls)";
        await leader.RunAsync(lead => generator.SuperviseAsync(s => state.State = s, lead), stoppingToken);
    }

    public override async Task StopAsync(CancellationToken ct)
    {
        await base.StopAsync(ct);
        if (App is { } app) { App = null; await app.DisposeAsync(); }
    }
}

/// <summary>The demo platform as /readyz and the admin endpoint see it.</summary>
public sealed class DemoPlatformState
{
    public bool Serving { get; init; }
    public string? Url { get; set; }
    public string? State { get; set; }
    public DemoCallGenerator? Generator { get; set; }

    public object? Describe(DemoCallPlatform platform) => Serving ? $"{State ?? "starting"} ({platform.Count} calls served at {Url})" : null;
}

/// <summary>
/// <c>geotwin simulate platform [--port 8090] [--rate 40] [--data DIR]</c>: the demo platform on its own, placing calls in
/// the warning places of the database a server uses (GEOTWIN_DB, or a private cluster not held by it). Point a
/// server's pull at it with GeoTwin:Warnings:Pull:Url = http://127.0.0.1:8090/jq/incidents and the mapping it prints.
/// </summary>
public static class PlatformCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var (port, rate) = (8090, 40.0);
        var settings = new Dictionary<string, string?>();
        for (var i = 0; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length) { Cli.Say($"error: option {args[i]} needs a value"); return 64; }
            var value = args[i + 1];
            switch (args[i])
            {
                case "--port" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p <= 65535: port = p; break;
                case "--rate" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var r) && r is > 0 and <= 36000: rate = r; break;
                case "--data": settings["GeoTwin:DataDirectory"] = value; break;
                case "--port" or "--rate": Cli.Say($"error: {args[i]} '{value}' is not valid (port 0..65535, rate 0..36000 calls an hour)"); return 64;
                default: Cli.Say($"error: unknown option '{args[i]}'"); return 64;
            }
        }
        if (Environment.GetEnvironmentVariable("GEOTWIN_DB") is { Length: > 0 } cs) settings["ConnectionStrings:GeoTwin"] = cs;
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        await using var database = await Database.OpenAsync(config, Cli.Say);
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
        using var logs = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true));
        var platform = new DemoCallPlatform();
        var generator = new DemoCallGenerator(database.DataSource, platform, rate, logs.CreateLogger("platform"));
        await using var app = await platform.ServeAsync(port, () => generator);
        Cli.Say($"call-handling platform at {DemoCallPlatform.UrlOf(app)}/jq/incidents, {rate} calls an hour (Ctrl-C stops); its mapping file:");
        Console.WriteLine(DemoCallPlatform.MappingJson);
        await generator.SuperviseAsync(s => Cli.Say($"platform: {s}"), stop.Token);
        return 0;
    }
}
