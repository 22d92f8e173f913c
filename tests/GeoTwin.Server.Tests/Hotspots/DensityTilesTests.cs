using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using GeoTwin.Server.Hotspots.Density;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Tiling.Tiles;
using Microsoft.Extensions.DependencyInjection;

namespace GeoTwin.Server.Tests.Hotspots;

[Collection("postgis")]
public sealed class DensityTilesTests(PostgisFixture pg) : IAsyncLifetime
{
    const int Zoom = 15;
    static readonly (double Lon, double Lat) Cluster1 = (7.413, 43.733), Cluster2 = (7.433, 43.743), Lonely = (7.404, 43.722);
    GeoTwinServer _server = null!;
    HttpClient _city = null!;
    HttpClient _station1 = null!;

    public async Task InitializeAsync()
    {
        _server = await pg.StartServerAsync();
        await TwoStations.SeedAsync(_server.Database.DataSource);
        // 40 more incidents within ~100 m of INC-1 (station 1) and 20 of INC-2 (station 2).
        await using (var cmd = _server.Database.DataSource.CreateCommand("""
            INSERT INTO incidents (code, category, location, jurisdiction_id, received_at)
            SELECT 'D1-' || i, 'theft', ST_SetSRID(ST_MakePoint(7.413 + 0.001 * cos(i), 43.733 + 0.0008 * sin(i * 1.7)), 4326), j.id,
                   TIMESTAMPTZ '2025-03-03 10:00Z' + i * INTERVAL '1 day'
            FROM generate_series(1, 40) i, jurisdictions j WHERE j.code = 'T-ST1-A';
            INSERT INTO incidents (code, category, location, jurisdiction_id, received_at)
            SELECT 'D2-' || i, 'robbery', ST_SetSRID(ST_MakePoint(7.433 + 0.001 * cos(i), 43.743 + 0.0008 * sin(i * 1.7)), 4326), j.id,
                   TIMESTAMPTZ '2025-03-03 23:00Z' + i * INTERVAL '1 day'
            FROM generate_series(1, 20) i, jurisdictions j WHERE j.code = 'T-ST2';
            """))
            await cmd.ExecuteNonQueryAsync();
        await Fence();
        _city = await Browser.SignedInAsync(_server, "analyst", "analyst", TwoStations.City);
        _station1 = await Browser.SignedInAsync(_server, "analyst1", "analyst", TwoStations.Station1);
    }

    public async Task DisposeAsync()
    {
        _city.Dispose();
        _station1.Dispose();
        await _server.DisposeAsync();
    }

    Task Fence() => _server.App.Services.GetRequiredService<DataVersions>().FenceAsync();

    static string PathOf((double Lon, double Lat) at, string query = "")
    {
        var t = TileAddress.Containing(at.Lon, at.Lat, Zoom);
        return $"/api/hotspots/density/{t.Z}/{t.X}/{t.Y}.png{query}";
    }

    /// <summary>The pixel (column, row) of a place inside its z15 tile.</summary>
    static (int Col, int Row) PixelOf((double Lon, double Lat) at)
    {
        var n = 256.0 * (1 << Zoom);
        var phi = at.Lat * Math.PI / 180;
        var gx = (at.Lon + 180) / 360 * n;
        var gy = (1 - Math.Log(Math.Tan(phi) + 1 / Math.Cos(phi)) / Math.PI) / 2 * n;
        return ((int)(gx % 256), (int)(gy % 256));
    }

