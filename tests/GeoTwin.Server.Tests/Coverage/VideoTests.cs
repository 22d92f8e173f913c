using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GeoTwin.Server.Coverage.Visibility;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GeoTwin.Server.Tests.Coverage;

/// <summary>
/// Live video through a real HTTP server playing a WVP-GB28181-pro platform (its documented play/stop API: JWT in
/// access-token, {code, msg, data:{flv, ws_flv, hls, rtc}}): one camera plays, one is refused, one hangs; GeoTwin's
/// own offline record and the caller's jurisdiction are answered before the platform is bothered.
/// </summary>
[Collection("postgis")]
public sealed class VideoTests(PostgisFixture pg) : IAsyncLifetime
{
    const string Nvr = "34020000001180000001", Refused = "34020000001320000003", Hangs = "34020000001320000004", Offline = "34020000001320000005";
    WebApplication _platform = null!;
    GeoTwinServer _server = null!;
    HttpClient _station1 = null!, _station2 = null!;
    readonly ConcurrentQueue<string> _asked = new(); // "start d/c", "stop d/c" as the platform saw them

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _platform = builder.Build();
        _platform.MapGet("/api/play/{verb}/{deviceId}/{channelId}", async (string verb, string deviceId, string channelId, HttpContext http) =>
        {
            if (http.Request.Headers["access-token"] != "wvp-jwt") { http.Response.StatusCode = 401; return; }
            _asked.Enqueue($"{verb} {deviceId}/{channelId}");
            if (verb == "stop") { await http.Response.WriteAsJsonAsync(new { deviceId, channelId }); return; }
            switch (channelId)
            {
                case Refused:
                    await http.Response.WriteAsJsonAsync(new { code = 100, msg = "点播失败：设备未响应" });
                    return;
                case Hangs:
                    await Task.Delay(Timeout.Infinite, http.RequestAborted).ContinueWith(_ => { });
                    return;
                default:
                    var stream = $"{deviceId}_{channelId}";
                    await http.Response.WriteAsJsonAsync(new
                    {
                        code = 0, msg = "成功",
                        data = new
                        {
                            app = "rtp", stream, flv = $"http://media.test:80/rtp/{stream}.live.flv", ws_flv = $"ws://media.test:80/rtp/{stream}.live.flv",
                            hls = $"http://media.test:80/rtp/{stream}/hls.m3u8", rtc = $"http://media.test:80/index/api/webrtc?app=rtp&stream={stream}&type=play",
                            https_flv = (string?)null,
                        },
                    });
                    return;
            }
        });
        await _platform.StartAsync();
        var url = _platform.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        _server = await pg.StartServerAsync(new()
        {
            ["GeoTwin:Coverage:Worker"] = "false",
            ["GeoTwin:Video:BaseUrl"] = url,
            ["GeoTwin:Video:AuthHeader"] = "access-token: wvp-jwt",
            ["GeoTwin:Video:TimeoutSeconds"] = "1",
        });
        var db = _server.Database.DataSource;
        await TwoStations.SeedAsync(db);
        await db.ExecAsync($"""
            UPDATE cameras SET video_device_id = '{Nvr}', kind = 'ptz', range_m = 400, heading_deg = NULL WHERE id = '{TwoStations.Camera1}';
            INSERT INTO cameras (id, name, location, range_m, heading_deg, fov_deg, status, jurisdiction_id)
            SELECT v.id, v.name, ST_SetSRID(ST_MakePoint(v.lon, v.lat), 4326), v.range_m, 0, 30, v.status, j.id
            FROM (VALUES ('{Refused}', '拒绝点播', 7.4131, 43.7331, 5, 'online'), ('{Hangs}', '无应答', 7.405, 43.725, 50, 'online'),
                         ('{Offline}', '离线', 7.406, 43.726, 50, 'offline')) AS v(id, name, lon, lat, range_m, status),
                 jurisdictions j WHERE j.code = '{TwoStations.Area1}';
            """);
        await VisibilityStore.RefreshAsync(db, default);
        _station1 = await Browser.SignedInAsync(_server, "v-st1", "dispatcher", TwoStations.Station1);
        _station2 = await Browser.SignedInAsync(_server, "v-st2", "dispatcher", TwoStations.Station2);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _platform.DisposeAsync();
    }

    static async Task<JsonElement> ProblemAsync(HttpResponseMessage answer, HttpStatusCode status)
    {
        Assert.Equal(status, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        return await answer.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task A_camera_plays_through_the_platform_with_its_device_and_channel_is_audited_and_stops()
    {
        var urls = await _station1.GetFromJsonAsync<JsonElement>($"/api/cameras/{TwoStations.Camera1}/stream");
        var stream = $"{Nvr}_{TwoStations.Camera1}"; // the camera is a channel of its NVR
        Assert.Equal($"http://media.test/rtp/{stream}/hls.m3u8", urls.GetProperty("hls").GetString());
        Assert.Equal($"http://media.test/rtp/{stream}.live.flv", urls.GetProperty("flv").GetString());
        Assert.Equal($"ws://media.test/rtp/{stream}.live.flv", urls.GetProperty("wsFlv").GetString());
        Assert.StartsWith("http://media.test/index/api/webrtc", urls.GetProperty("rtc").GetString());
        Assert.Equal("一所路口", urls.GetProperty("name").GetString());
        Assert.Contains($"start {Nvr}/{TwoStations.Camera1}", _asked);

        Assert.Equal(HttpStatusCode.NoContent, (await _station1.DeleteAsync($"/api/cameras/{TwoStations.Camera1}/stream")).StatusCode);
        Assert.Contains($"stop {Nvr}/{TwoStations.Camera1}", _asked);

        var audit = await _server.Database.DataSource.ScalarAsync<string>(
            "SELECT string_agg(details->'asked'->>'stream', ',' ORDER BY id) FROM audit_log WHERE username = 'v-st1' AND record_kind = 'camera_video' AND $1 = ANY (record_ids)",
            TwoStations.Camera1);
        Assert.Equal("play,stop", audit);

        // the page may fetch and play the stream from the platform's media origin, and from no other foreign host
        var page = await Browser.Anonymous(_server).GetAsync("/healthz");
        var csp = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        var origin = new Uri(_platform.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).GetLeftPart(UriPartial.Authority);
        Assert.Contains($"connect-src 'self' {origin};", csp);
        Assert.Contains($"media-src 'self' blob: {origin}", csp);
    }

    [Fact]
    public async Task Refused_hung_and_offline_cameras_get_a_problem_saying_which()
    {
        var refused = await ProblemAsync(await _station1.GetAsync($"/api/cameras/{Refused}/stream"), HttpStatusCode.BadGateway);
        Assert.Equal("refused", refused.GetProperty("reason").GetString());
        Assert.Equal("点播失败：设备未响应", refused.GetProperty("platformMessage").GetString());
        Assert.Equal("video", refused.GetProperty("field").GetString());

        var hung = await ProblemAsync(await _station1.GetAsync($"/api/cameras/{Hangs}/stream"), HttpStatusCode.GatewayTimeout);
        Assert.Equal("timeout", hung.GetProperty("reason").GetString());
        Assert.Contains("did not answer", hung.GetProperty("detail").GetString());

        var offline = await ProblemAsync(await _station1.GetAsync($"/api/cameras/{Offline}/stream"), HttpStatusCode.Conflict);
        Assert.Equal("offline", offline.GetProperty("reason").GetString());
        Assert.DoesNotContain(_asked, a => a.Contains(Offline)); // GeoTwin's own record answered
    }

    [Fact]
    public async Task Another_stations_camera_is_unknown_and_the_platform_is_not_asked()
    {
        await ProblemAsync(await _station1.GetAsync($"/api/cameras/{TwoStations.Camera2}/stream"), HttpStatusCode.NotFound);
        await ProblemAsync(await _station1.DeleteAsync($"/api/cameras/{TwoStations.Camera2}/stream"), HttpStatusCode.NotFound);
        Assert.DoesNotContain(_asked, a => a.Contains(TwoStations.Camera2));
        var bad = await ProblemAsync(await _station1.GetAsync("/api/cameras/%0Aevil/stream"), HttpStatusCode.BadRequest);
        Assert.Equal("id", bad.GetProperty("field").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await Browser.Anonymous(_server).GetAsync($"/api/cameras/{TwoStations.Camera1}/stream")).StatusCode);
    }

    [Fact]
    public async Task An_incidents_cameras_are_those_that_see_it_and_those_near_it_nearest_first()
    {
        var answer = await _station1.GetFromJsonAsync<JsonElement>($"/api/incidents/{TwoStations.Incident1}/cameras?radiusM=100");
        var cameras = answer.GetProperty("cameras").EnumerateArray().ToList();
        // the 5 m camera beside it looks away; camera 1, 280 m off, sees it over open ground; the far ones neither
        Assert.Equal([Refused, TwoStations.Camera1], cameras.Select(c => c.GetProperty("id").GetString()));
        Assert.False(cameras[0].GetProperty("sees").GetBoolean());
        Assert.True(cameras[1].GetProperty("sees").GetBoolean());
        Assert.InRange(cameras[1].GetProperty("distanceM").GetDouble(), 250, 300);
        var distances = cameras.Select(c => c.GetProperty("distanceM").GetDouble()).ToList();
        Assert.Equal(distances.Order(), distances);

        await ProblemAsync(await _station2.GetAsync($"/api/incidents/{TwoStations.Incident1}/cameras"), HttpStatusCode.NotFound);
        var bad = await ProblemAsync(await _station1.GetAsync($"/api/incidents/{TwoStations.Incident1}/cameras?radiusM=-1"), HttpStatusCode.BadRequest);
        Assert.Equal("radiusM", bad.GetProperty("field").GetString());
    }
}

/// <summary>Without a platform configured the answer says so, and nothing else breaks.</summary>
[Collection("postgis")]
public sealed class VideoNotConfiguredTests(PostgisFixture pg)
{
    [Fact]
    public async Task No_platform_is_a_503_naming_the_setting()
    {
        await using var server = await pg.StartServerAsync(new() { ["GeoTwin:Coverage:Worker"] = "false" });
        await TwoStations.SeedAsync(server.Database.DataSource);
        var user = await Browser.SignedInAsync(server, "v-none", "commander", TwoStations.City);
        var answer = await user.GetAsync($"/api/cameras/{TwoStations.Camera1}/stream");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
        var problem = await answer.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("not_configured", problem.GetProperty("reason").GetString());
        Assert.Contains("GeoTwin:Video:BaseUrl", problem.GetProperty("detail").GetString());
    }
}
