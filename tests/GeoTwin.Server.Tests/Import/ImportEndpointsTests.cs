using System.Net;
using System.Net.Http.Json;
using System.Text;
using GeoTwin.Server.Import;

namespace GeoTwin.Server.Tests.Import;

/// <summary>Uploads run as Hangfire jobs on the real server: status and report by polling; size limit; who may upload.</summary>
[Collection("postgis")]
public sealed class ImportEndpointsTests(PostgisFixture pg) : IAsyncLifetime
{
    GeoTwinServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await pg.StartServerAsync(new() { ["GeoTwin:Jobs:Worker"] = "true", ["GeoTwin:Import:MaxUploadBytes"] = "100000" });
        await TwoStations.SeedAsync(_server.Database.DataSource);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    static MultipartFormDataContent Upload(string fileName, string content, string layer, bool skipInvalid = false) => new()
    {
        { new ByteArrayContent(Encoding.UTF8.GetBytes(content)), "file", fileName },
        { new StringContent(layer), "layer" },
        { new StringContent(skipInvalid ? "true" : "false"), "skipInvalid" },
    };

    async Task<ImportJobStatus> FinishedAsync(HttpClient client, Uri location)
    {
        for (var i = 0; i < 300; i++)
        {
            var job = (await client.GetFromJsonAsync<ImportJobStatus>(location))!;
            if (job.Status is not ("queued" or "running")) return job;
            await Task.Delay(100);
        }
        throw new TimeoutException("the import job did not finish in 30 s");
    }

    [Fact]
    public async Task An_admin_uploads_a_file_and_polls_the_job_to_its_counts_and_bad_row_report()
    {
        var admin = await Browser.SignedInAsync(_server, "importer", "admin", TwoStations.City);
        const string csv = "code,address,lon,lat\nUP-00000001,上传路 1号,7.41,43.73\nUP-00000002,上传路 2号,7.43,43.74\nUP-00000003,far away,2.35,48.85\n";

        var refused = await admin.PostAsync("/api/imports", Upload("addresses.csv", csv, "addresses"));
        Assert.Equal(HttpStatusCode.Accepted, refused.StatusCode);
        var job = await FinishedAsync(admin, refused.Headers.Location!);
        Assert.Equal(("refused", 3L, 1L), (job.Status, job.RowsRead, job.BadCount));
        var bad = Assert.Single(job.BadRows);
        Assert.Equal((4L, "geometry"), (bad.Row, bad.Field));

        var written = await admin.PostAsync("/api/imports", Upload("addresses.csv", csv, "addresses", skipInvalid: true));
        job = await FinishedAsync(admin, written.Headers.Location!);
        Assert.Equal(("written", 100f, 2L, 1L), (job.Status, job.Percent, job.Inserted, job.BadCount));
        Assert.Equal("importer", job.CreatedBy);
        await using var cmd = _server.Database.DataSource.CreateCommand("SELECT count(*) FROM addresses WHERE code LIKE 'UP-%'");
        Assert.Equal(2L, (long)(await cmd.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Uploaded_warning_places_count_the_incidents_already_inside_them_with_their_people()
    {
        // Four thefts of this month at a spot no place covered yet: counted nowhere until the compound is imported there.
        var db = _server.Database.DataSource;
        for (var i = 1; i <= 4; i++)
            await using (var insert = db.CreateCommand("""
                INSERT INTO incidents (code, category, location, received_at, jurisdiction_id, source)
                SELECT $1, 'theft', ST_SetSRID(ST_MakePoint(7.4105, 43.7305), 4326), now(), id, 'call_platform' FROM jurisdictions WHERE code = 'T-ST1-A'
                """))
            {
                insert.Parameters.AddWithValue($"UPW-{i}");
                await insert.ExecuteNonQueryAsync();
            }
        var admin = await Browser.SignedInAsync(_server, "importer", "admin", TwoStations.City);
        const string csv = "场所编码,类型,名称,社区民警,社区民警电话,wkt\n"
            + "UPW-C1,小区,上传小区,王伟,+86 138 0000 0001,\"POLYGON((7.410 43.730, 7.411 43.730, 7.411 43.731, 7.410 43.731, 7.410 43.730))\"\n";

        var upload = await admin.PostAsync("/api/imports", Upload("places.csv", csv, "warning_places"));
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        var job = await FinishedAsync(admin, upload.Headers.Location!);

        Assert.Equal(("written", 1L), (job.Status, job.Inserted));
        await using var cmd = db.CreateCommand("""
            SELECT p.jurisdiction_path::text || ' ' || l.count || ' ' || l.level || ' ' || w.full_name || ' ' || w.phone
              FROM warning_places p JOIN warning_levels l ON l.place_id = p.id JOIN warning_place_people w ON w.place_id = p.id
             WHERE p.code = 'UPW-C1' AND p.source = 'import'
            """);
        Assert.EndsWith(" 4 red 王伟 +86 138 0000 0001", (string)(await cmd.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task An_upload_over_the_limit_is_413_and_a_file_the_importer_refuses_says_why()
    {
        var admin = await Browser.SignedInAsync(_server, "importer2", "admin", TwoStations.City);

        var big = await admin.PostAsync("/api/imports", Upload("big.csv", new string('x', 150_000), "addresses"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);

        var wrongLayer = await admin.PostAsync("/api/imports", Upload("a.csv", "a,b\n", "people"));
        Assert.Equal(HttpStatusCode.BadRequest, wrongLayer.StatusCode);

        var broken = await admin.PostAsync("/api/imports", Upload("a.geojson", "{\"type\":\"FeatureCollection\",\"features\":[{", "addresses"));
        var job = await FinishedAsync(admin, broken.Headers.Location!);
        Assert.Equal("refused", job.Status);
        Assert.Contains("GeoJSON", job.Message);
    }

    [Fact]
    public async Task Only_admins_and_import_tokens_may_upload()
    {
        var analyst = await Browser.SignedInAsync(_server, "analyst1", "analyst", TwoStations.City);
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.PostAsync("/api/imports", Upload("a.csv", "a\n", "addresses"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Browser.Anonymous(_server).GetAsync("/api/imports/1")).StatusCode);

        var token = await new GeoTwin.Server.Accounts.AccountsStore(_server.Database.DataSource).CreateTokenAsync("loader", "import", TwoStations.City, null, null, default);
        using var device = new HttpClient { BaseAddress = new Uri(_server.Url) };
        device.DefaultRequestHeaders.Authorization = new("Bearer", token!.Secret);
        var upload = await device.PostAsync("/api/imports", Upload("a.csv", "code,address,lon,lat\nTK-00000001,x,7.41,43.73\n", "addresses"));
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        Assert.Equal("written", (await FinishedAsync(device, upload.Headers.Location!)).Status);
    }
}
