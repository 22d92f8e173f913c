using System.Diagnostics;
using GeoTwin.Server.Infrastructure.Db;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace GeoTwin.Server.Tests.Infrastructure.Db;

/// <summary>
/// The read route (GEOTWIN_DB_READ) on a real streaming replica made from the test's private cluster by the
/// same code as `geotwin replica` (pg_basebackup -R): a write on the primary is read through the replica once
/// replayed, a read cached under versions the replica has not replayed goes to the primary, and with the replica
/// stopped every read goes to the primary.
/// </summary>
[Collection("postgis")]
public sealed class ReadReplicaTests(PostgisFixture pg) : IAsyncLifetime
{
    readonly string _replicaDir = TempDirs.Make("replica");
    PrivateCluster _replica = null!;
    NpgsqlDataSource _primary = null!;
    ReadReplica _reads = null!;

    public async Task InitializeAsync()
    {
        var primary = await pg.CreateDatabaseAsync();
        var name = new NpgsqlConnectionStringBuilder(primary).Database!;
        _primary = Database.Build(primary);
        await using (var cmd = _primary.CreateCommand("CREATE TABLE replica_probe (v int)")) await cmd.ExecuteNonQueryAsync();
        _replica = await PrivateCluster.StartAsync(new PrivateClusterOptions
        {
            DataDirectory = _replicaDir, DatabaseName = name, ReplicaOf = pg.Cluster.ConnectionString,
        });
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:GeoTwinRead"] = _replica.ConnectionString,
            ["GeoTwin:Db:ReadProbeSeconds"] = "0.2",
        }).Build();
        _reads = new ReadReplica(_primary, config, NullLogger<ReadReplica>.Instance);
        await _reads.StartAsync(CancellationToken.None);
        await WaitUntil(() => Task.FromResult(_reads.State == "ok"), "the replica to be probed well");
    }

    public async Task DisposeAsync()
    {
        await _reads.StopAsync(CancellationToken.None);
        await _reads.DisposeAsync();
        await _replica.StopAsync();
        await _primary.DisposeAsync();
        TempDirs.Remove(_replicaDir);
    }

    /// <summary>Where a read ran (true: a standby) and how many probe rows with <paramref name="v"/> it saw.</summary>
    Task<(bool OnReplica, long Rows)> ReadProbe(int v, string? atVersions = null) => _reads.ReadAsync(atVersions, async conn =>
    {
        await using var cmd = new NpgsqlCommand("SELECT pg_is_in_recovery(), (SELECT count(*) FROM replica_probe WHERE v = $1)", conn)
            { Parameters = { new() { Value = v } } };
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        return (r.GetBoolean(0), r.GetInt64(1));
    }, CancellationToken.None);

    [Fact]
    public async Task A_write_on_the_primary_is_read_from_the_replica_once_replayed()
    {
        await using (var cmd = _primary.CreateCommand("INSERT INTO replica_probe VALUES (42)")) await cmd.ExecuteNonQueryAsync();

        (bool OnReplica, long Rows) seen = default;
        await WaitUntil(async () => (seen = await ReadProbe(42)).Rows == 1, "the insert to be replayed on the replica");
        Assert.True(seen.OnReplica, "the read ran on the primary, not the replica");
        Assert.Equal("ok", _reads.State);
    }

    [Fact]
    public async Task A_read_cached_under_versions_the_replica_has_not_replayed_goes_to_the_primary()
    {
        // No table has this version anywhere: the replica cannot have replayed it, so the primary answers.
        var read = await ReadProbe(1, atVersions: "incidents=999999999");
        Assert.False(read.OnReplica);
        // Versions the replica has (0: below any real one) leave the read on the replica.
        Assert.True((await ReadProbe(1, atVersions: "incidents=0")).OnReplica);
    }

    [Fact]
    public async Task With_the_replica_stopped_reads_fall_back_to_the_primary()
    {
        await using (var cmd = _primary.CreateCommand("INSERT INTO replica_probe VALUES (7)")) await cmd.ExecuteNonQueryAsync();
        await _replica.StopAsync();

        // The first read may find the replica still marked well: it fails over within the same call.
        var read = await ReadProbe(7);
        Assert.False(read.OnReplica);
        Assert.Equal(1, read.Rows);
        await WaitUntil(() => Task.FromResult(_reads.State == "down"), "the probe to see the replica down");
        var report = System.Text.Json.JsonSerializer.Serialize(_reads.Report(DateTime.UtcNow));
        Assert.Contains("\"state\":\"down-using-primary\"", report);
        Assert.False((await ReadProbe(7)).OnReplica);
    }

    static async Task WaitUntil(Func<Task<bool>> condition, string what)
    {
        var sw = Stopwatch.StartNew();
        while (!await condition())
        {
            if (sw.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException($"waited 60 s for {what}");
            await Task.Delay(50);
        }
    }
}
