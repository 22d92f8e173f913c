using System.Net;
using System.Text.Json;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Tiling.Tiles;
using Microsoft.Extensions.DependencyInjection;
using NetTopologySuite.IO.VectorTiles.Mapbox;
using Npgsql;

namespace GeoTwin.Server.Tests.Infrastructure.Db;

/// <summary>
/// The real server with GEOTWIN_DB_READ set to a streaming replica of its database: vector tiles are built on the
/// replica, a change committed on the primary is in the very next tile (the replica is read only once it has
/// replayed the versions the tile is cached under), and /readyz reports the replica.
/// </summary>
[Collection("postgis")]
public sealed class ReadReplicaServerTests(PostgisFixture pg) : IAsyncLifetime
{
    static readonly TileAddress House1Tile = TileAddress.Containing(7.41, 43.73, 16);
    static readonly string HouseTile = $"/tiles/houses/{House1Tile.Z}/{House1Tile.X}/{House1Tile.Y}.mvt";
    readonly string _replicaDir = TempDirs.Make("replica");
    PrivateCluster _replica = null!;
    GeoTwinServer _server = null!;
    HttpClient _city = null!;

    ReadReplica Reads => _server.App.Services.GetRequiredService<ReadReplica>();

    public async Task InitializeAsync()
    {
        var primary = await pg.CreateDatabaseAsync();
        await using (var seed = Database.Build(primary)) await TwoStations.SeedAsync(seed);
        _replica = await PrivateCluster.StartAsync(new PrivateClusterOptions
        {
            DataDirectory = _replicaDir, DatabaseName = new NpgsqlConnectionStringBuilder(primary).Database!, ReplicaOf = pg.Cluster.ConnectionString,
        });
        _server = await Program.BuildAsync([], new Dictionary<string, string?>
        {
            ["ConnectionStrings:GeoTwin"] = primary,
            ["ConnectionStrings:GeoTwinRead"] = _replica.ConnectionString,
            ["GeoTwin:Db:ReadProbeSeconds"] = "0.2",
            ["GeoTwin:Port"] = "0",
            ["GeoTwin:Jobs:Worker"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        await _server.App.StartAsync();
        _city = await Browser.SignedInAsync(_server, "commander", "commander", TwoStations.City);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Reads.State != "ok")
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("waited 60 s for the replica to be probed well");
            await Task.Delay(50);
        }
    }

    public async Task DisposeAsync()
    {
        _city.Dispose();
        await _server.DisposeAsync();
        await _replica.StopAsync();
        TempDirs.Remove(_replicaDir);
    }

    [Fact]
    public async Task Tiles_are_read_from_the_replica_and_a_change_on_the_primary_is_in_the_next_tile()
    {
        Assert.Equal("residential", await HouseUse());
        Assert.True(ReadsFromReplica() >= 1, "the tile was not built on the replica");

        await using (var cmd = _server.Database.DataSource.CreateCommand("UPDATE houses SET use = 'hotel' WHERE code = 'H-1'"))
            await cmd.ExecuteNonQueryAsync();
        await _server.App.Services.GetRequiredService<DataVersions>().FenceAsync();

        // Replayed already or not, the tile under the new version is never the old one.
        Assert.Equal("hotel", await HouseUse());

        var ready = JsonDocument.Parse(await _city.GetStringAsync("/readyz")).RootElement.GetProperty("readReplica");
        Assert.Equal("ok", ready.GetProperty("state").GetString());
    }

    long ReadsFromReplica() =>
        JsonDocument.Parse(JsonSerializer.Serialize(Reads.Report(DateTime.UtcNow))).RootElement.GetProperty("readsFromReplica").GetInt64();

    async Task<string> HouseUse()
    {
        var response = await _city.GetAsync(HouseTile);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var stream = new MemoryStream(await response.Content.ReadAsByteArrayAsync());
        var tile = new MapboxTileReader().Read(stream, new NetTopologySuite.IO.VectorTiles.Tiles.Tile(House1Tile.X, House1Tile.Y, House1Tile.Z));
        return (string)tile.Layers.Single().Features.Single().Attributes["use"];
    }
}
