using Npgsql;

namespace GeoTwin.Server.Infrastructure.Db;

/// <summary>
/// Brings GeoTwin's own PostgreSQL back when its postmaster exits while GeoTwin runs (killed, OOM killer, a
/// crash, someone's kill -INT): restarted on the same port and data folder, with back-off between failed
/// attempts (0.5 s doubling to 30 s), each restart logged with its cause. Not during GeoTwin's own shutdown.
/// An external database (GEOTWIN_DB) is not GeoTwin's to restart: requests answer 503 with Retry-After
/// until it returns, and the connection pools find it again by themselves.
/// What it is doing is what /readyz reports (<see cref="Condition"/>).
/// </summary>
public sealed class ClusterSupervisor(PrivateCluster? cluster, NpgsqlDataSource db, IHostApplicationLifetime lifetime, ILogger<ClusterSupervisor> log)
    : BackgroundService
{
    static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(500);
    static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);
    // A postmaster that stayed up this long was well: its next death starts the back-off afresh.
    static readonly TimeSpan Stable = TimeSpan.FromSeconds(60);

    volatile string? _restarting;
    volatile string? _lastRestart;
    int _restarts;

    /// <summary>The private cluster is GeoTwin's (false: an external database it only connects to).</summary>
    public bool OwnsDatabase => cluster is not null;

    /// <summary>"restarting (attempt 3, postmaster exited with signal 9)" while the private cluster is down; null otherwise.</summary>
    public string? Restarting => _restarting;

    /// <summary>How the database is, for /readyz once it answers: "up", or "up (restarted 2 times, last after ...)".</summary>
    public string Up => _restarts == 0 ? "up" : $"up (restarted {_restarts} time{(_restarts == 1 ? "" : "s")}, last after {_lastRestart})";

    /// <summary>What an unreachable database is called in /readyz.</summary>
    public string Unreachable => OwnsDatabase
        ? "unreachable (the private PostgreSQL does not answer)"
        : "unreachable (external database: GeoTwin does not restart it and waits for it to return)";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (cluster is null) return;
        // Ctrl-C in a terminal reaches PostgreSQL too (same process group): the host is stopping then, so no restart.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStopping);
        var ct = stopping.Token;
        var delay = FirstDelay;
        var upSince = DateTime.UtcNow;
        try
        {
            while (true)
            {
                var how = await cluster.ExitedAsync().WaitAsync(ct);
                var pid = cluster.ProcessId;
                if (cluster.Stopping) return;
                if (DateTime.UtcNow - upSince > Stable) delay = FirstDelay;
                var cause = $"postmaster exited with {how}";
                log.LogWarning("the private PostgreSQL (pid {Pid}) stopped while GeoTwin runs ({Cause}): restarting it on port {Port}", pid, cause, cluster.Port);
                for (var attempt = 1; ; attempt++)
                {
                    _restarting = $"restarting (attempt {attempt}, {cause})";
                    // Also the time backends of the dead postmaster need to notice and exit by themselves.
                    await Task.Delay(delay, ct);
                    if (cluster.Stopping) return;
                    try
                    {
                        await cluster.RestartAsync(message => log.LogInformation("{Message}", message), ct);
                        break;
                    }
                    catch (Exception e) when (!ct.IsCancellationRequested) // a timed-out start is a failed attempt, not a shutdown
                    {
                        cause = $"postmaster exited with {how}; attempt {attempt} failed: {e.Message}";
                        delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
                        log.LogWarning("restarting the private PostgreSQL failed (attempt {Attempt}): {Error}; next attempt in {Delay} s",
                            attempt, e.Message, delay.TotalSeconds);
                    }
                }
                // Pooled connections point at backends that are gone: drop them rather than fail a request each.
                db.Clear();
                NpgsqlConnection.ClearAllPools(); // Hangfire's, opened by connection string
                _lastRestart = $"postmaster exited with {how}";
                Interlocked.Increment(ref _restarts);
                _restarting = null;
                upSince = DateTime.UtcNow;
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
                log.LogWarning("the private PostgreSQL is back on port {Port} (pid {Pid}) after {Cause}", cluster.Port, cluster.ProcessId, _lastRestart);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // GeoTwin is stopping: the cluster is stopped by its owner (Database), not here.
        }
    }
}

public static class ClusterSupervisorSetup
{
    public static WebApplicationBuilder AddClusterSupervisor(this WebApplicationBuilder builder, Database database)
    {
        builder.Services.AddSingleton(s => new ClusterSupervisor(database.Cluster, s.GetRequiredService<NpgsqlDataSource>(),
            s.GetRequiredService<IHostApplicationLifetime>(), s.GetRequiredService<ILogger<ClusterSupervisor>>()));
        builder.Services.AddHostedService(s => s.GetRequiredService<ClusterSupervisor>());
        return builder;
    }
}
