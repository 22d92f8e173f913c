using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GeoTwin.Server.Warnings.Alerts;
using GeoTwin.Server.Warnings.Pull;
using GeoTwin.Server.Warnings.Texts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GeoTwin.Server.Tests.Warnings;

/// <summary>
/// The text sender's health in /readyz, the alerts list and the live push of warnings (scoped: a station gets its own
/// places' warnings and never another's), and the viewer's reads of places, one place and its people (audited).
/// Real server, real PostGIS, a real local HTTP server playing the call-handling platform and the SMS gateway.
/// </summary>
[Collection("postgis")]
public sealed class WarningAlertsTests(PostgisFixture pg) : IAsyncLifetime
{
    readonly string _dir = TempDirs.Make("alerts");
    WebApplication _outside = null!;
    volatile int _gatewayStatus = 200;
    int _gatewayCalls;
    readonly ConcurrentQueue<string> _records = new();   // the platform's incidents not yet served
    readonly List<HubConnection> _hubs = [];

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _outside = builder.Build();
        _outside.MapPost("/sms", (HttpContext http) => { Interlocked.Increment(ref _gatewayCalls); http.Response.StatusCode = _gatewayStatus; return Task.CompletedTask; });
        // The platform: everything not yet served, then the cursor past it (the mapping below reads this shape).
        _outside.MapGet("/jq", async (HttpContext http) =>
        {
            var since = int.TryParse(http.Request.Query["since"], out var s) ? s : 0;
            var items = new List<string>();
            while (_records.TryDequeue(out var r)) items.Add(r);
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync($$"""{ "data": { "items": [{{string.Join(",", items)}}], "next": "{{since + items.Count}}" } }""");
        });
        await _outside.StartAsync();
        File.WriteAllText(Path.Combine(_dir, "mapping.json"), """
            { "records": "data.items", "next": "data.next",
              "fields": { "number": "jjdbh", "category": "ajlb", "lon": "x", "lat": "y", "receivedAt": "bjsj" },
              "categories": { "0301": "theft" }, "timeZone": "Asia/Shanghai" }
            """);
    }

    public async Task DisposeAsync()
    {
        foreach (var h in _hubs) await h.DisposeAsync();
        await _outside.DisposeAsync();
        TempDirs.Remove(_dir);
    }

    string Outside => _outside.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    int _number;
    void Serve(int n, double lon, double lat)
    {
        var now = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).ToString("yyyy-MM-dd HH:mm:ss");
        for (var i = 0; i < n; i++)
            _records.Enqueue($$"""{ "jjdbh": "A{{++_number}}", "ajlb": "0301", "x": {{lon}}, "y": {{lat}}, "bjsj": "{{now}}" }""");
    }

    async Task<ConcurrentQueue<AlertView>> WatchAsync(GeoTwinServer server, string user, string role, string jurisdiction)
    {
        var hub = await SignedInHub.BuildAsync(server, user, role, jurisdiction, WarningsHub.Path);
        _hubs.Add(hub);
        var received = new ConcurrentQueue<AlertView>();
        hub.On<AlertView>(WarningAlerts.AlertMessage, a => received.Enqueue(a));
        await hub.StartAsync();
        return received;
    }

    static async Task<T> UntilAsync<T>(Func<T?> probe, string what) where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (probe() is { } v) return v;
            await Task.Yield();
            await Task.Delay(20);
        }
        throw new TimeoutException($"waited 30 s for {what}");
    }

    [Fact]
    public async Task The_text_sender_reports_failing_pending_and_ok_in_readyz()
    {
        await using var server = await pg.StartServerAsync(new()
        {
            ["GeoTwin:Warnings:Texts:Url"] = Outside + "/sms", ["GeoTwin:Warnings:Texts:FirstBackoffSeconds"] = "3600",
        });
        var db = server.Database.DataSource;
        await TwoStations.SeedAsync(db);
        await db.ExecAsync(WarningLevelsTests.Places);
        using var anyone = new HttpClient { BaseAddress = new Uri(server.Url) };
        async Task<string> HealthAsync()
        {
            var ready = await anyone.GetFromJsonAsync<JsonElement>("/readyz");
            Assert.Equal("ready", ready.GetProperty("status").GetString()); // texts stalling never makes the server unready
            return ready.GetProperty("warningTexts").GetString()!;
        }
        Assert.Equal("waiting for its first run", await HealthAsync());
        const string Text = """
            INSERT INTO warning_texts (place_id, month, warning, phone, role, body, next_attempt_at)
            SELECT id, date_trunc('month', now())::date, $1, '+99 000 0001', 'community_officer', '【四色预警】测试', now() + make_interval(secs => $2)
            FROM warning_places WHERE code = 'C1'
            """;
        await db.ExecAsync(Text, "red", 0.0);
        var job = server.App.Services.GetRequiredService<WarningTextsJob>();

        _gatewayStatus = 500;
        await job.RunAsync(default);
        var failing = await HealthAsync();
        Assert.StartsWith("failing since", failing);
        Assert.Contains("500", failing);
        Assert.Contains("1 texts waiting", failing);

        _gatewayStatus = 200;
        await db.ExecAsync("UPDATE warning_texts SET next_attempt_at = now()");
        await job.RunAsync(default);
        Assert.StartsWith("ok (last run", await HealthAsync());
        Assert.Equal(2, _gatewayCalls);

        // A text whose next attempt is later: the sender is fine, the outbox is not empty.
        await db.ExecAsync(Text, "black", 600.0);
        await job.RunAsync(default);
        Assert.Equal("pending: 1 texts waiting for their next attempt", await HealthAsync());
        Assert.Equal(2, _gatewayCalls);
    }

    [Fact]
    public async Task Warnings_are_pushed_to_the_stations_that_see_the_place_and_listed_in_scope()
    {
        await using var server = await pg.StartServerAsync(new()
        {
            ["GeoTwin:Warnings:Pull:Url"] = Outside + "/jq", ["GeoTwin:Warnings:Pull:MappingFile"] = Path.Combine(_dir, "mapping.json"),
            ["GeoTwin:Warnings:TimeZone"] = "Asia/Shanghai",
        });
        var db = server.Database.DataSource;
        await TwoStations.SeedAsync(db);
        await db.ExecAsync(WarningLevelsTests.Places);
        var station1 = await WatchAsync(server, "alert-officer1", "community_officer", TwoStations.Station1);
        var station2 = await WatchAsync(server, "alert-officer2", "community_officer", TwoStations.Station2);
        var city = await WatchAsync(server, "alert-commander", "commander", TwoStations.City);
        var pull = server.App.Services.GetRequiredService<WarningPullJob>();

        // Three thefts in the compound C1 (station 1): orange, one short of red.
        Serve(3, 7.408, 43.728);
        await pull.RunAsync(default);
        var first = await UntilAsync(() => station1.FirstOrDefault(), "station 1's first alert");
        Assert.Equal(("海景小区", "compound", "one_short_of_red", "orange", 3), (first.PlaceName, first.PlaceKind, first.Kind, first.Level, first.Count));
        // A fourth: red.
        Serve(1, 7.408, 43.728);
        await pull.RunAsync(default);
        var red = await UntilAsync(() => station1.Skip(1).FirstOrDefault(), "station 1's red alert");
        Assert.Equal(("C1", "red", "red", 4), (red.PlaceCode, red.Kind, red.Level, red.Count));
        // Station 2's compound C9, one theft: one short of orange. Pushed after C1's, so once station 2 has it, it
        // would have had C1's before it, had they been sent to it.
        Serve(1, 7.435, 43.745);
        await pull.RunAsync(default);
        var own = await UntilAsync(() => station2.FirstOrDefault(), "station 2's alert");
        Assert.Equal(("C9", "one_short_of_orange"), (own.PlaceCode, own.Kind));
        Assert.Single(station2);
        await UntilAsync(() => city.Count == 3 ? city : null, "the city's three alerts");
        Assert.Equal(["C1", "C1", "C9"], city.Select(a => a.PlaceCode));
        Assert.Equal(2, station1.Count);
        // Pulling nothing new raises nothing again.
        await pull.RunAsync(default);
        Assert.Equal(3L, await db.ScalarAsync<long>("SELECT count(*) FROM warning_alerts"));

        // The list: newest first, in scope, after `since`.
        using var officer1 = await Browser.SignInAsync(server, "alert-officer1", Browser.Password);
        using var officer2 = await Browser.SignInAsync(server, "alert-officer2", Browser.Password);
        var list1 = await officer1.GetFromJsonAsync<JsonElement>("/api/warnings/alerts");
        Assert.Equal(["red", "one_short_of_red"], list1.EnumerateArray().Select(a => a.GetProperty("kind").GetString()));
        var list2 = await officer2.GetFromJsonAsync<JsonElement>("/api/warnings/alerts");
        Assert.Equal(["C9"], list2.EnumerateArray().Select(a => a.GetProperty("placeCode").GetString()));
        var since = Uri.EscapeDataString(first.At.ToString("O"));
        var after = await officer1.GetFromJsonAsync<JsonElement>($"/api/warnings/alerts?since={since}&limit=10");
        Assert.Equal(["red"], after.EnumerateArray().Select(a => a.GetProperty("kind").GetString()));
        foreach (var (query, field) in new[] { ("since=yesterday", "since"), ("limit=0", "limit"), ("limit=501", "limit") })
        {
            var refused = await officer1.GetAsync("/api/warnings/alerts?" + query);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal(field, (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await Browser.Anonymous(server).GetAsync("/api/warnings/alerts")).StatusCode);

        // The viewer's reads: places with levels, one place, its people (personal data, audited), all in scope.
        var places = await officer1.GetFromJsonAsync<JsonElement>("/api/warnings/places");
        Assert.Equal(5, places.GetProperty("places").GetArrayLength());
        var c1 = places.GetProperty("places").EnumerateArray().Single(p => p.GetProperty("code").GetString() == "C1");
        Assert.Equal(("red", 4, false), (c1.GetProperty("level").GetString(), c1.GetProperty("count").GetInt32(), c1.GetProperty("nearNext").GetBoolean()));
        Assert.Equal(JsonValueKind.Object, c1.GetProperty("boundary").ValueKind);
        Assert.Equal(4, places.GetProperty("thresholds").GetProperty("compound").GetArrayLength());
        var c1Id = c1.GetProperty("id").GetInt64();
        var c9Id = await db.ScalarAsync<long>("SELECT id FROM warning_places WHERE code = 'C9'");
        var detail = await officer1.GetFromJsonAsync<JsonElement>($"/api/warnings/places/{c1Id}");
        Assert.Equal(4, detail.GetProperty("incidents").GetArrayLength());
        Assert.Equal(["red", "orange"], detail.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("to").GetString()).Distinct());
        Assert.Equal(HttpStatusCode.NotFound, (await officer1.GetAsync($"/api/warnings/places/{c9Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await officer1.GetAsync($"/api/warnings/places/{c9Id}/people")).StatusCode);
        var badMonth = await officer1.GetAsync($"/api/warnings/places/{c1Id}?month=2026-13");
        Assert.Equal("month", (await badMonth.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        var lastYear = await officer1.GetFromJsonAsync<JsonElement>("/api/warnings/places?month=2020-01");
        Assert.All(lastYear.GetProperty("places").EnumerateArray(), p => Assert.Equal("none", p.GetProperty("level").GetString()));

        var people = await officer1.GetFromJsonAsync<JsonElement>($"/api/warnings/places/{c1Id}/people");
        Assert.StartsWith("+99 000 0000", people.EnumerateArray().Single().GetProperty("phone").GetString());
        Assert.Equal(2L, await db.ScalarAsync<long>(
            "SELECT count(*) FROM audit_log WHERE username = 'alert-officer1' AND record_kind = 'warning_place_person' AND action = 'read'"));
        using var analyst = await Browser.SignedInAsync(server, "alert-analyst", "analyst", TwoStations.Station1);
        Assert.Equal(HttpStatusCode.Forbidden, (await analyst.GetAsync($"/api/warnings/places/{c1Id}/people")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await analyst.GetAsync($"/api/warnings/places/{c1Id}")).StatusCode);
    }
}
