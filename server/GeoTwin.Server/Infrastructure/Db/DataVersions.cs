using System.Collections.Concurrent;
using Npgsql;

namespace GeoTwin.Server.Infrastructure.Db;

/// <summary>
/// A counter per table, raised when PostgreSQL reports a committed change (migrations 0010 and 0011,
/// notify_data_changed). Listening on its own connection, it hears every writer: imports, edits, other
/// GeoTwin nodes, psql. In-memory caches (tiles, session checks) key on these versions.
/// </summary>
public sealed class DataVersions(NpgsqlDataSource db, ILogger<DataVersions> log) : BackgroundService
{
    const string Channel = "geotwin_data_changed";
    readonly ConcurrentDictionary<string, long> _versions = new();
    long _epoch;

    /// <summary>The versions of the given tables, as one cache-key fragment.</summary>
    public string Of(IEnumerable<string> tables) =>
        $"{Interlocked.Read(ref _epoch)}:" + string.Join('.', tables.Select(t => _versions.GetValueOrDefault(t)));

    public void Bump(string table) => _versions.AddOrUpdate(table, 1, (_, v) => v + 1);

    /// <summary>Only while listening can a cached tile be trusted; otherwise tiles are built fresh.</summary>
    public bool IsListening => Volatile.Read(ref _listening);
    bool _listening;

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var conn = await db.OpenConnectionAsync(stop);
                conn.Notification += (_, e) => Bump(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", conn))
                    await listen.ExecuteNonQueryAsync(stop);
                // Changes made while not listening are unknown: start a new epoch, which empties the cache in effect.
                Interlocked.Increment(ref _epoch);
                Volatile.Write(ref _listening, true);
                while (!stop.IsCancellationRequested) await conn.WaitAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or IOException)
            {
                Volatile.Write(ref _listening, false);
                Interlocked.Increment(ref _epoch);
                log.LogWarning("lost the change listener ({Message}); reconnecting", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), stop);
            }
        }
    }
}

public static class DataVersionsSetup
{
    public static WebApplicationBuilder AddDataVersions(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DataVersions>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DataVersions>());
        return builder;
    }
}
