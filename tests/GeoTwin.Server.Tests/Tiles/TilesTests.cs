using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GeoTwin.Server.Tiles;
using Microsoft.Extensions.DependencyInjection;
using GeoTwin.Tiling.Tiles;
using NetTopologySuite.IO.VectorTiles;
using NetTopologySuite.IO.VectorTiles.Mapbox;

namespace GeoTwin.Server.Tests.Tiles;

[Collection("postgis")]
public sealed class TilesTests(PostgisFixture pg) : IAsyncLifetime
{
    GeoTwinServer _server = null!;
    HttpClient _city = null!;
    HttpClient _station1 = null!;
    static readonly TileAddress House1Tile = TileAddress.Containing(7.41, 43.73, 16);
    static readonly TileAddress House2Tile = TileAddress.Containing(7.43, 43.74, 16);

    public async Task InitializeAsync()
    {
        _server = await pg.StartServerAsync();
        await TwoStations.SeedAsync(_server.Database.DataSource);
        _city = await Browser.SignedInAsync(_server, "commander", "commander", TwoStations.City);
        _station1 = await Browser.SignedInAsync(_server, "officer1", "community_officer", TwoStations.Station1);
    }

    public async Task DisposeAsync()
    {
        _city.Dispose();
        _station1.Dispose();
        await _server.DisposeAsync();
    }

    static string Path(string layers, TileAddress t, string query = "") => $"/tiles/{layers}/{t.Z}/{t.X}/{t.Y}.mvt{query}";

