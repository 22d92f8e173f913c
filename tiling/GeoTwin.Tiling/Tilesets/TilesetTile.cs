using GeoTwin.Tiling.Geodesy;

namespace GeoTwin.Tiling.Tilesets;

/// <summary>Longitudes and latitudes in degrees, heights in metres above the ellipsoid: a 3D Tiles region before the radians.</summary>
public readonly record struct GeoRegion(double West, double South, double East, double North, double MinHeight, double MaxHeight)
{
    public static readonly GeoRegion Empty = new(double.MaxValue, double.MaxValue, double.MinValue, double.MinValue, double.MaxValue, double.MinValue);

    public bool IsEmpty => West > East;

    public GeoRegion Union(GeoRegion o) => new(Math.Min(West, o.West), Math.Min(South, o.South), Math.Max(East, o.East),
        Math.Max(North, o.North), Math.Min(MinHeight, o.MinHeight), Math.Max(MaxHeight, o.MaxHeight));

    public GeoRegion Include(double lon, double lat, double height) => Union(new(lon, lat, lon, lat, height, height));
}

/// <summary>One tile of an explicit tileset as <see cref="TilesetJson"/> writes it.</summary>
public class TilesetTile
{
    /// <summary>Must hold the tile's content and every descendant's region.</summary>
    public GeoRegion Region { get; set; } = GeoRegion.Empty;
    public double GeometricError { get; set; }

    /// <summary>The frame the content is written in; null for a tile without content (then it has no transform).</summary>
    public EnuFrame? Frame { get; set; }

    /// <summary>Relative to tileset.json; null for a tile without content.</summary>
    public string? ContentUri { get; set; }

    public List<TilesetTile> Children { get; } = [];
}
