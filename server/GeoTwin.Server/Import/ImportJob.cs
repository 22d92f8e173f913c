using GeoTwin.DataImport;
using GeoTwin.DataImport.Crs;
using GeoTwin.DataImport.Import;
using GeoTwin.DataImport.Import.Layers;
using Hangfire;
using Npgsql;

namespace GeoTwin.Server.Import;

/// <summary>
/// An uploaded file's import, run by a Hangfire worker on any node: the file comes back from import_jobs'
/// chunks to a temporary folder, and the job row carries the percentage while it runs and the report after.
/// </summary>
public sealed class ImportJob(NpgsqlDataSource db, ImportStore store, Twin3d.Twin3dJobs twin3d, Infrastructure.Jobs.InterruptedJobs interrupted, IConfiguration config, ILogger<ImportJob> log,
    Warnings.WarningLevels warnings)
{
    static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    /// <summary>No automatic retry: a refused file stays refused, and a crash is reported rather than re-run half-way.</summary>
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(long id, CancellationToken ct)
    {
        if (await store.StartAsync(id, ct) is not var (layer, fileName, options, scope))
        {
            // Handed out again while "running": Hangfire re-delivers a job whose worker died. Marked failed if so.
            await interrupted.MarkAsync(ct);
            return;
        }
        var dir = OwnedFolders.CreateTemp("upload").FullName;
        try
        {
            // The stored name only lends its extension: the reader is chosen by it, the path is ours.
            var path = Path.Combine(dir, "upload" + Path.GetExtension(fileName).ToLowerInvariant());
            await store.SaveFileAsync(id, path, ct);
            var request = new ImportRequest(path, layer, options.Srid, WebDatums.Parse(options.Datum), options.Mapping, options.SkipInvalid,
                MaxVertices: ImportLimits.MaxVertices(config, layer), Scope: scope, NoRepair: options.NoRepair);
            var latest = new LatestProgress();
            var import = Importer.RunAsync(db, request, latest, ct);
            while (await Task.WhenAny(import, Task.Delay(ProgressInterval, ct)) != import)
                if (latest.Value is { } p) await store.ProgressAsync(id, p, ct);
            var result = await import;
            // Places drawn anew hold incidents already counted: counted again before the job says "written", so a client
            // that polls the job reads the new levels after it.
            if (result.Written && layer == WarningPlacesLayer.Layer.Name) await warnings.RecountAfterImportAsync(db, ct);
            await store.FinishAsync(id, result.Written ? "written" : "refused", result, result.Refused, ct);
            if (result.Written && layer == "houses") await twin3d.EnqueueHousesAsync($"import {id}", ct);
        }
        catch (ImportRefusedException e)
        {
            await store.FinishAsync(id, "refused", null, e.Message, CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogError(e, "import job {Id} failed", id);
            await store.FinishAsync(id, "failed", null, $"the import failed: {e.Message}", CancellationToken.None);
        }
        finally
        {
            await store.DeleteFileAsync(id, CancellationToken.None);
            Directory.Delete(dir, recursive: true);
        }
    }
}
