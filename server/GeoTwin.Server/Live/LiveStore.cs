using GeoTwin.Server.Infrastructure.Db;
using Npgsql;

namespace GeoTwin.Server.Live;

/// <summary>The database side of the live picture that is not a request-time read.</summary>
public sealed class LiveStore(NpgsqlDataSource db)
{
    /// <summary>Units changed since <paramref name="since"/> (all when null), and the newest change seen.</summary>
    public async Task<(List<LiveUnit> Units, DateTime? Newest)> ChangedSinceAsync(DateTime? since, CancellationToken ct)
    {
        DateTime? newest = since;
        var units = await db.Sql("Live/load_units.sql", since).ListAsync(r =>
        {
            var changed = r.GetDateTime(13);
            if (newest is null || changed > newest) newest = changed;
            return Unit(r);
        }, ct);
        return (units, newest);
    }

    /// <summary>These units as they are now (LiveRelay: their status changed in another session).</summary>
    public Task<List<LiveUnit>> UnitsAsync(long[] ids, CancellationToken ct) => db.Sql("Live/relay_units.sql", ids).ListAsync(Unit, ct);

    /// <summary>The latest fixes of the groups of fixes numbered <paramref name="from"/> to <paramref name="to"/> (LiveRelay).</summary>
    public Task<List<GoodFix>> FixesAsync(long from, long to, CancellationToken ct) => db.Sql("Live/relay_fixes.sql", from, to).ListAsync(r =>
        new GoodFix(r.GetInt64(0), r.GetDateTime(1), r.GetDouble(2), r.GetDouble(3), r.Nullable<float?>(4), r.Nullable<float?>(5), r.Nullable<float?>(6)), ct);

    static LiveUnit Unit(NpgsqlDataReader r) => new(r.GetInt64(0), r.GetString(1), r.GetString(2), r.Nullable<string>(3), r.GetString(4), r.GetString(5),
        r.GetString(6), r.Nullable<DateTime?>(7), r.IsDBNull(8) ? 0 : r.GetDouble(8), r.IsDBNull(9) ? 0 : r.GetDouble(9),
        r.Nullable<float?>(10), r.Nullable<float?>(11), r.Nullable<float?>(12), r.GetFieldValue<string[]>(14));

    public async Task EnsurePartitionsAsync(CancellationToken ct)
    {
        await using var cmd = db.Sql("Live/ensure_partitions.sql");
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Through change_unit_status, the one place status rules live. Throws PostgresException GT404/GT409/GT422.</summary>
    public async Task<DateTime> ChangeStatusAsync(long unitId, string to, string by, string? expected, long? incidentId, string? reason, CancellationToken ct)
    {
        await using var cmd = db.Sql("Live/change_status.sql", unitId, to, by, expected, incidentId, reason);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return reader.GetDateTime(1);
    }
}

/// <summary>
/// Keeps <see cref="LiveUnits"/> in step with police_units: everything at start, then every couple of seconds the
/// rows whose status changed or that are new (Dispatch changes status in the database, not through this slice),
/// and every unit again when the police_units or jurisdictions data version moved (an import or psql changed a
/// unit's kind, call sign, device, capabilities or station, or the tree its station hangs in: Dispatch ranks by these).
/// Also creates the day partitions ahead of time.
/// </summary>
/// <remarks>
/// Several nodes: every node's LiveSync finds the same change, so only the leader pushes what it finds, and, while the
/// live relay listens, only on a full reload: status changes then come through the relay, which knows which node made
/// them and pushed them already (LiveRelay); a poll racing it would push them twice.
/// </remarks>
public sealed class LiveSync(LiveStore store, LiveUnits units, DataVersions versions, NodeLeader leader, ILogger<LiveSync> log,
    LiveRelay? relay = null) : BackgroundService
{
    static readonly string[] Watched = ["jurisdictions", "police_units"];
    DateTime? _seen;
    string? _version;
    DateTime _partitionsAt = DateTime.MinValue;

    /// <summary>Loads every unit; called before the server takes requests.</summary>
    public async Task LoadAllAsync(CancellationToken ct)
    {
        // The version first: a change committed while the units are read moves it again, and the next refresh reloads.
        _version = await versions.CurrentAsync(Watched, ct);
        var (all, newest) = await store.ChangedSinceAsync(null, ct);
        foreach (var u in all) units.Load(u);
        _seen = newest;
        await store.EnsurePartitionsAsync(ct);
        _partitionsAt = DateTime.UtcNow;
    }

    /// <summary>Picks up units and status changes made elsewhere; also called on an unknown unit id before refusing it.</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        // Which rows a bulk write changed is not recorded, and such writes are rare (imports, an operator): read every unit.
        var version = await versions.CurrentAsync(Watched, ct);
        var since = version == _version ? _seen?.AddSeconds(-5) : null; // overlap: commits land out of order
        var (changed, newest) = await store.ChangedSinceAsync(since, ct);
        var push = leader.IsLeader && (since is null || relay is not { Listening: true });
        foreach (var u in changed) units.Load(u, push);
        (_seen, _version) = (newest, version);
        if (DateTime.UtcNow - _partitionsAt > TimeSpan.FromHours(1))
        {
            await store.EnsurePartitionsAsync(ct);
            _partitionsAt = DateTime.UtcNow;
        }
    }

    /// <summary>Hosted services start before Kestrel takes requests, so ingest never sees an empty picture.</summary>
    public override async Task StartAsync(CancellationToken ct)
    {
        await LoadAllAsync(ct);
        await base.StartAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try { await RefreshAsync(stoppingToken); }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested) // any failure (a timeout too) is logged and retried next tick
            {
                log.LogWarning("refreshing live units failed: {Error}", e.Message);
            }
        }
    }
}
