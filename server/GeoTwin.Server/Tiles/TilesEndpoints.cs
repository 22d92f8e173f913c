using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json.Serialization;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Infrastructure.Errors;
using GeoTwin.Tiling.Tiles;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace GeoTwin.Server.Tiles;

/// <summary>A catalog entry; the zoom range is spelled minzoom/maxzoom, as in the issue and TileJSON.</summary>
public sealed record LayerInfo(string Name, LocalizedTitle Title, string Geometry,
    [property: JsonPropertyName("minzoom")] int MinZoom, [property: JsonPropertyName("maxzoom")] int MaxZoom,
    IReadOnlyCollection<string> Attributes, LayerStyle Style, string? Record, string Tiles,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Hidden = false);

/// <summary>Incident filters from the query string, checked before they reach SQL.</summary>
public sealed record TileFilters(string[]? Categories, DateTimeOffset? From, DateTimeOffset? To)
{
    public string Key => $"{string.Join(',', Categories ?? [])}|{From:O}|{To:O}";
}

/// <summary>Vector tiles encoded by PostGIS (ST_AsMVT), the layer catalog and TileJSON.</summary>
public static class TilesEndpoints
{
    static CodeList Categories => Vocabulary.IncidentCategories;

    public static WebApplicationBuilder AddTiles(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(new TileCache(builder.Configuration.GetValue<long>("GeoTwin:Tiles:CacheBytes", 256L << 20),
            builder.Configuration.GetValue("GeoTwin:Tiles:GzipLevel", System.IO.Compression.CompressionLevel.Optimal)));
        return builder;
    }

    public static WebApplication MapTilesEndpoints(this WebApplication app)
    {
        app.MapGet("/api/layers", async (HttpRequest request, ClaimsPrincipal principal, IAuthorizationService authorization, IEnumerable<IComputedTileLayer> computed) =>
            {
                static LayerInfo Info(TileLayer l, bool hidden) => new(
                    l.Name, l.Title, l.Geometry, l.MinZoom, l.MaxZoom, l.Attributes.Keys.ToList(), l.Style, l.Record, $"/tiles/{l.Name}/{{z}}/{{x}}/{{y}}.mvt", hidden);
                var list = TileLayers.All.Select(l => Info(l, false)).ToList();
                // computed layers (hot spot cells) only for the roles that may read them
                foreach (var c in computed)
                    if ((await authorization.AuthorizeAsync(principal, c.Policy)).Succeeded) list.Add(Info(c.Layer, c.HiddenByDefault));
                return TypedResults.Ok(list);
            })
            .RequireAuthorization(Policies.Staff).WithTags("Tiles").WithName("ListLayers").WithSummary("The 2D layers the viewer may draw.")
            .RefusesStrangers();

        var tiles = app.MapGroup("/tiles").WithTags("Tiles").RequireAuthorization(Policies.Staff).RefusesStrangers();
        tiles.MapGet("/{layers}/{z:int}/{x:int}/{y}", TileAsync).WithName("VectorTile")
            .WithSummary("A Mapbox Vector Tile of one or more layers (a,b,c); 204 when empty.")
            .Produces(StatusCodes.Status200OK, typeof(byte[]), MvtType).Produces(StatusCodes.Status304NotModified).Refuses(400, 403, 404, 422);
        tiles.MapGet("/{layer}.json", TileJson).WithName("TileJson").WithSummary("TileJSON 3.0 for a layer.").Refuses(404);
        return app;
    }

    const string MvtType = "application/vnd.mapbox-vector-tile";

