using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Tiling.Tiles;
using Microsoft.Extensions.DependencyInjection;
using NetTopologySuite.IO.VectorTiles.Mapbox;

namespace GeoTwin.Server.Tests.Infrastructure.Db;

/// <summary>
/// Data versions heard in memory (LISTEN/NOTIFY) instead of read on every request: no request is served
/// from a cache a committed change replaced, whoever made it, and the database path takes over while the
/// listener is down.
/// </summary>
[Collection("postgis")]
public sealed class DataVersionsTests(PostgisFixture pg) : IAsyncLifetime
{
    GeoTwinServer _server = null!;
    HttpClient _city = null!;
    static readonly TileAddress House1Tile = TileAddress.Containing(7.41, 43.73, 16);
    static readonly string HouseTile = $"/tiles/houses/{House1Tile.Z}/{House1Tile.X}/{House1Tile.Y}.mvt";

    DataVersions Versions => _server.App.Services.GetRequiredService<DataVersions>();

    public async Task InitializeAsync()
    {
        // Long enough to act while the listener is down, short enough to see it come back.
        _server = await pg.StartServerAsync(new() { ["GeoTwin:Db:ListenRetrySeconds"] = "4" });
        await TwoStations.SeedAsync(_server.Database.DataSource);
        _city = await Browser.SignedInAsync(_server, "commander", "commander", TwoStations.City);
        await WaitUntil(() => Versions.Listening, "the listener to start");
    }

    public async Task DisposeAsync()
    {
        _city.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_cached_tile_and_a_known_session_need_no_database_round_trip_while_versions_are_heard()
    {
        var first = await _city.GetAsync(HouseTile);
        await using var conn = await _server.Database.DataSource.OpenConnectionAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var lockVersions = new Npgsql.NpgsqlCommand("LOCK TABLE data_versions IN ACCESS EXCLUSIVE MODE", conn, tx))
            await lockVersions.ExecuteNonQueryAsync();

        // Any read of data_versions now waits for this transaction: the request must not make one.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var cached = await _city.GetAsync(HouseTile, timeout.Token);
        await tx.RollbackAsync();

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        Assert.Equal(first.Headers.ETag, cached.Headers.ETag);
    }

    [Fact]
    public async Task A_change_committed_by_another_connection_is_served_once_its_notification_is_heard()
    {
        Assert.Equal("residential", await HouseUse(_city));
        await Sql("UPDATE houses SET use = 'hotel' WHERE code = 'H-1'");
        await Versions.FenceAsync(); // returns once this server heard every commit made before it

        Assert.True(Versions.Listening);
        Assert.Equal("hotel", await HouseUse(_city));
    }

