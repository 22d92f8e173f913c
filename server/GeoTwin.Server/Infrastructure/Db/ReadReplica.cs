using GeoTwin.Server.Status;
using System.Net.Sockets;
using Npgsql;
using NpgsqlTypes;

namespace GeoTwin.Server.Infrastructure.Db;

/// <summary>
/// The one rule for where a read goes (ConnectionStrings:GeoTwinRead or GEOTWIN_DB_READ: a streaming replica).
/// Only reads that opt in come here (vector tiles, hot spot cells and the hot spot analysis); every write, and
/// every read of what the caller just wrote, stays on the primary.
/// A read goes to the replica while it is well:
/// - a probe every GeoTwin:Db:ReadProbeSeconds (1) compares the primary's WAL position with the replica's replay
///   position (pg_current_wal_lsn / pg_last_wal_replay_lsn); behind for longer than GeoTwin:Db:ReadMaxLagSeconds (5)
///   is "lagging", unreachable or no longer a standby (promoted) is "down": reads use the primary until it is well;
/// - a read that names the data versions it is cached under (tiles, hot spots: "incidents=12.jurisdictions=3") is
///   checked against the replica's own data_versions first, so a cache never keeps an answer older than its key;
///   a replica that has not replayed them yet leaves that read to the primary;
/// - a replica that fails during the read (killed, "conflict with recovery") has the read redone on the primary.
/// Without a read connection every read is the primary's, as before.
/// </summary>
public sealed class ReadReplica(NpgsqlDataSource primary, IConfiguration config, ILogger<ReadReplica> log) : BackgroundService, IAsyncDisposable
{
    readonly NpgsqlDataSource? _replica = config.GetConnectionString("GeoTwinRead") is { Length: > 0 } cs ? BuildReplica(cs) : null;
    readonly TimeSpan _probe = TimeSpan.FromSeconds(config.GetValue("GeoTwin:Db:ReadProbeSeconds", 1.0));
    readonly TimeSpan _maxLag = TimeSpan.FromSeconds(config.GetValue("GeoTwin:Db:ReadMaxLagSeconds", 5.0));
    volatile string _state = "down"; // until the first probe
    volatile string? _error = "not probed yet";
    long _lagBytes;
    DateTime _caughtUpAt = DateTime.UtcNow;
    long _replicaReads, _primaryReads, _fallbacks;

    public bool Configured => _replica is not null;

    /// <summary>"ok" (reads go to the replica), "lagging" or "down" (reads go to the primary).</summary>
    public string State => _state;

    /// <summary>For /readyz: null without a replica.</summary>
    public object? Report(DateTime now) => _replica is null ? null : new
    {
        state = _state == "ok" ? "ok" : $"{_state}-using-primary",
        lagBytes = Interlocked.Read(ref _lagBytes),
        behindSeconds = _state == "down" ? (double?)null : Math.Round(Math.Max(0, (now - _caughtUpAt).TotalSeconds), 1),
        maxLagSeconds = _maxLag.TotalSeconds,
        error = _error,
        readsFromReplica = Interlocked.Read(ref _replicaReads),
        readsFromPrimary = Interlocked.Read(ref _primaryReads),
        fallbacks = Interlocked.Read(ref _fallbacks),
    };

    /// <summary>
    /// Runs a read-only <paramref name="work"/> on the replica when the rule allows, else (or when the replica fails
    /// under it) on the primary. <paramref name="atVersions"/>: the data versions the answer will be cached under.
    /// </summary>
    public async Task<T> ReadAsync<T>(string? atVersions, Func<NpgsqlConnection, Task<T>> work, CancellationToken ct)
    {
        if (_replica is not null && _state == "ok")
        {
            try
            {
                await using var conn = await _replica.OpenConnectionAsync(ct);
                if (await HasReplayedAsync(conn, atVersions, ct))
                {
                    var result = await work(conn);
                    Interlocked.Increment(ref _replicaReads);
                    return result;
                }
            }
            catch (Exception e) when (!ct.IsCancellationRequested && IsReplicaTrouble(e))
            {
                Interlocked.Increment(ref _fallbacks);
                if (e is not PostgresException { SqlState: "40001" }) MarkDown(e.Message); // a recovery conflict is one query's bad luck
                log.LogWarning("read replica failed a read ({Error}); read again from the primary", e.Message);
            }
        }
        await using var onPrimary = await primary.OpenConnectionAsync(ct);
        var answer = await work(onPrimary);
        Interlocked.Increment(ref _primaryReads);
        return answer;
    }