    static async Task<Results<FileContentHttpResult, NoContent, StatusCodeHttpResult, ProblemHttpResult>> TileAsync(string layers, int z, int x, string y, HttpContext http, ClaimsPrincipal principal,
        ScopedDb db, TileCache cache, DataVersions versions, IEnumerable<IComputedTileLayer> computedLayers, IAuthorizationService authorization,
        CancellationToken ct, string? category = null, string? from = null, string? to = null)
    {
        if (!y.EndsWith(".mvt", StringComparison.Ordinal) || !int.TryParse(y[..^4], NumberStyles.None, CultureInfo.InvariantCulture, out var yValue))
            return Problems.BadRequest("y", "must be a tile row followed by .mvt, e.g. 23868.mvt");
        if (TileAddress.Validate(z, x, yValue) is { } outOfRange) return Problems.BadRequest("tile", outOfRange);
        var names = layers.Split(',');
        var computedByName = computedLayers.ToDictionary(c => c.Layer.Name);
        // Every layer may be asked for at once, the computed ones (hot spot cells) included.
        if (names.Length > TileLayers.All.Count + computedByName.Count || names.Distinct().Count() != names.Length)
            return Problems.BadRequest("layers", "name each layer once");
        var unknown = names.FirstOrDefault(n => !TileLayers.ByName.ContainsKey(n) && !computedByName.ContainsKey(n));
        if (unknown is not null) return Problems.NotFound($"no tile layer is named '{unknown}'; see /api/layers");
        var (filters, filterError) = ParseFilters(category, from, to);
        if (filterError is not null) return filterError;

        var user = CurrentUser.From(principal);
        // Computed layers (hot spot cells): their policy, and their own key part (parameters, versions; nothing built yet).
        var computed = new List<IComputedTileLayer>();
        var computedKey = "";
        foreach (var c in names.Where(computedByName.ContainsKey).Select(n => computedByName[n]))
        {
            if (!(await authorization.AuthorizeAsync(principal, c.Policy)).Succeeded)
                throw new Refusal(StatusCodes.Status403Forbidden, $"layers: the {c.Layer.Name} layer is for the {c.Policy} roles", "layers");
            if (z < c.Layer.MinZoom || z > c.Layer.MaxZoom) continue;
            computed.Add(c);
            computedKey += $"|{c.Layer.Name}:{await c.KeyAsync(http, user, ct)}";
        }
        var selected = names.Where(TileLayers.ByName.ContainsKey).Select(n => TileLayers.ByName[n]).Where(l => z >= l.MinZoom && z <= l.MaxZoom).ToList();
        var version = await versions.OfAsync(http, [.. selected.SelectMany(l => l.Tables).Distinct()], ct);
        var key = $"{user.Scope}|{layers}|{z}/{x}/{yValue}|{filters!.Key}|{version}{computedKey}";
        var etag = ETagOf(key);
        SetCachingHeaders(http);
        // The key names everything a tile is made of, so a browser's revalidation is answered without building it.
        if (http.Request.Headers.IfNoneMatch.ToString().Contains(etag, StringComparison.Ordinal)) // one tag or a list of them
        {
            http.Response.Headers.ETag = etag;
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }
        var tile = await cache.GetOrBuildAsync(key, async token =>
        {
            var mvt = selected.Count == 0 ? [] : await BuildAsync(db, user, selected, z, x, yValue, filters, version, token);
            foreach (var c in computed) mvt = [.. mvt, .. await c.TileAsync(http, user, z, x, yValue, token)]; // MVT layers concatenate
            return new CachedTile(mvt, cache.GzipLevel);
        }, ct);
        return Respond(http, tile, etag);
    }

    /// <summary>
    /// A weak validator derived from the cache key (the caller's scope, the layers, the tile, the filters and the data
    /// versions of the tables it is drawn from): the same key always draws the same features, and hashing a ~100-byte
    /// key instead of the tile's bytes costs nothing on a miss. Weak, because the bytes of two builds (or the gzip
    /// and plain forms) may differ in order while meaning the same.
    /// </summary>
    static string ETagOf(string key) => $"W/\"{Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)), 0, 10)}\"";

