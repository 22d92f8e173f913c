using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GeoTwin.Server.Warnings;
using GeoTwin.Server.Warnings.Demo;
using GeoTwin.Server.Warnings.Pull;
using Microsoft.Extensions.Logging.Abstractions;

namespace GeoTwin.Server.Tests.Warnings;

/// <summary>
/// The demo's call-handling platform as a real HTTP server, read by the real pull through the mapping it documents:
/// calls pushed at a place land in that place (not in a smaller one inside it) and turn it red; the cursor pages.
/// </summary>
[Collection("postgis")]
public sealed class DemoPlatformTests(PostgisFixture pg)
{
    [Fact]
    public async Task Calls_served_by_the_demo_platform_are_pulled_and_turn_a_place_red()
    {
        await using var db = await WarningLevelsTests.SeededAsync(pg);
        var platform = new DemoCallPlatform();
        var generator = new DemoCallGenerator(db, platform, 40, NullLogger<DemoCallGenerator>.Instance);
        await using var app = await platform.ServeAsync(0, () => generator);
        var url = DemoCallPlatform.UrlOf(app);
        var dir = TempDirs.Make("platform");
        try
        {
            File.WriteAllText(Path.Combine(dir, "mapping.json"), DemoCallPlatform.MappingJson);
            var settings = new PullSettings { Url = new Uri(url + "/jq/incidents"), Mapping = PullMapping.Load(Path.Combine(dir, "mapping.json")) };
            var levels = new WarningLevels(new WarningOptions(timeZone: "UTC"));
            var pull = new IncidentPull(db, levels, NullLogger<IncidentPull>.Instance);
            using var http = new HttpClient();

            // C1 holds U1 and C2 (smaller, preferred): four calls "at C1" must count for C1 itself.
            var pushed = await http.PostAsJsonAsync(url + "/jq/demo/incidents", new { place = "C1", count = 4, category = "theft" });
            Assert.Equal(HttpStatusCode.OK, pushed.StatusCode);
            Assert.Equal(4, (await pushed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("numbers").GetArrayLength());
            var run = await pull.RunHttpAsync(settings, http, default);
            Assert.True(run.Ok, run.Error);
            Assert.Equal((4, 4, 0), (run.Fetched, run.New, run.Skipped));
            Assert.Equal(("red", 4), (await db.ScalarAsync<string>("SELECT level FROM warning_levels l JOIN warning_places p ON p.id = l.place_id WHERE p.code = 'C1'"),
                await db.ScalarAsync<int>("SELECT count FROM warning_levels l JOIN warning_places p ON p.id = l.place_id WHERE p.code = 'C1'")));
            // Random calls of every kind (the generator's own path, some not counted), pulled after C1 was checked.
            foreach (var category in DemoCallPlatform.Codes.Values)
                Assert.Single(await generator.CallsAtAsync(null, 1, category, default));
            var random = await pull.RunHttpAsync(settings, http, default);
            Assert.Equal((10, 10, 0), (random.Fetched, random.New, random.Skipped));
            Assert.Equal(14L, await db.ScalarAsync<long>("SELECT count(*) FROM incidents WHERE source = 'call_platform'"));

            // Pulled again: the cursor is past them, nothing is fetched twice.
            var again = await pull.RunHttpAsync(settings, http, default);
            Assert.Equal((0, 0), (again.Fetched, again.New));
            Assert.Equal("14", await db.ScalarAsync<string>("SELECT cursor FROM warning_pull_cursors WHERE connector = 'http'"));

            foreach (var (body, status) in new[] { ((object)new { place = "C1", count = 0 }, 400), (new { place = "C1", count = 1, category = "arson" }, 400), (new { place = "NOPE", count = 1, category = "theft" }, 404) })
                Assert.Equal(status, (int)(await http.PostAsJsonAsync(url + "/jq/demo/incidents", body)).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync(url + "/jq/incidents?since=x")).StatusCode);
        }
        finally { TempDirs.Remove(dir); }
    }
}
