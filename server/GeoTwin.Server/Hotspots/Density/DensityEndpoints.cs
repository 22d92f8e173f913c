using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using GeoTwin.Server.Hotspots.Statistics;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Infrastructure.Errors;
using GeoTwin.Server.Tiles;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GeoTwin.Server.Hotspots.Density;

/// <summary>A density value and colour of the legend, in incidents per km².</summary>
public sealed record LegendStop(double Value, string Color, Label Label);

/// <summary>The bandwidth used: metres, the rule's code (given or silverman_rule), its name and why (English, and in both languages).</summary>
public sealed record BandwidthUsed(double Value, string Rule, Label Label, string Why, Label WhyLabel);

/// <summary>TimeZone: the bureau's clock the hours and weekdays were read in (the jurisdiction's, HotspotsStore.TimeZoneAsync).</summary>
public sealed record DensityLegend(Label Title, BandwidthUsed? Bandwidth, double Max, Label MaxRule, Label Unit, int Count, IReadOnlyList<LegendStop> Stops,
    string TimeZone);

/// <summary>PNG tiles of one query's density surface, cached by everything they are drawn from.</summary>
public sealed class DensityTileCache(long capacityBytes)
{
    public TileCache Tiles { get; } = new(capacityBytes);
}

/// <summary>
/// Kernel density of the filtered incidents as transparent PNG raster tiles with a colour ramp, and its legend
/// (GET /api/hotspots/density/{z}/{x}/{y}.png, /api/hotspots/density/legend), for analysts (policy analysis),
/// read through ScopedDb. The ramp's maximum is per query, not per tile, so neighbouring tiles agree.
/// </summary>
public static class DensityEndpoints
{
    public const int MaxZoom = 22;
    static readonly Label Unit = new("起/平方公里", "incidents per km²");
    static readonly Label Title = new("警情密度", "incident density");
    static readonly Label MaxRule = new("色带上限：按警情所在位置密度的第 99 百分位（同一查询的所有瓦片共用）",
        "ramp maximum: the 99th percentile of the density at the incidents' own places (one for every tile of the query)");

    static readonly Lazy<byte[]> EmptyPng = new(() => Png.Encode(new byte[256 * 256 * 4], 256, 256));

    public static WebApplicationBuilder AddHotspotDensity(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DensitySurfaces>();
        builder.Services.AddSingleton(new DensityTileCache(builder.Configuration.GetValue<long>("GeoTwin:Hotspots:DensityCacheBytes", 64L << 20)));
        return builder;
    }

    public static WebApplication MapHotspotDensityEndpoints(this WebApplication app)
    {
        var group = app.MapGroup("/api/hotspots/density").WithTags("Hotspots").RequireAuthorization(Policies.Analysis).RefusesStrangers().Refuses(400, 404, 422);
        group.MapGet("/legend", LegendAsync).WithName("HotspotDensityLegend").Produces(200, typeof(object), "application/json")
            .WithSummary("The density ramp of a query: bandwidth used and why, maximum, unit, colour stops.");
        group.MapGet("/{z}/{x}/{y}", TileAsync).WithName("HotspotDensityTile").Produces(200, typeof(byte[]), "image/png").Produces(304)
            .WithSummary("A 256 × 256 transparent PNG of the kernel density of the filtered incidents.");
        return app;
    }

    static async Task<IResult> LegendAsync(HttpContext http, ClaimsPrincipal principal, DensitySurfaces surfaces, DataVersions versions,
        HotspotsStore store, CancellationToken ct)
    {
        var user = CurrentUser.From(principal);
        var filters = await FiltersAsync(http, user, store, ct);
        var key = await SurfaceKeyAsync(http, user, filters!, versions, ct);
        DensitySurface surface;
        try { surface = await surfaces.GetAsync(key, user, filters!); }
        catch (HotspotInputException e) { throw RefusalOf(e); }
        var b = surface.Bandwidth;
        return TypedResults.Ok(new DensityLegend(Title,
            b is null ? null : new BandwidthUsed(b.Value, b.How == Chosen.Given ? "given" : "silverman_rule",
                b.How == Chosen.Given ? new("指定带宽", "given") : new("Esri 默认规则（Silverman 经验法则）", "Esri's default (Silverman's rule of thumb)"), b.Why,
                b.How == Chosen.Given ? new("指定带宽", "given") : new(b.WhyZh ?? b.Why, b.Why)),
            surface.Max, MaxRule, Unit, surface.Count,
            [.. DensityRamp.Stops.Select(s => new LegendStop(s.Fraction * surface.Max, s.Color, s.Label))], filters.Incidents.TimeZone));
    }