    static async Task<Image> Png(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        return Image.Decode(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_tile_over_incidents_is_a_coloured_png_and_far_away_is_transparent()
    {
        var near = await Png(await _city.GetAsync(PathOf(Cluster1)));
        var t = TileAddress.Containing(Cluster1.Lon, Cluster1.Lat, Zoom);
        var far = await Png(await _city.GetAsync($"/api/hotspots/density/{Zoom}/{t.X + 20}/{t.Y}.png"));

        Assert.Equal((256, 256), (near.Width, near.Height));
        var (col, row) = PixelOf(Cluster1);
        var centre = near.Pixel(col, row);
        Assert.True(centre.A > 0, "the cluster's centre is coloured");
        Assert.True(centre.R > centre.B, "on the yellow-red ramp");
        Assert.Contains(near.Alphas(), a => a == 0); // the tile's far corner is beyond the bandwidth
        Assert.All(far.Alphas(), a => Assert.Equal(0, a));
    }

    [Fact]
    public async Task The_same_tile_again_is_not_modified_and_a_new_incident_changes_it()
    {
        const string query = "?bandwidth=300";
        var first = await _city.GetAsync(PathOf(Lonely, query));
        Assert.All((await Png(first)).Alphas(), a => Assert.Equal(0, a)); // nothing within 300 m yet
        using var again = new HttpRequestMessage(HttpMethod.Get, PathOf(Lonely, query));
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await _city.SendAsync(again)).StatusCode);
        Assert.True(first.Headers.CacheControl is { Private: true, NoCache: true }, "per user, always revalidated");

        await using (var cmd = _server.Database.DataSource.CreateCommand("""
            INSERT INTO incidents (code, category, location, jurisdiction_id)
            SELECT 'D-NEW', 'theft', ST_SetSRID(ST_MakePoint(7.404, 43.722), 4326), id FROM jurisdictions WHERE code = 'T-ST1-A'
            """))
            await cmd.ExecuteNonQueryAsync();
        await Fence();
        using var after = new HttpRequestMessage(HttpMethod.Get, PathOf(Lonely, query));
        after.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        var changed = await _city.SendAsync(after);

        Assert.NotEqual(first.Headers.ETag, changed.Headers.ETag);
        var (col, row) = PixelOf(Lonely);
        Assert.True((await Png(changed)).Pixel(col, row).A > 0, "the new incident is drawn");
    }

