using System.Collections.Concurrent;
using Npgsql;

namespace GeoTwin.Server.Infrastructure.Db;

/// <summary>
/// The committed version of each mapped table (migration 0012: raised by statement-level triggers in the
/// writer's own transaction). In-memory caches (tiles, session checks) key on it, so a change makes their
/// old entries unreachable.
///
/// Kept in memory while a LISTEN connection hears every bump (migration 0014 notifies the new number at
/// commit, in commit order), so a request needs no database round trip to know them:
/// - a write answered by this process is heard before its response leaves (<see cref="FenceAsync"/>, run
///   for every successful unsafe request by AuthSetup): the writer and anyone it tells see the change on
///   their very next request (read-your-writes, a disabled account refused at once);
/// - another writer (the CLI, psql, another node, a background job) is seen as soon as its notification
///   arrives, a few milliseconds after its commit;
/// - while the listener is down (lost connection, a fence not heard in time) every request reads the table
///   again, as before: never stale silently. On reconnect it listens first, then re-reads the table.
/// </summary>
public sealed class DataVersions(NpgsqlDataSource db, IConfiguration config, ILogger<DataVersions> log) : BackgroundService, IAsyncDisposable
{
    public const string Channel = "geotwin_versions";
    const string FencePrefix = "fence:";
    static readonly object ItemKey = new();
    static readonly TimeSpan FenceTimeout = TimeSpan.FromSeconds(2);
    static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(5);
    readonly TimeSpan _retry = TimeSpan.FromSeconds(config.GetValue("GeoTwin:Db:ListenRetrySeconds", 1.0));
    readonly ConcurrentDictionary<string, (Heard By, TaskCompletionSource Heard)> _fences = new();
    // Tests only: hear each notification this much later, in order, as over a slow link (0: at once).
    readonly TimeSpan _hearingDelay = TimeSpan.FromMilliseconds(config.GetValue("GeoTwin:Db:TestHearingDelayMs", 0));
    readonly System.Threading.Channels.Channel<(Heard, string, long)> _late = System.Threading.Channels.Channel.CreateUnbounded<(Heard, string, long)>();
    Heard? _hearing; // listening, maybe still taking its snapshot: what a fence waits on
    Heard? _live;    // snapshot taken too: what requests may trust; null while the listener is down

    sealed class Heard
    {
        public readonly ConcurrentDictionary<string, long> Versions = new(StringComparer.Ordinal);
        public readonly CancellationTokenSource Lost = new();

        /// <summary>Versions only grow (one row lock a table orders its writers), so max merges the snapshot and notifications in any order.</summary>
        public void Raise(string table, long version) => Versions.AddOrUpdate(table, version, (_, old) => Math.Max(old, version));
    }

    /// <summary>True while versions come from memory; false means every request reads them from the database.</summary>
    public bool Listening => Volatile.Read(ref _live) is not null;

    /// <summary>The listener's backend, so a test can cut it.</summary>
    public int? ListenerProcessId { get; private set; }

    public async ValueTask<string> OfAsync(HttpContext http, string[] tables, CancellationToken ct)
    {
        if (Volatile.Read(ref _live) is { } live) return Format(live.Versions, tables);
        if (http.Items[ItemKey] is not Dictionary<string, long> all)
        {
            all = await AllAsync(ct);
            http.Items[ItemKey] = all;
        }
        return Format(all, tables);
    }

    /// <summary>Outside a request (background work, a cache of its own): a fresh read on every call.</summary>
    public async ValueTask<string> OfAsync(string[] tables, CancellationToken ct) => Format(await AllAsync(ct), tables);

    /// <summary>For a poller outside a request (LiveSync, every 2 s): from memory while listening, else a fresh read.</summary>
    public async ValueTask<string> CurrentAsync(string[] tables, CancellationToken ct) =>
        Volatile.Read(ref _live) is { } live ? Format(live.Versions, tables) : await OfAsync(tables, ct);

