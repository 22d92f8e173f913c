using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using GeoTwin.Server.Addresses.Plates;
using Microsoft.Extensions.DependencyInjection;

namespace GeoTwin.Server.Tests.Addresses;

/// <summary>
/// Door plates: the printed QR read back by an independent decoder (zbarimg, Debian zbar-tools) leads to the scan
/// page of that address, and only genuine, current plates are answered.
/// </summary>
[Collection("postgis")]
public sealed partial class PlatesTests(PostgisFixture pg) : IAsyncLifetime
{
    const string PublicBase = "https://geotwin.example.test";
    GeoTwinServer _server = null!;
    HttpClient _officer = null!, _analyst = null!, _officer2 = null!, _anonymous = null!;

    public async Task InitializeAsync()
    {
        _server = await pg.StartServerAsync(new() { ["GeoTwin:Plates:BaseUrl"] = PublicBase });
        await TwoStations.SeedAsync(_server.Database.DataSource);
        _officer = await Browser.SignedInAsync(_server, "officer1", "community_officer", TwoStations.Station1);
        _officer2 = await Browser.SignedInAsync(_server, "officer2", "community_officer", TwoStations.Station2);
        _analyst = await Browser.SignedInAsync(_server, "analyst1", "analyst", TwoStations.Station1);
        _anonymous = Browser.Anonymous(_server);
    }

    public async Task DisposeAsync()
    {
        foreach (var c in new[] { _officer, _officer2, _analyst, _anonymous }) c.Dispose();
        await _server.DisposeAsync();
    }