    [Fact]
    public async Task A_station_analyst_sees_only_its_own_incidents()
    {
        var city = await Png(await _city.GetAsync(PathOf(Cluster2)));
        var station1 = await Png(await _station1.GetAsync(PathOf(Cluster2)));
        var cityLegend = await Legend(_city, "");
        var station1Legend = await Legend(_station1, "");

        var (col, row) = PixelOf(Cluster2);
        Assert.True(city.Pixel(col, row).A > 0);
        Assert.All(station1.Alphas(), a => Assert.Equal(0, a)); // station 2's incidents do not exist for it
        Assert.Equal(62, cityLegend.GetProperty("count").GetInt32());
        Assert.Equal(41, station1Legend.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task The_legend_says_the_bandwidth_and_why_the_maximum_and_the_stops()
    {
        var auto = await Legend(_city, "");
        var given = await Legend(_city, "?bandwidth=500&group=two_robberies_one_theft&hours=22-23,0-6&from=2025-01-01&to=2026-01-01");

        var b = auto.GetProperty("bandwidth");
        Assert.Equal("silverman_rule", b.GetProperty("rule").GetString());
        Assert.InRange(b.GetProperty("value").GetDouble(), 100, 2000);
        Assert.Contains("n = 62", b.GetProperty("why").GetString());
        Assert.Equal("起/平方公里", auto.GetProperty("unit").GetProperty("zh").GetString());
        Assert.Equal("incidents per km²", auto.GetProperty("unit").GetProperty("en").GetString());
        var max = auto.GetProperty("max").GetDouble();
        Assert.True(max > 0);
        var stops = auto.GetProperty("stops").EnumerateArray().ToList();
        Assert.Equal(5, stops.Count);
        Assert.Equal(0, stops[0].GetProperty("value").GetDouble());
        Assert.EndsWith("00", stops[0].GetProperty("color").GetString()); // transparent at zero
        Assert.Equal(max, stops[^1].GetProperty("value").GetDouble(), 1e-9);

        Assert.Equal("given", given.GetProperty("bandwidth").GetProperty("rule").GetString());
        Assert.Equal(500, given.GetProperty("bandwidth").GetProperty("value").GetDouble());
        Assert.Equal(20, given.GetProperty("count").GetInt32()); // the robberies at 23:00 UTC; the 10:00 thefts are outside the hours, INC-1/2 (now) outside the dates
    }

    [Fact]
    public async Task No_incidents_give_a_transparent_tile_and_an_empty_legend()
    {
        var tile = await Png(await _city.GetAsync(PathOf(Cluster1, "?category=fire")));
        var legend = await Legend(_city, "?category=fire");

        Assert.All(tile.Alphas(), a => Assert.Equal(0, a));
        Assert.Equal(0, legend.GetProperty("count").GetInt32());
        Assert.Equal(0, legend.GetProperty("max").GetDouble());
    }

    [Fact]
    public async Task Incidents_all_at_one_place_need_a_given_bandwidth()
    {
        const string onlyInc1 = "?category=theft&from=2025-06-01"; // INC-1 alone (received now; the other thefts are in March-April 2025)
        var refused = await _city.GetAsync("/api/hotspots/density/legend" + onlyInc1);
        var given = await Legend(_city, onlyInc1 + "&bandwidth=200");

        Assert.Equal((HttpStatusCode)422, refused.StatusCode);
        Assert.Equal("bandwidth", JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("field").GetString());
        Assert.Equal(1, given.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Only_analysts_may_read_density()
    {
        using var officer = await Browser.SignedInAsync(_server, "officer", "community_officer", TwoStations.City);
        Assert.Equal(HttpStatusCode.Forbidden, (await officer.GetAsync(PathOf(Cluster1))).StatusCode);
    }

    [Theory]
    [InlineData("/api/hotspots/density/23/0/0.png", "z")]
    [InlineData("/api/hotspots/density/3/8/0.png", "x")]
    [InlineData("/api/hotspots/density/3/0/-1.png", "y")]
    [InlineData("/api/hotspots/density/3/0/8.png", "y")]
    [InlineData("/api/hotspots/density/3/0/1.jpg", "y")]
    [InlineData("/api/hotspots/density/3/0/1.png?bandwidth=0", "bandwidth")]
    [InlineData("/api/hotspots/density/3/0/1.png?bandwidth=-5", "bandwidth")]
    [InlineData("/api/hotspots/density/3/0/1.png?bandwidth=NaN", "bandwidth")]
    [InlineData("/api/hotspots/density/legend?bandwidth=Infinity", "bandwidth")]
    [InlineData("/api/hotspots/density/3/0/1.png?category=arson", "category")]
    [InlineData("/api/hotspots/density/3/0/1.png?group=three_robberies", "group")]
    [InlineData("/api/hotspots/density/3/0/1.png?hours=20-24", "hours")]
    [InlineData("/api/hotspots/density/3/0/1.png?hours=22-x", "hours")]
    [InlineData("/api/hotspots/density/3/0/1.png?weekdays=0-5", "weekdays")]
    [InlineData("/api/hotspots/density/3/0/1.png?from=yesterday", "from")]
    [InlineData("/api/hotspots/density/legend?jurisdiction=T-ST2", "jurisdiction")]
    public async Task Bad_input_is_400_naming_the_parameter(string path, string field)
    {
        var response = await _station1.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.StartsWith(field + ":", problem.GetProperty("detail").GetString());
    }

    /// <summary>One filter rule for every hotspot endpoint (HotspotFilters): a reversed period is 422 naming to, as /gi
    /// answers it, and an hour range from high to low wraps past midnight, as /gi reads it.</summary>
    [Fact]
    public async Task Density_reads_the_filters_by_the_same_rule_as_gi()
    {
        foreach (var path in new[] { "/api/hotspots/density/legend?from=2026-01-02&to=2026-01-01", "/api/hotspots/gi?from=2026-01-02&to=2026-01-01" })
        {
            var refused = await _station1.GetAsync(path);
            Assert.Equal((HttpStatusCode)422, refused.StatusCode);
            Assert.Equal("to", JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("field").GetString());
        }
        var night = await Legend(_city, "?hours=22-2&from=2025-01-01&to=2026-01-01");
        var explicitNight = await Legend(_city, "?hours=22-23,0-2&from=2025-01-01&to=2026-01-01");
        Assert.Equal(20, night.GetProperty("count").GetInt32()); // the robberies at 23:00 UTC (INC-1/2, now, outside the dates)
        Assert.Equal(explicitNight.GetProperty("count").GetInt32(), night.GetProperty("count").GetInt32());
        Assert.Equal("UTC", night.GetProperty("timeZone").GetString()); // no jurisdiction names a zone, none configured
    }

    /// <summary>Hours and weekdays are read on the jurisdiction's clock (jurisdictions.time_zone, inherited from the
    /// nearest ancestor that names one), and every answer says which zone it used.</summary>
    [Fact]
    public async Task Hours_are_read_in_the_jurisdictions_time_zone()
    {
        Assert.Equal(20, (await Legend(_city, "?hours=23&from=2025-01-01&to=2026-01-01")).GetProperty("count").GetInt32());
        await using (var cmd = _server.Database.DataSource.CreateCommand("UPDATE jurisdictions SET time_zone = 'Asia/Shanghai' WHERE parent_id IS NULL"))
            await cmd.ExecuteNonQueryAsync();
        await Fence();
        // 23:00 UTC is 07:00 in Shanghai (UTC+8, no summer time), on the next weekday
        var legend = await Legend(_city, "?hours=7&from=2025-01-01&to=2026-01-01");
        Assert.Equal(20, legend.GetProperty("count").GetInt32());
        Assert.Equal("Asia/Shanghai", legend.GetProperty("timeZone").GetString());
        Assert.Equal(0, (await Legend(_city, "?hours=23&from=2025-01-01&to=2026-01-01")).GetProperty("count").GetInt32());
        var when = JsonDocument.Parse(await _city.GetStringAsync("/api/hotspots/when?category=robbery&from=2025-01-01&to=2026-01-01")).RootElement;
        Assert.Equal("Asia/Shanghai", when.GetProperty("parameters").GetProperty("filters").GetProperty("timeZone").GetString());
        Assert.Equal(20, when.GetProperty("hourWeekday").EnumerateArray().Sum(day => day[7].GetInt32()));
        // a station's own zone wins over its ancestors' for a request narrowed to it
        await using (var cmd = _server.Database.DataSource.CreateCommand("UPDATE jurisdictions SET time_zone = 'America/Chicago' WHERE code = 'T-ST2'"))
            await cmd.ExecuteNonQueryAsync();
        await Fence();
        Assert.Equal("America/Chicago", (await Legend(_city, "?jurisdiction=T-ST2")).GetProperty("timeZone").GetString());
        // an unknown zone is refused by the column's check
        await using var bad = _server.Database.DataSource.CreateCommand("UPDATE jurisdictions SET time_zone = 'Mars/Olympus' WHERE code = 'T-ST2'");
        await Assert.ThrowsAnyAsync<Npgsql.PostgresException>(() => bad.ExecuteNonQueryAsync());
    }

    static async Task<JsonElement> Legend(HttpClient client, string query)
    {
        var response = await client.GetAsync("/api/hotspots/density/legend" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    /// <summary>A PNG reader for 8-bit RGBA (what the tiles are), all five row filters, chunk CRCs checked.</summary>
    sealed record Image(int Width, int Height, byte[] Rgba)
    {
        public (byte R, byte G, byte B, byte A) Pixel(int col, int row)
        {
            var o = (row * Width + col) * 4;
            return (Rgba[o], Rgba[o + 1], Rgba[o + 2], Rgba[o + 3]);
        }

        public IEnumerable<byte> Alphas() => Rgba.Where((_, i) => i % 4 == 3);

        public static Image Decode(byte[] png)
        {
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
            int width = 0, height = 0, at = 8;
            using var idat = new MemoryStream();
            while (true)
            {
                var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
                var type = System.Text.Encoding.ASCII.GetString(png, at + 4, 4);
                var data = png.AsSpan(at + 8, length);
                Assert.Equal(Crc32(png.AsSpan(at + 4, length + 4)), BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + length)));
                if (type == "IHDR")
                {
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                    Assert.Equal(new byte[] { 8, 6, 0, 0, 0 }, data[8..13].ToArray());
                }
                else if (type == "IDAT") idat.Write(data);
                else if (type == "IEND") break;
                at += 12 + length;
            }
            idat.Position = 0;
            using var z = new ZLibStream(idat, CompressionMode.Decompress);
            using var raw = new MemoryStream();
            z.CopyTo(raw);
            var bytes = raw.ToArray();
            var stride = width * 4;
            Assert.Equal((stride + 1) * height, bytes.Length);
            var rgba = new byte[stride * height];
            for (var r = 0; r < height; r++)
            {
                var filter = bytes[r * (stride + 1)];
                for (var i = 0; i < stride; i++)
                {
                    int x = bytes[r * (stride + 1) + 1 + i];
                    int a = i >= 4 ? rgba[r * stride + i - 4] : 0, b = r > 0 ? rgba[(r - 1) * stride + i] : 0, c = i >= 4 && r > 0 ? rgba[(r - 1) * stride + i - 4] : 0;
                    int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
                    rgba[r * stride + i] = (byte)(x + filter switch
                    {
                        0 => 0, 1 => a, 2 => b, 3 => (a + b) / 2,
                        4 => pa <= pb && pa <= pc ? a : pb <= pc ? b : c,
                        _ => throw new InvalidDataException($"filter {filter}"),
                    });
                }
            }
            return new Image(width, height, rgba);
        }

        /// <summary>CRC-32 as the PNG specification writes it, bit by bit.</summary>
        static uint Crc32(ReadOnlySpan<byte> bytes)
        {
            var crc = 0xFFFFFFFFu;
            foreach (var b in bytes)
            {
                crc ^= b;
                for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
            return ~crc;
        }
    }
}
