using System.Text.Json.Serialization;

namespace GeoTwin.Server.Imagery;

/// <summary>One raster base layer found in the imagery folder, as /api/imagery lists it (minzoom/maxzoom as /api/layers).</summary>
public sealed record ImagerySource(
    string Name, string Kind, string Format, double[] Bounds,
    [property: JsonPropertyName("minzoom")] int MinZoom, [property: JsonPropertyName("maxzoom")] int MaxZoom, string? Attribution, string Tiles);

/// <summary>A tile as read from a folder or an MBTiles file, with its media type and a content ETag.</summary>
public sealed record ImageryTile(byte[] Bytes, string MediaType, string ETag);
