using GeoTwin.Server.Infrastructure.Auth;

namespace GeoTwin.Server.Tiles;

/// <summary>
/// A catalog layer whose tiles are computed by a slice (an analysis kept in memory) instead of read by a SQL file under
/// Layers/: the hot spot cells. It takes part in everything a SQL layer does (the catalog, TileJSON, combined requests,
/// the tile cache and its ETag) and adds two things: a policy (the catalog lists it, and tiles serve it, only to roles
/// of that policy) and its own part of the cache key, made from its request's parameters and data versions without
/// computing the analysis, so a revalidation is still answered 304 before anything is built.
/// </summary>
public interface IComputedTileLayer
{
    TileLayer Layer { get; }

    /// <summary>The authorization policy a caller needs (e.g. "analysis").</summary>
    string Policy { get; }

    /// <summary>Shown on the map only when asked for (a computed overlay would cover every other layer).</summary>
    bool HiddenByDefault => true;

    /// <summary>Everything this request's tiles of the layer are drawn from, besides the caller's scope and the tile address.</summary>
    Task<string> KeyAsync(HttpContext http, CurrentUser user, CancellationToken ct);

    /// <summary>The layer's MVT bytes for a tile (empty when nothing is drawn there); may throw a Refusal.</summary>
    Task<byte[]> TileAsync(HttpContext http, CurrentUser user, int z, int x, int y, CancellationToken ct);
}
