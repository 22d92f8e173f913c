using System.Collections.Concurrent;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Tiling.Tiles;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace GeoTwin.Server.Live;

/// <summary>What a viewer is sent about one unit.</summary>
public sealed record UnitView(long Id, string CallSign, string Kind, string Station, string Status, string Freshness,
    DateTime? Time, double? Lon, double? Lat, float? Speed, float? Heading)
{
    public static UnitView Of(LiveUnit u, DateTime now, PositionFreshness rule) => new(u.Id, u.CallSign, u.Kind, u.Station, u.Status,
        u.Freshness(now, rule), u.FixAt, u.HasFix ? u.Lon : null, u.HasFix ? u.Lat : null, u.SpeedKmh, u.HeadingDeg);
}

public sealed record LiveSnapshot(DateTime ServerTime, int StaleSeconds, int OfflineSeconds, int Zoom, List<UnitView> Units);

/// <summary>
/// /hubs/live. A viewer calls Subscribe with its view rectangle and gets a snapshot of the units it may see there;
/// then "positions" messages (arrays of UnitView) and "moves" messages (packed <see cref="LiveFrame"/>s of position-only
/// changes to units it already has) for the coarse tiles it looks at, within its jurisdiction.
/// A reconnecting viewer calls Subscribe again and gets a fresh snapshot.
/// </summary>
[Authorize(Policy = Policies.Staff)]
public sealed class LiveHub(LiveUnits units) : Hub
{
    public const string Path = "/hubs/live";
    public const string PositionsMessage = "positions";
    public const string MovesMessage = "moves";
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
        // Alerts of the whole jurisdiction (fence events), wherever the viewer looks: joining twice is harmless.
        if (old.Length == 0) await Groups.AddToGroupAsync(Context.ConnectionId, LiveTiles.ScopeGroup(scope));
        GroupsOf[Context.ConnectionId] = groups;

        var now = DateTime.UtcNow;
        var tileSet = tiles.ToHashSet();
        var visible = units.Snapshot()
            .Where(u => u.HasFix && JurisdictionPaths.InScope(u.JurisdictionPath, scope) && tileSet.Contains(LiveTiles.Tile(u.Lon, u.Lat, zoom)))
            .Select(u => UnitView.Of(u, now, units.FreshnessRule)).ToList();
        return new LiveSnapshot(now, units.FreshnessRule.StaleSeconds, units.FreshnessRule.OfflineSeconds, zoom, visible);
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

    /// <summary>The tile at zoom z holding a point: the tiles' one arithmetic, TileAddress.</summary>
    public static (int X, int Y) Tile(double lon, double lat, int z)
    {
        var tile = TileAddress.Containing(lon, lat, z);
        return (tile.X, tile.Y);
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

    /// <summary>Every viewer of a scope, wherever it looks (alerts of the whole jurisdiction).</summary>
    public static string ScopeGroup(string scope) => $"{scope}|all";

}

/// <summary>
/// Sends unit changes to viewers right after each group commit (and every 50 ms), coalesced: a unit is sent at most
/// every MinIntervalMs (2 a second by default), with its latest state; changes in between are folded into the next
/// send. Each flush sends each group at most
/// two messages: "positions" (full UnitViews) for units the group's viewers may not know yet or whose status,
/// call sign, kind or station changed — a unit's first fix, a unit that entered the group's tile — and "moves"
/// (one packed <see cref="LiveFrame"/>) for every other unit, which is nearly all of them under load. A unit that
/// crossed a tile is sent to the old tile's groups too, so viewers there see it leave.
/// </summary>
public sealed class LivePush(LiveUnits units, IHubContext<LiveHub> hub, ILogger<LivePush> log) : BackgroundService
{
    readonly record struct Dirty(LiveUnit Unit, double? OldLon, double? OldLat, bool Full);

    readonly ConcurrentDictionary<long, Dirty> _dirty = new();
    readonly Dictionary<long, DateTime> _lastSent = new();
    public int MinIntervalMs { get; init; } = 500;

    // Woken by each committed group of fixes, so a fix waits for no tick; the 50 ms tick still sends what the
    // coalescing held back and status changes.
    readonly SemaphoreSlim _wake = new(0);
    int _woken;

