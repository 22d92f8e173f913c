using System.Threading.Channels;
using GeoTwin.Server.Infrastructure.Db;
using Npgsql;

namespace GeoTwin.Server.Live;

/// <summary>
/// Several nodes, one live picture: what another node (or any session) committed reaches this node's
/// <see cref="LiveUnits"/> and geofence engine. Carrier: PostgreSQL LISTEN/NOTIFY on <see cref="Channel"/> carrying only
/// wake-ups (migration 0117), and this node reading the committed rows. Why PostgreSQL and not a Redis stream: the
/// database is already the truth (a fix is acknowledged only once committed there), every node already holds a
/// connection to it, and a notification is delivered at commit, in commit order, so a node never hears of a fix that
/// could still roll back; Redis stays optional (the SignalR backplane) and its loss costs no live state. The payloads are
/// tiny (one a group commit, not one a fix), so 2,000 fixes/s in groups of ~5-50 ms are tens of notifications a second.
/// <list type="bullet">
/// <item>"f:seq:node": a group of fixes; another node's are read from police_units (fix_seq) and applied with
/// <c>push: false</c>: the ingesting node pushed them (through the backplane, to every node's viewers) and judged them
/// against the fences; here they only move the picture and the engine's memory of where each unit was.</item>
/// <item>"s:unit:session": a status change, read and loaded; pushed here only if this node made it, or (the leader) if
/// no node did (psql, a script), so viewers hear it once.</item>
/// <item>"g:fence": a fence drawn, changed or deleted on any node: reloaded into this node's engine.</item>
/// </list>
/// On every (re)connection the whole picture is read again (silently), so nothing missed while not listening stays
/// missed. <c>/readyz</c> "liveRelay" says whether it listens and how many fixes of other nodes it applied.
/// </summary>
public sealed class LiveRelay(NpgsqlDataSource db, LiveStore store, LiveUnits units, NodeLeader leader, ILogger<LiveRelay> log,
    Geofences.GeofenceService? fences = null) : BackgroundService, IAsyncDisposable
{
    public const string Channel = "geotwin_live";
    const string Resync = "resync";
    static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(5);

    readonly string _self = new NpgsqlConnectionStringBuilder(db.ConnectionString).ApplicationName ?? "";
    readonly Channel<string> _heard = System.Threading.Channels.Channel.CreateUnbounded<string>(new() { SingleReader = true });
    volatile bool _listening;
    long _relayedFixes, _relayedStatuses;

    /// <summary>True while this node hears the other nodes' changes.</summary>
    public bool Listening => _listening;

    public object Health() => new { listening = _listening, node = _self, relayedFixes = Interlocked.Read(ref _relayedFixes),
        relayedStatuses = Interlocked.Read(ref _relayedStatuses) };

    protected override Task ExecuteAsync(CancellationToken stop) => Task.WhenAll(ListenAsync(stop), ApplyAsync(stop));

    async Task ListenAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var conn = await db.OpenConnectionAsync(stop);
                conn.Notification += (_, e) => _heard.Writer.TryWrite(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", conn)) await listen.ExecuteNonQueryAsync(stop);
                _heard.Writer.TryWrite(Resync); // listening first, then the read: a commit in between is in one or the other
                _listening = true;
                while (true)
                {
                    if (await conn.WaitAsync(Heartbeat, stop)) continue;
                    using var ping = CancellationTokenSource.CreateLinkedTokenSource(stop);
                    ping.CancelAfter(TimeSpan.FromSeconds(2));
                    await using var cmd = new NpgsqlCommand("SELECT 1", conn);
                    await cmd.ExecuteNonQueryAsync(ping.Token);
                }
            }
            catch (Exception) when (stop.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                log.LogWarning("live relay: listener lost ({Error}); other nodes' fixes wait until it is back", e.Message);
            }
            finally { _listening = false; }
            try { await Task.Delay(TimeSpan.FromSeconds(1), stop); } catch (OperationCanceledException) { return; }
        }
    }

    async Task ApplyAsync(CancellationToken stop)
    {
        var reader = _heard.Reader;
        while (true)
        {
            try { if (!await reader.WaitToReadAsync(stop)) return; } catch (OperationCanceledException) { return; }
            // Everything heard meanwhile in one go: under load one read serves many wake-ups.
            var resync = false;
            long from = long.MaxValue, to = long.MinValue;
            var statuses = new Dictionary<long, bool>(); // unit -> push here
            var fenceIds = new HashSet<long>();
            while (reader.TryRead(out var payload))
            {
                var parts = payload.Split(':', 3);
                switch (parts[0])
                {
                    case Resync: resync = true; break;
                    case "f" when parts.Length == 3 && parts[2] != _self && long.TryParse(parts[1], out var seq):
                        from = Math.Min(from, seq); to = Math.Max(to, seq); break;
                    case "s" when parts.Length == 3 && long.TryParse(parts[1], out var unit):
                        statuses[unit] = statuses.GetValueOrDefault(unit) || PushesStatusOf(parts[2]); break;
                    case "g" when long.TryParse(parts[1], out var fence): fenceIds.Add(fence); break;
                }
            }
            try
            {
                if (resync)
                {
                    var (all, _) = await store.ChangedSinceAsync(null, stop);
                    foreach (var u in all) units.Load(u, push: false);
                    if (fences is not null) await fences.ReloadAsync(stop);
                }
                if (from <= to)
                {
                    var fixes = await store.FixesAsync(from, to, stop);
                    units.ApplyFixes(fixes, push: false);
                    fences?.Follow(fixes);
                    Interlocked.Add(ref _relayedFixes, fixes.Count);
                }
                if (statuses.Count > 0)
                    foreach (var u in await store.UnitsAsync([.. statuses.Keys], stop))
                    {
                        units.Load(u, push: statuses[u.Id]);
                        Interlocked.Increment(ref _relayedStatuses);
                    }
                if (fences is not null) foreach (var id in fenceIds) await fences.RefreshAsync(id, stop);
            }
            catch (Exception) when (stop.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                // What was read is lost with the failed read: read everything again once the database answers.
                log.LogWarning("live relay: applying what other nodes changed failed ({Error}); reading every unit again", e.Message);
                try { await Task.Delay(TimeSpan.FromSeconds(1), stop); } catch (OperationCanceledException) { return; }
                _heard.Writer.TryWrite(Resync);
            }
        }
    }

    /// <summary>A status change is pushed by the node whose session made it, or by the leader when no node did (psql, a script).</summary>
    bool PushesStatusOf(string session) =>
        session == _self || (!session.StartsWith(Database.NodePrefix, StringComparison.Ordinal) && leader.IsLeader);

    /// <summary>A server disposed without being stopped (tests) still closes its LISTEN connection before the pool goes.</summary>
    public async ValueTask DisposeAsync()
    {
        base.Dispose();
        if (ExecuteTask is { } loop) await loop.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
    }
}
