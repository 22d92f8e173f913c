using System.Net.Sockets;
using Npgsql;

namespace GeoTwin.Server.Infrastructure.Db;

/// <summary>
/// The one PostgreSQL GeoTwin talks to: the configured one (ConnectionStrings:GeoTwin or GEOTWIN_DB), or
/// with none configured, the private cluster under the data directory. Migrated before anything else runs.
/// </summary>
public sealed class Database : IAsyncDisposable
{
    Database(NpgsqlDataSource dataSource, string connectionString, PrivateCluster? cluster)
    {
        DataSource = dataSource;
        ConnectionString = connectionString;
        Cluster = cluster;
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>
    /// This process's name in PostgreSQL (application_name, "GeoTwin node " + a random id): the live relay's wake-ups
    /// carry it, so a node knows the changes it made itself (Live/LiveRelay). One per server, not per process: tests
    /// run two nodes in one process.
    /// </summary>
    public string NodeName => new NpgsqlConnectionStringBuilder(DataSource.ConnectionString).ApplicationName!;

    public const string NodePrefix = "GeoTwin node ";
    public string ConnectionString { get; }
    public PrivateCluster? Cluster { get; }

    public static async Task<Database> OpenAsync(IConfiguration config, Action<string> log, CancellationToken ct = default)
    {
        var configured = config.GetConnectionString("GeoTwin") ?? config["GEOTWIN_DB"];
        PrivateCluster? cluster = null;
        string connectionString;
        if (string.IsNullOrWhiteSpace(configured))
        {
            cluster = await PrivateCluster.StartAsync(new PrivateClusterOptions
            {
                DataDirectory = config["GeoTwin:DataDirectory"] ?? ".geotwin",
                RunAsUser = config["GeoTwin:PostgresUser"],
                PgBinDirectory = config["GeoTwin:PgBin"],
            }, log, ct);
            connectionString = cluster.ConnectionString;
        }
        else
        {
            connectionString = configured;
        }

        try
        {
            var dataSource = Build(connectionString, NodePrefix + Guid.NewGuid().ToString("N")[..12]);
            var database = new Database(dataSource, connectionString, cluster);
            await database.RequireReachableAsync(configured is not null, ct);
            await Migrations.ApplyAsync(dataSource, Migrations.Embedded, log, ct);
            // Connections opened before the first migration created PostGIS know no geometry type; reload
            // so that writing NTS geometries works on a fresh database too.
            await dataSource.ReloadTypesAsync(ct);
            return database;
        }
        catch
        {
            if (cluster is not null) await cluster.StopAsync();
            throw;
        }
    }

    public static NpgsqlDataSource Build(string connectionString, string? applicationName = null)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.UseNetTopologySuite();
        if (applicationName is not null) builder.ConnectionStringBuilder.ApplicationName = applicationName;
        builder.ConnectionStringBuilder.ApplicationName ??= "GeoTwin";
        return builder.Build();
    }

    async Task RequireReachableAsync(bool external, CancellationToken ct)
    {
        try
        {
            await using var conn = await DataSource.OpenConnectionAsync(ct);
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException or ArgumentException)
        {
            var csb = new NpgsqlConnectionStringBuilder(ConnectionString);
            var where = $"{csb.Host}:{csb.Port}/{csb.Database}";
            var what = external ? "check ConnectionStrings:GeoTwin or GEOTWIN_DB, or unset it to use the private cluster" : "see the PostgreSQL log under the data directory";
            throw new StartupException($"cannot reach the database at {where} ({e.Message.TrimEnd('.')}): {what}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        if (Cluster is not null) await Cluster.StopAsync();
    }
}