    public override Task StartAsync(CancellationToken ct)
    {
        units.Changed += OnChanged;
        units.FixesApplied += Wake;
        return base.StartAsync(ct);
    }

    void Wake()
    {
        if (Interlocked.Exchange(ref _woken, 1) == 0) _wake.Release();
    }

    void OnChanged(LiveUnit now, LiveUnit? before)
    {
        if (!now.HasFix) return;
        var full = before is not { HasFix: true } || before.Status != now.Status || before.CallSign != now.CallSign ||
                   before.Kind != now.Kind || before.Station != now.Station;
        _dirty.AddOrUpdate(now.Id, new Dirty(now, before?.HasFix == true ? before.Lon : null, before?.HasFix == true ? before.Lat : null, full),
            (_, held) => held with { Unit = now, Full = held.Full || full });
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await _wake.WaitAsync(TimeSpan.FromMilliseconds(50), stoppingToken);
            Volatile.Write(ref _woken, 0);
            try { await FlushAsync(); }
            // a send that timed out is a TaskCanceledException too: only a shutdown ends the loop, anything else is logged and the next tick tries again
            catch (Exception e) when (!stoppingToken.IsCancellationRequested) { log.LogWarning("pushing unit changes failed: {Error}", e.Message); }
        }
    }

    async Task FlushAsync()
    {
        var now = DateTime.UtcNow;
        var views = new Dictionary<string, List<UnitView>>();
        var moves = new Dictionary<string, MemoryStream>();
        Span<byte> record = stackalloc byte[LiveFrame.RecordBytes];
        foreach (var (id, entry) in _dirty)
        {
            if (_lastSent.TryGetValue(id, out var last) && (now - last).TotalMilliseconds < MinIntervalMs) continue;
            if (!_dirty.TryRemove(new KeyValuePair<long, Dirty>(id, entry))) continue;
            _lastSent[id] = now;
            var (unit, oldLon, oldLat, full) = entry;
            LiveFrame.Write(record, unit);
            UnitView? view = null;
            UnitView View() => view ??= UnitView.Of(unit, now, units.FreshnessRule);
            var scopes = JurisdictionPaths.ScopesSeeing(unit.JurisdictionPath).ToArray();
            foreach (var z in LiveTiles.Zooms)
            {
                var tile = LiveTiles.Tile(unit.Lon, unit.Lat, z);
                var oldTile = oldLon is { } ol && oldLat is { } oa ? LiveTiles.Tile(ol, oa, z) : tile;
                foreach (var scope in scopes)
                {
                    // Viewers of a tile the unit just entered may never have seen it: they get all of it.
                    if (full || oldTile != tile) Add(views, LiveTiles.Group(scope, z, tile.X, tile.Y), View());
                    else Add(moves, LiveTiles.Group(scope, z, tile.X, tile.Y), record);
                    if (oldTile == tile) continue;
                    if (full) Add(views, LiveTiles.Group(scope, z, oldTile.X, oldTile.Y), View());
                    else Add(moves, LiveTiles.Group(scope, z, oldTile.X, oldTile.Y), record);
                }
            }
        }
        // SignalR serialises a message once per group and only for groups that have connections. A group send waits
        // for each of its connections' writes; the groups go out together so those waits overlap, and the next flush
        // starts after all of them (a group's messages stay in order). Full views first: a unit's entry precedes its moves.
        await Task.WhenAll(views.Select(g => hub.Clients.Group(g.Key).SendAsync(LiveHub.PositionsMessage, g.Value)));
        await Task.WhenAll(moves.Select(g => hub.Clients.Group(g.Key).SendAsync(LiveHub.MovesMessage, g.Value.ToArray())));
    }

    static void Add(Dictionary<string, List<UnitView>> batches, string group, UnitView view)
    {
        if (!batches.TryGetValue(group, out var list)) batches[group] = list = [];
        list.Add(view);
    }

    static void Add(Dictionary<string, MemoryStream> frames, string group, ReadOnlySpan<byte> record)
    {
        if (!frames.TryGetValue(group, out var frame)) frames[group] = frame = new MemoryStream();
        frame.Write(record);
    }
}
