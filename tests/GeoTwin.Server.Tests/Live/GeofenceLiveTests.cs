using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GeoTwin.Server.Live;
using GeoTwin.Server.Live.Geofences;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GeoTwin.Server.Tests.Live;

/// <summary>
/// A fence event leaves GeoTwin two ways: pushed to the live viewers of the fence's station (never another's), and posted
/// to a webhook receiver (a real local HTTP server), signed, retried after the receiver failed, and shown in /readyz.
/// </summary>
[Collection("postgis")]
public sealed class GeofenceLiveTests(PostgisFixture pg) : IAsyncLifetime
{
    const string Secret = "s3cret-of-the-receiver";
    WebApplication _receiver = null!;
    GeoTwinServer _server = null!;
    HttpClient _device = null!, _dispatcher1 = null!;
    long _unit1;
    volatile int _receiverStatus = 503; // failing until the test says otherwise
    int _posts;
    readonly ConcurrentQueue<(string Body, string? Signature)> _delivered = new();
    readonly List<HubConnection> _hubs = [];

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _receiver = builder.Build();
        _receiver.MapPost("/hook", async (HttpContext http) =>
        {
            Interlocked.Increment(ref _posts);
            var body = await new StreamReader(http.Request.Body).ReadToEndAsync();
            if (_receiverStatus == 200) _delivered.Enqueue((body, http.Request.Headers["X-GeoTwin-Signature"].FirstOrDefault()));
            http.Response.StatusCode = _receiverStatus;
        });
        await _receiver.StartAsync();
        var url = _receiver.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hook";