    /// <summary>Each layer's tile from its own query, all in one batch; MVT layers concatenate into one tile.</summary>
    static async Task<byte[]> BuildAsync(ScopedDb db, CurrentUser user, List<TileLayer> layers, int z, int x, int y, TileFilters filters, string version, CancellationToken ct)
    {
        var parts = await db.ScalarsAsync(user, [.. layers.Select(layer => (layer.SqlFile,
            layer.TakesIncidentFilters ? new object?[] { z, x, y, filters.Categories, filters.From, filters.To } : new object?[] { z, x, y }))], ct, atVersions: version);
        var layerTiles = parts.OfType<byte[]>().Where(b => b.Length > 0).ToList();
        if (layerTiles.Count == 1) return layerTiles[0];
        var tile = new byte[layerTiles.Sum(b => b.Length)];
        var at = 0;
        foreach (var bytes in layerTiles)
        {
            bytes.CopyTo(tile, at);
            at += bytes.Length;
        }
        return tile;
    }

    static void SetCachingHeaders(HttpContext http)
    {
        var headers = http.Response.Headers;
        // Per user (scoped), and always revalidated: a changed tile gets a new ETag at once.
        headers.CacheControl = "private, no-cache";
        headers.Vary = "Accept-Encoding, Cookie, Authorization";
    }

    static Results<FileContentHttpResult, NoContent, StatusCodeHttpResult, ProblemHttpResult> Respond(HttpContext http, CachedTile tile, string etag)
    {
        var headers = http.Response.Headers;
        if (tile.Mvt.Length == 0) return TypedResults.NoContent();
        headers.ETag = etag;
        var gzip = http.Request.Headers.AcceptEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase);
        if (gzip) headers.ContentEncoding = "gzip";
        return TypedResults.Bytes(gzip ? tile.Gzip : tile.Mvt, MvtType);
    }

    static (TileFilters? Filters, ProblemHttpResult? Error) ParseFilters(string? category, string? from, string? to)
    {
        string[]? categories = null;
        if (!string.IsNullOrEmpty(category))
        {
            categories = category.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            var bad = categories.FirstOrDefault(c => !Categories.Contains(c));
            if (bad is not null) return (null, Problems.BadRequest("category", $"'{bad}' is not one of {string.Join(", ", Categories)}"));
        }
        DateTimeOffset? Parse(string? text) => DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d : null;
        var fromDate = Parse(from);
        var toDate = Parse(to);
        if (from is not null && fromDate is null) return (null, Problems.BadRequest("from", "is not a date (e.g. 2025-01-31)"));
        if (to is not null && toDate is null) return (null, Problems.BadRequest("to", "is not a date (e.g. 2025-12-31)"));
        if (fromDate >= toDate) return (null, Problems.BadRequest("to", "must be after from"));
        return (new TileFilters(categories, fromDate?.ToUniversalTime(), toDate?.ToUniversalTime()), null);
    }

    static Results<Ok<Dictionary<string, object?>>, ProblemHttpResult> TileJson(string layer, HttpRequest request, IEnumerable<IComputedTileLayer> computed)
    {
        var l = TileLayers.ByName.GetValueOrDefault(layer) ?? computed.FirstOrDefault(c => c.Layer.Name == layer)?.Layer;
        if (l is null) return Problems.NotFound($"no tile layer is named '{layer}'; see /api/layers");
        var origin = $"{request.Scheme}://{request.Host}";
        return TypedResults.Ok(new Dictionary<string, object?>
        {
            ["tilejson"] = "3.0.0",
            ["name"] = l.Title.En,
            ["description"] = l.Title.Zh,
            ["scheme"] = "xyz",
            ["tiles"] = new[] { $"{origin}/tiles/{l.Name}/{{z}}/{{x}}/{{y}}.mvt" },
            ["minzoom"] = l.MinZoom,
            ["maxzoom"] = l.MaxZoom,
            ["vector_layers"] = new[] { new { id = l.Name, fields = l.Attributes, minzoom = l.MinZoom, maxzoom = l.MaxZoom } },
        });
    }
}
