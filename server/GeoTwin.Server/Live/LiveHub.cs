using System.Collections.Concurrent;
using GeoTwin.Server.Infrastructure.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace GeoTwin.Server.Live;

/// <summary>What a viewer is sent about one unit.</summary>
public sealed record UnitView(long Id, string CallSign, string Kind, string Station, string Status, string Freshness,
    DateTime? Time, double? Lon, double? Lat, float? Speed, float? Heading)
{
    public static UnitView Of(LiveUnit u, DateTime now, LiveOptions options) => new(u.Id, u.CallSign, u.Kind, u.Station, u.Status,
        u.Freshness(now, options), u.FixAt, u.HasFix ? u.Lon : null, u.HasFix ? u.Lat : null, u.SpeedKmh, u.HeadingDeg);
}

public sealed record LiveSnapshot(DateTime ServerTime, int StaleSeconds, int OfflineSeconds, int Zoom, List<UnitView> Units);

/// <summary>
/// /hubs/live. A viewer calls Subscribe with its view rectangle and gets a snapshot of the units it may see there;
/// then "positions" messages (arrays of UnitView) for the coarse tiles it looks at, within its jurisdiction.
/// A reconnecting viewer calls Subscribe again and gets a fresh snapshot.
/// </summary>
[Authorize(Policy = Policies.Staff)]
public sealed class LiveHub(LiveUnits units) : Hub
{
    public const string Path = "/hubs/live";
    public const string PositionsMessage = "positions";
    const int MaxTiles = 64;

    static readonly ConcurrentDictionary<string, string[]> GroupsOf = new();

    public async Task<LiveSnapshot> Subscribe(double west, double south, double east, double north)
    {
        if (!double.IsFinite(west) || !double.IsFinite(south) || !double.IsFinite(east) || !double.IsFinite(north) ||
            west < -180 || east > 180 || south < -90 || north > 90 || west >= east || south >= north)
            throw new HubException("view rectangle must be west < east in -180..180 and south < north in -90..90");
        var scope = CurrentUser.From(Context.User!).Scope;
        var (zoom, tiles) = LiveTiles.Cover(west, south, east, north, MaxTiles);
        var groups = tiles.Select(t => LiveTiles.Group(scope, zoom, t.X, t.Y)).ToArray();

        var old = GroupsOf.GetValueOrDefault(Context.ConnectionId) ?? [];
        foreach (var g in old.Except(groups)) await Groups.RemoveFromGroupAsync(Context.ConnectionId, g);
        foreach (var g in groups.Except(old)) await Groups.AddToGroupAsync(Context.ConnectionId, g);
        GroupsOf[Context.ConnectionId] = groups;

        var now = DateTime.UtcNow;
        var tileSet = tiles.ToHashSet();
        var visible = units.Snapshot()
            .Where(u => u.HasFix && JurisdictionPaths.InScope(u.JurisdictionPath, scope) && tileSet.Contains(LiveTiles.Tile(u.Lon, u.Lat, zoom)))
            .Select(u => UnitView.Of(u, now, units.Options)).ToList();
        return new LiveSnapshot(now, units.Options.StaleSeconds, units.Options.OfflineSeconds, zoom, visible);
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        GroupsOf.TryRemove(Context.ConnectionId, out _);
        return base.OnDisconnectedAsync(exception);
    }
}

/// <summary>Tile arithmetic and group names shared by the hub (subscribe) and the push loop (publish).</summary>
public static class LiveTiles
{
    /// <summary>Coarse levels a viewer may subscribe at, finest first.</summary>
    public static readonly int[] Zooms = [12, 8, 4, 0];

    public static (int X, int Y) Tile(double lon, double lat, int z)
    {
        var n = 1 << z;
        var x = (int)Math.Floor((lon + 180) / 360 * n);
        var latR = Math.Clamp(lat, -85.0511, 85.0511) * Math.PI / 180;
        var y = (int)Math.Floor((1 - Math.Log(Math.Tan(latR) + 1 / Math.Cos(latR)) / Math.PI) / 2 * n);
        return (Math.Clamp(x, 0, n - 1), Math.Clamp(y, 0, n - 1));
    }