        _server = await pg.StartServerAsync(new()
        {
            ["GeoTwin:Geofences:Webhooks:0:Url"] = url,
            ["GeoTwin:Geofences:Webhooks:0:Secret"] = Secret,
        });
        (_unit1, _) = await LiveSeed.SeedAsync(_server.Database.DataSource);
        await _server.App.Services.GetRequiredService<LiveSync>().RefreshAsync(default);
        _device = await LiveSeed.DeviceAsync(_server, TwoStations.City);
        _dispatcher1 = await Browser.SignedInAsync(_server, "gdisp1", "dispatcher", TwoStations.Station1);
    }

    public async Task DisposeAsync()
    {
        foreach (var h in _hubs) await h.DisposeAsync();
        _device.Dispose();
        _dispatcher1.Dispose();
        await _server.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    async Task<ConcurrentQueue<GeofenceEventView>> WatchAsync(string user, string jurisdiction)
    {
        var hub = await SignedInHub.BuildAsync(_server, user, "commander", jurisdiction, LiveHub.Path);
        _hubs.Add(hub);
        var received = new ConcurrentQueue<GeofenceEventView>();
        hub.On<List<GeofenceEventView>>(GeofenceService.EventsMessage, list => { foreach (var e in list) received.Enqueue(e); });
        await hub.StartAsync();
        // Subscribing anywhere joins the jurisdiction's alerts: this viewer looks far from the fence on purpose.
        await hub.InvokeAsync<LiveSnapshot>("Subscribe", 7.0, 43.0, 7.01, 43.01);
        return received;
    }

    static async Task Until(Func<Task<bool>> probe, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await probe())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting until {what}");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task An_event_is_pushed_to_the_fences_station_only_and_posted_signed_to_the_webhook_after_it_recovers()
    {
        var station1 = await WatchAsync("gcmd1", TwoStations.Station1);
        var station2 = await WatchAsync("gcmd2", TwoStations.Station2);
        var created = await _dispatcher1.PostAsJsonAsync("/api/geofences", new
        {
            name = "码头 pier", circle = new { lon = 7.41, lat = 43.73, radiusM = 200 }, rules = new[] { "enter" },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var fenceId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        var t = DateTime.UtcNow.AddSeconds(-10);
        var sent = await _device.PostAsJsonAsync("/api/positions", new
        {
            fixes = new[] { LiveSeed.Fix(_unit1, t, 7.400, 43.73), LiveSeed.Fix(_unit1, t.AddSeconds(5), 7.410, 43.73) },
        });
        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);

        await Until(() => Task.FromResult(!station1.IsEmpty), "station 1's viewer is told");
        var pushed = Assert.Single(station1);
        Assert.Equal((fenceId, "码头 pier", _unit1, TwoStations.Unit1, "enter"), (pushed.FenceId, pushed.FenceName, pushed.UnitId, pushed.CallSign, pushed.Rule));
        Assert.Equal(7.410, pushed.Lon, 6);
        Assert.True(pushed.Id > 0); // the stored event's id: the same as the list's
        var listed = await _dispatcher1.GetFromJsonAsync<JsonElement>("/api/geofences/events");
        Assert.Equal(pushed.Id, listed[0].GetProperty("id").GetInt64());

        // The receiver failed at first: GeoTwin keeps the event and says so in /readyz, then delivers once it recovers.
        using var anonymous = Browser.Anonymous(_server);
        await Until(async () => (await anonymous.GetFromJsonAsync<JsonElement>("/readyz")).GetProperty("geofenceWebhooks")[0]
            .GetProperty("status").GetString() == "failing", "/readyz says the webhook is failing");
        Assert.True(Volatile.Read(ref _posts) >= 1);
        _receiverStatus = 200;
        await Until(() => Task.FromResult(!_delivered.IsEmpty), "the webhook receives the event");
        var (body, signature) = Assert.Single(_delivered);
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(body)));
        Assert.Equal(expected, signature);
        var posted = JsonDocument.Parse(body).RootElement.GetProperty("events");
        Assert.Equal(pushed.Id, Assert.Single(posted.EnumerateArray()).GetProperty("id").GetInt64());
        Assert.Equal("enter", posted[0].GetProperty("rule").GetString());

        await Until(async () =>
        {
            var ready = await anonymous.GetFromJsonAsync<JsonElement>("/readyz");
            var hook = ready.GetProperty("geofenceWebhooks")[0];
            return hook.GetProperty("status").GetString() == "ok" && hook.GetProperty("sent").GetInt64() == 1;
        }, "/readyz says the webhook is delivered");
        var geofences = (await anonymous.GetFromJsonAsync<JsonElement>("/readyz")).GetProperty("geofences");
        Assert.Equal(("ok", 1), (geofences.GetProperty("status").GetString(), geofences.GetProperty("fences").GetInt32()));

        // Station 2's viewer was told nothing (the fence is station 1's).
        Assert.Empty(station2);
    }

    [Fact]
    public async Task A_fence_deleted_stops_raising_events_and_one_drawn_later_is_watched_without_a_reload()
    {
        var engine = _server.App.Services.GetRequiredService<GeofenceService>().Engine;
        var first = await _dispatcher1.PostAsJsonAsync("/api/geofences", new { name = "A", circle = new { lon = 7.405, lat = 43.73, radiusM = 100 }, rules = new[] { "enter" } });
        var firstId = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.NoContent, (await _dispatcher1.DeleteAsync($"/api/geofences/{firstId}")).StatusCode);
        var second = await _dispatcher1.PostAsJsonAsync("/api/geofences", new { name = "B", circle = new { lon = 7.415, lat = 43.73, radiusM = 100 }, rules = new[] { "enter" } });
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(1, engine.FenceCount);

        var t = DateTime.UtcNow.AddSeconds(-10);
        (await _device.PostAsJsonAsync("/api/positions", new
        {
            fixes = new[] { LiveSeed.Fix(_unit1, t, 7.400, 43.73), LiveSeed.Fix(_unit1, t.AddSeconds(2), 7.405, 43.73), LiveSeed.Fix(_unit1, t.AddSeconds(4), 7.415, 43.73) },
        })).EnsureSuccessStatusCode();
        var names = new List<string>();
        await Until(async () =>
        {
            names = [.. (await _dispatcher1.GetFromJsonAsync<JsonElement>("/api/geofences/events")).EnumerateArray().Select(e => e.GetProperty("fenceName").GetString()!)];
            return names.Count >= 1;
        }, "the drawn fence raises its event");
        Assert.Equal(["B"], names); // the deleted fence A, driven through first, said nothing
    }
}
