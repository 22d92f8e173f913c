using GeoTwin.Server.Hotspots.Statistics;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Errors;
using GeoTwin.Server.Infrastructure.Db;
using Microsoft.Extensions.Caching.Memory;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;

namespace GeoTwin.Server.Hotspots;

/// <summary>The filtered incidents, one array per column (what the statistics take).</summary>
public sealed record LoadedIncidents(long[] Ids, double[] Lon, double[] Lat, int[] Weekday, int[] Hour, int[] Month, int[] Day)
{
    public int Count => Ids.Length;
}

/// <summary>One Gi* analysis of stored incidents, kept in the cache for the cell, when and emerging answers.</summary>
public sealed class GiAnalysis
{
    public required LoadedIncidents Incidents { get; init; }
    public required LocalProjection Projection { get; init; }
    public required HotSpotResult Result { get; init; }
    public required double[] CellLon { get; init; }
    public required double[] CellLat { get; init; }
    public required Dictionary<string, int> CellById { get; init; }
    public required string DataVersion { get; init; }

    public string IdOf(int cell) => CellId(Result.Cells.Q[cell], Result.Cells.R[cell]);
    public static string CellId(int q, int r) => $"{q}_{r}";

    /// <summary>The cell's hexagon in longitude/latitude, closed ring.</summary>
    public double[][] Polygon(int cell)
    {
        var v = Result.Cells.Vertices(cell);
        var (lon, lat) = Projection.Inverse(v.Select(p => p.X).ToArray(), v.Select(p => p.Y).ToArray());
        var ring = new double[7][];
        for (var k = 0; k < 6; k++) ring[k] = [Math.Round(lon[k], 7), Math.Round(lat[k], 7)];
        ring[6] = ring[0];
        return ring;
    }

    /// <summary>Indexes of the incidents binned into a cell.</summary>
    public int[] IncidentsOf(int cell)
    {
        var list = new List<int>();
        var of = Result.Cells.CellOfPoint;
        for (var i = 0; i < of.Length; i++) if (of[i] == cell) list.Add(i);
        return [.. list];
    }
}

/// <summary>
/// Hot spot results of this process, bounded in bytes (GeoTwin:Hotspots:CacheBytes). Its own instance, not the
/// shared IMemoryCache: a size limit there would oblige every other user of it to size its entries.
/// </summary>
public sealed class HotspotsCache(long capacityBytes) : IDisposable
{
    public MemoryCache Memory { get; } = new(new MemoryCacheOptions { SizeLimit = capacityBytes });
    public void Dispose() => Memory.Dispose();
}

/// <summary>What the hot spot settings allow (GeoTwin:Hotspots:*).</summary>
public sealed record HotspotLimits(int MaxCells, int MinIncidents, string TimeZone, long SyncBins, int MaxSteps, int MaxPostedPoints);

/// <summary>
/// Reads incidents through ScopedDb (an analyst sees only the incidents of the caller's subtree), projects them
/// and runs the statistics; results are cached per parameters, scope and incident data version, so a new incident
/// (which raises the version in its own transaction) makes every older answer unreachable.
/// </summary>
public sealed class HotspotsStore(ScopedDb db, DataVersions versions, HotspotsCache cache, HotspotLimits limits)
{
    /// <summary>The tables an answer is made of: incidents, and jurisdictions for scope narrowing and community regions.</summary>
    public static readonly string[] Tables = ["incidents", "jurisdictions"];

    public HotspotLimits Limits => limits;

    public ValueTask<string> VersionAsync(HttpContext http, CancellationToken ct) => versions.OfAsync(http, Tables, ct);

    /// <summary>Outside a request (a Hangfire job): read fresh.</summary>
    public ValueTask<string> VersionAsync(CancellationToken ct) => versions.OfAsync(Tables, ct);

    /// <summary>
    /// The bureau's clock of a request: the time zone of the jurisdiction asked about (or the caller's own), inherited
    /// from the nearest ancestor that names one (jurisdictions.time_zone, migration 0060); none, or one .NET does not
    /// know: GeoTwin:Hotspots:TimeZone (default UTC). Kept per jurisdiction and data version (one query a change).
    /// </summary>
    public async Task<string> TimeZoneAsync(CurrentUser user, string? jurisdiction, string version, CancellationToken ct)
    {
        var (zone, _) = await CachedAsync($"tz|{user.Scope}|{user.JurisdictionPath}|{jurisdiction}|{version}", async () =>
            await db.RunAsync(user, s => s.Sql("Hotspots/time_zone.sql", jurisdiction, string.IsNullOrEmpty(user.JurisdictionPath) ? null : user.JurisdictionPath)
                .FirstOrDefaultAsync(r => r.GetString(0), ct), ct) is { } found && TimeZoneInfo.TryFindSystemTimeZoneById(found, out _)
                ? found : limits.TimeZone,
            z => 128);
        return zone;
    }