    [Theory]
    [InlineData(120)]
    [InlineData(40)]
    public async Task The_screen_png_decodes_with_zbarimg_to_the_signed_scan_url_which_answers_the_address(int size)
    {
        var png = await _analyst.GetAsync($"/api/plates/{TwoStations.Address1}.png?size={size}");
        Assert.Equal(HttpStatusCode.OK, png.StatusCode);
        Assert.Equal("image/png", png.Content.Headers.ContentType?.MediaType);

        var url = Decode(await png.Content.ReadAsByteArrayAsync(), "png");

        var m = ScanUrl().Match(url);
        Assert.True(m.Success, url);
        Assert.Equal(PublicBase, m.Groups["base"].Value);
        Assert.Equal(TwoStations.Address1, m.Groups["code"].Value);
        Assert.Equal("1", m.Groups["v"].Value);
        // follow it: the page is the viewer (a client route), and the scan check it makes answers the address, signed in or not
        var page = await _anonymous.GetAsync($"/qr/{m.Groups["code"].Value}?v={m.Groups["v"].Value}&s={m.Groups["s"].Value}");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<div id=\"map\"", await page.Content.ReadAsStringAsync());
        var scan = await _anonymous.GetFromJsonAsync<JsonElement>(ScanPath(url));
        Assert.Equal("测试市 一所 和平路 1号", scan.GetProperty("fullText").GetString());
        Assert.Equal("1号", scan.GetProperty("doorNumber").GetString());
    }

    [Fact]
    public async Task The_print_svg_is_a_blue_plate_with_the_address_door_number_and_a_qr_that_decodes_to_the_same_url()
    {
        var response = await _officer.GetAsync($"/api/plates/{TwoStations.Address1}.svg?size=75");
        Assert.Equal("image/svg+xml", response.Content.Headers.ContentType?.MediaType);
        var svg = XDocument.Parse(await response.Content.ReadAsStringAsync());
        XNamespace ns = "http://www.w3.org/2000/svg";

        Assert.Equal("195mm", svg.Root!.Attribute("width")!.Value); // 75 mm QR: a plate 2.6 x 1.2 times it
        Assert.Equal("90mm", svg.Root!.Attribute("height")!.Value);
        Assert.Equal(PlateDrawing.Blue, svg.Descendants(ns + "rect").First().Attribute("fill")!.Value);
        var texts = svg.Descendants(ns + "text").Select(t => t.Value).ToList();
        Assert.Equal(["测试市 一所 和平路 1号", "1号"], texts);
        Assert.All(svg.Descendants(ns + "text"), t => Assert.Equal("#fff", t.Attribute("fill")!.Value));

        // the QR drawn as module squares, rasterized here as a PBM and read by zbarimg
        var d = svg.Descendants(ns + "path").Single().Attribute("d")!.Value;
        var modules = ModulePath().Matches(d).Select(x => (Col: int.Parse(x.Groups[1].Value), Row: int.Parse(x.Groups[2].Value))).ToList();
        var url = Decode(Pbm(modules), "pbm");
        var link = await _officer.GetFromJsonAsync<JsonElement>($"/api/plates/{TwoStations.Address1}");
        Assert.Equal(link.GetProperty("url").GetString(), url);
        Assert.Equal(HttpStatusCode.OK, (await _anonymous.GetAsync(ScanPath(url))).StatusCode);
    }

    [Fact]
    public async Task A_reissued_plate_revokes_the_old_one_with_410_and_the_new_one_scans()
    {
        // its own address, so the other tests' plates stay at version 1
        await Exec($"""
            INSERT INTO addresses (code, element_type, parent_code, full_text, door_number, location, jurisdiction_id)
            SELECT 'PLATE-REISSUE-01', 62, '{TwoStations.Address1}', '测试市 一所 和平路 1号 101室', '101室', location, jurisdiction_id
            FROM addresses WHERE code = '{TwoStations.Address1}'
            """);
        var old = (await _officer.GetFromJsonAsync<JsonElement>("/api/plates/PLATE-REISSUE-01")).GetProperty("url").GetString()!;

        var analystTry = await _analyst.PostAsync("/api/plates/PLATE-REISSUE-01/reissue", null);
        var otherStation = await _officer2.PostAsync("/api/plates/PLATE-REISSUE-01/reissue", null);
        var issued = await _officer.PostAsync("/api/plates/PLATE-REISSUE-01/reissue", null);
        var fresh = (await issued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("url").GetString()!;

        await AssertProblem(analystTry, 403, "role");
        await AssertProblem(otherStation, 404, "code");
        Assert.Contains("?v=2&s=", fresh);
        var revoked = await _anonymous.GetAsync(ScanPath(old));
        await AssertProblem(revoked, 410, "v");
        Assert.Equal(HttpStatusCode.OK, (await _anonymous.GetAsync(ScanPath(fresh))).StatusCode);
    }

    [Fact]
    public async Task Forged_signatures_unknown_codes_and_bad_parameters_are_refused_by_name()
    {
        var url = (await _officer.GetFromJsonAsync<JsonElement>($"/api/plates/{TwoStations.Address1}")).GetProperty("url").GetString()!;
        var path = ScanPath(url);
        var signer = _server.App.Services.GetRequiredService<PlateSigner>();
        var unknownSig = await signer.SignAsync("NO-SUCH-ADDRESS-1", 1, default);

        // the same signature on another (existing) address's code: forged
        await AssertProblem(await _anonymous.GetAsync(path.Replace(TwoStations.Address1, TwoStations.Address2)), 403, "s");
        await AssertProblem(await _anonymous.GetAsync(Regex.Replace(path, "s=[^&]+", "s=AAAAAAAAAAAAAAAAAAAAAA")), 403, "s");
        await AssertProblem(await _anonymous.GetAsync(Regex.Replace(path, "s=[^&]+", "s=%%%")), 400, "s");
        await AssertProblem(await _anonymous.GetAsync(path.Replace("v=1", "v=0")), 400, "v");
        await AssertProblem(await _anonymous.GetAsync(path.Replace("v=1", "v=abc")), 400, "v");
        await AssertProblem(await _anonymous.GetAsync($"/api/plates/{TwoStations.Address1}/scan?v=1"), 400, "s");
        // genuinely signed, but no such address (or a version never printed)
        await AssertProblem(await _anonymous.GetAsync($"/api/plates/NO-SUCH-ADDRESS-1/scan?v=1&s={unknownSig}"), 404, "code");
        var v7 = await signer.SignAsync(TwoStations.Address1, 7, default);
        await AssertProblem(await _anonymous.GetAsync($"/api/plates/{TwoStations.Address1}/scan?v=7&s={v7}"), 404, "v");
        // printing: sizes are the standard's three; another station's address does not exist for the caller
        await AssertProblem(await _officer.GetAsync($"/api/plates/{TwoStations.Address1}.svg?size=50"), 400, "size");
        await AssertProblem(await _officer.GetAsync($"/api/plates/{TwoStations.Address2}.png"), 404, "code");
        await AssertProblem(await _officer.GetAsync($"/api/plates/{new string('A', 65)}.svg"), 400, "code");
        await AssertProblem(await _officer.GetAsync("/api/plates/sheet.svg"), 400, "within");
        Assert.Equal(HttpStatusCode.Unauthorized, (await _anonymous.GetAsync($"/api/plates/{TwoStations.Address1}.png")).StatusCode);
    }

    [Fact]
    public async Task A_sheet_holds_the_plate_of_every_door_below_a_building_each_with_its_own_url()
    {
        await Exec($"""
            INSERT INTO addresses (code, element_type, parent_code, full_text, door_number, location, jurisdiction_id)
            SELECT 'SHEET-ROOM-' || n, 62, '{TwoStations.Address1}', '测试市 一所 和平路 1号 ' || n || '室', n || '室', location, jurisdiction_id
            FROM addresses, generate_series(201, 203) n WHERE code = '{TwoStations.Address1}'
            """);
        var response = await _officer.GetAsync($"/api/plates/sheet.svg?within={TwoStations.Address1}&size=40");
        var svg = XDocument.Parse(await response.Content.ReadAsStringAsync());
        XNamespace ns = "http://www.w3.org/2000/svg";

        var codes = svg.Descendants(ns + "g").Select(g => g.Attribute("data-code")!.Value).ToList();
        Assert.Contains(TwoStations.Address1, codes);
        Assert.Contains("SHEET-ROOM-201", codes);
        Assert.Contains("SHEET-ROOM-203", codes);
        Assert.Equal("210mm", svg.Root!.Attribute("width")!.Value); // A4 wide
        Assert.Equal(codes.Count, svg.Descendants(ns + "path").Select(p => p.Attribute("d")!.Value).Distinct().Count());
    }

    static string ScanPath(string url)
    {
        var m = ScanUrl().Match(url);
        return $"/api/plates/{m.Groups["code"].Value}/scan?v={m.Groups["v"].Value}&s={m.Groups["s"].Value}";
    }

    async Task Exec(string sql)
    {
        await using var cmd = _server.Database.DataSource.CreateCommand(sql);
        await cmd.ExecuteNonQueryAsync();
    }

    static async Task AssertProblem(HttpResponseMessage response, int status, string field)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"{(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(field, JsonDocument.Parse(body).RootElement.GetProperty("field").GetString());
    }

    /// <summary>zbarimg, an independent decoder: the text of the one QR code in the image.</summary>
    static string Decode(byte[] image, string extension)
    {
        var file = Path.Combine(Path.GetTempPath(), $"geotwin-plate-{Guid.NewGuid():N}.{extension}");
        File.WriteAllBytes(file, image);
        try
        {
            using var zbar = Process.Start(new ProcessStartInfo("zbarimg", ["--raw", "-q", "-Sdisable", "-Sqrcode.enable", file])
                { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = zbar.StandardOutput.ReadToEnd();
            var errors = zbar.StandardError.ReadToEnd();
            zbar.WaitForExit();
            Assert.True(zbar.ExitCode == 0, $"zbarimg found no QR code (exit {zbar.ExitCode}): {errors}");
            return output.TrimEnd('\n');
        }
        finally { File.Delete(file); }
    }

    /// <summary>The SVG's modules as a plain PBM, 6 pixels a module; the path already holds the four-module quiet zone.</summary>
    static byte[] Pbm(List<(int Col, int Row)> modules)
    {
        const int scale = 6;
        var n = modules.Max(m => Math.Max(m.Col, m.Row)) + 1 + 4; // the quiet zone after the last dark module
        var dark = modules.ToHashSet();
        var text = new StringBuilder($"P1\n{n * scale} {n * scale}\n");
        for (var y = 0; y < n * scale; y++)
        {
            for (var x = 0; x < n * scale; x++) text.Append(dark.Contains((x / scale, y / scale)) ? "1 " : "0 ");
            text.Append('\n');
        }
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    [GeneratedRegex(@"^(?<base>https?://[^/]+)/qr/(?<code>[^?]+)\?v=(?<v>\d+)&s=(?<s>[A-Za-z0-9_-]{22})$")]
    private static partial Regex ScanUrl();

    [GeneratedRegex(@"M(\d+) (\d+)h1v1h-1z")]
    private static partial Regex ModulePath();
}
