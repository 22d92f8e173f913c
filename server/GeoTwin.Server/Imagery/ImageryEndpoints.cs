using System.Globalization;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Errors;
using Microsoft.AspNetCore.Http.HttpResults;
using GeoTwin.Tiling.Tiles;

namespace GeoTwin.Server.Imagery;

/// <summary>Offline raster base layers from the imagery folder (GeoTwin:Imagery:Folder, default data dir/imagery).</summary>
public static class ImageryEndpoints
{
    public static WebApplicationBuilder AddImagery(this WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var folder = config["GeoTwin:Imagery:Folder"] is { Length: > 0 } configured
            ? configured
            : Path.Combine(config["GeoTwin:DataDirectory"] ?? ".geotwin", "imagery");
        builder.Services.AddSingleton(new ImageryStore(Path.GetFullPath(folder)));
        return builder;
    }

    public static WebApplication MapImageryEndpoints(this WebApplication app)
    {
        app.MapGet("/api/imagery", (ImageryStore store) => TypedResults.Ok(store.List()))
            .RequireAuthorization(Policies.Staff).WithTags("Imagery").WithName("ListImagery")
            .WithSummary("Raster base layers found in the imagery folder (XYZ folders and MBTiles).").RefusesStrangers();
        app.MapGet("/imagery/{name}/{z:int}/{x:int}/{y}", Tile)
            .RequireAuthorization(Policies.Staff).WithTags("Imagery").WithName("ImageryTile")
            .WithSummary("One raster tile (XYZ numbering; .png/.jpg/.webp suffix optional).")
            .Produces(StatusCodes.Status200OK, typeof(byte[]), "image/png", "image/jpeg", "image/webp").Produces(StatusCodes.Status304NotModified)
            .RefusesStrangers().Refuses(400, 404);
        return app;
    }

    static Results<FileContentHttpResult, StatusCodeHttpResult, ProblemHttpResult> Tile(string name, int z, int x, string y, HttpContext http, ImageryStore store)
    {
        var row = Path.GetExtension(y) is { Length: > 0 } ext && ext.Length <= 5 ? y[..^ext.Length] : y;
        if (!int.TryParse(row, NumberStyles.None, CultureInfo.InvariantCulture, out var yValue))
            return Problems.BadRequest("y", "must be a tile row, optionally followed by .png, .jpg or .webp");
        if (TileAddress.Validate(z, x, yValue) is { } outOfRange) return Problems.BadRequest("tile", outOfRange);
        if (!store.Exists(name)) return Problems.NotFound($"no imagery is named '{name}'; see /api/imagery");
        if (store.Tile(name, z, x, yValue) is not { } tile) return Problems.NotFound($"imagery '{name}' has no tile {z}/{x}/{yValue}");
        var headers = http.Response.Headers;
        headers.CacheControl = "private, max-age=3600";
        headers.ETag = tile.ETag;
        if (http.Request.Headers.IfNoneMatch.Contains(tile.ETag)) return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        return TypedResults.Bytes(tile.Bytes, tile.MediaType);
    }
}
