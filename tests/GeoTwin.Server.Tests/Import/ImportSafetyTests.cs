using System.Net;
using System.Net.Http.Json;
using System.Text;
using GeoTwin.DataImport;
using GeoTwin.Server.Import;
using GeoTwin.Server.Infrastructure.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace GeoTwin.Server.Tests.Import;

/// <summary>Issue 15: an import token writes and reads inside its station only; a dead worker's jobs and folders are cleaned up.</summary>
[Collection("postgis")]
public sealed class ImportSafetyTests(PostgisFixture pg) : IAsyncLifetime
{
    GeoTwinServer _server = null!;
    readonly string _tilesets = TempDirs.Make("tilesets");

    public async Task InitializeAsync()
    {
        _server = await pg.StartServerAsync(new() { ["GeoTwin:Jobs:Worker"] = "true", ["GeoTwin:Twin3d:Directory"] = _tilesets });
        await TwoStations.SeedAsync(_server.Database.DataSource);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_tilesets, recursive: true);
    }

    NpgsqlDataSource Db => _server.Database.DataSource;

    async Task<T> Scalar<T>(string sql, params object[] args)
    {
        await using var cmd = Db.CreateCommand(sql);
        foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    async Task<HttpClient> TokenAsync(string purpose, string jurisdiction)
    {
        var token = await new GeoTwin.Server.Accounts.AccountsStore(Db).CreateTokenAsync($"t-{Guid.NewGuid():N}"[..20], purpose, jurisdiction, null, null, default);
        var client = new HttpClient { BaseAddress = new Uri(_server.Url) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", token!.Secret);
        return client;
    }

    static MultipartFormDataContent Upload(string csv) => new()
    {
        { new ByteArrayContent(Encoding.UTF8.GetBytes(csv)), "file", "addresses.csv" },
        { new StringContent("addresses"), "layer" },
    };

    static async Task<ImportJobStatus> FinishedAsync(HttpClient client, Uri location)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var job = (await client.GetFromJsonAsync<ImportJobStatus>(location))!;
            if (job.Status is not ("queued" or "running")) return job;
            await Task.Delay(100);
        }
        throw new TimeoutException("the import job did not finish in 30 s");
    }

    [Fact]
    public async Task A_second_station_token_may_not_insert_or_update_first_station_addresses_nor_read_other_jobs()
    {
        using var station2 = await TokenAsync("import", TwoStations.Station2);
        // Row 2: a new address in the first station; row 3: the first station's stored address with new text; row 4: its own.
        var csv = $"code,address,lon,lat\nFO-00000001,一所 新路 1号,7.41,43.73\n{TwoStations.Address1},改写,7.43,43.74\nFO-00000002,二所 新路 2号,7.43,43.74\n";
        var posted = await station2.PostAsync("/api/imports", Upload(csv));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var job = await FinishedAsync(station2, posted.Headers.Location!);

        Assert.Equal(("refused", 0L, 0L, 2L), (job.Status, job.Inserted, job.Updated, job.BadCount));
        Assert.Equal([(2L, $"in {TwoStations.Area1}, outside your jurisdiction {TwoStations.Station2}"),
                      (3L, $"code '{TwoStations.Address1}' is stored in {TwoStations.Area1}, outside your jurisdiction {TwoStations.Station2}")],
            job.BadRows.Select(b => (b.Row, b.Reason)));
        Assert.Equal("测试市 一所 和平路 1号", await Scalar<string>("SELECT full_text FROM addresses WHERE code = $1", TwoStations.Address1));
        Assert.Equal(0L, await Scalar<long>("SELECT count(*) FROM addresses WHERE code LIKE 'FO-%'"));

        // The first station's token does not see the second's job, nor an admin's; the city's token sees the station's.
        using var station1 = await TokenAsync("import", TwoStations.Station1);
        Assert.Equal(HttpStatusCode.NotFound, (await station1.GetAsync(posted.Headers.Location)).StatusCode);
        using var city = await TokenAsync("import", TwoStations.City);
        Assert.Equal(HttpStatusCode.OK, (await city.GetAsync(posted.Headers.Location)).StatusCode);
        var admin = await Browser.SignedInAsync(_server, "importer", "admin", TwoStations.City);
        var adminJob = await admin.PostAsync("/api/imports", Upload("code,address,lon,lat\nAD-00000001,x,7.43,43.74\n"));
        await FinishedAsync(admin, adminJob.Headers.Location!);
        Assert.Equal(HttpStatusCode.NotFound, (await station2.GetAsync(adminJob.Headers.Location)).StatusCode);
    }

    [Fact]
    public async Task A_second_station_intake_token_may_not_create_an_incident_in_the_first_station()
    {
        using var station2 = await TokenAsync("incident_intake", TwoStations.Station2);
        var before = await Scalar<long>("SELECT count(*) FROM incidents");
        var answer = await station2.PostAsJsonAsync("/api/incidents", new { category = "fire", location = new { lon = 7.41, lat = 43.73 } });
        Assert.Equal(422, (int)answer.StatusCode);
        Assert.Contains($"({TwoStations.Area1}), outside your jurisdiction", await answer.Content.ReadAsStringAsync());
        Assert.Equal(before, await Scalar<long>("SELECT count(*) FROM incidents"));
    }

    [Fact]
    public async Task Jobs_a_dead_worker_left_running_are_marked_interrupted_and_its_files_and_folders_removed()
    {
        var machine = OwnedFolders.Self.Split('_')[0];
        var dead = $"{machine}_2147483647_00000000"; // no process has this pid
        async Task<long> RunningImportAsync(string? worker) => await Scalar<long>("""
            WITH j AS (INSERT INTO import_jobs (layer, file_name, file_bytes, created_by, status, percent, worker)
                       VALUES ('addresses', 'a.csv', 3, 'test', 'running', 42, $1) RETURNING id)
            INSERT INTO import_files (job_id, seq, data) SELECT id, 0, '\x414243'::bytea FROM j RETURNING job_id
            """, (object?)worker ?? DBNull.Value);
        var deadImport = await RunningImportAsync(dead);
        var liveImport = await RunningImportAsync(OwnedFolders.Self);
        var deadTileset = await Scalar<long>("INSERT INTO tileset_jobs (tileset, kind, created_by, status, percent, worker) VALUES ('houses', 'houses', 't', 'running', 10, $1) RETURNING id", dead);
        var leftover = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"{OwnedFolders.TempPrefix}{dead}-upload-{Guid.NewGuid():N}")).FullName;
        var mine = OwnedFolders.CreateTemp("upload").FullName;
        var staging = Directory.CreateDirectory(Path.Combine(_tilesets, "houses", $".staging-{dead}-{Guid.NewGuid():N}")).FullName;

        // What the start does (the hosted service of a worker node).
        await _server.App.Services.GetRequiredService<InterruptedJobs>().StartAsync(default);

        Assert.Equal(("failed", "interrupted at 42 %, nothing was written"), await StatusAsync("import_jobs", deadImport));
        Assert.Equal(0L, await Scalar<long>("SELECT count(*) FROM import_files WHERE job_id = $1", deadImport));
        Assert.Equal("running", (await StatusAsync("import_jobs", liveImport)).Status);
        Assert.Equal(1L, await Scalar<long>("SELECT count(*) FROM import_files WHERE job_id = $1", liveImport));
        Assert.Equal("failed", (await StatusAsync("tileset_jobs", deadTileset)).Status);
        Assert.False(Directory.Exists(leftover));
        Assert.False(Directory.Exists(staging));
        Assert.True(Directory.Exists(mine));
        Directory.Delete(mine);

        // A re-delivered job (Hangfire hands out a job whose worker died) is marked the same way.
        var redelivered = await RunningImportAsync(null);
        await _server.App.Services.GetRequiredService<ImportJob>().RunAsync(redelivered, default);
        Assert.Equal(("failed", "interrupted at 42 %, nothing was written"), await StatusAsync("import_jobs", redelivered));
    }

    async Task<(string Status, string? Message)> StatusAsync(string table, long id)
    {
        await using var cmd = Db.CreateCommand($"SELECT status, message FROM {table} WHERE id = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync());
        return (r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1));
    }
}
