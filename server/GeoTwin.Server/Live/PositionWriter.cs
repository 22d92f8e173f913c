using System.Threading.Channels;
using GeoTwin.Server.Infrastructure.Db;
using Npgsql;
using NpgsqlTypes;

namespace GeoTwin.Server.Live;

/// <summary>A checked fix of a known unit, ready to store.</summary>
public readonly record struct GoodFix(long UnitId, DateTime FixTime, double Lon, double Lat, float? SpeedKmh, float? HeadingDeg, float? AccuracyM);

/// <summary>
/// Group commit: every request hands its fixes over and awaits its group; one loop gathers what all requests
/// handed in meanwhile and stores it in one transaction (binary COPY into a staging table, then into the day
/// partitions idempotently on (unit_id, fix_time), and the latest fix of each unit written through to
/// police_units). A request is acknowledged only after that commit; if it fails, every request of the group
/// gets the error and nothing of the group is in memory or pushed.
/// </summary>
public sealed class PositionWriter(NpgsqlDataSource db, LiveUnits units, ILogger<PositionWriter> log, Geofences.GeofenceService? fences = null) : BackgroundService
{
    sealed record Pending(IReadOnlyList<GoodFix> Fixes, TaskCompletionSource Done);

    const int MaxGroupFixes = 50_000;
    const int GatherMs = 5;
    readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new() { SingleReader = true });

    /// <summary>Completes once the fixes are committed; throws what the database threw otherwise.</summary>
    public Task WriteAsync(IReadOnlyList<GoodFix> fixes)
    {
        if (fixes.Count == 0) return Task.CompletedTask;
        var pending = new Pending(fixes, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending)) throw new InvalidOperationException("the position writer has stopped");
        return pending.Done.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var group = new List<Pending>();
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync(stoppingToken))
        {
            group.Clear();
            var count = 0;
            while (count < MaxGroupFixes && reader.TryRead(out var p)) { group.Add(p); count += p.Fixes.Count; }
            // Requests of one burst arrive a few ms apart: waiting that long makes one commit (one WAL flush) of them.
            var gatherUntil = Environment.TickCount64 + GatherMs;
            while (count < MaxGroupFixes && Environment.TickCount64 < gatherUntil)
            {
                if (reader.TryRead(out var more)) { group.Add(more); count += more.Fixes.Count; }
                else await Task.Delay(1, stoppingToken);
            }
            try
            {
                await StoreAsync(group, stoppingToken);
                units.ApplyFixes(group.SelectMany(p => p.Fixes));
                fences?.Observe(group.SelectMany(p => p.Fixes)); // judged against the fences once kept, off this loop
                foreach (var p in group) p.Done.TrySetResult();
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                log.LogWarning("storing {Count} fixes failed: {Error}", count, e.Message);
                foreach (var p in group) p.Done.TrySetException(e);
            }
        }
    }

    // The writer's own session, kept between groups: a pooled connection is reset on return (DISCARD ALL), which
    // dropped the staging table, so every group re-created it in the catalog; now it is created once a session.
    NpgsqlConnection? _conn;

    async Task StoreAsync(List<Pending> group, CancellationToken ct)
    {
        try
        {
            await StoreOnAsync(await SessionAsync(ct), group, ct);
        }
        catch
        {
            // A broken session (PostgreSQL restarted, a failed statement) is not reused: the next group opens a new one.
            if (_conn is not null) await _conn.DisposeAsync();
            _conn = null;
            throw;
        }
    }

    async Task<NpgsqlConnection> SessionAsync(CancellationToken ct)
    {
        if (_conn is { State: System.Data.ConnectionState.Open }) return _conn;
        if (_conn is not null) await _conn.DisposeAsync();
        _conn = null;
        var conn = await db.OpenConnectionAsync(ct);
        await using (var stage = new NpgsqlCommand(EmbeddedSql.Get("Live/stage_positions.sql"), conn))
            await stage.ExecuteNonQueryAsync(ct);
        return _conn = conn;
    }

    async Task StoreOnAsync(NpgsqlConnection conn, List<Pending> group, CancellationToken ct)
    {
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var copy = await conn.BeginBinaryImportAsync(
                         "COPY positions_in (unit_id, fix_time, lon, lat, speed_kmh, heading_deg, accuracy_m) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var p in group)
                foreach (var f in p.Fixes)
                {
                    await copy.StartRowAsync(ct);
                    await copy.WriteAsync(f.UnitId, NpgsqlDbType.Bigint, ct);
                    await copy.WriteAsync(f.FixTime, NpgsqlDbType.TimestampTz, ct);
                    await copy.WriteAsync(f.Lon, NpgsqlDbType.Double, ct);
                    await copy.WriteAsync(f.Lat, NpgsqlDbType.Double, ct);
                    await WriteNullable(copy, f.SpeedKmh, ct);
                    await WriteNullable(copy, f.HeadingDeg, ct);
                    await WriteNullable(copy, f.AccuracyM, ct);
                }
            await copy.CompleteAsync(ct);
        }
        // The merge and the other nodes' wake-up in one round trip; the NOTIFY is delivered at commit (LiveRelay).
        await using (var merge = new NpgsqlBatch(conn, tx)
                     {
                         BatchCommands = { new(EmbeddedSql.Get("Live/merge_positions.sql")), new(EmbeddedSql.Get("Live/notify_fixes.sql")) },
                     })
            await merge.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
    }

    public override void Dispose()
    {
        _conn?.Dispose();
        base.Dispose();
    }

    static async Task WriteNullable(NpgsqlBinaryImporter copy, float? value, CancellationToken ct)
    {
        if (value is { } v) await copy.WriteAsync(v, NpgsqlDbType.Real, ct);
        else await copy.WriteNullAsync(ct);
    }
}
