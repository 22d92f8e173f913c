using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace GeoTwin.Server.Tests.Imagery;

[Collection("postgis")]
public sealed class ImageryTests(PostgisFixture pg) : IAsyncLifetime
{
    GeoTwinServer _server = null!;
    HttpClient _http = null!;
    string _folder = null!;

    /// <summary>Bytes that say which tile they are, so a flipped row shows in the content.</summary>
    static byte[] Content(string source, int z, int x, int y) => Encoding.ASCII.GetBytes($"\x89PNG {source} {z}/{x}/{y}");

    public async Task InitializeAsync()
    {
        _folder = TempDirs.Make("imagery");
        // XYZ folder "ortho": z1 and z2 over the north-east quarter, PNG; a jpg at one tile.
        foreach (var (z, x, y) in new[] { (1, 1, 0), (2, 2, 0), (2, 3, 1) })
        {
            Directory.CreateDirectory(Path.Combine(_folder, "ortho", $"{z}", $"{x}"));
            File.WriteAllBytes(Path.Combine(_folder, "ortho", $"{z}", $"{x}", $"{y}.png"), Content("ortho", z, x, y));
        }
        File.WriteAllText(Path.Combine(_folder, "ortho", "metadata.json"), """{"attribution": "Drone survey 2026"}""");
        // Not catalogued: a name with a space, a hidden folder, a folder without tiles, a vector MBTiles.
        Directory.CreateDirectory(Path.Combine(_folder, "bad name", "1", "0"));
        File.WriteAllBytes(Path.Combine(_folder, "bad name", "1", "0", "0.png"), [1]);
        Directory.CreateDirectory(Path.Combine(_folder, ".hidden", "1", "0"));
        File.WriteAllBytes(Path.Combine(_folder, ".hidden", "1", "0", "0.png"), [1]);
        Directory.CreateDirectory(Path.Combine(_folder, "empty"));
        MakeMbTiles(Path.Combine(_folder, "vector.mbtiles"), "pbf", []);
        MakeMbTiles(Path.Combine(_folder, "city.mbtiles"), "jpg",
            [(0, 0, 0), (1, 0, 0), (1, 0, 1), (1, 1, 0), (1, 1, 1)]);
        File.WriteAllText(Path.Combine(_folder, "secret.txt"), "not imagery");

        _server = await pg.StartServerAsync(new() { ["GeoTwin:Imagery:Folder"] = _folder });
        await TwoStations.SeedAsync(_server.Database.DataSource);
        _http = await Browser.SignedInAsync(_server, "commander", "commander", TwoStations.City);
    }

