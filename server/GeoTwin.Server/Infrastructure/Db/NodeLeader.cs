using GeoTwin.Server.Status;
using Npgsql;

namespace GeoTwin.Server.Infrastructure.Db;

/// <summary>
/// Which node runs the loops that must run once however many nodes serve (the demo simulator, the crowd feeder, the
/// demo call platform's generator, the feed-state push): the one holding a PostgreSQL session advisory lock on its own
/// connection. Hangfire jobs need none of this (Hangfire's own PostgreSQL locks hand each occurrence to one worker).
/// PostgreSQL, not Redis: the database is what every node already needs; a lock held by a session ends with it, so a
/// node killed outright (or cut off) frees it, and another node takes it at its next try (every <c>GeoTwin:Leader:
/// TrySeconds</c>, 2 s). A node that loses its connection stops its leader work at once (<see cref="RunAsync"/>)
/// before another can have taken over, so the work never runs twice for longer than the connection's death is unseen
/// (a heartbeat every 2 s). With one node it is simply always the leader.
/// </summary>
public sealed class NodeLeader(NpgsqlDataSource db, IConfiguration config, ILogger<NodeLeader> log) : BackgroundService, IAsyncDisposable
{
    // hashtext('geotwin.leader') would do too; a constant keeps it readable in pg_locks (classid 0x6774 "gt", objid 1).
    const long LockKey = 0x6774_0000_0001;
    readonly TimeSpan _try = TimeSpan.FromSeconds(config.GetValue("GeoTwin:Leader:TrySeconds", 2.0));
    volatile TaskCompletionSource<CancellationToken> _term = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>True while this node holds the lock.</summary>
    public bool IsLeader => _term.Task.IsCompletedSuccessfully;

    // What /readyz says under "leader": a lock loop that keeps failing is seen there, not only in the log.
    volatile string _state = "starting";

    public object Health() => new { leads = IsLeader, state = _state };

    /// <summary>
    /// Runs <paramref name="body"/> while this node leads: waits to lead, runs it with a token cancelled when leadership
    /// is lost, and waits again. Returns when the body returns by itself or <paramref name="stop"/> ends.
    /// </summary>
    public async Task RunAsync(Func<CancellationToken, Task> body, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            CancellationToken lost;
            try { lost = await _term.Task.WaitAsync(stop); } catch (OperationCanceledException) { return; }
            using var both = CancellationTokenSource.CreateLinkedTokenSource(stop, lost);
            try
            {
                await body(both.Token);
                if (!lost.IsCancellationRequested) return;
            }
            catch (OperationCanceledException) when (lost.IsCancellationRequested && !stop.IsCancellationRequested)
            {
                log.LogWarning("leadership lost: the leader's work stops here and waits to lead again");
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            using var lost = new CancellationTokenSource();
            NpgsqlConnection? conn = null;
            try
            {
                conn = await db.OpenConnectionAsync(stop);
                _state = "following (another node leads)";
                while (!await TryLockAsync(conn, stop)) await Task.Delay(_try, stop);
                _state = "leading";
                log.LogInformation("this node leads (advisory lock held by backend {Pid})", conn.ProcessID);
                _term.TrySetResult(lost.Token);
                while (true)
                {
                    await Task.Delay(_try, stop);
                    using var ping = CancellationTokenSource.CreateLinkedTokenSource(stop);
                    ping.CancelAfter(TimeSpan.FromSeconds(5));
                    await using var cmd = new NpgsqlCommand("SELECT 1", conn);
                    await cmd.ExecuteNonQueryAsync(ping.Token);
                }
            }
            catch (Exception) when (stop.IsCancellationRequested) { }
            catch (Exception e)
            {
                log.LogWarning("leader lock: connection lost ({Error}); trying again", e.Message);
                _state = $"retrying since {DateTime.UtcNow:u}: {e.Message}";
            }
            finally
            {
                if (IsLeader) _term = new(TaskCreationOptions.RunContinuationsAsynchronously);
                lost.Cancel();
                if (conn is not null) await ReleaseAsync(conn);
            }
            try { await Task.Delay(_try, stop); } catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>
    /// A pooled connection goes back to the pool with its session, and the session keeps the lock: unlock first. If that
    /// fails the session may still be alive in the pool, so the pool's idle sessions are closed (a rare failure only).
    /// </summary>
    static async Task ReleaseAsync(NpgsqlConnection conn)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await using var cmd = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", conn);
            await cmd.ExecuteNonQueryAsync(timeout.Token);
            await conn.DisposeAsync();
        }
        catch (Exception)
        {
            await conn.DisposeAsync();
            NpgsqlConnection.ClearPool(conn);
        }
    }

    static async Task<bool> TryLockAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"SELECT pg_try_advisory_lock({LockKey})", conn);
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>A server disposed without being stopped (tests) still closes its lock connection before the pool goes.</summary>
    public async ValueTask DisposeAsync()
    {
        base.Dispose();
        if (ExecuteTask is { } loop) await loop.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
    }
}

public static class NodeLeaderSetup
{
    public static WebApplicationBuilder AddNodeLeader(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<NodeLeader>();
        builder.Services.AddHostedService(s => s.GetRequiredService<NodeLeader>());
        builder.Services.AddHealthPart<NodeLeader>("leader", (l, _) => l.Health());
        return builder;
    }
}
