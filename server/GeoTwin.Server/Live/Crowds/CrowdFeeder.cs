using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using GeoTwin.Server.Accounts;
using GeoTwin.Server.Infrastructure.Db;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Npgsql;

namespace GeoTwin.Server.Live.Crowds;

/// <summary>
/// The demo's people counters: Monaco's beaches and squares (made from the demo's places once) counted every
/// <see cref="Every"/> through POST /api/crowds/counts with a crowd_ingest token, like a real counter. The counts follow a
/// daily curve: a summer afternoon peak on the beaches (some reach red), a smaller afternoon and evening one on the
/// squares. On a first run the past six days are filled in at 15 minutes, so the typical day has something to show.
/// </summary>
public sealed class CrowdFeeder(NpgsqlDataSource db, ILogger log)
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(30);
    const int HistoryDays = 6;

    sealed record Area(long Id, int Capacity, bool Beach, TimeZoneInfo Zone);

    public async Task RunAsync(Uri server, CancellationToken ct)
    {
        await using (var make = db.Sql("Live/Crowds/demo_areas.sql")) await make.ExecuteNonQueryAsync(ct);
        var rows = await db.Sql("Live/Crowds/demo_feed.sql").ListAsync(r => (Area: new Area(r.GetInt64(0), r.GetInt32(1), r.GetBoolean(2),
            TimeZoneInfo.FindSystemTimeZoneById(r.GetString(3))), Counted: r.GetBoolean(4)), ct);
        if (rows.Count == 0) { log.LogInformation("crowd feeder: no beaches or squares to count"); return; }
        var areas = rows.Select(r => r.Area).ToList();

        await using var rootCmd = db.Sql("Live/sim_root.sql");
        var root = (string)(await rootCmd.ExecuteScalarAsync(ct))!;
        var token = await new AccountsStore(db).CreateTokenAsync($"crowd-feeder-{DateTime.UtcNow:yyyyMMddHHmmss}", "crowd_ingest", root, null, 1, ct);
        using var http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token!.Secret);
        log.LogInformation("crowd feeder: counting {Areas} beaches and squares through {Url}api/crowds/counts", areas.Count, server);

        var random = new Random(21);
        if (!rows[0].Counted)
        {
            // The past week at 15 minutes, oldest first, in batches the ingest takes.
            var start = DateTime.UtcNow.AddDays(-HistoryDays);
            start = start.AddTicks(-(start.Ticks % TimeSpan.FromMinutes(15).Ticks));
            var history = new List<object>();
            for (var t = start; t < DateTime.UtcNow.AddMinutes(-15); t = t.AddMinutes(15))
                history.AddRange(areas.Select(a => Count(a, t, random)));
            foreach (var batch in history.Chunk(CrowdIngest.MaxBatch)) await PostAsync(http, batch, ct);
        }
        using var timer = new PeriodicTimer(Every);
        do
        {
            var now = DateTime.UtcNow;
            await PostAsync(http, [.. areas.Select(a => Count(a, now, random))], ct);
        } while (await timer.WaitForNextTickAsync(ct));
    }

    static async Task PostAsync(HttpClient http, object[] counts, CancellationToken ct)
    {
        var response = await http.PostAsJsonAsync("api/crowds/counts", new { counts }, ct);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            throw new InvalidOperationException($"ingest refused the feeder's token ({(int)response.StatusCode}); a new run issues a new one");
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"ingest answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
    }

    static object Count(Area a, DateTime utc, Random random)
    {
        var local = TimeZoneInfo.ConvertTimeFromUtc(utc, a.Zone);
        var count = (int)Math.Round(a.Capacity * Fraction(a, local.TimeOfDay.TotalHours) * (0.95 + 0.1 * random.NextDouble()));
        return new { areaId = a.Id, time = utc.ToString("O"), count = Math.Max(0, count) };
    }

    /// <summary>The share of its capacity an area holds at a local hour: a summer afternoon peak (beaches up to about full).</summary>
    public static double Fraction(bool beach, long areaId, double hour)
    {
        var peak = beach ? 0.75 + (areaId * 37 % 30) / 100.0 : 0.45 + (areaId * 37 % 40) / 100.0;
        var afternoon = Math.Exp(-Math.Pow(hour - 15.5, 2) / (2 * 2.3 * 2.3));
        var evening = beach ? 0 : 0.35 * Math.Exp(-Math.Pow(hour - 21, 2) / (2 * 1.2 * 1.2));
        return 0.03 + peak * afternoon + evening;
    }

    static double Fraction(Area a, double hour) => Fraction(a.Beach, a.Id, hour);
}

/// <summary>
/// Runs the feeder inside <c>serve --demo</c> (GeoTwin:Crowds:Feed=false turns it off), once Kestrel listens, supervised:
/// a failure is logged and the feeder starts again after a back-off; its state is in /readyz's "crowds".
/// </summary>
public sealed class CrowdFeederService(IConfiguration config, NpgsqlDataSource db, IServer server, IHostApplicationLifetime lifetime,
    CrowdService crowds, GeoTwin.Server.Infrastructure.Db.NodeLeader leader, ILogger<CrowdFeeder> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (config["GeoTwin:Demo"] != "true" || !config.GetValue("GeoTwin:Crowds:Feed", true)) return;
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled()))
            try { await started.Task; } catch (TaskCanceledException) { return; }
        var url = server.Features.Get<IServerAddressesFeature>()!.Addresses.First().Replace("0.0.0.0", "127.0.0.1").Replace("[::]", "127.0.0.1");
        // One feeder however many nodes serve the database: the leader's (NodeLeader).
        crowds.Feeder = "waiting to lead (another node feeds)";
        await leader.RunAsync(lead => Supervised.RunAsync("crowd feeder", ct => new CrowdFeeder(db, log).RunAsync(new Uri(url.TrimEnd('/') + "/"), ct),
            Backoff.Default, log, s => crowds.Feeder = s, lead), stoppingToken);
    }
}
