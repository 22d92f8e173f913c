using Hangfire;

namespace GeoTwin.Server.Twin3d;

/// <summary>
/// Tileset work as Hangfire jobs on any node: the houses rebuild (after a houses import, at demo start, on request)
/// and OSGB conversion. The job row carries the percentage while it runs and the outcome after.
/// </summary>
public sealed class Twin3dJobs(Twin3dStore store, HousesTileset houses, TilesetSources sources, IBackgroundJobClient jobs, IServiceProvider services, ILogger<Twin3dJobs> log)
{
    static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    public async Task<long> EnqueueHousesAsync(string createdBy, CancellationToken ct)
    {
        var id = await store.CreateJobAsync(HousesTileset.Name, "houses", createdBy, ct);
        jobs.Enqueue<Twin3dJobs>(j => j.RebuildHousesAsync(id, CancellationToken.None));
        return id;
    }

    /// <param name="folder">an unpacked OSGB export the job owns and deletes when done.</param>
    public async Task<long> EnqueueOsgbAsync(string name, string? title, bool outsideOk, string folder, string createdBy, CancellationToken ct)
    {
        var id = await store.CreateJobAsync(name, "photogrammetry", createdBy, ct);
        jobs.Enqueue<Twin3dJobs>(j => j.ConvertOsgbAsync(id, name, title, outsideOk, folder, CancellationToken.None));
        return id;
    }

    /// <summary>Rebuilds run one at a time across nodes: two would publish in either order.</summary>
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public Task RebuildHousesAsync(long id, CancellationToken ct) =>
        RunAsync(id, async progress => (await houses.BuildAsync(progress, ct)) is { } t
            ? (t.Version, $"{t.Name} version {t.Version} published")
            : (null, "there are no houses: nothing to build"), ct);

    [AutomaticRetry(Attempts = 0)]
    public async Task ConvertOsgbAsync(long id, string name, string? title, bool outsideOk, string folder, CancellationToken ct)
    {
        try
        {
            await RunAsync(id, async progress =>
            {
                var (t, warnings) = await sources.ConvertOsgbAsync(folder, name, title, outsideOk, progress, ct);
                var notes = string.Join("; ", new[] { t.Warning }.Concat(warnings).OfType<string>());
                return (t.Version, $"{t.Name} version {t.Version} published" + (notes.Length > 0 ? $"; {notes}" : ""));
            }, ct);
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }

    async Task RunAsync(long id, Func<IProgress<(double, string)>, Task<(string? Version, string Message)>> work, CancellationToken ct)
    {
        if (!await store.StartJobAsync(id, ct))
        {
            // Handed out again while "running": Hangfire re-delivers a job whose worker died. Marked failed if so.
            // (Resolved here: InterruptedJobs needs the tileset files, which this class is built beside.)
            await services.GetRequiredService<Infrastructure.Jobs.InterruptedJobs>().MarkAsync(ct);
            return;
        }
        var latest = new Latest();
        try
        {
            var task = work(latest);
            while (await Task.WhenAny(task, Task.Delay(ProgressInterval, ct)) != task)
                if (latest.Value is var (p, phase) && phase is not null) await store.ProgressAsync(id, p, phase, ct);
            var (version, message) = await task;
            await store.FinishJobAsync(id, "done", message, version, CancellationToken.None);
        }
        catch (GeoTwin.Server.Infrastructure.Errors.Refusal e)
        {
            await store.FinishJobAsync(id, "failed", e.Message, null, CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "tileset job {Id} failed", id);
            await store.FinishJobAsync(id, "failed", $"the job failed: {e.Message}", null, CancellationToken.None);
        }
    }

    /// <summary>Keeps only the latest report: the loop writes it to the row once a second.</summary>
    sealed class Latest : IProgress<(double, string)>
    {
        Tuple<double, string>? _value;
        public (double, string?) Value => _value is { } v ? (v.Item1, v.Item2) : (0, null);
        public void Report((double, string) value) => _value = Tuple.Create(value.Item1, value.Item2);
    }
}