    static async Task<IResult> TileAsync(string z, string x, string y, HttpContext http, ClaimsPrincipal principal,
        DensitySurfaces surfaces, DensityTileCache cache, DataVersions versions, HotspotsStore store, CancellationToken ct)
    {
        if (!int.TryParse(z, NumberStyles.None, CultureInfo.InvariantCulture, out var zoom) || zoom > MaxZoom)
            return Problems.BadRequest("z", $"'{z}' is not a zoom level 0-{MaxZoom}");
        var size = 1L << zoom;
        if (!long.TryParse(x, NumberStyles.None, CultureInfo.InvariantCulture, out var column) || column >= size)
            return Problems.BadRequest("x", $"'{x}' is not a tile column 0-{size - 1} at zoom {zoom}");
        if (!y.EndsWith(".png", StringComparison.Ordinal) || !long.TryParse(y[..^4], NumberStyles.None, CultureInfo.InvariantCulture, out var row) || row >= size)
            return Problems.BadRequest("y", $"'{y}' is not a tile row 0-{size - 1} at zoom {zoom} followed by .png");
        var user = CurrentUser.From(principal);
        var filters = await FiltersAsync(http, user, store, ct);
        var surfaceKey = await SurfaceKeyAsync(http, user, filters!, versions, ct);
        var key = $"{surfaceKey}|{zoom}/{column}/{row}";
        var etag = $"W/\"{Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)), 0, 10)}\"";
        var headers = http.Response.Headers;
        // Per user (scoped), and always revalidated: a new incident gives the tile a new ETag at once.
        headers.CacheControl = "private, no-cache";
        headers.Vary = "Cookie, Authorization";
        headers.ETag = etag;
        if (http.Request.Headers.IfNoneMatch.ToString().Contains(etag, StringComparison.Ordinal))
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        if (!cache.Tiles.TryGet(key, out var tile))
        {
            DensitySurface surface;
            try { surface = await surfaces.GetAsync(surfaceKey, user, filters!); }
            catch (HotspotInputException e) { throw RefusalOf(e); }
            tile = new CachedTile(Render(surface, zoom, (int)column, (int)row));
            cache.Tiles.Put(key, tile);
        }
        return TypedResults.Bytes(tile.Mvt, "image/png");
    }

    /// <summary>The tile's PNG; the one shared transparent PNG when nothing is drawn on it (no incidents, or none within h).</summary>
    public static byte[] Render(DensitySurface surface, int z, int x, int y)
    {
        if (surface.Tile(z, x, y) is not { } density) return EmptyPng.Value;
        var rgba = new byte[256 * 256 * 4];
        return DensityRamp.Paint(density, surface.Max, rgba) ? Png.Encode(rgba, 256, 256) : EmptyPng.Value;
    }

    /// <summary>The shared filters on the bureau's clock (the time zone of the jurisdiction asked about, else the caller's).</summary>
    static async Task<DensityFilters> FiltersAsync(HttpContext http, CurrentUser user, HotspotsStore store, CancellationToken ct)
    {
        var q = http.Request.Query;
        return DensityFilters.Parse(q, await HotspotsEndpoints.ZoneAsync(store, user, q, await store.VersionAsync(http, ct), ct));
    }

    /// <summary>Everything a surface is drawn from: the caller's scope, the filters and the incidents' data version.</summary>
    static async Task<string> SurfaceKeyAsync(HttpContext http, CurrentUser user, DensityFilters filters, DataVersions versions, CancellationToken ct) =>
        $"{user.Scope}|{filters.Key}|{await versions.OfAsync(http, DensitySurfaces.Tables, ct)}";

    /// <summary>A jurisdiction outside the caller's is a bad parameter (400); a set the bandwidth rule cannot size
    /// (all at one place: give a bandwidth) is 422 naming bandwidth.</summary>
    static Refusal RefusalOf(HotspotInputException e) => e.Parameter == "jurisdiction"
        ? Refusal.BadRequest("jurisdiction", e.Message)
        : Refusal.Unprocessable($"bandwidth: {e.Message}", "bandwidth");
}