    /// <summary>The finest level whose tiles covering the rectangle are at most maxTiles, and those tiles.</summary>
    public static (int Zoom, List<(int X, int Y)> Tiles) Cover(double west, double south, double east, double north, int maxTiles)
    {
        foreach (var z in Zooms)
        {
            var (x0, y0) = Tile(west, north, z);
            var (x1, y1) = Tile(east, south, z);
            if ((long)(x1 - x0 + 1) * (y1 - y0 + 1) > maxTiles && z != 0) continue;
            var tiles = new List<(int, int)>();
            for (var x = x0; x <= x1; x++) for (var y = y0; y <= y1; y++) tiles.Add((x, y));
            return (z, tiles);
        }
        throw new InvalidOperationException("zoom 0 always covers");
    }

    public static string Group(string scope, int z, int x, int y) => $"{scope}|{z}/{x}/{y}";

}

/// <summary>
/// Sends unit changes to viewers, coalesced: a unit is sent at most every MinIntervalMs (2 a second by default),
/// with its latest state; changes in between are folded into the next send. A unit that crossed a tile is sent to
/// the old tile's groups too, so viewers there see it leave.
/// </summary>
public sealed class LivePush(LiveUnits units, IHubContext<LiveHub> hub, ILogger<LivePush> log) : BackgroundService
{
    readonly ConcurrentDictionary<long, (LiveUnit Unit, double? OldLon, double? OldLat)> _dirty = new();
    readonly Dictionary<long, DateTime> _lastSent = new();
    public int MinIntervalMs { get; init; } = 500;

    public override Task StartAsync(CancellationToken ct)
    {
        units.Changed += OnChanged;
        return base.StartAsync(ct);
    }

    void OnChanged(LiveUnit now, LiveUnit? before)
    {
        if (!now.HasFix) return;
        _dirty.AddOrUpdate(now.Id, (now, before?.HasFix == true ? before.Lon : null, before?.HasFix == true ? before.Lat : null),
            (_, held) => (now, held.OldLon, held.OldLat));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try { await FlushAsync(); }
            catch (Exception e) when (e is not OperationCanceledException) { log.LogWarning("pushing unit changes failed: {Error}", e.Message); }
        }
    }

    async Task FlushAsync()
    {
        var now = DateTime.UtcNow;
        var batches = new Dictionary<string, List<UnitView>>();
        foreach (var (id, entry) in _dirty)
        {
            if (_lastSent.TryGetValue(id, out var last) && (now - last).TotalMilliseconds < MinIntervalMs) continue;
            if (!_dirty.TryRemove(new KeyValuePair<long, (LiveUnit, double?, double?)>(id, entry))) continue;
            _lastSent[id] = now;
            var (unit, oldLon, oldLat) = entry;
            var view = UnitView.Of(unit, now, units.Options);
            foreach (var z in LiveTiles.Zooms)
            {
                var tile = LiveTiles.Tile(unit.Lon, unit.Lat, z);
                var oldTile = oldLon is { } ol && oldLat is { } oa ? LiveTiles.Tile(ol, oa, z) : tile;
                foreach (var scope in JurisdictionPaths.ScopesSeeing(unit.JurisdictionPath))
                {
                    Add(batches, LiveTiles.Group(scope, z, tile.X, tile.Y), view);
                    if (oldTile != tile) Add(batches, LiveTiles.Group(scope, z, oldTile.X, oldTile.Y), view);
                }
            }
        }
        foreach (var (group, views) in batches)
            await hub.Clients.Group(group).SendAsync(LiveHub.PositionsMessage, views);
    }

    static void Add(Dictionary<string, List<UnitView>> batches, string group, UnitView view)
    {
        if (!batches.TryGetValue(group, out var list)) batches[group] = list = [];
        list.Add(view);
    }
}
