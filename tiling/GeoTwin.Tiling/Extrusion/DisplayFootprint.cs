using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Utilities;
using GeoTwin.Tiling.Tilesets;
using NetTopologySuite.Simplify;

namespace GeoTwin.Tiling.Extrusion;

/// <summary>
/// A footprint as a tile shows it: one with more than <see cref="TilesetOptions.MaxFootprintVertices"/> vertices (a
/// legal but surveyed-to-the-centimetre outline) is simplified, topology preserved, at 0.2 m first and at twice that
/// until it fits, so one house cannot bloat a GLB every 3D viewer downloads. A house's stored geometry is not touched.
/// </summary>
public static class DisplayFootprint
{
    /// <summary>Below what a viewer can see on a building from street level.</summary>
    public const double FirstToleranceM = 0.2;

    /// <summary>A degree of latitude; a degree of longitude is shorter, so the tolerance is at most this in metres.</summary>
    const double MetresPerDegree = 111_320;

    public static Geometry Simplify(Geometry footprint, int maxVertices)
    {
        if (footprint.NumPoints <= maxVertices) return footprint;
        var envelope = footprint.EnvelopeInternal;
        var largest = Math.Max(envelope.Width, envelope.Height);
        var simplified = footprint;
        for (var tolerance = FirstToleranceM / MetresPerDegree; simplified.NumPoints > maxVertices && tolerance < largest; tolerance *= 2)
            simplified = TopologyPreservingSimplifier.Simplify(footprint, tolerance);
        if (!simplified.IsValid) simplified = GeometryFixer.Fix(simplified);
        // A simplification that lost the area (or its kind) is no display of the house: keep the outline as stored.
        return simplified is Polygon or MultiPolygon && !simplified.IsEmpty && simplified.IsValid ? simplified : footprint;
    }
}
