using GeoTwin.Tiling.Gltf;

namespace GeoTwin.Tiling.Tilesets;

/// <summary>How a tile's content relates to its children's (3D Tiles tile.refine).</summary>
public enum Refinement
{
    /// <summary>Children add to the parent: each feature is in exactly one tile, the largest ones highest up.</summary>
    Add,
    /// <summary>Children replace the parent: each feature is in exactly one leaf, and parents repeat their
    /// region's largest features as a coarser preview.</summary>
    Replace,
}

public sealed record TilesetOptions
{
    /// <summary>A tile with more features than this is split into quadrants.</summary>
    public int MaxFeaturesPerTile { get; init; } = 1000;

    public Refinement Refine { get; init; } = Refinement.Add;

    /// <summary>
    /// A tile's geometric error as a fraction of its quadtree cell's diagonal in metres. With Cesium's default
    /// maximum screen-space error of 16 px, 0.1 loads a tile's children from about five times its size away.
    /// </summary>
    public double GeometricErrorFactor { get; init; } = 0.1;

    /// <summary>Goes into asset.tilesetVersion; null derives it from the content, so it changes exactly when a file does.</summary>
    public string? Version { get; init; }

    public Rgba Color { get; init; } = new(0.80f, 0.78f, 0.72f);

    /// <summary>Tiles written at once; each worker holds one tile's meshes.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// The root quadtree cell (degrees), e.g. the jurisdiction's bounds. Null fits it to the data, which moves every
    /// cell when the data's extent changes; a fixed cell keeps the tree still, so an edit rewrites only its own
    /// tiles (and the ancestors whose regions or largest features it changes).
    /// </summary>
    public (double West, double South, double East, double North)? RootCell { get; init; }

    /// <summary>A footprint with more vertices is simplified for display (<see cref="Extrusion.DisplayFootprint"/>).</summary>
    public int MaxFootprintVertices { get; init; } = 1000;

    /// <summary>Deepest quadtree level: a cell still too full there (many features at one spot) stays a leaf.</summary>
    public int MaxLevel { get; init; } = 20;

    internal void Validate()
    {
        if (MaxFeaturesPerTile < 1) throw new ArgumentException($"MaxFeaturesPerTile must be at least 1, got {MaxFeaturesPerTile}", "options");
        if (!(GeometricErrorFactor > 0) || !double.IsFinite(GeometricErrorFactor))
            throw new ArgumentException($"GeometricErrorFactor must be a positive number, got {GeometricErrorFactor}", "options");
        if (MaxDegreeOfParallelism < 1) throw new ArgumentException($"MaxDegreeOfParallelism must be at least 1, got {MaxDegreeOfParallelism}", "options");
        if (MaxFootprintVertices < 4) throw new ArgumentException($"MaxFootprintVertices must be at least 4 (a triangle's ring), got {MaxFootprintVertices}", "options");
        if (MaxLevel is < 0 or > 30) throw new ArgumentException($"MaxLevel must be between 0 and 30, got {MaxLevel}", "options");
        if (RootCell is var (w, so, e, n) && !(w < e && so < n && w >= -180 && e <= 180 && so >= -90 && n <= 90))
            throw new ArgumentException($"RootCell must be west < east and south < north in degrees, got ({w}, {so}, {e}, {n})", "options");
        if (Version is { Length: 0 }) throw new ArgumentException("Version must not be empty (null derives it from the content)", "options");
    }
}

/// <summary>What a build wrote.</summary>
public sealed record TilesetSummary(long FeatureCount, int TileCount, int Depth, string Version, long ContentBytes);

/// <summary>Where a build is: phase "reading" counts features read, "writing" counts tiles written of Total.</summary>
public readonly record struct TilesetProgress(string Phase, long Done, long? Total);
