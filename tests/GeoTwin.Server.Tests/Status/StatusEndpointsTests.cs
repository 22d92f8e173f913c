using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace GeoTwin.Server.Tests.Status;

[Collection("postgis")]
public sealed class StatusEndpointsTests(PostgisFixture pg)
{
    [Fact]
    public async Task Healthz_and_readyz_answer_once_migrated()
    {
        await using var server = await pg.StartServerAsync();
        using var http = new HttpClient { BaseAddress = new Uri(server.Url) };

        var health = await http.GetAsync("/healthz");
        var ready = await http.GetFromJsonAsync<JsonElement>("/readyz");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.Equal(GeoTwin.Server.Infrastructure.Db.Migrations.Embedded.Count, ready.GetProperty("migrationsApplied").GetInt32());
    }

    [Fact]
    public async Task Readyz_says_503_when_a_migration_record_is_missing()
    {
        await using var server = await pg.StartServerAsync();
        using var http = new HttpClient { BaseAddress = new Uri(server.Url) };
        await using (var cmd = server.Database.DataSource.CreateCommand("DELETE FROM schema_migrations WHERE name = '0008_tilesets.sql'"))
            await cmd.ExecuteNonQueryAsync();

        var ready = await http.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("migrations not applied", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Info_gives_the_top_jurisdiction_and_its_extent_to_a_signed_in_user()
    {
        await using var server = await pg.StartServerAsync();
        await TwoStations.SeedAsync(server.Database.DataSource);
        using var anonymous = Browser.Anonymous(server);
        using var http = await Browser.SignedInAsync(server, "viewer", "analyst", TwoStations.Station2);

        var refused = await anonymous.GetAsync("/api/info");
        var info = await http.GetFromJsonAsync<JsonElement>("/api/info");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("测试市局", info.GetProperty("jurisdiction").GetProperty("name").GetString());
        var bbox = info.GetProperty("jurisdiction").GetProperty("bbox").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        Assert.Equal(new[] { 7.40, 43.72, 7.45, 43.76 }, bbox.Select(v => Math.Round(v, 6)));
        // the real boundary to draw, not its box: one outer ring, closed, every corner inside the extent
        var ring = info.GetProperty("jurisdiction").GetProperty("outline").EnumerateArray().Single().EnumerateArray()
            .Select(p => (Lon: p[0].GetDouble(), Lat: p[1].GetDouble())).ToList();
        Assert.True(ring.Count >= 4 && ring[0] == ring[^1], string.Join(" ", ring));
        Assert.All(ring, p => Assert.True(p.Lon is >= 7.40 and <= 7.45 && p.Lat is >= 43.72 and <= 43.76, p.ToString()));
    }

    [Fact]
    public async Task The_OpenAPI_document_lists_the_routes_and_unknown_api_paths_are_404()
    {
        await using var server = await pg.StartServerAsync();
        await TwoStations.SeedAsync(server.Database.DataSource);
        using var http = await Browser.SignedInAsync(server, "reader", "planner", TwoStations.City);

        var doc = await http.GetStringAsync("/openapi/v1.json");
        var unknown = await http.GetAsync("/api/no-such-thing");

        Assert.Contains("\"/readyz\"", doc);
        Assert.Contains("\"/api/info\"", doc);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task The_jobs_dashboard_is_served_under_jobs_to_admins()
    {
        await using var server = await pg.StartServerAsync();
        await TwoStations.SeedAsync(server.Database.DataSource);
        using var http = await Browser.SignedInAsync(server, "root", "admin", TwoStations.City);

        var dashboard = await http.GetAsync("/jobs");

        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("GeoTwin jobs", await dashboard.Content.ReadAsStringAsync());
        await using var schema = server.Database.DataSource.CreateCommand("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'hangfire'");
        Assert.True((long)(await schema.ExecuteScalarAsync())! > 5);
    }
}
