using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GeoTwin.Server.Warnings;
using GeoTwin.Server.Warnings.Pull;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace GeoTwin.Server.Tests.Warnings;

/// <summary>
/// The pull against a real HTTP server playing the call-handling platform (pages with a cursor, a page served twice, a
/// 500, a body cut short, malformed records, an auth header) and against a real drop folder.
/// </summary>
[Collection("postgis")]
public sealed class IncidentPullTests(PostgisFixture pg) : IAsyncLifetime
{
    const string Token = "Bearer platform-secret";
    static readonly WarningLevels Levels = new(new WarningOptions(timeZone: "Asia/Shanghai"));
    readonly string _dir = TempDirs.Make("pull");
    WebApplication _platform = null!;
    Func<HttpContext, Task> _answer = _ => Task.CompletedTask;
    readonly List<string> _asked = [];

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _platform = builder.Build();
        _platform.MapGet("/jq/list", async (HttpContext http) =>
        {
            lock (_asked) _asked.Add(http.Request.Query["since"].ToString());
            if (http.Request.Headers.Authorization != Token) { http.Response.StatusCode = 401; return; }
            await _answer(http);
        });
        await _platform.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _platform.DisposeAsync();
        TempDirs.Remove(_dir);
    }

    string Url => _platform.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/jq/list";

    PullMapping Mapping()
    {
        var path = Path.Combine(_dir, "mapping.json");
        File.WriteAllText(path, """
            { "records": "data.items", "next": "data.next",
              "fields": { "number": "jjdbh", "category": "ajlb", "lon": "x", "lat": "y", "receivedAt": "bjsj", "description": "jyaq" },
              "categories": { "0201": "robbery", "0301": "theft", "0901": "fight" },
              "timeZone": "Asia/Shanghai" }
            """);
        return PullMapping.Load(path);
    }

    static string Record(string number, string code, double lon, double lat, string at = "2026-03-10 10:00:00") =>
        $$"""{ "jjdbh": "{{number}}", "ajlb": "{{code}}", "x": {{lon}}, "y": {{lat}}, "bjsj": "{{at}}", "jyaq": "接警 {{number}}" }""";

    static Func<HttpContext, Task> Pages(Dictionary<string, string> bySince) => async http =>
    {
        var since = http.Request.Query["since"].ToString();
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(bySince[since]);
    };

    static string Page(string? next, params string[] records) =>
        $$"""{ "code": 0, "data": { "items": [{{string.Join(",", records)}}], "next": {{(next is null ? "null" : $"\"{next}\"")}} } }""";

    [Fact]
    public async Task Pages_are_stored_once_and_the_cursor_never_passes_a_failed_page()
    {
        await using var db = await WarningLevelsTests.SeededAsync(pg);
        var pull = new IncidentPull(db, Levels, NullLogger<IncidentPull>.Instance);
        var settings = new PullSettings { Url = new Uri(Url), AuthHeader = "Authorization: " + Token, Mapping = Mapping(), Attempts = 2, FirstBackoff = TimeSpan.FromMilliseconds(10) };
        using var http = new HttpClient();
        var pages = new Dictionary<string, string>
        {
            [""] = Page("c1", Record("J001", "0301", 7.408, 43.728), Record("J002", "0201", 7.408, 43.7281), Record("J003", "0301", 7.408, 999)),
            ["c1"] = Page("c2", Record("J004", "0301", 7.4081, 43.728), Record("J005", "0901", 7.409, 43.722), Record("J006", "7777", 7.408, 43.728)),
        };
        var failing = 0;
        _answer = async http =>
        {
            if (http.Request.Query["since"] == "c2") { failing++; http.Response.StatusCode = 500; return; }
            await Pages(pages)(http);
        };

        var first = await pull.RunHttpAsync(settings, http, default);

        Assert.False(first.Ok);
        Assert.Contains("500", first.Error);
        Assert.Equal(2, failing); // retried once, then the run ends
        Assert.Equal((2, 6, 4, 0, 2), (first.Pages, first.Fetched, first.New, first.Duplicates, first.Skipped));
        Assert.Equal(["page 1 #3: y: '999' is not a latitude", "page 2 #3: ajlb: code '7777' is not in the mapping"],
            first.Reasons.Select(r => $"{r.Record}: {r.Reason}"));
        Assert.Equal("c2", await db.ScalarAsync<string>("SELECT cursor FROM warning_pull_cursors WHERE connector = 'http'"));
        Assert.Equal(4L, await db.ScalarAsync<long>("SELECT count(*) FROM incidents WHERE source = 'call_platform' AND code LIKE 'CP-J%'"));
        Assert.Equal(4L, await db.ScalarAsync<long>("SELECT count(*) FROM incident_events e JOIN incidents i ON i.id = e.incident_id WHERE i.source = 'call_platform' AND e.kind = 'intake'"));
        // 10:00 on the platform's clock (Shanghai) is 02:00 UTC.
        Assert.Equal("2026-03-10 02:00:00", await db.ScalarAsync<string>("SELECT to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') FROM incidents WHERE code = 'CP-J001'"));
        // Two thefts and a robbery in the compound C1 (the fight does not count): orange, one short of red.
        Assert.Equal("3 orange true", await db.ScalarAsync<string>("SELECT count || ' ' || level || ' ' || near_next FROM warning_levels l JOIN warning_places p ON p.id = l.place_id WHERE p.code = 'C1' AND month = '2026-03-01'"));
        Assert.Equal("false 2 6 4 0 2", await db.ScalarAsync<string>("SELECT ok::text || ' ' || pages || ' ' || fetched || ' ' || new || ' ' || duplicates || ' ' || skipped FROM warning_pull_runs"));

        // The platform serves the page after c2 with the two records of the page before again, and one new one.
        pages["c2"] = Page("c3", Record("J004", "0301", 7.4081, 43.728), Record("J005", "0901", 7.409, 43.722), Record("J007", "0201", 7.4082, 43.728));
        pages["c3"] = Page("c3");
        _answer = Pages(pages);
        var second = await pull.RunHttpAsync(settings, http, default);

        Assert.True(second.Ok, second.Error);
        Assert.Equal((2, 3, 1, 2, 0), (second.Pages, second.Fetched, second.New, second.Duplicates, second.Skipped));
        Assert.Equal("c3", await db.ScalarAsync<string>("SELECT cursor FROM warning_pull_cursors WHERE connector = 'http'"));
        Assert.Contains(second.Changes, c => c.To == "red" && c.Alerts);
        Assert.Equal("4 red", await db.ScalarAsync<string>("SELECT count || ' ' || level FROM warning_levels l JOIN warning_places p ON p.id = l.place_id WHERE p.code = 'C1' AND month = '2026-03-01'"));

        // A body cut short: the page is not stored and the cursor stays.
        _answer = async http =>
        {
            http.Response.ContentType = "application/json";
            http.Response.ContentLength = 400;
            await http.Response.WriteAsync("""{ "data": { "items": [ { "jjdbh": "J008", """);
            await http.Response.Body.FlushAsync();
            http.Abort();
        };
        var third = await pull.RunHttpAsync(settings, http, default);
        Assert.False(third.Ok);
        Assert.Equal("c3", await db.ScalarAsync<string>("SELECT cursor FROM warning_pull_cursors WHERE connector = 'http'"));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM incidents WHERE code = 'CP-J008'"));
        Assert.Equal(5L, await db.ScalarAsync<long>("SELECT count(*) FROM pulled_incidents"));
        Assert.Equal("false,true,false", await db.ScalarAsync<string>("SELECT string_agg(ok::text, ',' ORDER BY id) FROM warning_pull_runs"));
        Assert.DoesNotContain(_asked, a => a == "c4");
    }

    [Fact]
    public async Task Drop_folder_files_are_taken_once_and_moved_aside()
    {
        await using var db = await WarningLevelsTests.SeededAsync(pg);
        var pull = new IncidentPull(db, Levels, NullLogger<IncidentPull>.Instance);
        var folder = Path.Combine(_dir, "drop");
        Directory.CreateDirectory(folder);
        var settings = new PullSettings { DropFolder = folder, Mapping = Mapping() };
        var json = Page(null, Record("D001", "0301", 7.408, 43.728), Record("D002", "0201", 7.404, 43.724));
        await File.WriteAllTextAsync(Path.Combine(folder, "2026031001.json"), json);
        await File.WriteAllTextAsync(Path.Combine(folder, "2026031002.csv"), """
            jjdbh,ajlb,x,y,bjsj,jyaq
            D003,0301,7.4082,43.7282,2026-03-10 11:00:00,"自行车被盗, 车棚"
            D004,0301,abc,43.7282,2026-03-10 11:00:00,坐标错误
            D005,0301,7.4083,43.7283,昨天,时间错误
            """);
        await File.WriteAllTextAsync(Path.Combine(folder, "2026031003.json"), """{ "data": { "items": [ """);
        await File.WriteAllTextAsync(Path.Combine(folder, ".2026031004.json.part"), "being written");

        var run = await pull.RunDropFolderAsync(settings, default);

        Assert.True(run.Ok, run.Error);
        Assert.Equal((2, 5, 3, 0), (run.Pages, run.Fetched, run.New, run.Duplicates));
        Assert.Equal(3, run.Skipped); // two rows and the unreadable file
        Assert.Contains(run.Reasons, r => r.Record == "2026031002.csv row 3");
        Assert.Contains(run.Reasons, r => r.Record == "2026031002.csv row 4" && r.Reason.StartsWith("bjsj:"));
        Assert.Contains(run.Reasons, r => r.Record == "2026031003.json" && r.Reason.Contains("rejected/"));
        Assert.Equal(["2026031001.json", "2026031002.csv"], Directory.GetFiles(Path.Combine(folder, "done")).Select(Path.GetFileName).Order());
        Assert.Equal(["2026031003.json"], Directory.GetFiles(Path.Combine(folder, "rejected")).Select(Path.GetFileName));
        Assert.Equal([".2026031004.json.part"], Directory.GetFiles(folder).Select(Path.GetFileName));
        Assert.Equal("自行车被盗, 车棚", await db.ScalarAsync<string>("SELECT description FROM incidents WHERE code = 'CP-D003'"));

        // The platform drops the first file again: nothing new, the file is moved aside beside the first copy.
        await File.WriteAllTextAsync(Path.Combine(folder, "2026031001.json"), json);
        var again = await pull.RunDropFolderAsync(settings, default);
        Assert.Equal((1, 0, 2), (again.Pages, again.New, again.Duplicates));
        Assert.Equal(3, Directory.GetFiles(Path.Combine(folder, "done")).Length);
        Assert.Equal(3L, await db.ScalarAsync<long>("SELECT count(*) FROM pulled_incidents WHERE connector = 'drop_folder'"));
    }

    [Fact]
    public async Task The_scheduled_job_pulls_and_admins_and_readyz_see_how_it_goes()
    {
        var mapping = Path.Combine(_dir, "mapping.json");
        Mapping();
        await using var server = await pg.StartServerAsync(new()
        {
            ["GeoTwin:Warnings:Pull:Url"] = Url, ["GeoTwin:Warnings:Pull:MappingFile"] = mapping,
            ["GeoTwin:Warnings:Pull:AuthHeader"] = "Authorization: " + Token, ["GeoTwin:Warnings:Pull:Attempts"] = "1",
            ["GeoTwin:Warnings:TimeZone"] = "Asia/Shanghai", ["GeoTwin:Warnings:Texts:Url"] = "http://127.0.0.1:9/sms",
        });
        var db = server.Database.DataSource;
        await TwoStations.SeedAsync(db);
        await db.ExecAsync(WarningLevelsTests.Places);
        using var recurring = server.App.Services.GetRequiredService<Hangfire.JobStorage>().GetConnection();
        Assert.Equal("*/10 * * * *", Assert.Single(Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(recurring), j => j.Id == WarningPullJob.RecurringId).Cron);
        Assert.Equal("* * * * *", Assert.Single(Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(recurring), j => j.Id == GeoTwin.Server.Warnings.Texts.WarningTextsJob.RecurringId).Cron);

        _answer = Pages(new() { [""] = Page("c1", Record("K001", "0301", 7.408, 43.728), Record("K002", "0201", 7.404, 43.724)), ["c1"] = Page("c1") });
        await server.App.Services.GetRequiredService<WarningPullJob>().RunAsync(default);

        using var anyone = new HttpClient { BaseAddress = new Uri(server.Url) };
        var ready = await anyone.GetFromJsonAsync<JsonElement>("/readyz");
        Assert.StartsWith("ok (last run", ready.GetProperty("warningPull").GetString());
        using var admin = await Browser.SignedInAsync(server, "pull-admin", "admin", TwoStations.City);
        var runs = await admin.GetFromJsonAsync<JsonElement>("/api/warnings/pull/runs");
        var run = runs.EnumerateArray().Single();
        Assert.Equal((true, 2, 2, 0), (run.GetProperty("ok").GetBoolean(), run.GetProperty("fetched").GetInt32(), run.GetProperty("new").GetInt32(), run.GetProperty("skipped").GetInt32()));
        var refused = await admin.GetAsync("/api/warnings/pull/runs?limit=0");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("limit", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        using var analyst = await Browser.SignedInAsync(server, "pull-analyst", "analyst", TwoStations.City);
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.GetAsync("/api/warnings/pull/runs")).StatusCode);

        _answer = http => { http.Response.StatusCode = 500; return Task.CompletedTask; };
        await server.App.Services.GetRequiredService<WarningPullJob>().RunAsync(default);
        var stalled = await anyone.GetFromJsonAsync<JsonElement>("/readyz");
        Assert.Equal("ready", stalled.GetProperty("status").GetString()); // the server is ready; the feed is what stalled
        Assert.StartsWith("failing since", stalled.GetProperty("warningPull").GetString());
        Assert.Contains("500", stalled.GetProperty("warningPull").GetString());
    }
}
