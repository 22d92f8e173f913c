using Npgsql;

namespace GeoTwin.Server.Coverage.Visibility;

/// <summary>What the visibility worker last did, for /readyz.</summary>
public sealed class VisibilityHealth
{
    volatile string _status = "starting";
    public string Status => _status;
    public void Set(string status) => _status = status;
}

/// <summary>
/// Keeps camera_visibility current: at start every camera never computed (the demo's, an import's), then whatever the
/// coverage_changes queue names, woken by the triggers' NOTIFY (and every 30 s in case one was missed). A failed round
/// is logged and retried after 1 s, doubling to at most 60 s; its queue rows stay queued (the round's transaction
/// rolled back). Off with GeoTwin:Coverage:Worker = false.
/// </summary>
public sealed class VisibilityWorker(NpgsqlDataSource db, VisibilityHealth health, ILogger<VisibilityWorker> log) : BackgroundService
{
    public const string Channel = "geotwin_coverage";

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        var delay = TimeSpan.FromSeconds(1);
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var listen = await db.OpenConnectionAsync(stop);
                await using (var cmd = new NpgsqlCommand($"LISTEN {Channel}", listen)) await cmd.ExecuteNonQueryAsync(stop);
                while (!stop.IsCancellationRequested)
                {
                    int done;
                    do
                    {
                        var took = System.Diagnostics.Stopwatch.StartNew();
                        done = await VisibilityStore.RefreshAsync(db, stop);
                        // the time says whether the city's cameras fit the goal (all of the demo's in ≤ 1 s), read from the log
                        if (done > 0) log.LogInformation("camera visibility recomputed for {Count} cameras in {Ms} ms", done, took.ElapsedMilliseconds);
                    } while (done > 0);
                    health.Set("up");
                    failures = 0;
                    delay = TimeSpan.FromSeconds(1);
                    await listen.WaitAsync(TimeSpan.FromSeconds(30), stop);
                }
            }
            catch (Exception e) when (!stop.IsCancellationRequested)
            {
                failures++;
                health.Set($"retrying (failure {failures}: {e.Message})");
                log.LogWarning(e, "camera visibility round failed; trying again in {Seconds} s", delay.TotalSeconds);
                try { await Task.Delay(delay, stop); } catch (OperationCanceledException) { return; }
                delay = TimeSpan.FromSeconds(Math.Min(60, delay.TotalSeconds * 2));
            }
            catch (OperationCanceledException) { return; }
        }
    }
}