    /// <summary>
    /// Returns once this process has heard every version bump committed before the call: a token sent on the
    /// same channel after those commits arrives after their notifications (delivery is in commit order).
    /// Not heard in time, or no database: the listener is declared lost, so requests read the table again.
    /// </summary>
    public async Task FenceAsync(CancellationToken ct = default)
    {
        // Nobody listening yet: a listener that starts later takes its snapshot after this write's commit.
        // Listening but not live yet: wait on it all the same, or it could go live without this write.
        if (Volatile.Read(ref _hearing) is not { } live) return;
        var token = Guid.NewGuid().ToString("N");
        var heard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _fences[token] = (live, heard);
        try
        {
            await using (var cmd = db.CreateCommand($"SELECT pg_notify('{Channel}', $1)"))
            {
                cmd.Parameters.Add(new NpgsqlParameter { Value = FencePrefix + token });
                await cmd.ExecuteNonQueryAsync(ct);
            }
            await heard.Task.WaitAsync(FenceTimeout, ct);
        }
        catch (Exception e) when (e is TimeoutException or NpgsqlException or System.Net.Sockets.SocketException)
        {
            log.LogWarning("data versions: a fence was not heard ({Error}); reading versions from the database until the listener reconnects", e.Message);
            Lose(live);
        }
        finally
        {
            _fences.TryRemove(token, out _);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        if (_hearingDelay > TimeSpan.Zero) _ = HearLateAsync(stopping);
        while (!stopping.IsCancellationRequested)
        {
            var heard = new Heard();
            try
            {
                using var lost = CancellationTokenSource.CreateLinkedTokenSource(stopping, heard.Lost.Token);
                await using var conn = await db.OpenConnectionAsync(lost.Token);
                conn.Notification += (_, e) =>
                {
                    if (_hearingDelay > TimeSpan.Zero) _late.Writer.TryWrite((heard, e.Payload, System.Diagnostics.Stopwatch.GetTimestamp()));
                    else OnNotification(heard, e.Payload);
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", conn)) await listen.ExecuteNonQueryAsync(lost.Token);
                Volatile.Write(ref _hearing, heard);
                // Listening first, then the snapshot: a commit in between is in one or the other, or both.
                foreach (var (table, version) in await ReadAsync(conn, lost.Token)) heard.Raise(table, version);
                ListenerProcessId = conn.ProcessID;
                Volatile.Write(ref _live, heard);
                while (true)
                {
                    if (await conn.WaitAsync(Heartbeat, lost.Token)) continue;
                    // Quiet for a while: prove the connection still answers, or give up on it.
                    using var ping = CancellationTokenSource.CreateLinkedTokenSource(lost.Token);
                    ping.CancelAfter(FenceTimeout);
                    await using var cmd = new NpgsqlCommand("SELECT 1", conn);
                    await cmd.ExecuteNonQueryAsync(ping.Token);
                }
            }
            catch (Exception) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogWarning("data versions: listener lost ({Error}); reading versions from the database until it is back", e.Message);
            }
            finally
            {
                Lose(heard);
            }
            try { await Task.Delay(_retry, stopping); } catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>
    /// A server disposed without being stopped (tests) still closes its LISTEN connection before the data
    /// source goes: otherwise the connection outlives the pool and holds a database slot.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        base.Dispose();
        if (ExecuteTask is { } loop) await loop.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    void Lose(Heard heard)
    {
        Interlocked.CompareExchange(ref _live, null, heard);
        Interlocked.CompareExchange(ref _hearing, null, heard);
        heard.Lost.Cancel();
        // Writers waiting on this listener go on: requests read the database now.
        foreach (var (by, fence) in _fences.Values) if (by == heard) fence.TrySetResult();
    }

    async Task HearLateAsync(CancellationToken stopping)
    {
        try
        {
            await foreach (var (heard, payload, at) in _late.Reader.ReadAllAsync(stopping))
            {
                var wait = _hearingDelay - System.Diagnostics.Stopwatch.GetElapsedTime(at);
                if (wait > TimeSpan.Zero) await Task.Delay(wait, stopping);
                OnNotification(heard, payload);
            }
        }
        catch (OperationCanceledException) { }
    }

    void OnNotification(Heard heard, string payload)
    {
        if (payload.StartsWith(FencePrefix, StringComparison.Ordinal))
        {
            if (_fences.TryGetValue(payload[FencePrefix.Length..], out var fence)) fence.Heard.TrySetResult();
            return;
        }
        var eq = payload.LastIndexOf('=');
        if (eq > 0 && long.TryParse(payload.AsSpan(eq + 1), out var version)) heard.Raise(payload[..eq], version);
    }

    static string Format(IReadOnlyDictionary<string, long> all, string[] tables) =>
        string.Join('.', tables.Where(all.ContainsKey).Order(StringComparer.Ordinal).Select(t => $"{t}={all[t]}"));

    async Task<Dictionary<string, long>> AllAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await ReadAsync(conn, ct);
    }

    static async Task<Dictionary<string, long>> ReadAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(EmbeddedSql.Get("Infrastructure/Db/data_versions.sql"), conn);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var all = new Dictionary<string, long>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct)) all[reader.GetString(0)] = reader.GetInt64(1);
        return all;
    }
}

public static class DataVersionsSetup
{
    public static WebApplicationBuilder AddDataVersions(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DataVersions>();
        builder.Services.AddHostedService(s => s.GetRequiredService<DataVersions>());
        return builder;
    }

    /// <summary>
    /// Endpoint metadata for a write that never moves a data version (live positions, many a second): its answer
    /// need not wait on a fence, there is nothing for it to make visible.
    /// </summary>
    public sealed class MovesNoDataVersion;

    /// <summary>
    /// A successful write (POST, PUT, PATCH, DELETE) answers only after this process heard the version bumps
    /// it committed, so the caller's next request, and every request that follows, sees them.
    /// </summary>
    public static WebApplication UseWriteFence(this WebApplication app)
    {
        var versions = app.Services.GetRequiredService<DataVersions>();
        app.Use((ctx, next) =>
        {
            var method = ctx.Request.Method;
            if (!(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method)))
                ctx.Response.OnStarting(() => ctx.Response.StatusCode < 400 && ctx.GetEndpoint()?.Metadata.GetMetadata<MovesNoDataVersion>() is null
                    ? versions.FenceAsync(ctx.RequestAborted) : Task.CompletedTask);
            return next(ctx);
        });
        return app;
    }
}
