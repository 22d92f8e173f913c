using GeoTwin.Server;
using GeoTwin.Server.Infrastructure.Db;
using Npgsql;

namespace GeoTwin.Testing;

/// <summary>
/// One real private PostgreSQL cluster for the whole test run, made by the same code the server uses.
/// Each test gets its own database cloned from a migrated template, so tests do not see each other's rows.
/// A test project shares it through a collection: [CollectionDefinition("postgis")] class X : ICollectionFixture&lt;PostgisFixture&gt;.
/// </summary>
public sealed class PostgisFixture : IAsyncLifetime
{
    const string Template = "geotwin_template";
    int _databases;

    public PrivateCluster Cluster { get; private set; } = null!;
    public string DataDirectory { get; } = TempDirs.Make("cluster");

    public async Task InitializeAsync()
    {
        Cluster = await PrivateCluster.StartAsync(new PrivateClusterOptions { DataDirectory = DataDirectory, DatabaseName = Template });
        await using (var template = Database.Build(Cluster.ConnectionString))
            await Migrations.ApplyAsync(template, Migrations.Embedded);
        NpgsqlConnection.ClearAllPools(); // a template must have no open connections to be copied
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAsync();
        TempDirs.Remove(DataDirectory);
    }

    /// <summary>A fresh database: migrated (from the template) or empty (from template0).</summary>
    public async Task<string> CreateDatabaseAsync(bool migrated = true)
    {
        var name = $"test_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}"[..30];
        var admin = new NpgsqlConnectionStringBuilder(Cluster.ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        await using var conn = new NpgsqlConnection(admin);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name} TEMPLATE {(migrated ? Template : "template0")}", conn);
        await cmd.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(Cluster.ConnectionString) { Database = name }.ConnectionString;
    }

    public async Task<NpgsqlDataSource> CreateDataSourceAsync(bool migrated = true) =>
        Database.Build(await CreateDatabaseAsync(migrated));

    /// <summary>The real server, in process, on a free loopback port, against its own fresh database.</summary>
    public async Task<GeoTwinServer> StartServerAsync(Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["ConnectionStrings:GeoTwin"] = await CreateDatabaseAsync(),
            ["GeoTwin:Port"] = "0",
            ["GeoTwin:Jobs:Worker"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (k, v) in settings ?? []) all[k] = v;
        var server = await Program.BuildAsync([], all);
        await server.App.StartAsync();
        return server;
    }
}

public static class TempDirs
{
    /// <summary>Under /tmp, which every account can traverse, so the PostgreSQL account reaches it when tests run as root.</summary>
    public static string Make(string purpose)
    {
        var dir = Path.Combine("/tmp", $"geotwin-test-{purpose}-{Guid.NewGuid():N}"[..48]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static void Remove(string dir)
    {
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
