using GeoTwin.DataImport;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Twin3d;
using Npgsql;

namespace GeoTwin.Server.Infrastructure.Jobs;

/// <summary>
/// Import and tileset jobs left "running" by a worker that died (kill -9, OOM, power): each job row names its worker
/// (<see cref="OwnedFolders.Self"/>), and a job whose worker is gone is marked failed ("interrupted at 42 %, nothing was
/// written"), its upload chunks deleted. Runs at start, and when Hangfire hands out a job that is already running
/// (a re-delivery after its worker died). A worker on another machine cannot be checked from here: its own node's
/// next start marks its jobs. Temporary and staging folders of gone processes go at start too.
/// </summary>
public sealed class InterruptedJobs(NpgsqlDataSource db, TilesetFiles tilesets, ILogger<InterruptedJobs> log) : IHostedService
{
    public async Task<(long Imports, long Tilesets)> MarkAsync(CancellationToken ct)
    {
        var imports = new List<long>();
        var tilesetJobs = new List<long>();
        await using (var cmd = db.Sql("Infrastructure/Jobs/running_jobs.sql"))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                // No worker named: started by a GeoTwin from before workers were recorded, which an upgrade has stopped.
                if (r.IsDBNull(2) || OwnedFolders.IsGone(r.GetString(2)) == true)
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
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
