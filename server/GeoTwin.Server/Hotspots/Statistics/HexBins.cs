namespace GeoTwin.Server.Hotspots.Statistics;

/// <summary>
/// Flat-top hexagons (two edges horizontal, vertices left and right) in a metric frame, as Esri's hexagon
/// aggregation draws them. <see cref="Size"/> is the distance between opposite flat edges, which is also the
/// distance between the centres of any two adjacent cells; the side is Size/√3 and the width vertex to vertex
/// 2·Size/√3. Cells are addressed by axial coordinates (q, r) about the frame's origin, so the same size gives
/// the same cells on every run (cacheable, comparable between filters).
/// </summary>
public sealed class HexBins
{
    static readonly double Sqrt3 = Math.Sqrt(3);

    public required double Size { get; init; }
    public required int[] Q { get; init; }
    public required int[] R { get; init; }
    /// <summary>Cell centres in the metric frame.</summary>
    public required double[] X { get; init; }
    public required double[] Y { get; init; }
    /// <summary>Points in each cell.</summary>
    public required int[] Count { get; init; }
    /// <summary>Sum of the points' weights in each cell (= Count without weights): the value Gi* analyses.</summary>
    public required double[] Value { get; init; }
    /// <summary>The cell of each input point (its index in these arrays).</summary>
    public required int[] CellOfPoint { get; init; }
    public int Cells => Q.Length;

    public double Side => Size / Sqrt3;

    /// <summary>Centre of cell (q, r) for hexagons of flat-to-flat <paramref name="size"/>.</summary>
    public static (double X, double Y) Centre(int q, int r, double size)
    {
        var side = size / Sqrt3;
        return (side * 1.5 * q, size * (r + q * 0.5));
    }

    /// <summary>The cell containing (x, y): axial fractional coordinates, rounded in cube space.</summary>
    public static (int Q, int R) CellAt(double x, double y, double size)
    {
        var side = size / Sqrt3;
        var fq = x / (1.5 * side);
        var fr = y / size - fq * 0.5;
        var fs = -fq - fr;
        double rq = Math.Round(fq), rr = Math.Round(fr), rs = Math.Round(fs);
        double dq = Math.Abs(rq - fq), dr = Math.Abs(rr - fr), ds = Math.Abs(rs - fs);
        if (dq > dr && dq > ds) rq = -rr - rs;
        else if (dr > ds) rr = -rq - rs;
        return ((int)rq, (int)rr);
    }

    /// <summary>The six vertices of a cell, counter-clockwise from the right-hand vertex (for GeoJSON and tiles).</summary>
    public (double X, double Y)[] Vertices(int cell)
    {
        var side = Side;
        var v = new (double, double)[6];
        for (var k = 0; k < 6; k++)
        {
            var a = Math.PI / 3 * k;
            v[k] = (X[cell] + side * Math.Cos(a), Y[cell] + side * Math.Sin(a));
        }
        return v;
    }

    /// <summary>
    /// Bins points into hexagons of flat-to-flat <paramref name="size"/>. Only cells holding a point are made,
    /// unless <paramref name="keepEmpty"/> is given: then every cell of the points' bounding box whose centre it
    /// accepts is made too, with count 0 (Esri analyses empty cells only inside a study area; the caller's
    /// predicate is that area, e.g. the jurisdiction's polygon).
    /// Refuses (parameter "cellSize") when the cells would be more than <paramref name="maxCells"/>, before
    /// allocating them, with the count.
    /// </summary>
    public static HexBins Bin(ReadOnlySpan<double> xs, ReadOnlySpan<double> ys, ReadOnlySpan<double> weights, double size,
        int maxCells, Func<double, double, bool>? keepEmpty = null)
    {
        if (!(size > 0) || double.IsInfinity(size))
            throw new HotspotInputException("cellSize", $"the cell size must be a positive number of metres, not {size}", size);
        var n = xs.Length;
        if (!weights.IsEmpty && weights.Length != n) throw new ArgumentException("weights and points differ in length");
        var index = new Dictionary<long, int>();
        var q = new List<int>();
        var r = new List<int>();
        var cellOfPoint = new int[n];

        if (keepEmpty is not null && n > 0)
        {
            double minX = double.PositiveInfinity, minY = double.PositiveInfinity, maxX = double.NegativeInfinity, maxY = double.NegativeInfinity;
            for (var i = 0; i < n; i++)
            {
                minX = Math.Min(minX, xs[i]); maxX = Math.Max(maxX, xs[i]);
                minY = Math.Min(minY, ys[i]); maxY = Math.Max(maxY, ys[i]);
            }
            var side = size / Sqrt3;
            long q0 = (long)Math.Floor(minX / (1.5 * side)) - 1, q1 = (long)Math.Ceiling(maxX / (1.5 * side)) + 1;
            var rows = (long)Math.Ceiling((maxY - minY) / size) + 3;
            var candidates = (q1 - q0 + 1) * rows;
            if (candidates > maxCells * 4L + 1024)
                throw new HotspotInputException("cellSize",
                    $"a cell size of {size:0.###} m lays {candidates} cells over the points' extent, more than the maximum of {maxCells} could be kept from: choose a larger cell size or a smaller area",
                    candidates, maxCells);
            for (var cq = q0; cq <= q1; cq++)
            {
                var r0 = (long)Math.Floor(minY / size - cq * 0.5) - 1;
                for (var cr = r0; cr < r0 + rows; cr++)
                {
                    var (cx, cy) = Centre((int)cq, (int)cr, size);
                    if (cx < minX - size || cx > maxX + size || cy < minY - size || cy > maxY + size) continue;
                    if (!keepEmpty(cx, cy)) continue;
                    index[Key((int)cq, (int)cr)] = q.Count;
                    q.Add((int)cq);
                    r.Add((int)cr);
                    if (q.Count > maxCells) throw TooMany(q.Count, maxCells, size);
                }
            }
        }

        for (var i = 0; i < n; i++)
        {
            var (cq, cr) = CellAt(xs[i], ys[i], size);
            var key = Key(cq, cr);
            if (!index.TryGetValue(key, out var c))
            {
                c = q.Count;
                index[key] = c;
                q.Add(cq);
                r.Add(cr);
            }
            cellOfPoint[i] = c;
        }
        if (q.Count > maxCells) throw TooMany(q.Count, maxCells, size);

        var cells = q.Count;
        var count = new int[cells];
        var value = new double[cells];
        for (var i = 0; i < n; i++)
        {
            count[cellOfPoint[i]]++;
            value[cellOfPoint[i]] += weights.IsEmpty ? 1 : weights[i];
        }
        var x = new double[cells];
        var y = new double[cells];
        for (var c = 0; c < cells; c++) (x[c], y[c]) = Centre(q[c], r[c], size);
        return new HexBins
        {
            Size = size, Q = q.ToArray(), R = r.ToArray(), X = x, Y = y, Count = count, Value = value, CellOfPoint = cellOfPoint,
        };
    }

    static long Key(int q, int r) => ((long)q << 32) ^ (uint)r;

    static HotspotInputException TooMany(long count, int max, double size) => new(
        "cellSize",
        $"a cell size of {size:0.###} m makes {count} cells, more than the maximum of {max}: choose a larger cell size or a smaller area",
        count, max);
}
