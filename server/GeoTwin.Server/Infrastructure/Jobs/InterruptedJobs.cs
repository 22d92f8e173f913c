using GeoTwin.DataImport;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Twin3d;
using Npgsql;

namespace GeoTwin.Server.Infrastructure.Jobs;

/// <summary>
/// Import and tileset jobs left "running" by a worker that died (kill -9, OOM, power): each job row names its worker
/// (<see cref="OwnedFolders.Self"/>), and a job whose worker is gone is marked failed ("interrupted at 42 %, nothing was
/// written"), its upload chunks deleted. Runs at start, and when Hangfire hands out a job that is already running
/// (a re-delivery after its worker died). A worker on another machine is judged by its node's PostgreSQL sessions
/// (running_jobs.sql): with several nodes, a killed node's job is marked by the others, every <see cref="SweepEvery"/>,
/// not left "running" until that node starts again. Temporary and staging folders of gone processes go at start too.
/// </summary>
public sealed class InterruptedJobs(NpgsqlDataSource db, TilesetFiles tilesets, IConfiguration config, ILogger<InterruptedJobs> log) : IHostedService
{
    /// <summary>How often a node looks for jobs another node left running (GeoTwin:Jobs:SweepSeconds, default 60).</summary>
    public TimeSpan SweepEvery { get; } = TimeSpan.FromSeconds(config.GetValue("GeoTwin:Jobs:SweepSeconds", 60.0));

    readonly CancellationTokenSource _stopping = new();
    Task? _sweeping;
    volatile string _sweep = "waiting for its first sweep";

    /// <summary>/readyz "interruptedJobs": null on a node that runs no jobs (no sweep).</summary>
    public string? Health() => _sweeping is null ? null : _sweep;

    public async Task<(long Imports, long Tilesets)> MarkAsync(CancellationToken ct)
    {
        var imports = new List<long>();
        var tilesetJobs = new List<long>();
        await using (var cmd = db.Sql("Infrastructure/Jobs/running_jobs.sql"))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                // No worker named: started by a GeoTwin from before workers were recorded, which an upgrade has stopped.
                // Else gone by its process (this machine) or by its node's sessions (any machine).
                if (r.IsDBNull(2) || OwnedFolders.IsGone(r.GetString(2)) == true || r.GetFieldValue<bool?>(3) == true)
                    (r.GetString(0) == "import" ? imports : tilesetJobs).Add(r.GetInt64(1));
        await using var mark = db.Sql("Infrastructure/Jobs/interrupted_jobs.sql", imports.ToArray(), tilesetJobs.ToArray());
        await using var m = await mark.ExecuteReaderAsync(ct);
        await m.ReadAsync(ct);
        var marked = (m.GetInt64(0), m.GetInt64(1));
        if (marked != (0, 0)) log.LogWarning("marked {Imports} import and {Tilesets} tileset jobs interrupted: their worker is gone", marked.Item1, marked.Item2);
        return marked;
    }

    public async Task StartAsync(CancellationToken ct)
    {
        await MarkAsync(ct);
        var folders = OwnedFolders.RemoveLeftovers(Path.GetTempPath()) + tilesets.RemoveLeftoverStaging();
        if (folders > 0) log.LogInformation("removed {Count} temporary folders left by stopped GeoTwin processes", folders);
        _sweeping = SweepAsync(_stopping.Token);
    }

    /// <summary>Supervised: a sweep that fails is logged and the next one runs as planned.</summary>
    async Task SweepAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(SweepEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try
                {
                    await MarkAsync(ct);
                    _sweep = $"ok (last sweep {DateTime.UtcNow:u})";
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    if (!_sweep.StartsWith("failing", StringComparison.Ordinal)) _sweep = $"failing since {DateTime.UtcNow:u}: {e.Message}";
                    log.LogWarning(e, "looking for interrupted jobs failed; trying again in {Every}", SweepEvery);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
    }

    public async Task StopAsync(CancellationToken ct)
    {
        await _stopping.CancelAsync();
        if (_sweeping is not null) await _sweeping;
    }
}