    static async Task<VectorTile> Decode(HttpResponseMessage response, TileAddress t)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.mapbox-vector-tile", response.Content.Headers.ContentType?.MediaType);
        await using var stream = new MemoryStream(await response.Content.ReadAsByteArrayAsync());
        return new MapboxTileReader().Read(stream, new NetTopologySuite.IO.VectorTiles.Tiles.Tile(t.X, t.Y, t.Z));
    }

    [Fact]
    public async Task A_house_tile_holds_the_house_with_only_the_catalog_attributes()
    {
        var tile = await Decode(await _city.GetAsync(Path("houses", House1Tile)), House1Tile);

        var layer = Assert.Single(tile.Layers);
        Assert.Equal("houses", layer.Name);
        var house = Assert.Single(layer.Features);
        Assert.Equal("H-1", house.Attributes["code"]);
        Assert.Equal(0.5, Convert.ToDouble(house.Attributes["floating_share"]));
        Assert.Subset(TileLayers.ByName["houses"].Attributes.Keys.ToHashSet(), house.Attributes.GetNames().ToHashSet());
        Assert.True(house.Geometry.Contains(new NetTopologySuite.Geometries.Point(7.41, 43.73)), "geometry decodes back to its place");
    }

    [Fact]
    public async Task Several_layers_come_in_one_tile()
    {
        var tile = await Decode(await _city.GetAsync(Path("houses,addresses,incidents", House1Tile)), House1Tile);

        Assert.Equal(["addresses", "houses"], tile.Layers.Select(l => l.Name).Order());
        Assert.Equal(TwoStations.Address1, tile.Layers.Single(l => l.Name == "addresses").Features.Single().Attributes["code"]);
    }

    [Fact]
    public async Task Tiles_obey_jurisdiction_scoping()
    {
        var forCity = await _city.GetAsync(Path("houses,cameras", House2Tile));
        var forStation1 = await _station1.GetAsync(Path("houses,cameras", House2Tile));

        Assert.Equal(HttpStatusCode.OK, forCity.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, forStation1.StatusCode); // the other station's house and camera do not exist for it
    }

    [Fact]
    public async Task Prepared_tile_statements_keep_each_scope_to_its_own_features()
    {
        // The layer statements are prepared per connection and PostgreSQL moves to a generic plan after five
        // executions: alternate the two scopes well past that on the same statements, each round after a write
        // that moves the houses' data version, so both answers are built from the database, not the cache.
        var cache = _server.App.Services.GetRequiredService<TileCache>();
        for (var i = 0; i < 8; i++)
        {
            var builds = cache.Builds;
            var forCity = await Decode(await _city.GetAsync(Path("houses,cameras", House2Tile)), House2Tile);
            var forStation1 = await _station1.GetAsync(Path("houses,cameras", House2Tile));

            Assert.Contains(forCity.Layers, l => l.Name == "houses" && l.Features.Count == 1);
            Assert.Equal(HttpStatusCode.NoContent, forStation1.StatusCode);
            Assert.Equal(2, cache.Builds - builds); // each scope's tile built from the database: its key is its own

            await using var bump = _server.Database.DataSource.CreateCommand("UPDATE houses SET floors = floors WHERE code = 'H-2'");
            await bump.ExecuteNonQueryAsync();
            await _server.App.Services.GetRequiredService<GeoTwin.Server.Infrastructure.Db.DataVersions>().FenceAsync();
        }
    }

    [Fact]
    public async Task Concurrent_misses_of_one_tile_are_built_once()
    {
        var cache = _server.App.Services.GetRequiredService<TileCache>();
        var t = new TileAddress(15, House1Tile.X / 2, House1Tile.Y / 2);
        var builds = cache.Builds;

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _city.GetAsync(Path("houses,roads", t))));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.Equal(1, cache.Builds - builds); // shared by the requests in flight, cached for the rest
    }

    [Theory]
    [InlineData("/tiles/houses/31/0/0.mvt", 400, "z must be between 0 and 30")]
    [InlineData("/tiles/houses/3/8/0.mvt", 400, "x must be between 0 and 7 at zoom 3")]
    [InlineData("/tiles/houses/3/0/-1.mvt", 400, "y: must be a tile row")]
    [InlineData("/tiles/houses/3/0/abc.mvt", 400, "y: must be a tile row")]
    [InlineData("/tiles/houses/3/0/1.png", 400, "y: must be a tile row")]
    [InlineData("/tiles/secret_people/14/0/0.mvt", 404, "no tile layer is named 'secret_people'")]
    [InlineData("/tiles/houses,houses/14/0/0.mvt", 400, "name each layer once")]
    [InlineData("/tiles/incidents/14/0/0.mvt?category=theft,arson", 400, "category: 'arson' is not one of")]
    [InlineData("/tiles/incidents/14/0/0.mvt?from=yesterday", 400, "from: is not a date")]
    [InlineData("/tiles/incidents/14/0/0.mvt?from=2026-01-02&to=2026-01-01", 400, "to: must be after from")]
    [InlineData("/tiles/nope.json", 404, "no tile layer is named 'nope'")]
    public async Task Bad_tile_requests_get_a_4xx_naming_what_is_wrong(string path, int status, string expected)
    {
        var response = await _city.GetAsync(path);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Every_catalog_layer_may_be_asked_for_in_one_tile()
    {
        // The catalog (with the computed hot spot cells for this analysis role) is one more than the SQL layers:
        // asking for all of it at once is not "naming a layer twice".
        var catalog = await _city.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/layers");
        var names = catalog.EnumerateArray().Select(l => l.GetProperty("name").GetString()!).ToList();
        Assert.Contains("hotspots", names);

        var response = await _city.GetAsync(Path(string.Join(",", names), House1Tile));

        Assert.DoesNotContain("name each layer once", await response.Content.ReadAsStringAsync());
        Assert.NotEqual(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task An_empty_tile_is_204()
    {
        var response = await _city.GetAsync("/tiles/houses,cameras,incidents/14/0/0.mvt");
        var belowMinZoom = await _city.GetAsync(Path("addresses", TileAddress.Containing(7.41, 43.73, 10)));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, belowMinZoom.StatusCode);
    }

    [Fact]
    public async Task Tiles_are_gzipped_when_asked_and_revalidated_by_ETag()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Path("houses", House1Tile));
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        var zipped = await _city.SendAsync(request);
        var plain = await _city.GetAsync(Path("houses", House1Tile));
        using var again = new HttpRequestMessage(HttpMethod.Get, Path("houses", House1Tile));
        again.Headers.IfNoneMatch.Add(plain.Headers.ETag!);
        var notModified = await _city.SendAsync(again);

        Assert.Equal("gzip", Assert.Single(zipped.Content.Headers.ContentEncoding));
        await using var unzip = new GZipStream(await zipped.Content.ReadAsStreamAsync(), CompressionMode.Decompress);
        using var unzipped = new MemoryStream();
        await unzip.CopyToAsync(unzipped);
        Assert.Equal(await plain.Content.ReadAsByteArrayAsync(), unzipped.ToArray());
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(plain.Headers.ETag, notModified.Headers.ETag);
        // weak: the gzip and plain forms share it, as two builds of the same data do
        Assert.True(plain.Headers.ETag!.IsWeak);
        Assert.Equal(plain.Headers.ETag, zipped.Headers.ETag);
        Assert.Contains("private", plain.Headers.CacheControl!.ToString());
        Assert.Contains("private", notModified.Headers.CacheControl!.ToString());
    }

    [Fact]
    public async Task A_tiles_ETag_belongs_to_the_callers_scope_and_filters()
    {
        // a revalidation is answered from the key alone, so another scope or filter must never match it
        var city = await _city.GetAsync(Path("houses,cameras", House2Tile));
        using var asStation1 = new HttpRequestMessage(HttpMethod.Get, Path("houses,cameras", House2Tile));
        asStation1.Headers.IfNoneMatch.Add(city.Headers.ETag!);
        var t = TileAddress.Containing(7.413, 43.733, 14);
        var all = await _city.GetAsync(Path("incidents", t));
        using var theftOnly = new HttpRequestMessage(HttpMethod.Get, Path("incidents", t, "?category=theft"));
        theftOnly.Headers.IfNoneMatch.Add(all.Headers.ETag!);

        Assert.Equal(HttpStatusCode.OK, city.StatusCode);
        Assert.NotEqual(HttpStatusCode.NotModified, (await _station1.SendAsync(asStation1)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _city.SendAsync(theftOnly)).StatusCode);
    }

    [Fact]
    public async Task A_committed_change_is_never_served_stale_from_the_cache()
    {
        var before = await Decode(await _city.GetAsync(Path("houses", House1Tile)), House1Tile);
        var etag = (await _city.GetAsync(Path("houses", House1Tile))).Headers.ETag!;
        await using (var edit = _server.Database.DataSource.CreateCommand("UPDATE houses SET use = 'hotel' WHERE code = 'H-1'"))
            await edit.ExecuteNonQueryAsync();
        // Written by another connection, not through this server: seen once its notification is heard
        // (milliseconds; see DataVersionsTests for the listener-down path, which needs no wait).
        await _server.App.Services.GetRequiredService<GeoTwin.Server.Infrastructure.Db.DataVersions>().FenceAsync();

        var builds = _server.App.Services.GetRequiredService<TileCache>().Builds;
        var after = await Decode(await _city.GetAsync(Path("houses", House1Tile)), House1Tile);
        Assert.Equal(1, _server.App.Services.GetRequiredService<TileCache>().Builds - builds); // built afresh, not the cached tile
        using var revalidate = new HttpRequestMessage(HttpMethod.Get, Path("houses", House1Tile));
        revalidate.Headers.IfNoneMatch.Add(etag);

        Assert.Equal("residential", before.Layers[0].Features[0].Attributes["use"]);
        Assert.Equal("hotel", after.Layers[0].Features[0].Attributes["use"]);
        Assert.Equal(HttpStatusCode.OK, (await _city.SendAsync(revalidate)).StatusCode); // the old ETag no longer matches
    }

    [Fact]
    public async Task Incident_tiles_filter_by_category_and_date()
    {
        var t = TileAddress.Containing(7.413, 43.733, 14);
        var theft = await _city.GetAsync(Path("incidents", t, "?category=theft"));
        var robbery = await _city.GetAsync(Path("incidents", t, "?category=robbery,fire"));
        var future = await _city.GetAsync(Path("incidents", t, "?from=2999-01-01"));

        Assert.Equal("INC-1", (await Decode(theft, t)).Layers[0].Features[0].Attributes["code"]);
        Assert.Equal(HttpStatusCode.NoContent, robbery.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, future.StatusCode);
    }

    [Fact]
    public async Task Below_z14_the_incidents_of_one_cell_are_one_point_with_their_count()
    {
        // two more a few metres from INC-1 (theft), in its cell at z13, and one 400 m east of it, alone in its cell
        await using (var add = _server.Database.DataSource.CreateCommand("""
            INSERT INTO incidents (code, category, priority, location, jurisdiction_id)
            SELECT v.code, v.category, v.priority, ST_SetSRID(ST_MakePoint(v.lon, 43.7331), 4326), i.jurisdiction_id
            FROM incidents i, (VALUES ('INC-3', 'theft', 2, 7.4129), ('INC-4', 'robbery', 1, 7.4128), ('INC-5', 'fire', 3, 7.418)) v (code, category, priority, lon)
            WHERE i.code = 'INC-1'
            """))
            await add.ExecuteNonQueryAsync();
        await _server.App.Services.GetRequiredService<GeoTwin.Server.Infrastructure.Db.DataVersions>().FenceAsync();
        var z13 = TileAddress.Containing(7.413, 43.733, 13);
        var z14 = TileAddress.Containing(7.413, 43.733, 14);

        var low = Assert.Single((await Decode(await _city.GetAsync(Path("incidents", z13)), z13)).Layers).Features;
        var high = Assert.Single((await Decode(await _city.GetAsync(Path("incidents", z14)), z14)).Layers).Features;

        Assert.Equal(2, low.Count);
        var cluster = Assert.Single(low, f => Convert.ToInt64(f.Attributes["count"]) == 3);
        Assert.Equal("theft", cluster.Attributes["category"]); // the commonest of theft, theft, robbery
        Assert.Equal(1L, Convert.ToInt64(cluster.Attributes["priority"])); // the most urgent
        Assert.DoesNotContain("code", cluster.Attributes.GetNames()); // a cluster opens no one record
        Assert.True(cluster.Geometry.Distance(new NetTopologySuite.Geometries.Point(7.4129, 43.7331)) < 0.0005, "drawn where its incidents are");
        var alone = Assert.Single(low, f => Convert.ToInt64(f.Attributes["count"]) == 1);
        Assert.Equal("INC-5", alone.Attributes["code"]);
        Assert.Equal(["INC-1", "INC-3", "INC-4", "INC-5"], high.Select(f => (string)f.Attributes["code"]).Order());
        Assert.All(high, f => Assert.Equal(1L, Convert.ToInt64(f.Attributes["count"])));
    }

    [Fact]
    public async Task The_catalog_and_TileJSON_describe_every_layer_in_both_languages()
    {
        var layers = await _city.GetFromJsonAsync<JsonElement>("/api/layers");
        var tileJson = await _city.GetFromJsonAsync<JsonElement>("/tiles/houses.json");

        // a commander is of the analysis roles: the computed hot spot cells layer is listed after the SQL layers
        var expected = TileLayers.All.Append(GeoTwin.Server.Hotspots.HotspotCellsLayer.Definition).ToDictionary(l => l.Name);
        Assert.Equal(expected.Keys, layers.EnumerateArray().Select(l => l.GetProperty("name").GetString()));
        Assert.All(layers.EnumerateArray(), l =>
        {
            Assert.False(string.IsNullOrEmpty(l.GetProperty("title").GetProperty("zh").GetString()));
            Assert.False(string.IsNullOrEmpty(l.GetProperty("title").GetProperty("en").GetString()));
            // spelled as in the issue and TileJSON
            Assert.Equal(expected[l.GetProperty("name").GetString()!].MinZoom, l.GetProperty("minzoom").GetInt32());
            Assert.Equal(expected[l.GetProperty("name").GetString()!].MaxZoom, l.GetProperty("maxzoom").GetInt32());
            Assert.False(l.TryGetProperty("minZoom", out _));
        });
        Assert.Equal("3.0.0", tileJson.GetProperty("tilejson").GetString());
        Assert.StartsWith(_server.Url, tileJson.GetProperty("tiles")[0].GetString());
        Assert.Equal("houses", tileJson.GetProperty("vector_layers")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task Search_finds_addresses_cameras_and_units_inside_the_jurisdiction_only()
    {
        static async Task<string[]> Keys(HttpClient http, string q) =>
            (await http.GetFromJsonAsync<JsonElement>($"/api/search?q={Uri.EscapeDataString(q)}")).EnumerateArray()
                .Select(h => $"{h.GetProperty("kind").GetString()}:{h.GetProperty("key").GetString()}").ToArray();

        Assert.Equal([$"address:{TwoStations.Address1}"], await Keys(_city, "和平路"));
        Assert.Equal([$"camera:{TwoStations.Camera1}"], await Keys(_city, TwoStations.Camera1));
        Assert.Equal([$"unit:{TwoStations.Unit2}"], await Keys(_city, TwoStations.Unit2));
        Assert.Empty(await Keys(_station1, TwoStations.Unit2));
        Assert.Empty(await Keys(_station1, "海滨路"));
    }
}

public sealed class TileCacheTests
{
    static CachedTile Tile(int size) => new(new byte[size]);

    [Theory]
    [InlineData(CompressionLevel.Optimal)]
    [InlineData(CompressionLevel.Fastest)]
    public void A_tile_gzips_at_the_configured_level_and_inflates_to_its_bytes(CompressionLevel level)
    {
        var mvt = Enumerable.Range(0, 20_000).Select(i => (byte)(i % 97 < 60 ? i % 7 : i % 251)).ToArray();
        var tile = new CachedTile(mvt, level);
        using var inflated = new MemoryStream();
        using (var zip = new GZipStream(new MemoryStream(tile.Gzip), CompressionMode.Decompress)) zip.CopyTo(inflated);
        Assert.Equal(mvt, inflated.ToArray());
        Assert.True(tile.Gzip.Length < mvt.Length, $"{level}: {tile.Gzip.Length} bytes from {mvt.Length}");
    }

    [Fact]
    public void The_cache_stays_within_its_byte_budget_and_drops_the_least_recently_used()
    {
        var cache = new TileCache(capacityBytes: 3_000);
        cache.Put("a", Tile(600)); // counted as 600 bytes and at most as many again for its gzip form
        cache.Put("b", Tile(600));
        Assert.True(cache.TryGet("a", out _)); // a is now the most recent
        cache.Put("c", Tile(600));

        Assert.True(cache.Bytes <= 3_000);
        Assert.False(cache.TryGet("b", out _));
        Assert.True(cache.TryGet("a", out _));
        Assert.True(cache.TryGet("c", out _));
    }

    [Fact]
    public async Task Concurrent_misses_share_one_build_and_a_later_miss_builds_again()
    {
        var cache = new TileCache(capacityBytes: 0); // nothing is kept: only the flight can share
        var release = new TaskCompletionSource<CachedTile>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = 0;
        Task<CachedTile> Build(CancellationToken _) { Interlocked.Increment(ref started); return release.Task; }

        var waiting = Enumerable.Range(0, 5).Select(_ => cache.GetOrBuildAsync("k", Build, default)).ToList();
        var tile = Tile(10);
        release.SetResult(tile);
        var tiles = await Task.WhenAll(waiting);

        Assert.Equal(1, started);
        Assert.All(tiles, t => Assert.Same(tile, t));
        await cache.GetOrBuildAsync("k", _ => Task.FromResult(Tile(10)), default);
        Assert.Equal(2, cache.Builds); // the flight is over and nothing was cached: built again
    }

    [Fact]
    public async Task A_failed_build_fails_its_waiters_and_is_not_remembered()
    {
        var cache = new TileCache(capacityBytes: 1_000);
        var release = new TaskCompletionSource<CachedTile>(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = cache.GetOrBuildAsync("k", _ => release.Task, default);
        var second = cache.GetOrBuildAsync("k", _ => Task.FromResult(Tile(10)), default);
        release.SetException(new InvalidOperationException("database down"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => first);
        await Assert.ThrowsAsync<InvalidOperationException>(() => second);
        Assert.Equal(10, (await cache.GetOrBuildAsync("k", _ => Task.FromResult(Tile(10)), default)).Mvt.Length);
    }

    [Fact]
    public void A_tile_larger_than_the_whole_cache_is_not_kept()
    {
        var cache = new TileCache(capacityBytes: 100);
        cache.Put("big", Tile(1_000));
        Assert.Equal(0, cache.Count);
    }
}