    /// <summary>What is cached under a key, or null; never computes.</summary>
    public T? TryCached<T>(string key) where T : class => cache.Memory.TryGetValue(key, out T? hit) ? hit : null;

    /// <summary>Cached by key (which must carry the scope and data version); reports whether it was a hit.</summary>
    public async Task<(T Value, bool Hit)> CachedAsync<T>(string key, Func<Task<T>> make, Func<T, long> size) where T : class
    {
        if (cache.Memory.TryGetValue(key, out T? hit) && hit is not null) return (hit, true);
        var value = await make();
        cache.Memory.Set(key, value, new MemoryCacheEntryOptions { Size = Math.Max(1, size(value)), SlidingExpiration = TimeSpan.FromHours(1) });
        return (value, false);
    }

    /// <summary>
    /// The filtered incidents in the caller's scope, optionally inside a region (WKT, EPSG:4326) and over another
    /// period than the filters' own (the when answer's year-earlier counts).
    /// </summary>
    /// <paramref name="atVersions"/>: the data versions the caller caches the answer under; given, the read replica may serve it.
    public Task<LoadedIncidents> LoadAsync(CurrentUser user, HotspotFilters f, string? regionWkt, CancellationToken ct,
        (DateTimeOffset? From, DateTimeOffset? To)? period = null, string? atVersions = null)
    {
        return atVersions is null ? db.RunAsync(user, Load, ct) : db.ReadAsync(user, atVersions, Load, ct);

        async Task<LoadedIncidents> Load(ScopedSession s)
        {
            var path = f.Jurisdiction is null ? null : (await JurisdictionAsync(s, f.Jurisdiction, "jurisdiction", ct)).Path;
            var (from, to) = period ?? (f.From, f.To);
            var ids = new List<long>();
            var lon = new List<double>();
            var lat = new List<double>();
            var dow = new List<int>();
            var hour = new List<int>();
            var month = new List<int>();
            var day = new List<int>();
            await using var cmd = s.Sql("Hotspots/incidents.sql", f.Categories?.ToArray(), from, to, f.Hours?.ToArray(), f.Weekdays?.ToArray(),
                path, f.TimeZone, regionWkt);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                ids.Add(r.GetInt64(0)); lon.Add(r.GetDouble(1)); lat.Add(r.GetDouble(2));
                dow.Add(r.GetInt32(3)); hour.Add(r.GetInt32(4)); month.Add(r.GetInt32(5)); day.Add(r.GetInt32(6));
            }
            return new LoadedIncidents([.. ids], [.. lon], [.. lat], [.. dow], [.. hour], [.. month], [.. day]);
        }
    }

    /// <summary>A community's boundary as WKT, refused (naming the parameter) when unknown, not a community or outside the scope.</summary>
    public Task<string> CommunityBoundaryAsync(CurrentUser user, string code, CancellationToken ct) =>
        db.RunAsync(user, async s =>
        {
            var j = await JurisdictionAsync(s, code, "community", ct);
            if (j.Kind != "community") throw HotspotRefusal.Bad("community", $"'{code}' is a {j.Kind}, not a community");
            return j.Boundary ?? throw HotspotRefusal.Of(422, "community", $"community '{code}' has no boundary to count incidents in");
        }, ct);

    static async Task<(string Path, string Kind, string? Boundary)> JurisdictionAsync(ScopedSession s, string code, string field, CancellationToken ct)
    {
        var row = await s.Sql("Hotspots/jurisdiction.sql", code)
            .FirstOrDefaultAsync(r => new { Path = r.GetString(0), Kind = r.GetString(1), Boundary = r.Nullable<string>(2), InScope = r.GetBoolean(3) }, ct);
        // Out of scope reads as unknown: the caller learns nothing about jurisdictions it may not see.
        if (row is null || !row.InScope) throw HotspotRefusal.Of(404, field, $"no jurisdiction '{code}' within your jurisdiction");
        return (row.Path, row.Kind, row.Boundary);
    }

    /// <summary>An analyst's list of a cell's incidents, scoped.</summary>
    public Task<List<object>> IncidentDetailsAsync(CurrentUser user, long[] ids, int limit, CancellationToken ct) =>
        db.RunAsync(user, s => s.Sql("Hotspots/incident_details.sql", ids, limit).ListAsync<object>(r => new
        {
            code = r.GetString(0), category = r.GetString(1), categoryLabel = Vocabulary.IncidentCategories.LabelOf(r.GetString(1)),
            priority = (int)r.GetInt16(2), status = r.GetString(3), receivedAt = r.GetFieldValue<DateTimeOffset>(4),
            lon = r.GetDouble(5), lat = r.GetDouble(6),
        }, ct), ct);

    /// <summary>
    /// The projection of one analysis: a local Transverse Mercator about the data's centre rounded to 0.1°, so the
    /// same place gives the same hexagon ids (q_r) across filters and new incidents (a shift of the centre by up
    /// to ~6 km keeps metres true to ~1e-6 within 50 km).
    /// </summary>
    public static LocalProjection ProjectionFor(double[] lon, double[] lat)
    {
        var p = LocalProjection.For(lon, lat);
        return new LocalProjection(Math.Round(p.CentreLongitude, 1), Math.Round(p.CentreLatitude, 1));
    }

    /// <summary>Optimized hot spot analysis of loaded incidents (cells, scale, Gi* with FDR).</summary>
    public GiAnalysis Analyse(LoadedIncidents incidents, double? cellSize, double? band, bool fdr, string version)
    {
        if (incidents.Count < limits.MinIncidents)
            throw new HotspotInputException("points",
                $"{incidents.Count} incidents match the filters: hot spot analysis needs at least {limits.MinIncidents}; widen the period or the categories",
                incidents.Count, limits.MinIncidents);
        var projection = ProjectionFor(incidents.Lon, incidents.Lat);
        var (x, y) = projection.Forward(incidents.Lon, incidents.Lat);
        var result = OptimizedHotSpots.Analyse(x, y, [], new HotSpotOptions
        {
            CellSize = cellSize, DistanceBand = band, MaxCells = limits.MaxCells, MinPoints = limits.MinIncidents, FdrCorrection = fdr,
        });
        return Wrap(incidents, projection, result, version);
    }

    public static GiAnalysis Wrap(LoadedIncidents incidents, LocalProjection projection, HotSpotResult result, string version)
    {
        var (cellLon, cellLat) = projection.Inverse(result.Cells.X, result.Cells.Y);
        var byId = new Dictionary<string, int>(result.Cells.Cells, StringComparer.Ordinal);
        for (var c = 0; c < result.Cells.Cells; c++) byId[GiAnalysis.CellId(result.Cells.Q[c], result.Cells.R[c])] = c;
        return new GiAnalysis
        {
            Incidents = incidents, Projection = projection, Result = result, CellLon = cellLon, CellLat = cellLat, CellById = byId, DataVersion = version,
        };
    }

    /// <summary>A drawn polygon (WKT or a GeoJSON Polygon/MultiPolygon geometry) checked and returned as WKT.</summary>
    public static string PolygonWkt(string text)
    {
        Geometry geometry;
        try
        {
            geometry = text.TrimStart().StartsWith('{') ? GeoJsonPolygon(text) : new WKTReader().Read(text);
        }
        catch (Exception e) when (e is not Refusal)
        {
            throw HotspotRefusal.Bad("polygon", $"is neither WKT nor a GeoJSON polygon: {e.Message}");
        }
        if (geometry is not (Polygon or MultiPolygon)) throw HotspotRefusal.Bad("polygon", $"is a {geometry.GeometryType}, not a polygon");
        if (geometry.NumPoints > 10_000) throw HotspotRefusal.Bad("polygon", $"has {geometry.NumPoints} vertices, more than 10000");
        if (geometry.Coordinates.Any(c => !(Math.Abs(c.X) <= 180 && Math.Abs(c.Y) <= 90)))
            throw HotspotRefusal.Bad("polygon", "has a vertex outside longitude ±180, latitude ±90 (EPSG:4326, longitude first)");
        if (!geometry.IsValid) throw HotspotRefusal.Bad("polygon", "is not a valid polygon (self-intersecting or unclosed ring)");
        return geometry.AsText();
    }

    static Geometry GeoJsonPolygon(string text)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(text);
        var root = doc.RootElement;
        if (root.TryGetProperty("geometry", out var g)) root = g; // a Feature is fine too
        var type = root.GetProperty("type").GetString();
        var factory = new GeometryFactory(new PrecisionModel(), 4326);
        Polygon Poly(System.Text.Json.JsonElement rings)
        {
            var lr = rings.EnumerateArray().Select(ring => factory.CreateLinearRing(
                ring.EnumerateArray().Select(p => new Coordinate(p[0].GetDouble(), p[1].GetDouble())).ToArray())).ToArray();
            return factory.CreatePolygon(lr[0], lr[1..]);
        }
        var coords = root.GetProperty("coordinates");
        return type switch
        {
            "Polygon" => Poly(coords),
            "MultiPolygon" => factory.CreateMultiPolygon(coords.EnumerateArray().Select(Poly).ToArray()),
            _ => throw HotspotRefusal.Bad("polygon", $"is a GeoJSON {type}, not a Polygon or MultiPolygon"),
        };
    }
}
