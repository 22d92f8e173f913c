using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using GeoTwin.Server.Live;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace GeoTwin.Server.Tests.Live;

/// <summary>/hubs/live with the .NET SignalR client: jurisdiction and viewport filtering, snapshots, coalescing, bad input.</summary>
[Collection("postgis")]
public sealed class HubTests(PostgisFixture pg) : IAsyncLifetime
{
    GeoTwinServer _server = null!;
    HttpClient _device = null!;
    long _unit1, _unit2, _far;
    readonly List<HubConnection> _connections = [];

    public async Task InitializeAsync()
    {
        _server = await pg.StartServerAsync();
        (_unit1, _unit2) = await LiveSeed.SeedAsync(_server.Database.DataSource);
        // A unit of station 1 that drove far away (outside the Monaco viewport, same jurisdiction).
        _far = await _server.Database.DataSource.ScalarAsync<long>(
            "INSERT INTO police_units (call_sign, kind, jurisdiction_id) SELECT '一所99', 'car', id FROM jurisdictions WHERE code = 'T-ST1' RETURNING id");
        await _server.App.Services.GetRequiredService<LiveSync>().RefreshAsync(default);
        _device = await LiveSeed.DeviceAsync(_server, TwoStations.City);
    }

    public async Task DisposeAsync()
    {
        foreach (var c in _connections) await c.DisposeAsync();
        _device.Dispose();
        await _server.DisposeAsync();
    }

    sealed record Viewer(HubConnection Hub, ConcurrentQueue<UnitView> Received);

    async Task<HubConnection> ConnectAsync(string user, string role, string jurisdiction)
    {
        var hub = await SignedInHub.BuildAsync(_server, user, role, jurisdiction, LiveHub.Path);
        _connections.Add(hub);
        await hub.StartAsync();
        return hub;
    }

    async Task<(Viewer Viewer, LiveSnapshot Snapshot)> ViewAsync(string user, string role, string jurisdiction, double w, double s, double e, double n)
    {
        var hub = await ConnectAsync(user, role, jurisdiction);
        var received = new ConcurrentQueue<UnitView>();
        hub.On<List<UnitView>>(LiveHub.PositionsMessage, views => { foreach (var v in views) received.Enqueue(v); });
        // A move carries no call sign or status (the viewer has them): marked "moved" so no test mistakes it for a full view.
        hub.On<byte[]>(LiveHub.MovesMessage, frame =>
        {
            foreach (var m in LiveFrame.Read(frame)) received.Enqueue(new UnitView(m.Id, "", "", "", "", "moved", m.Time, m.Lon, m.Lat, m.SpeedKmh, m.HeadingDeg));
        });
        var snapshot = await hub.InvokeAsync<LiveSnapshot>("Subscribe", w, s, e, n);
        return (new Viewer(hub, received), snapshot);
    }

    Task<HttpResponseMessage> Send(long unit, DateTime time, double lon, double lat) =>
        _device.PostAsJsonAsync("/api/positions", new { fixes = new[] { LiveSeed.Fix(unit, time, lon, lat) } });

