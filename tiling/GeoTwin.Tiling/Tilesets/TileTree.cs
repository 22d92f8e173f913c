using GeoTwin.Tiling.Geodesy;

namespace GeoTwin.Tiling.Tilesets;

/// <summary>What the planning pass keeps of a feature: a few numbers, not its geometry (that waits in the spill).</summary>
internal readonly record struct FeatureEntry(
    double West, double South, double East, double North,
    double MinHeight, double MaxHeight, double Area, long Offset, int Length)
{
    public double CentreX => (West + East) / 2;
    public double CentreY => (South + North) / 2;
}

/// <summary>A quadtree tile: its cell (degrees; x from the west, y from the south) and the features it draws.</summary>
internal sealed class TileNode : TilesetTile
{
    public TileNode(int level, int x, int y, double west, double south, double east, double north)
    {
        (Level, X, Y, Cell) = (level, x, y, (west, south, east, north));
        ContentUri = $"tiles/{level}/{x}_{y}.glb";
    }

    public int Level { get; }
    public int X { get; }
    public int Y { get; }
    public (double West, double South, double East, double North) Cell { get; }

    /// <summary>Indexes into the entries, ascending: a feature's position here is its feature id in the tile.</summary>
    public int[] Content { get; set; } = [];
    public byte[] ContentHash { get; set; } = [];

    public IEnumerable<TileNode> DepthFirst()
    {
        yield return this;
        foreach (TileNode child in Children)
            foreach (var t in child.DepthFirst())
                yield return t;
    }
}

/// <summary>
/// Plans the tile tree from the entries alone: split a cell into quadrants (by feature bounding-box centre)
/// while it holds more than the maximum; the cell's largest features stay in the tile itself.
/// </summary>
internal static class TileTree
{
    // A cell under ~1 m is not worth splitting; also keeps a one-point data set from having a zero-size root.
    private const double MinCellDegrees = 1e-5;

    public static TileNode Plan(IReadOnlyList<FeatureEntry> entries, TilesetOptions options)
    {
        double west = double.MaxValue, south = double.MaxValue, east = double.MinValue, north = double.MinValue;
        foreach (var e in entries)
        {
            west = Math.Min(west, e.CentreX); east = Math.Max(east, e.CentreX);
            south = Math.Min(south, e.CentreY); north = Math.Max(north, e.CentreY);
        }
        var padX = Math.Max(0, MinCellDegrees - (east - west)) / 2;
        var padY = Math.Max(0, MinCellDegrees - (north - south)) / 2;
        // A centre outside a fixed cell still lands in the nearest quadrant at every level: nothing is lost.
        var root = options.RootCell is var (cellWest, cellSouth, cellEast, cellNorth)
            ? new TileNode(0, 0, 0, cellWest, cellSouth, cellEast, cellNorth)
            : new TileNode(0, 0, 0, west - padX, south - padY, east + padX, north + padY);

        var (perLon, perLat) = Wgs84.MetresPerDegree((root.Cell.South + root.Cell.North) / 2);
        var diagonal = Math.Sqrt(Math.Pow((root.Cell.East - root.Cell.West) * perLon, 2) + Math.Pow((root.Cell.North - root.Cell.South) * perLat, 2));
        var rootError = diagonal * options.GeometricErrorFactor;

        Split(root, Enumerable.Range(0, entries.Count).ToArray(), entries, options, rootError);
        return root;
    }

    private static void Split(TileNode node, int[] items, IReadOnlyList<FeatureEntry> entries, TilesetOptions options, double rootError)
    {
        if (items.Length <= options.MaxFeaturesPerTile || node.Level >= options.MaxLevel)
        {
            node.Content = items;
            node.GeometricError = 0;
            node.Region = RegionOf(items, entries, []);
            node.Frame = FrameAt(node.Region);
            return;
        }

        // Largest first, ties by input order, so the plan depends on the input alone.
        var bySize = (int[])items.Clone();
        Array.Sort(bySize, (a, b) => entries[b].Area.CompareTo(entries[a].Area) is var c and not 0 ? c : a.CompareTo(b));
        var own = bySize[..options.MaxFeaturesPerTile];
        Array.Sort(own);
        node.Content = own;
        var passDown = options.Refine == Refinement.Add ? bySize[options.MaxFeaturesPerTile..] : items;

        var (west, south, east, north) = node.Cell;
        var (midX, midY) = ((west + east) / 2, (south + north) / 2);
        var quadrants = new List<int>[4];
        for (var q = 0; q < 4; q++) quadrants[q] = [];
        foreach (var i in passDown)
            quadrants[(entries[i].CentreX < midX ? 0 : 1) + (entries[i].CentreY < midY ? 0 : 2)].Add(i);
        for (var q = 0; q < 4; q++)
        {
            if (quadrants[q].Count == 0) continue;
            var (qx, qy) = (q % 2, q / 2);
            var child = new TileNode(node.Level + 1, 2 * node.X + qx, 2 * node.Y + qy,
                qx == 0 ? west : midX, qy == 0 ? south : midY, qx == 0 ? midX : east, qy == 0 ? midY : north);
            var childItems = quadrants[q].ToArray();
            Array.Sort(childItems);
            Split(child, childItems, entries, options, rootError);
            node.Children.Add(child);
        }
        // Halving per level keeps the error strictly decreasing down every path; leaves have 0.
        node.GeometricError = rootError / Math.Pow(2, node.Level);
        node.Region = RegionOf(own, entries, node.Children);
        node.Frame = FrameAt(node.Region);
    }

    private static GeoRegion RegionOf(int[] items, IReadOnlyList<FeatureEntry> entries, List<TilesetTile> children)
    {
        var region = GeoRegion.Empty;
        foreach (var i in items)
        {
            var f = entries[i];
            region = region.Union(new GeoRegion(f.West, f.South, f.East, f.North, f.MinHeight, f.MaxHeight));
        }
        foreach (var c in children) region = region.Union(c.Region);
        return region;
    }

    /// <summary>The tile's content frame: at the middle of its region, on its lowest base.</summary>
    private static EnuFrame FrameAt(GeoRegion r) =>
        new((r.West + r.East) / 2, (r.South + r.North) / 2, r.MinHeight);
}
