using System.Net;
using System.Net.Sockets;
using GeoTwin.Server.Infrastructure.Db;
using Npgsql;

namespace GeoTwin.Server.Tests.Infrastructure.Db;

[Collection("postgis")]
public sealed class PrivateClusterTests(PostgisFixture pg)
{
    static int UidOf(int pid) =>
        int.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Uid:")).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1]);

    [Fact]
    public void PostgreSQL_never_runs_as_root_and_listens_on_loopback_only()
    {
        var postgresUid = UidOf(pg.Cluster.ProcessId);
        if (PrivateCluster.RunningAsRoot)
            Assert.NotEqual(0, postgresUid);
        else
            Assert.Equal(UidOf(Environment.ProcessId), postgresUid);

        using var cmd = new NpgsqlConnection(pg.Cluster.ConnectionString);
        cmd.Open();
        using var q = new NpgsqlCommand("SELECT current_setting('listen_addresses')", cmd);
        Assert.Equal("127.0.0.1", q.ExecuteScalar());
    }

    [Fact]
    public async Task A_second_start_reuses_the_cluster_and_its_data_and_stop_leaves_no_postgres()
    {
        var dir = TempDirs.Make("restart");
        try
        {
            var first = await PrivateCluster.StartAsync(new PrivateClusterOptions { DataDirectory = dir });
            await using (var conn = new NpgsqlConnection(first.ConnectionString))
            {
                await conn.OpenAsync();
                await new NpgsqlCommand("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')", conn).ExecuteNonQueryAsync();
            }
            var firstPid = first.ProcessId;
            await first.StopAsync();
            Assert.False(Directory.Exists($"/proc/{firstPid}"), "postgres should be gone after stop");

            await using var second = await PrivateCluster.StartAsync(new PrivateClusterOptions { DataDirectory = dir });
            await using var again = new NpgsqlConnection(second.ConnectionString);
            await again.OpenAsync();
            Assert.Equal("still here", await new NpgsqlCommand("SELECT v FROM kept", again).ExecuteScalarAsync());
        }
        finally
        {
            TempDirs.Remove(dir);
        }
    }

    [Fact]
    public async Task A_data_directory_in_use_by_a_running_GeoTwin_is_refused()
    {
        var e = await Assert.ThrowsAsync<StartupException>(() =>
            PrivateCluster.StartAsync(new PrivateClusterOptions { DataDirectory = pg.DataDirectory }));
        Assert.Contains("in use by another running GeoTwin", e.Message);
    }

    [Fact]
    public async Task Missing_PostgreSQL_says_how_to_install_it()
    {
        var e = await Assert.ThrowsAsync<StartupException>(() =>
            PrivateCluster.StartAsync(new PrivateClusterOptions { DataDirectory = TempDirs.Make("nopg"), PgBinDirectory = "/nonexistent/bin" }));
        Assert.Contains("not installed", e.Message);
        Assert.Contains("apt-get install -y postgresql-15 postgresql-15-postgis-3 postgresql-15-pgrouting", e.Message);
    }

    [Fact]
    public async Task PostgreSQL_without_PostGIS_says_how_to_install_it()
    {
        // The real server binaries, but a pg_config that reports a share folder with no extensions in it.
        var bin = TempDirs.Make("nopostgis");
        try
        {
            foreach (var tool in new[] { "postgres", "initdb" })
                File.CreateSymbolicLink(Path.Combine(bin, tool), Path.Combine("/usr/lib/postgresql/15/bin", tool));
            var pgConfig = Path.Combine(bin, "pg_config");
            await File.WriteAllTextAsync(pgConfig, $"#!/bin/sh\necho {bin}/share\n");
            File.SetUnixFileMode(pgConfig, UnixFileMode.UserRead | UnixFileMode.UserExecute);

            var e = await Assert.ThrowsAsync<StartupException>(() =>
                PrivateCluster.StartAsync(new PrivateClusterOptions { DataDirectory = Path.Combine(bin, "data"), PgBinDirectory = bin }));

            Assert.StartsWith("the PostgreSQL extension postgis is not installed", e.Message);
            Assert.Contains("postgresql-15-postgis-3", e.Message);
        }
        finally
        {
            TempDirs.Remove(bin);
        }
    }

    [Fact]
    public async Task An_unwritable_data_directory_is_named()
    {
        var e = await Assert.ThrowsAsync<StartupException>(() =>
            PrivateCluster.StartAsync(new PrivateClusterOptions { DataDirectory = "/proc/geotwin-data" }));
        Assert.Contains("/proc/geotwin-data is not writable", e.Message);
        Assert.Contains("--data", e.Message);
    }

    [Fact]
    public async Task A_taken_database_port_is_named()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var dir = TempDirs.Make("port");
        try
        {
            var e = await Assert.ThrowsAsync<StartupException>(() =>
                PrivateCluster.StartAsync(new PrivateClusterOptions { DataDirectory = dir, Port = port }));
            Assert.Contains($"port {port}", e.Message);
            Assert.Contains("in use", e.Message);
        }
        finally
        {
            TempDirs.Remove(dir);
        }
    }

    [Fact]
    public async Task As_root_an_unknown_PostgreSQL_account_is_named()
    {
        var dir = TempDirs.Make("nouser");
        try
        {
            var start = PrivateCluster.StartAsync(new PrivateClusterOptions { DataDirectory = dir, RunAsUser = "no-such-geotwin-user" });
            if (!PrivateCluster.RunningAsRoot)
            {
                await using var cluster = await start; // a normal user runs PostgreSQL itself; the setting is not used
                Assert.True(cluster.IsRunning);
                return;
            }
            var e = await Assert.ThrowsAsync<StartupException>(() => start);
            Assert.Contains("'no-such-geotwin-user'", e.Message);
            Assert.Contains("GEOTWIN_PG_USER", e.Message);
        }
        finally
        {
            TempDirs.Remove(dir);
        }
    }
}