    static async Task WaitFor(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Viewers_get_only_units_of_their_jurisdiction_inside_their_view()
    {
        var (officer1, _) = await ViewAsync("off1", "community_officer", TwoStations.Station1, 7.40, 43.72, 7.45, 43.76);
        var (commander, _) = await ViewAsync("cmd", "commander", TwoStations.City, 7.40, 43.72, 7.45, 43.76);
        var (farViewer, _) = await ViewAsync("cmd2", "commander", TwoStations.City, 8.4, 44.4, 8.6, 44.6);

        var now = DateTime.UtcNow;
        (await Send(_unit1, now, 7.411, 43.731)).EnsureSuccessStatusCode();
        (await Send(_unit2, now, 7.431, 43.741)).EnsureSuccessStatusCode();
        (await Send(_far, now, 8.5, 44.5)).EnsureSuccessStatusCode();

        static HashSet<long> Ids(Viewer v) => v.Received.Select(u => u.Id).ToHashSet();
        await WaitFor(() => Ids(commander).SetEquals([_unit1, _unit2]) && Ids(officer1).Contains(_unit1) && Ids(farViewer).Contains(_far), "pushes");
        await Task.Delay(1000); // anything wrongly sent would have arrived by now
        Assert.Equal([_unit1], Ids(officer1));
        Assert.Equal([_unit1, _unit2], Ids(commander).Order());
        Assert.Equal([_far], Ids(farViewer));
        var pushed = officer1.Received.Last(u => u.Id == _unit1);
        Assert.Equal(7.411, pushed.Lon!.Value, 9);
        Assert.Equal("live", pushed.Freshness);

        // Subscribing again (as after a reconnect) gives a fresh snapshot of the same scope and view.
        var snapshot = await officer1.Hub.InvokeAsync<LiveSnapshot>("Subscribe", 7.40, 43.72, 7.45, 43.76);
        Assert.Equal([_unit1], snapshot.Units.Select(u => u.Id));
        var all = await commander.Hub.InvokeAsync<LiveSnapshot>("Subscribe", 7.0, 43.0, 9.0, 45.0);
        Assert.Equal([_unit1, _unit2, _far], all.Units.Select(u => u.Id).Order());
    }

    [Fact]
    public async Task Fast_fixes_are_coalesced_to_two_a_second_and_the_latest_wins()
    {
        var (viewer, _) = await ViewAsync("cmd3", "commander", TwoStations.City, 7.40, 43.72, 7.45, 43.76);
        var start = DateTime.UtcNow;
        for (var i = 0; i < 20; i++)
        {
            (await Send(_unit1, start.AddMilliseconds(-2000 + i * 100), 7.40 + i * 0.001, 43.73)).EnsureSuccessStatusCode();
            await Task.Delay(50);
        }
        var sentFor = DateTime.UtcNow - start;
        await WaitFor(() => viewer.Received.Any(u => Math.Abs(u.Lon!.Value - 7.419) < 1e-9), "the last fix");
        var messages = viewer.Received.Count(u => u.Id == _unit1);
        var bound = (int)Math.Ceiling((DateTime.UtcNow - start).TotalSeconds * 2) + 1;
        Assert.InRange(messages, 2, bound);
        Assert.True(messages < 20, $"{messages} pushes for 20 fixes in {sentFor.TotalSeconds:0.0} s: not coalesced");
    }

    [Fact]
    public async Task A_known_unit_moves_as_a_packed_frame_and_a_new_unit_or_a_status_change_comes_whole()
    {
        var (viewer, _) = await ViewAsync("cmd5", "commander", TwoStations.City, 7.40, 43.72, 7.45, 43.76);
        var t = DateTime.UtcNow.AddSeconds(-5);
        (await Send(_unit1, t, 7.411, 43.731)).EnsureSuccessStatusCode();
        await WaitFor(() => viewer.Received.Any(u => u.Id == _unit1), "the first fix");
        var first = viewer.Received.Single(u => u.Id == _unit1);
        Assert.Equal("live", first.Freshness); // its first fix: the viewer had never seen it, so all of it
        Assert.Equal(TwoStations.Unit1, first.CallSign);

        await Task.Delay(600); // past the coalescing interval
        (await Send(_unit1, t.AddSeconds(1), 7.4123456, 43.7312345)).EnsureSuccessStatusCode();
        await WaitFor(() => viewer.Received.Count(u => u.Id == _unit1) == 2, "the second fix");
        var moved = viewer.Received.Last(u => u.Id == _unit1);
        Assert.Equal("moved", moved.Freshness);
        Assert.Equal(7.4123456, moved.Lon!.Value, 7);
        Assert.Equal(43.7312345, moved.Lat!.Value, 7);
        Assert.Equal(t.AddSeconds(1).Ticks / TimeSpan.TicksPerMillisecond, moved.Time!.Value.Ticks / TimeSpan.TicksPerMillisecond);
        Assert.Equal(30f, moved.Speed);
        Assert.Equal(90f, moved.Heading);

        await Task.Delay(600);
        // Durable first, as the status endpoint does: a memory-only change would be undone by the next database refresh
        // (LiveSync reloads a unit whose row changed, and the fixes above changed it), which CI once caught in the window.
        await _server.App.Services.GetRequiredService<LiveStore>().ChangeStatusAsync(_unit1, "busy", "test", null, null, null, default);
        _server.App.Services.GetRequiredService<LiveUnits>().ApplyStatus(_unit1, "busy");
        await WaitFor(() => viewer.Received.Count(u => u.Id == _unit1) == 3, "the status change");
        var changed = viewer.Received.Last(u => u.Id == _unit1);
        Assert.Equal(("busy", TwoStations.Unit1), (changed.Status, changed.CallSign));
    }

    [Fact]
    public void A_moves_frame_reads_back_what_was_written_and_refuses_a_torn_one()
    {
        var unit = new LiveUnit(42, "x", "car", null, "s", "c", "available", new DateTime(2026, 11, 22, 18, 0, 0, 123, DateTimeKind.Utc),
            -179.9999999, 89.1234567, null, 359.99f, 1);
        var frame = new byte[2 * LiveFrame.RecordBytes];
        LiveFrame.Write(frame, unit);
        LiveFrame.Write(frame.AsSpan(LiveFrame.RecordBytes), unit with { Id = long.MaxValue, SpeedKmh = 500, HeadingDeg = 0 });
        var read = LiveFrame.Read(frame);
        Assert.Equal(new UnitMove(42, unit.FixAt!.Value, -179.9999999, 89.1234567, null, 359.99f), read[0] with { Lon = Math.Round(read[0].Lon, 7), Lat = Math.Round(read[0].Lat, 7) });
        Assert.Equal((long.MaxValue, 500f, 0f), (read[1].Id, read[1].SpeedKmh!.Value, read[1].HeadingDeg!.Value));
        Assert.Throws<FormatException>(() => LiveFrame.Read(frame.AsSpan(0, 30)));
    }

    [Fact]
    public async Task Bad_view_rectangles_and_anonymous_viewers_are_refused()
    {
        var hub = await ConnectAsync("cmd4", "commander", TwoStations.City);
        var error = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<LiveSnapshot>("Subscribe", 8.0, 43.0, 7.0, 44.0));
        Assert.Contains("west < east", error.Message);
        await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<LiveSnapshot>("Subscribe", 7.0, -95.0, 8.0, 44.0));

        var anonymous = new HubConnectionBuilder().WithUrl(_server.Url + LiveHub.Path).Build();
        _connections.Add(anonymous);
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => anonymous.StartAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }
}