    /// <summary>
    /// The replica's own failure (unreachable, shutting down, out of connections, a recovery conflict), as opposed to an
    /// error the primary would raise the same (a bad argument, a refusal), which is the caller's to see.
    /// </summary>
    static bool IsReplicaTrouble(Exception e) => e switch
    {
        PostgresException pg => pg.SqlState.StartsWith("57", StringComparison.Ordinal) || pg.SqlState.StartsWith("08", StringComparison.Ordinal)
            || pg.SqlState is "40001" or "53300",
        NpgsqlException or SocketException or TimeoutException => true,
        _ => false,
    };

    /// <summary>The replica's data_versions reach every version in "table=version.table=version" (the DataVersions key form).</summary>
    static async Task<bool> HasReplayedAsync(NpgsqlConnection conn, string? atVersions, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(atVersions)) return true;
        var pairs = atVersions.Split('.').Select(p => p.Split('=')).Where(p => p.Length == 2 && long.TryParse(p[1], out _)).ToList();
        if (pairs.Count == 0) return true;
        await using var cmd = new NpgsqlCommand(
            "SELECT count(*) = 0 FROM unnest($1::text[], $2::bigint[]) AS want(t, v) LEFT JOIN data_versions d ON d.table_name = want.t WHERE coalesce(d.version, -1) < want.v", conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = pairs.Select(p => p[0]).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = pairs.Select(p => long.Parse(p[1])).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        return await cmd.ExecuteScalarAsync(ct) is true;
    }

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        if (_replica is null) return;
        while (!stopping.IsCancellationRequested)
        {
            try { await ProbeAsync(stopping); }
            catch (Exception) when (stopping.IsCancellationRequested) { return; }
            catch (Exception e) { MarkDown(e.Message); }
            try { await Task.Delay(_probe, stopping); } catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>One probe: the primary's position first, then how far the replica has replayed.</summary>
    async Task ProbeAsync(CancellationToken stopping)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        NpgsqlLogSequenceNumber written;
        await using (var cmd = primary.CreateCommand("SELECT pg_current_wal_lsn()"))
            written = (NpgsqlLogSequenceNumber)(await cmd.ExecuteScalarAsync(timeout.Token))!;
        await using var conn = await _replica!.OpenConnectionAsync(timeout.Token);
        await using var probe = new NpgsqlCommand("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()", conn);
        await using var r = await probe.ExecuteReaderAsync(timeout.Token);
        await r.ReadAsync(timeout.Token);
        if (!r.GetBoolean(0))
        {
            // Promoted, or pointed at a primary: its data may part from the primary's, so it is not read.
            MarkDown("the read database is not a standby (promoted?): not read until it is one again");
            return;
        }
        var replayed = r.IsDBNull(1) ? default : r.GetFieldValue<NpgsqlLogSequenceNumber>(1);
        var behind = written > replayed ? (long)(ulong)written - (long)(ulong)replayed : 0;
        Interlocked.Exchange(ref _lagBytes, behind);
        var now = DateTime.UtcNow;
        // Measured on this clock, not from pg_last_xact_replay_timestamp, which stands still while nothing is written.
        if (behind == 0) _caughtUpAt = now;
        var next = now - _caughtUpAt > _maxLag ? "lagging" : "ok";
        if (next != _state)
            log.Log(next == "ok" ? LogLevel.Information : LogLevel.Warning, "read replica: {State} ({Bytes} bytes behind the primary)", next, behind);
        _error = next == "ok" ? null : $"behind the primary by {behind} bytes for more than {_maxLag.TotalSeconds} s";
        _state = next;
    }

    void MarkDown(string why)
    {
        if (_state != "down") log.LogWarning("read replica down ({Error}): reads use the primary", why);
        _error = why;
        _state = "down";
        _replica?.Clear(); // pooled connections to a dead postmaster would each fail one read
    }

    static NpgsqlDataSource BuildReplica(string connectionString)
    {
        // A replica that does not answer should cost a read little before it falls back.
        var csb = new NpgsqlConnectionStringBuilder(connectionString);
        if (csb.Timeout > 3) csb.Timeout = 3;
        csb.ApplicationName ??= "GeoTwin read";
        return Database.Build(csb.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        base.Dispose();
        if (ExecuteTask is { } loop) await loop.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        if (_replica is not null) await _replica.DisposeAsync();
    }
}

public static class ReadReplicaSetup
{
    public static WebApplicationBuilder AddReadReplica(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ReadReplica>();
        builder.Services.AddHostedService(s => s.GetRequiredService<ReadReplica>());
        builder.Services.AddHealthPart<ReadReplica>("readReplica", (r, now) => r.Report(now));
        return builder;
    }
}
