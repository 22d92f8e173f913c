using GeoTwin.Tiling.Gltf;
using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Valid;

namespace GeoTwin.Tiling.Extrusion;

/// <summary>
/// A footprint to stand up as a prism: a Polygon or MultiPolygon in EPSG:4326 (x = longitude, y = latitude,
/// holes allowed), from <paramref name="BaseHeight"/> to <paramref name="RoofHeight"/> metres above the WGS84
/// ellipsoid, with one value per property of the tileset's <see cref="FeatureClass"/> (null for missing).
/// </summary>
public sealed record ExtrudedFeature(string Id, Geometry Footprint, double BaseHeight, double RoofHeight, IReadOnlyList<object?> Properties)
{
    /// <summary>
    /// Checks everything that would otherwise break a tile later, so a bad row stops the build before any file
    /// is written. <paramref name="index"/> is the feature's position in the input, for ids that are missing.
    /// </summary>
    /// <exception cref="ArgumentException">what is wrong, naming the feature.</exception>
    public void Validate(long index, FeatureClass featureClass)
    {
        var name = string.IsNullOrEmpty(Id) ? $"feature #{index}" : $"feature '{Id}' (#{index})";
        if (string.IsNullOrEmpty(Id)) throw Bad(name, "has no id");
        if (Footprint is null) throw Bad(name, "has no footprint");
        if (Footprint is not (Polygon or MultiPolygon))
            throw Bad(name, $"footprint must be a Polygon or MultiPolygon, got {Footprint.GeometryType}");
        if (Footprint.IsEmpty) throw Bad(name, "footprint is empty");
        foreach (var c in Footprint.Coordinates)
        {
            if (!double.IsFinite(c.X) || !double.IsFinite(c.Y))
                throw Bad(name, $"footprint has a coordinate that is not a finite number ({c.X} {c.Y})");
            if (c.X is < -180 or > 180 || c.Y is < -90 or > 90)
                throw Bad(name, $"footprint coordinate ({c.X} {c.Y}) is not a longitude/latitude: footprints must be EPSG:4326");
        }
        var invalid = new IsValidOp(Footprint).ValidationError;
        if (invalid is not null)
            throw Bad(name, $"footprint is not a valid polygon: {invalid.Message} at ({invalid.Coordinate?.X} {invalid.Coordinate?.Y})");
        if (!double.IsFinite(BaseHeight)) throw Bad(name, $"base height is not a finite number ({BaseHeight})");
        if (!double.IsFinite(RoofHeight)) throw Bad(name, $"roof height is not a finite number ({RoofHeight})");
        if (RoofHeight <= BaseHeight) throw Bad(name, $"roof height {RoofHeight} m is not above base height {BaseHeight} m");
        if (Properties is null) throw Bad(name, "has no property values");
        if (PropertyTable.Check(featureClass, Properties) is { } error) throw Bad(name, error);
    }

    private static ArgumentException Bad(string feature, string what) => new($"{feature}: {what}", "features");
}