    /// <summary>An MBTiles file whose tile at XYZ (z, x, y) holds Content("city", z, x, y), stored at the TMS row.</summary>
    static void MakeMbTiles(string path, string format, (int Z, int X, int Y)[] tiles)
    {
        using var conn = new SqliteConnection($"Data Source={path};Pooling=False");
        conn.Open();
        using var cmd = conn.CreateCommand();
        cmd.CommandText = """
            CREATE TABLE metadata (name text, value text);
            CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob);
            CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);
            """;
        cmd.ExecuteNonQuery();
        foreach (var (k, v) in new[] { ("name", "City"), ("format", format), ("bounds", "7.40,43.72,7.44,43.76"), ("attribution", "© City survey") })
        {
            cmd.CommandText = "INSERT INTO metadata VALUES ($k, $v)";
            cmd.Parameters.Clear();
            cmd.Parameters.AddWithValue("$k", k);
            cmd.Parameters.AddWithValue("$v", v);
            cmd.ExecuteNonQuery();
        }
        foreach (var (z, x, y) in tiles)
        {
            cmd.CommandText = "INSERT INTO tiles VALUES ($z, $x, $row, $data)";
            cmd.Parameters.Clear();
            cmd.Parameters.AddWithValue("$z", z);
            cmd.Parameters.AddWithValue("$x", x);
            cmd.Parameters.AddWithValue("$row", (1 << z) - 1 - y);
            cmd.Parameters.AddWithValue("$data", Content("city", z, x, y));
            cmd.ExecuteNonQuery();
        }
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, true);
    }

    [Fact]
    public async Task The_catalog_lists_xyz_folders_and_raster_mbtiles_only()
    {
        var list = await _http.GetFromJsonAsync<JsonElement>("/api/imagery");
        var byName = list.EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!);
        Assert.Equal(["city", "ortho"], byName.Keys.Order());

        var ortho = byName["ortho"];
        Assert.Equal("xyz", ortho.GetProperty("kind").GetString());
        Assert.Equal("png", ortho.GetProperty("format").GetString());
        Assert.Equal(1, ortho.GetProperty("minzoom").GetInt32());
        Assert.Equal(2, ortho.GetProperty("maxzoom").GetInt32());
        Assert.Equal("Drone survey 2026", ortho.GetProperty("attribution").GetString());
        // The z1 tile 1/0 is the north-east quarter: 0..180 E, 0..85.05 N.
        var b = ortho.GetProperty("bounds").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(0, b[0], 6);
        Assert.Equal(0, b[1], 6);
        Assert.Equal(180, b[2], 6);
        Assert.Equal(85.0511, b[3], 3);
        Assert.Equal("/imagery/ortho/{z}/{x}/{y}", ortho.GetProperty("tiles").GetString());

        var city = byName["city"];
        Assert.Equal("mbtiles", city.GetProperty("kind").GetString());
        Assert.Equal("jpg", city.GetProperty("format").GetString());
        Assert.Equal("© City survey", city.GetProperty("attribution").GetString());
        Assert.Equal([7.40, 43.72, 7.44, 43.76], city.GetProperty("bounds").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal(0, city.GetProperty("minzoom").GetInt32());
        Assert.Equal(1, city.GetProperty("maxzoom").GetInt32());
    }

    [Fact]
    public async Task Folder_tiles_come_with_their_media_type_and_revalidate_by_ETag()
    {
        var response = await _http.GetAsync("/imagery/ortho/2/3/1");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Content("ortho", 2, 3, 1), await response.Content.ReadAsByteArrayAsync());
        var etag = response.Headers.ETag!;

        using var again = new HttpRequestMessage(HttpMethod.Get, "/imagery/ortho/2/3/1.png");
        again.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await _http.SendAsync(again)).StatusCode);
    }

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(1, 0, 0)]
    [InlineData(1, 0, 1)]
    [InlineData(1, 1, 1)]
    public async Task MBTiles_rows_are_flipped_from_TMS_to_XYZ(int z, int x, int y)
    {
        var response = await _http.GetAsync($"/imagery/city/{z}/{x}/{y}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Encoding.ASCII.GetString(Content("city", z, x, y)), Encoding.ASCII.GetString(await response.Content.ReadAsByteArrayAsync()));
        Assert.NotNull(response.Headers.ETag);
    }

    [Theory]
    [InlineData("/imagery/ortho/2/0/0", 404, "has no tile 2/0/0")]
    [InlineData("/imagery/ortho/3/7/0", 404, "has no tile 3/7/0")]
    [InlineData("/imagery/city/5/0/0", 404, "has no tile")]
    [InlineData("/imagery/nothere/1/0/0", 404, "no imagery is named 'nothere'")]
    [InlineData("/imagery/bad%20name/1/0/0", 404, "no imagery is named")]
    [InlineData("/imagery/.hidden/1/0/0", 404, "no imagery is named")]
    [InlineData("/imagery/vector/0/0/0", 404, "no imagery is named")]
    [InlineData("/imagery/..%2F..%2Fetc/1/0/0", 404, "no imagery is named")]
    [InlineData("/imagery/secret.txt/1/0/0", 404, "no imagery is named")]
    [InlineData("/imagery/ortho/1/0/2", 400, "y must be between 0 and 1")]
    [InlineData("/imagery/ortho/1/5/0", 400, "x must be between 0 and 1")]
    [InlineData("/imagery/ortho/99/0/0", 400, "z must be between")]
    [InlineData("/imagery/ortho/1/-1/0", 400, "x must be between")]
    [InlineData("/imagery/ortho/1/0/abc", 400, "y: must be a tile row")]
    [InlineData("/imagery/ortho/1/0/..%2F..%2Fsecret", 400, "y: must be a tile row")]
    public async Task Bad_imagery_requests_get_a_4xx_naming_what_is_wrong(string path, int status, string expected)
    {
        var response = await _http.GetAsync(path);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Imagery_needs_a_signed_in_user()
    {
        using var anonymous = Browser.Anonymous(_server);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/imagery")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/imagery/ortho/1/1/0")).StatusCode);
    }

    [Fact]
    public async Task A_source_dropped_in_while_running_is_listed()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "later", "0", "0"));
        File.WriteAllBytes(Path.Combine(_folder, "later", "0", "0", "0.webp"), Content("later", 0, 0, 0));
        var list = await _http.GetFromJsonAsync<JsonElement>("/api/imagery");
        Assert.Contains(list.EnumerateArray(), e => e.GetProperty("name").GetString() == "later" && e.GetProperty("format").GetString() == "webp");
        var response = await _http.GetAsync("/imagery/later/0/0/0");
        Assert.Equal("image/webp", response.Content.Headers.ContentType?.MediaType);
    }
}