    [Fact]
    public async Task An_account_disabled_outside_the_server_is_refused_once_heard()
    {
        using var officer = await Browser.SignedInAsync(_server, "officer", "community_officer", TwoStations.Station1);
        var before = await officer.GetAsync("/api/auth/me");
        await Sql("UPDATE users SET disabled = true WHERE username = 'officer'");
        await Versions.FenceAsync();

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await officer.GetAsync("/api/auth/me")).StatusCode);
    }

    [Theory]
    [InlineData("jurisdictionCode", TwoStations.Station2)]
    [InlineData("role", "analyst")]
    public async Task A_session_moved_or_re_roled_through_the_API_is_refused_on_the_very_next_request(string field, string value)
    {
        // Notifications heard 300 ms late, as over a slow link: only the write fence makes the next request see the change.
        await _server.DisposeAsync();
        _server = await pg.StartServerAsync(new() { ["GeoTwin:Db:TestHearingDelayMs"] = "300" });
        await TwoStations.SeedAsync(_server.Database.DataSource);
        await WaitUntil(() => Versions.Listening, "the listener to start");
        using var officer = await Browser.SignedInAsync(_server, "officer", "community_officer", TwoStations.Station1);
        using var admin = await Browser.SignedInAsync(_server, "root", "admin", TwoStations.City);
        var id = (await admin.GetFromJsonAsync<JsonElement>("/api/users")).EnumerateArray()
            .First(u => u.GetProperty("username").GetString() == "officer").GetProperty("id").GetInt64();
        await Versions.FenceAsync(); // the sign-ins' own bumps heard, so nothing else moves the versions below
        var before = await officer.GetAsync(HouseTile);

        var change = await admin.PatchAsJsonAsync($"/api/users/{id}", new Dictionary<string, string> { [field] = value });
        var after = await officer.GetAsync(HouseTile); // no wait: the PATCH answered after this server heard its commit

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task While_the_listener_is_down_every_request_reads_the_versions_and_nothing_is_stale()
    {
        using var officer = await Browser.SignedInAsync(_server, "officer", "community_officer", TwoStations.Station1);
        Assert.Equal("residential", await HouseUse(_city)); // cached
        Assert.Equal(HttpStatusCode.OK, (await officer.GetAsync("/api/auth/me")).StatusCode); // session check cached

        await Sql($"SELECT pg_terminate_backend({Versions.ListenerProcessId})");
        await WaitUntil(() => !Versions.Listening, "the listener to notice it was cut");
        await Sql("UPDATE houses SET use = 'hotel' WHERE code = 'H-1'");
        await Sql("UPDATE users SET disabled = true WHERE username = 'officer'");
        var useWhileDown = await HouseUse(_city);
        var officerWhileDown = await officer.GetAsync("/api/auth/me");
        Assert.False(Versions.Listening, "the retry delay outlasted the checks above");

        await WaitUntil(() => Versions.Listening, "the listener to come back");
        var useAfter = await HouseUse(_city); // from the snapshot taken on reconnect
        await Sql("UPDATE houses SET use = 'office' WHERE code = 'H-1'");
        await Versions.FenceAsync();

        Assert.Equal("hotel", useWhileDown);
        Assert.Equal(HttpStatusCode.Unauthorized, officerWhileDown.StatusCode);
        Assert.Equal("hotel", useAfter);
        Assert.Equal("office", await HouseUse(_city));
    }

    [Fact]
    public async Task A_disposed_server_leaves_no_connection_behind()
    {
        var server = await pg.StartServerAsync();
        await WaitUntil(() => server.App.Services.GetRequiredService<DataVersions>().Listening, "the listener to start");
        var database = new Npgsql.NpgsqlConnectionStringBuilder(server.Database.ConnectionString).Database;
        await server.DisposeAsync();

        // A backend leaves pg_stat_activity a moment after its client closed the socket.
        long left = -1;
        for (var i = 0; i < 100 && left != 0; i++, await Task.Delay(50))
        {
            await using var cmd = _server.Database.DataSource.CreateCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = $1");
            cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = database! });
            left = (long)(await cmd.ExecuteScalarAsync())!;
        }
        await using var what = _server.Database.DataSource.CreateCommand("SELECT coalesce(string_agg(state || ': ' || query, ' | '), '') FROM pg_stat_activity WHERE datname = $1");
        what.Parameters.Add(new Npgsql.NpgsqlParameter { Value = database! });
        Assert.True(left == 0, $"left open: {await what.ExecuteScalarAsync()}");
    }

    async Task<string> HouseUse(HttpClient http)
    {
        var response = await http.GetAsync(HouseTile);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var stream = new MemoryStream(await response.Content.ReadAsByteArrayAsync());
        var tile = new MapboxTileReader().Read(stream, new NetTopologySuite.IO.VectorTiles.Tiles.Tile(House1Tile.X, House1Tile.Y, House1Tile.Z));
        return (string)tile.Layers.Single().Features.Single().Attributes["use"];
    }

    async Task Sql(string sql)
    {
        await using var cmd = _server.Database.DataSource.CreateCommand(sql);
        await cmd.ExecuteNonQueryAsync();
    }

    static async Task WaitUntil(Func<bool> condition, string what)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > TimeSpan.FromSeconds(20)) throw new TimeoutException($"waited 20 s for {what}");
            await Task.Delay(10);
        }
    }
}
