using System.Runtime.InteropServices;
using Npgsql;

namespace GeoTwin.Server.Infrastructure.Db;

/// <summary>
/// `geotwin db` and `geotwin replica`: the private cluster on its own, for several nodes (and a replica) to share,
/// where no PostgreSQL is installed as a service (tests/bench/cluster.sh). The connection string, password included,
/// is written to DIR/connection (readable by this account only) for the nodes' GEOTWIN_DB / GEOTWIN_DB_READ.
/// Runs until Ctrl-C or SIGTERM (a fast shutdown of PostgreSQL) or until its postmaster dies (exit code 1).
/// </summary>
public static class DatabaseCommand
{
    public static async Task<int> RunAsync(Dictionary<string, string?> settings, bool replica)
    {
        var primary = settings.GetValueOrDefault("GeoTwin:Db:Primary");
        if (replica && string.IsNullOrWhiteSpace(primary)) throw new StartupException("replica needs --primary CONNECTION (the primary's `connection` file)");
        var dataDir = settings.GetValueOrDefault("GeoTwin:DataDirectory") ?? ".geotwin";
        int? port = settings.GetValueOrDefault("GeoTwin:Db:Port") is { } p ? int.Parse(p) : null;
        var database = replica ? new NpgsqlConnectionStringBuilder(primary).Database ?? "geotwin" : "geotwin";
        await using var cluster = await PrivateCluster.StartAsync(new PrivateClusterOptions
        {
            DataDirectory = dataDir, Port = port, DatabaseName = database, ReplicaOf = replica ? primary : null,
            RunAsUser = settings.GetValueOrDefault("GeoTwin:PostgresUser"),
        }, Cli.Say);
        if (!replica)
        {
            await using var db = Database.Build(cluster.ConnectionString);
            await Migrations.ApplyAsync(db, Migrations.Embedded, Cli.Say);
        }
        var connectionFile = Path.Combine(Path.GetFullPath(dataDir), "connection");
        await File.WriteAllTextAsync(connectionFile, new NpgsqlConnectionStringBuilder(cluster.ConnectionString) { Pooling = true }.ConnectionString);
        File.SetUnixFileMode(connectionFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Cli.Say($"{(replica ? "replica" : "database")} running on 127.0.0.1:{cluster.Port}; connection string in {connectionFile} (Ctrl-C stops it)");

        var stop = new TaskCompletionSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
        var exited = cluster.ExitedAsync();
        if (await Task.WhenAny(stop.Task, exited) == exited)
        {
            Cli.Say($"PostgreSQL stopped by itself ({exited.Result})");
            return 1;
        }
        return 0; // disposing the cluster stops PostgreSQL
    }
}
