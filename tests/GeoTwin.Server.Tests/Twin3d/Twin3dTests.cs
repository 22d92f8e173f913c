using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using GeoTwin.Server.Twin3d;
using GeoTwin.Tiling.Tests.Gltf;
using Microsoft.Extensions.DependencyInjection;

namespace GeoTwin.Server.Tests.Twin3d;

/// <summary>
/// The real server serving 3D Tiles from its tileset folder: the houses tileset built from PostGIS, the Delaware and
/// SparseImplicitQuadtree samples hosted, and Production_5 converted by a job.
/// </summary>
[Collection("postgis")]
public sealed class Twin3dTests(PostgisFixture pg) : IAsyncLifetime
{
    const long UploadLimit = 30 << 20;
    GeoTwinServer _server = null!;
    HttpClient _staff = null!;
    readonly string _tilesets = TempDirs.Make("tilesets");

    public static string TestData(params string[] parts)
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "GeoTwin.sln"))) dir = Path.GetDirectoryName(dir);
        return Path.Combine([dir ?? throw new InvalidOperationException("GeoTwin.sln not found"), "tests", "data", .. parts]);
    }

    public async Task InitializeAsync()
    {
        _server = await pg.StartServerAsync(new()
        {
            ["GeoTwin:Jobs:Worker"] = "true",
            ["GeoTwin:Twin3d:Directory"] = _tilesets,
            ["GeoTwin:Twin3d:MaxUploadBytes"] = UploadLimit.ToString(),
        });
        await TwoStations.SeedAsync(_server.Database.DataSource);
        _staff = await Browser.SignedInAsync(_server, "viewer3d", "analyst", TwoStations.City);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        TempDirs.Remove(_tilesets);
    }

    HousesTileset Houses => _server.App.Services.GetRequiredService<HousesTileset>();
    TilesetSources Sources => _server.App.Services.GetRequiredService<TilesetSources>();

    async Task<JsonElement> EntryAsync(string name)
    {
        var response = await _staff.GetAsync($"/3dtiles/{name}/tileset.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync()).RootElement.Clone();
    }

    static IEnumerable<string> ContentUris(JsonElement tile)
    {
        if (tile.TryGetProperty("content", out var c)) yield return c.GetProperty("uri").GetString()!;
        if (tile.TryGetProperty("children", out var children))
            foreach (var child in children.EnumerateArray())
                foreach (var uri in ContentUris(child)) yield return uri;
    }

    /// <summary>A grid of houses over both stations, so the tileset has several tiles.</summary>
    async Task SeedGridAsync(int perSide)
    {
        await using var cmd = _server.Database.DataSource.CreateCommand($"""
            INSERT INTO houses (code, footprint, roof_height_m, use, residents_total, residents_registered, residents_floating, jurisdiction_id)
            SELECT 'G-' || i || '-' || j, ST_Multi(ST_MakeEnvelope(x, y, x + 0.0001, y + 0.0001, 4326)), 10 + (i % 5), 'commercial', 3, 2, 1,
                   (SELECT id FROM jurisdictions WHERE code = CASE WHEN x < 7.42 THEN 'T-ST1' ELSE 'T-ST2' END)
            FROM generate_series(0, {perSide - 1}) i, generate_series(0, {perSide - 1}) j,
                 LATERAL (SELECT 7.4005 + i * 0.049 / {perSide} AS x, 43.7205 + j * 0.039 / {perSide} AS y) p
            """);
        await cmd.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task The_houses_tileset_built_from_PostGIS_has_one_feature_per_house_row_and_no_count_or_personal_field()
    {
        var built = await Houses.BuildAsync(null, default);
        Assert.NotNull(built);
        var entry = await EntryAsync("houses");
        var uris = ContentUris(entry.GetProperty("root")).ToList();
        Assert.NotEmpty(uris);
        Assert.All(uris, u => Assert.StartsWith($"v/{built!.Version}/", u));

        var ids = new List<string>();
        foreach (var uri in uris)
        {
            var response = await _staff.GetAsync($"/3dtiles/houses/{uri}");
            Assert.Equal("model/gltf-binary", response.Content.Headers.ContentType!.MediaType);
            var glb = Glb.Parse(await response.Content.ReadAsByteArrayAsync());
            glb.AssertWellFormed();
            var cls = glb.Json.GetProperty("extensions").GetProperty("EXT_structural_metadata").GetProperty("schema").GetProperty("classes").GetProperty("house");
            // Counts are scoped (a station sees its own houses' only) and this one tileset goes to every station's staff.
            Assert.Equal(["id", "use", "floors", "base_height_m", "roof_height_m"],
                cls.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToArray());
            Assert.DoesNotContain("residents", glb.Json.GetRawText(), StringComparison.OrdinalIgnoreCase);
            ids.AddRange(glb.PropertyColumn("id").Cast<string>());
        }
        await using var cmd = _server.Database.DataSource.CreateCommand("SELECT id::text FROM houses ORDER BY id");
        var rows = new List<string>();
        await using (var r = await cmd.ExecuteReaderAsync()) while (await r.ReadAsync()) rows.Add(r.GetString(0));
        Assert.Equal(rows, ids.Order(StringComparer.Ordinal).OrderBy(long.Parse).ToList());
    }

    /// <summary>Publishes a hand-made houses version as an old build left it: a GLB whose schema names resident counts.</summary>
    async Task<string> PublishOldVersionWithCountsAsync(string version)
    {
        var store = _server.App.Services.GetRequiredService<Twin3dStore>();
        var staging = store.Files.Stage(HousesTileset.Name);
        await File.WriteAllTextAsync(Path.Combine(staging, "tileset.json"), """
            {"asset":{"version":"1.1"},"geometricError":100,"root":{"boundingVolume":{"region":[0.12915,0.76305,0.12985,0.76375,0,100]},
             "geometricError":0,"refine":"ADD","content":{"uri":"0.glb"}}}
            """);
        await File.WriteAllTextAsync(Path.Combine(staging, "0.glb"), """glTF {"properties":{"residents_total":{"type":"SCALAR"}}}""");
        return (await store.PublishAsync(HousesTileset.Name, null, "houses", staging, null, outsideOk: true, version, default)).Version;
    }

    [Fact]
    public async Task The_start_up_rebuild_of_a_tileset_with_counts_deletes_every_older_version_at_once()
    {
        Assert.NotNull(await Houses.BuildAsync(null, default));
        var older = await PublishOldVersionWithCountsAsync("countsold1");
        var withCounts = await PublishOldVersionWithCountsAsync("countsold2");
        Assert.Equal(HttpStatusCode.OK, (await _staff.GetAsync($"/3dtiles/houses/v/{older}/tileset.json")).StatusCode); // kept for viewers loading it

        // What the server does at start: the current version carries counts, so a rebuild is queued and run by a worker.
        await HousesTileset.EnsureCurrentAsync(_server.App.Services, demo: false);
        var store = _server.App.Services.GetRequiredService<Twin3dStore>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await store.GetAsync(HousesTileset.Name, default))!.Version == withCounts)
        {
            Assert.True(DateTime.UtcNow < deadline, "the start-up rebuild did not publish within 60 s");
            await Task.Delay(200);
        }

        var current = (await store.GetAsync(HousesTileset.Name, default))!.Version;
        Assert.Equal(HttpStatusCode.OK, (await _staff.GetAsync($"/3dtiles/houses/v/{current}/tileset.json")).StatusCode);
        foreach (var gone in new[] { withCounts, older })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await _staff.GetAsync($"/3dtiles/houses/v/{gone}/tileset.json")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await _staff.GetAsync($"/3dtiles/houses/v/{gone}/0.glb")).StatusCode);
        }
        Assert.Equal([current], Directory.GetDirectories(Path.Combine(_tilesets, HousesTileset.Name)).Select(Path.GetFileName));
    }

    [Fact]
    public async Task House_counts_come_from_the_scoped_api_only_for_houses_in_the_callers_jurisdiction()
    {
        var house1 = await TwoStations.HouseIdAsync(_server.Database.DataSource, TwoStations.Address1);
        var house2 = await TwoStations.HouseIdAsync(_server.Database.DataSource, TwoStations.Address2);
        using var second = await Browser.SignedInAsync(_server, "officer2", "community_officer", TwoStations.Station2);

        var own = await second.GetFromJsonAsync<JsonElement>($"/api/houses/counts?ids={house1},{house2},999999");
        var city = await _staff.GetFromJsonAsync<JsonElement>($"/api/houses/counts?ids={house1},{house2}");
        var garbage = await second.GetAsync($"/api/houses/counts?ids={house1},abc");
        var tooMany = await second.GetAsync($"/api/houses/counts?ids={string.Join(',', Enumerable.Range(1, 501))}");
        var none = await second.GetAsync("/api/houses/counts");

        var only = Assert.Single(own.EnumerateArray());
        Assert.Equal(house2, only.GetProperty("id").GetInt64());
        Assert.Equal(2, only.GetProperty("residentsTotal").GetInt32());
        Assert.Equal(1, only.GetProperty("residentsFloating").GetInt32());
        Assert.Equal(0.5, only.GetProperty("floatingShare").GetDouble());
        Assert.Equal([house1, house2], city.EnumerateArray().Select(h => h.GetProperty("id").GetInt64()).ToArray());
        foreach (var (bad, says) in new[] { (garbage, "'abc' is not a house id"), (tooMany, "at most 500"), (none, "ids: is required") })
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
            Assert.Contains(says, await bad.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Content_has_media_types_gzip_etag_304_ranges_and_long_caching()
    {
        var built = (await Houses.BuildAsync(null, default))!;
        var dover = await Sources.RegisterFolderAsync(TestData("3dtiles", "dover-delaware"), "dover", "Dover", outsideOk: true, default);

        // The entry: JSON, revalidated every time, gzipped when asked, 304 on its ETag.
        var plain = await _staff.GetAsync("/3dtiles/dover/tileset.json");
        Assert.Equal("application/json", plain.Content.Headers.ContentType!.MediaType);
        Assert.True(plain.Headers.CacheControl is { NoCache: true, Private: true });
        Assert.Empty(plain.Content.Headers.ContentEncoding);
        var root = JsonDocument.Parse(await plain.Content.ReadAsByteArrayAsync()).RootElement.GetProperty("root");
        Assert.Equal($"v/{dover.Version}/content/{{level}}_{{x}}_{{y}}.b3dm", root.GetProperty("content").GetProperty("uri").GetString());
        Assert.Equal($"v/{dover.Version}/subtrees/{{level}}_{{x}}_{{y}}.subtree", root.GetProperty("implicitTiling").GetProperty("subtrees").GetProperty("uri").GetString());
        var gz = await SendAsync(HttpMethod.Get, "/3dtiles/dover/tileset.json", ("Accept-Encoding", "gzip"));
        Assert.Equal("gzip", Assert.Single(gz.Content.Headers.ContentEncoding));
        Assert.Equal(await plain.Content.ReadAsByteArrayAsync(), Gunzip(await gz.Content.ReadAsByteArrayAsync()));
        var again = await SendAsync(HttpMethod.Get, "/3dtiles/dover/tileset.json", ("If-None-Match", plain.Headers.ETag!.Tag));
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);

        // Versioned content: media types, immutable caching, precompressed gzip, ETag/304, ranges.
        var b3dm = $"/3dtiles/dover/v/{dover.Version}/content/2_0_1.b3dm";
        var file = await SendAsync(HttpMethod.Get, b3dm);
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Equal("application/octet-stream", file.Content.Headers.ContentType!.MediaType);
        Assert.Contains("immutable", file.Headers.CacheControl!.ToString());
        Assert.Contains("max-age=31536000", file.Headers.CacheControl!.ToString());
        var bytes = await file.Content.ReadAsByteArrayAsync();
        Assert.Equal(File.ReadAllBytes(TestData("3dtiles", "dover-delaware", "content", "2_0_1.b3dm")), bytes);
        var zipped = await SendAsync(HttpMethod.Get, b3dm, ("Accept-Encoding", "gzip, deflate"));
        Assert.Equal("gzip", Assert.Single(zipped.Content.Headers.ContentEncoding));
        Assert.Equal(bytes, Gunzip(await zipped.Content.ReadAsByteArrayAsync()));
        Assert.NotEqual(file.Headers.ETag, zipped.Headers.ETag);
        Assert.Equal(HttpStatusCode.NotModified, (await SendAsync(HttpMethod.Get, b3dm, ("If-None-Match", file.Headers.ETag!.Tag))).StatusCode);
        Assert.Equal(HttpStatusCode.NotModified, (await SendAsync(HttpMethod.Get, b3dm, ("If-None-Match", zipped.Headers.ETag!.Tag), ("Accept-Encoding", "gzip"))).StatusCode);
        var range = await SendAsync(HttpMethod.Get, b3dm, ("Range", "bytes=0-3"), ("Accept-Encoding", "gzip"));
        Assert.Equal(HttpStatusCode.PartialContent, range.StatusCode);
        Assert.Equal("b3dm", Encoding.ASCII.GetString(await range.Content.ReadAsByteArrayAsync()));
        Assert.Equal($"bytes 0-3/{bytes.Length}", range.Content.Headers.ContentRange!.ToString());
        Assert.Empty(range.Content.Headers.ContentEncoding);

        var subtree = await SendAsync(HttpMethod.Get, $"/3dtiles/dover/v/{dover.Version}/subtrees/0_0_0.subtree");
        Assert.Equal("application/octet-stream", subtree.Content.Headers.ContentType!.MediaType);
        var glb = await SendAsync(HttpMethod.Get, $"/3dtiles/houses/v/{built.Version}/{ContentUris((await EntryAsync("houses")).GetProperty("root")).First()[($"v/{built.Version}/".Length)..]}");
        Assert.Equal("model/gltf-binary", glb.Content.Headers.ContentType!.MediaType);
        var raw = await SendAsync(HttpMethod.Get, $"/3dtiles/houses/v/{built.Version}/tileset.json");
        Assert.Equal("application/json", raw.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Unknown_tilesets_files_and_path_traversal_are_404_and_tiles_need_a_staff_sign_in()
    {
        var built = (await Houses.BuildAsync(null, default))!;
        var v = built.Version;
        foreach (var path in new[]
        {
            "/3dtiles/nope/tileset.json", "/3dtiles/NOPE/tileset.json", $"/3dtiles/houses/v/{v}/tiles/9/9_9.glb", "/3dtiles/houses/v/0000000000000000/tileset.json",
            $"/3dtiles/houses/v/{v}/tileset.json.gz", $"/3dtiles/houses/v/{v}/.hidden", $"/3dtiles/houses/v/{v}/tiles",
            $"/3dtiles/houses/v/{v}/..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd", $"/3dtiles/houses/v/{v}/tiles%2F..%2F..%2F..%2Fpostgres-password",
        })
        {
            var response = await _staff.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {(int)response.StatusCode}");
        }
        // Sent as raw bytes: an HTTP client would resolve the dot segments before sending.
        foreach (var raw in new[] { "/3dtiles/x/../../etc/passwd", $"/3dtiles/houses/v/{v}/../../../../../../etc/passwd", "/3dtiles/houses/v/%2e%2e/%2e%2e/%2e%2e/etc/passwd" })
        {
            var (status, body) = await RawGetAsync(raw);
            Assert.Equal(404, status); // refused before routing (Hosting.UseDotSegmentRefusal), not the viewer's index.html
            Assert.Contains("'..' segments", body);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await Browser.Anonymous(_server).GetAsync("/3dtiles/houses/tileset.json")).StatusCode);
        var resident = await Browser.SignedInAsync(_server, "resident3d", "resident", TwoStations.City);
        Assert.Equal(HttpStatusCode.Forbidden, (await resident.GetAsync("/3dtiles/houses/tileset.json")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await resident.GetAsync("/api/tilesets")).StatusCode);

        // CORS is off unless configured.
        var cross = await SendAsync(HttpMethod.Get, "/3dtiles/houses/tileset.json", ("Origin", "https://elsewhere.example"));
        Assert.False(cross.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Options, "/3dtiles/houses/tileset.json", ("Origin", "https://elsewhere.example"))).StatusCode);
    }

    [Fact]
    public async Task Cors_answers_the_configured_origin_only()
    {
        await using var server = await pg.StartServerAsync(new() { ["GeoTwin:Twin3d:Directory"] = _tilesets, ["GeoTwin:Twin3d:CorsOrigins"] = "https://gis.example" });
        await TwoStations.SeedAsync(server.Database.DataSource);
        await server.App.Services.GetRequiredService<HousesTileset>().BuildAsync(null, default);
        var client = await Browser.SignedInAsync(server, "cors", "analyst", TwoStations.City);
        var ok = new HttpRequestMessage(HttpMethod.Get, "/3dtiles/houses/tileset.json") { Headers = { { "Origin", "https://gis.example" } } };
        var response = await client.SendAsync(ok);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("https://gis.example", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var other = new HttpRequestMessage(HttpMethod.Get, "/3dtiles/houses/tileset.json") { Headers = { { "Origin", "https://evil.example" } } };
        Assert.False((await client.SendAsync(other)).Headers.Contains("Access-Control-Allow-Origin"));
        var preflight = new HttpRequestMessage(HttpMethod.Options, "/3dtiles/houses/tileset.json") { Headers = { { "Origin", "https://gis.example" }, { "Access-Control-Request-Method", "GET" } } };
        var answer = await Browser.Anonymous(server).SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        Assert.Contains("Range", answer.Headers.GetValues("Access-Control-Allow-Headers").Single());
    }

    [Fact]
    public async Task A_rebuild_after_an_edit_changes_only_the_affected_glbs_and_swaps_the_version_atomically()
    {
        await SeedGridAsync(40);
        var first = (await Houses.BuildAsync(null, default))!;
        var firstFolder = Path.Combine(_tilesets, "houses", first.Version);
        var glbs = Directory.GetFiles(firstFolder, "*.glb", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(firstFolder, f)).Order().ToList();
        Assert.True(glbs.Count >= 4, $"only {glbs.Count} tiles");

        await using (var edit = _server.Database.DataSource.CreateCommand("UPDATE houses SET roof_height_m = 33 WHERE code = 'G-3-3'"))
            Assert.Equal(1, await edit.ExecuteNonQueryAsync());
        var second = (await Houses.BuildAsync(null, default))!;
        Assert.NotEqual(first.Version, second.Version);
        var secondFolder = Path.Combine(_tilesets, "houses", second.Version);
        var secondGlbs = Directory.GetFiles(secondFolder, "*.glb", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(secondFolder, f)).Order().ToList();
        Assert.Equal(glbs, secondGlbs);
        var changed = glbs.Where(g => !File.ReadAllBytes(Path.Combine(firstFolder, g)).SequenceEqual(File.ReadAllBytes(Path.Combine(secondFolder, g)))).ToList();
        Assert.NotEmpty(changed);
        Assert.True(changed.Count <= 3 && changed.Count < glbs.Count / 2, $"{changed.Count} of {glbs.Count} GLBs changed: {string.Join(", ", changed)}");

        // The entry moved to the new version; the old one stays readable until the next publish.
        Assert.StartsWith($"v/{second.Version}/", ContentUris((await EntryAsync("houses")).GetProperty("root")).First());
        Assert.Equal(HttpStatusCode.OK, (await _staff.GetAsync($"/3dtiles/houses/v/{first.Version}/{glbs[0]}")).StatusCode);
        await using (var edit = _server.Database.DataSource.CreateCommand("UPDATE houses SET roof_height_m = 34 WHERE code = 'G-3-3'")) await edit.ExecuteNonQueryAsync();
        var third = (await Houses.BuildAsync(null, default))!;
        Assert.False(Directory.Exists(firstFolder));
        Assert.True(Directory.Exists(secondFolder));
        Assert.Equal(HttpStatusCode.NotFound, (await _staff.GetAsync($"/3dtiles/houses/v/{first.Version}/{glbs[0]}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _staff.GetAsync($"/3dtiles/houses/v/{third.Version}/{glbs[0]}")).StatusCode);

        // Same data, same version: nothing new is published.
        Assert.Equal(third.Version, (await Houses.BuildAsync(null, default))!.Version);
    }

    [Fact]
    public async Task Hosting_refuses_a_tileset_outside_the_jurisdiction_unless_overridden_and_refuses_bad_archives()
    {
        var admin = await Browser.SignedInAsync(_server, "admin3d", "admin", TwoStations.City);
        var dover = Zip(TestData("3dtiles", "dover-delaware"), ".3tz");

        var refused = await admin.PostAsync("/api/tilesets", Form(dover, "dover.3tz", "dover"));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = await refused.Content.ReadAsStringAsync();
        Assert.Contains("outside the jurisdiction", problem);
        Assert.Contains("lon -75.6", problem);
        Assert.Equal(HttpStatusCode.NotFound, (await _staff.GetAsync("/3dtiles/dover/tileset.json")).StatusCode);

        var accepted = await admin.PostAsync("/api/tilesets", Form(dover, "dover.3tz", "dover", outsideOk: true));
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        var published = (await accepted.Content.ReadFromJsonAsync<JsonElement>());
        Assert.Contains("published anyway", published.GetProperty("warning").GetString());
        Assert.InRange(published.GetProperty("bounds").GetProperty("west").GetDouble(), -75.62, -75.6);
        var list = await _staff.GetFromJsonAsync<List<TilesetInfo>>("/api/tilesets");
        var listed = Assert.Single(list!, t => t.Name == "dover");
        Assert.Equal(("hosted", "/3dtiles/dover/tileset.json"), (listed.Kind, listed.Url));
        Assert.Equal(HttpStatusCode.OK, (await _staff.GetAsync($"/3dtiles/dover/v/{listed.Version}/subtrees/0_0_0.subtree")).StatusCode);

        // A box at the Earth's centre is no georeference: refused, or kept when overridden.
        var sparse = TestData("3dtiles", "SparseImplicitQuadtree");
        var noGeo = await Assert.ThrowsAsync<GeoTwin.Server.Infrastructure.Errors.Refusal>(() => Sources.RegisterFolderAsync(sparse, "sparse", null, outsideOk: false, default));
        Assert.Contains("no georeference", noGeo.Message);
        var kept = await Sources.RegisterFolderAsync(sparse, "sparse", null, outsideOk: true, default);
        Assert.Null(kept.Bounds);
        Assert.Contains("no georeference", kept.Warning);

        // Bad archives and bad fields.
        var junk = new byte[5000];
        Random.Shared.NextBytes(junk);
        var bad = await admin.PostAsync("/api/tilesets", Form(junk, "x.zip", "junk", outsideOk: true));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("not a readable zip", await bad.Content.ReadAsStringAsync());
        var traversal = await admin.PostAsync("/api/tilesets", Form(ZipOf(("../../evil.json", "{}"), ("tileset.json", "{}")), "t.zip", "evil", outsideOk: true));
        Assert.Contains("path traversal", await traversal.Content.ReadAsStringAsync());
        var noEntry = await admin.PostAsync("/api/tilesets", Form(ZipOf(("other.json", "{}")), "t.zip", "empty", outsideOk: true));
        Assert.Contains("no tileset.json", await noEntry.Content.ReadAsStringAsync());
        var notTiles = await admin.PostAsync("/api/tilesets", Form(ZipOf(("tileset.json", "{\"asset\":{\"version\":\"2.0\"}}")), "t.zip", "future", outsideOk: true));
        Assert.Contains("version '2.0'", await notTiles.Content.ReadAsStringAsync());
        Assert.Contains("name", await (await admin.PostAsync("/api/tilesets", Form(dover, "dover.3tz", "../etc", outsideOk: true))).Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync("/api/tilesets", Form(dover, "dover.3tz", "houses", outsideOk: true))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync("/api/tilesets", Form(dover, "dover.exe", "dover2", outsideOk: true))).StatusCode);
        // Expect: 100-continue, as curl sends it: the 413 comes before the body is sent.
        var big = new HttpRequestMessage(HttpMethod.Post, "/api/tilesets") { Content = Form(new byte[UploadLimit + 1000], "big.zip", "big") };
        big.Headers.ExpectContinue = true;
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await admin.SendAsync(big)).StatusCode);
        // The same for a role that may not upload: the 403 comes before the body (sent whole, it could meet a closed socket).
        var forbidden = new HttpRequestMessage(HttpMethod.Post, "/api/tilesets") { Content = Form(dover, "dover.3tz", "dover3", outsideOk: true) };
        forbidden.Headers.ExpectContinue = true;
        Assert.Equal(HttpStatusCode.Forbidden, (await _staff.SendAsync(forbidden)).StatusCode);
        Assert.False(Directory.Exists(Path.Combine(_tilesets, "junk")) && Directory.EnumerateDirectories(Path.Combine(_tilesets, "junk")).Any());
    }

    [Fact]
    public async Task Jobs_rebuild_the_houses_and_convert_production_5_with_a_percentage()
    {
        var admin = await Browser.SignedInAsync(_server, "admin3j", "admin", TwoStations.City);
        var rebuild = await admin.PostAsync("/api/tilesets/houses/rebuild", null);
        Assert.Equal(HttpStatusCode.Accepted, rebuild.StatusCode);
        var job = await FinishedAsync(admin, rebuild.Headers.Location!);
        Assert.Equal(("done", 100f, "houses"), (job.Status, job.Percent, job.Kind));
        Assert.Equal(job.Version, (await _staff.GetFromJsonAsync<List<TilesetInfo>>("/api/tilesets"))!.Single(t => t.Name == "houses").Version);

        var osgb = Zip(TestData("osgb", "Production_5"), ".zip");
        var convert = await admin.PostAsync("/api/tilesets/osgb", Form(osgb, "production5.zip", "production-5", outsideOk: true));
        Assert.Equal(HttpStatusCode.Accepted, convert.StatusCode);
        job = await FinishedAsync(admin, convert.Headers.Location!);
        Assert.True(job.Status == "done", job.Message);
        Assert.Equal(100f, job.Percent);
        Assert.Contains("outside the jurisdiction", job.Message);
        var entry = await EntryAsync("production-5");
        var first = ContentUris(entry.GetProperty("root")).First();
        var tile = await _staff.GetAsync($"/3dtiles/production-5/{first}");
        Assert.Equal("model/gltf-binary", tile.Content.Headers.ContentType!.MediaType);
        Glb.Parse(await tile.Content.ReadAsByteArrayAsync()).AssertWellFormed();

        var notOsgb = await admin.PostAsync("/api/tilesets/osgb", Form(ZipOf(("readme.txt", "hello")), "x.zip", "nothing", outsideOk: true));
        Assert.Equal(HttpStatusCode.BadRequest, notOsgb.StatusCode);
        Assert.Contains("metadata.xml", await notOsgb.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/tilesets/jobs/999999")).StatusCode);
    }

    [Fact]
    public async Task A_written_houses_import_queues_a_rebuild_that_publishes_the_new_house()
    {
        var admin = await Browser.SignedInAsync(_server, "admin3i", "admin", TwoStations.City);
        const string geojson = """
            {"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"H-NEW-1","height":21,"use":"hotel"},
             "geometry":{"type":"Polygon","coordinates":[[[7.4150,43.7350],[7.4152,43.7350],[7.4152,43.7352],[7.4150,43.7352],[7.4150,43.7350]]]}}]}
            """;
        var upload = await admin.PostAsync("/api/imports", new MultipartFormDataContent
        {
            { new ByteArrayContent(Encoding.UTF8.GetBytes(geojson)), "file", "houses.geojson" },
            { new StringContent("houses"), "layer" },
        });
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        TilesetInfo? houses = null;
        for (var i = 0; i < 600 && houses is null; i++)
        {
            houses = (await _staff.GetFromJsonAsync<List<TilesetInfo>>("/api/tilesets"))!.SingleOrDefault(t => t.Name == "houses");
            if (houses is null) await Task.Delay(100);
        }
        Assert.NotNull(houses);
        await using var cmd = _server.Database.DataSource.CreateCommand("SELECT id::text FROM houses WHERE code = 'H-NEW-1'");
        var id = (string)(await cmd.ExecuteScalarAsync())!;
        var ids = new List<string>();
        foreach (var uri in ContentUris((await EntryAsync("houses")).GetProperty("root")))
            ids.AddRange(Glb.Parse(await _staff.GetByteArrayAsync($"/3dtiles/houses/{uri}")).PropertyColumn("id").Cast<string>());
        Assert.Contains(id, ids);
        Assert.Equal(3, ids.Count);
    }

    async Task<TilesetJobStatus> FinishedAsync(HttpClient client, Uri location)
    {
        for (var i = 0; i < 1200; i++)
        {
            var job = (await client.GetFromJsonAsync<TilesetJobStatus>(location))!;
            if (job.Status is not ("queued" or "running")) return job;
            await Task.Delay(100);
        }
        throw new TimeoutException("the tileset job did not finish in 120 s");
    }

    async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(method, path);
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        return await _staff.SendAsync(request);
    }

    async Task<(int Status, string Body)> RawGetAsync(string path)
    {
        var uri = new Uri(_server.Url);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(uri.Host, uri.Port);
        await using var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {uri.Authority}\r\nConnection: close\r\n\r\n"));
        var text = await new StreamReader(stream).ReadToEndAsync();
        return (int.Parse(text.Split(' ')[1]), text);
    }

    static byte[] Gunzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var zip = new GZipStream(new MemoryStream(data), CompressionMode.Decompress)) zip.CopyTo(output);
        return output.ToArray();
    }

    static byte[] Zip(string folder, string extension)
    {
        var path = Path.Combine(Path.GetTempPath(), $"geotwin-zip-{Guid.NewGuid():N}{extension}");
        ZipFile.CreateFromDirectory(folder, path);
        try { return File.ReadAllBytes(path); } finally { File.Delete(path); }
    }

    static byte[] ZipOf(params (string Name, string Content)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, content) in entries)
            {
                using var w = new StreamWriter(zip.CreateEntry(name).Open());
                w.Write(content);
            }
        return buffer.ToArray();
    }

    static MultipartFormDataContent Form(byte[] file, string fileName, string name, bool outsideOk = false) => new()
    {
        { new ByteArrayContent(file), "file", fileName },
        { new StringContent(name), "name" },
        { new StringContent(outsideOk ? "true" : "false"), "outsideOk" },
    };
}
