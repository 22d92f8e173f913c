namespace GeoTwin.Server.Hotspots.Statistics;

/// <summary>
/// A uniform grid over points in a metric frame: every neighbour search of the hotspot statistics (Gi* within a
/// band, Moran's I over increasing bands, k nearest neighbours, kernels of density tiles) visits only the grid
/// buckets a search circle touches instead of all n points, so the work grows with n × neighbours, not n².
/// Points are stored bucket by bucket (counting sort) so a search reads contiguous memory.
/// </summary>
public sealed class PointGrid
{
    /// <summary>Squared distances within this relative margin of the band count as on it: cell centres come
    /// from √3 arithmetic, and a band of exactly k cell spacings must include the cells k spacings away.</summary>
    public const double BoundaryTolerance = 1e-12;

    readonly int[] _start;   // bucket b holds sorted positions _start[b] .. _start[b+1]-1
    readonly int[] _index;   // original point index at each sorted position
    readonly double[] _sx, _sy;

    public double MinX { get; }
    public double MinY { get; }
    public double Bucket { get; }
    public int Columns { get; }
    public int Rows { get; }
    public int Count => _index.Length;

    /// <param name="bucket">Wanted bucket side in metres, usually the search radius; enlarged when the
    /// extent would need more than about 2 buckets per point (tiny radius over a wide area).</param>
    public PointGrid(ReadOnlySpan<double> xs, ReadOnlySpan<double> ys, double bucket)
    {
        var n = xs.Length;
        if (ys.Length != n) throw new ArgumentException("xs and ys differ in length");
        double minX = double.PositiveInfinity, minY = double.PositiveInfinity, maxX = double.NegativeInfinity, maxY = double.NegativeInfinity;
        for (var i = 0; i < n; i++)
        {
            if (xs[i] < minX) minX = xs[i];
            if (xs[i] > maxX) maxX = xs[i];
            if (ys[i] < minY) minY = ys[i];
            if (ys[i] > maxY) maxY = ys[i];
        }
        if (n == 0) { minX = minY = maxX = maxY = 0; }
        var w = Math.Max(maxX - minX, 1e-9);
        var h = Math.Max(maxY - minY, 1e-9);
        // No radius (nearest-neighbour searches): about one point per bucket.
        if (!(bucket > 0) || double.IsInfinity(bucket)) bucket = Math.Max(Math.Sqrt(w * h / Math.Max(n, 1)), Math.Max(w, h) / Math.Max(n, 1)) + 1e-9;
        var maxBuckets = 2.0 * n + 16;
        while (Math.Ceiling(w / bucket + 1) * Math.Ceiling(h / bucket + 1) > maxBuckets) bucket *= 1.5;
        MinX = minX;
        MinY = minY;
        Bucket = bucket;
        Columns = Math.Max(1, (int)Math.Floor(w / bucket) + 1);
        Rows = Math.Max(1, (int)Math.Floor(h / bucket) + 1);

        var of = new int[n];
        _start = new int[Columns * Rows + 1];
        for (var i = 0; i < n; i++)
        {
            var b = BucketOf(xs[i], ys[i]);
            of[i] = b;
            _start[b + 1]++;
        }
        for (var b = 0; b < Columns * Rows; b++) _start[b + 1] += _start[b];
        var fill = _start.AsSpan(0, Columns * Rows).ToArray();
        _index = new int[n];
        _sx = new double[n];
        _sy = new double[n];
        for (var i = 0; i < n; i++)
        {
            var pos = fill[of[i]]++;
            _index[pos] = i;
            _sx[pos] = xs[i];
            _sy[pos] = ys[i];
        }
    }

    int Col(double x) => Math.Clamp((int)Math.Floor((x - MinX) / Bucket), 0, Columns - 1);
    int Row(double y) => Math.Clamp((int)Math.Floor((y - MinY) / Bucket), 0, Rows - 1);
    int BucketOf(double x, double y) => Row(y) * Columns + Col(x);

    /// <summary>Calls <paramref name="visit"/>(index, squared distance) for every point within
    /// <paramref name="radius"/> of (x, y), the boundary included.</summary>
    public void ForEachWithin<TVisitor>(double x, double y, double radius, ref TVisitor visit) where TVisitor : struct, IPointVisitor
    {
        var r2 = radius * radius * (1 + BoundaryTolerance);
        int c0 = Col(x - radius), c1 = Col(x + radius), r0 = Row(y - radius), r1 = Row(y + radius);
        for (var row = r0; row <= r1; row++)
        {
            int from = _start[row * Columns + c0], to = _start[row * Columns + c1 + 1];
            for (var p = from; p < to; p++)
            {
                double dx = _sx[p] - x, dy = _sy[p] - y, d2 = dx * dx + dy * dy;
                if (d2 <= r2) visit.Visit(_index[p], d2);
            }
        }
    }

    /// <summary>Points whose coordinates lie in the rectangle (for density tiles: the tile grown by the bandwidth).</summary>
    public void ForEachInRectangle<TVisitor>(double minX, double minY, double maxX, double maxY, ref TVisitor visit) where TVisitor : struct, IPointVisitor
    {
        if (Count == 0 || maxX < MinX || maxY < MinY || minX > MinX + Columns * Bucket || minY > MinY + Rows * Bucket) return;
        int c0 = Col(minX), c1 = Col(maxX), r0 = Row(minY), r1 = Row(maxY);
        for (var row = r0; row <= r1; row++)
        {
            int from = _start[row * Columns + c0], to = _start[row * Columns + c1 + 1];
            for (var p = from; p < to; p++)
                if (_sx[p] >= minX && _sx[p] <= maxX && _sy[p] >= minY && _sy[p] <= maxY) visit.Visit(_index[p], 0);
        }
    }

    /// <summary>
    /// Squared distance from point <paramref name="self"/> to its k-th nearest other point, ignoring points at
    /// distance ≤ <paramref name="ignoreWithin"/> (0: coincident points are not neighbours). Searches rings of
    /// buckets outward until the k-th candidate is nearer than any unvisited bucket could be.
    /// Returns +∞ when fewer than k such points exist.
    /// </summary>
    public double KthNearestSquared(int self, double x, double y, int k, Span<double> heap, double ignoreWithin = 0)
    {
        // heap: a max-heap of the k smallest squared distances seen so far.
        var size = 0;
        var ignore2 = ignoreWithin * ignoreWithin;
        int cx = Col(x), cy = Row(y);
        var maxRing = Math.Max(Columns, Rows);
        for (var ring = 0; ring <= maxRing; ring++)
        {
            int c0 = cx - ring, c1 = cx + ring, r0 = cy - ring, r1 = cy + ring;
            for (var row = Math.Max(r0, 0); row <= Math.Min(r1, Rows - 1); row++)
            {
                var edgeRow = row == r0 || row == r1;
                for (var col = Math.Max(c0, 0); col <= Math.Min(c1, Columns - 1); col++)
                {
                    if (!edgeRow && col != c0 && col != c1) { col = c1 - 1; continue; } // interior already visited
                    var b = row * Columns + col;
                    for (var p = _start[b]; p < _start[b + 1]; p++)
                    {
                        if (_index[p] == self) continue;
                        double dx = _sx[p] - x, dy = _sy[p] - y, d2 = dx * dx + dy * dy;
                        if (d2 <= ignore2) continue;
                        if (size < k) { heap[size] = d2; SiftUp(heap, size++); }
                        else if (d2 < heap[0]) { heap[0] = d2; SiftDown(heap, k); }
                    }
                }
            }
            // Every unvisited point is at least `ring` buckets away (minus the offset inside the home bucket).
            if (size == k)
            {
                var inX = Math.Min(x - (MinX + cx * Bucket), MinX + (cx + 1) * Bucket - x);
                var inY = Math.Min(y - (MinY + cy * Bucket), MinY + (cy + 1) * Bucket - y);
                var reach = ring * Bucket + Math.Max(0, Math.Min(inX, inY));
                if (heap[0] <= reach * reach) return heap[0];
            }
        }
        return size == k ? heap[0] : double.PositiveInfinity;
    }

    static void SiftUp(Span<double> h, int i)
    {
        while (i > 0)
        {
            var parent = (i - 1) / 2;
            if (h[parent] >= h[i]) return;
            (h[parent], h[i]) = (h[i], h[parent]);
            i = parent;
        }
    }

    static void SiftDown(Span<double> h, int size)
    {
        var i = 0;
        while (true)
        {
            int l = 2 * i + 1, r = l + 1, m = i;
            if (l < size && h[l] > h[m]) m = l;
            if (r < size && h[r] > h[m]) m = r;
            if (m == i) return;
            (h[m], h[i]) = (h[i], h[m]);
            i = m;
        }
    }
}

/// <summary>A callback of the grid searches as a struct, so the JIT inlines it into the inner loop.</summary>
public interface IPointVisitor
{
    void Visit(int index, double distanceSquared);
}

/// <summary>Neighbour lists within a band (compressed rows), for statistics that revisit the same neighbours
/// many times (incremental Moran's I, Gi* per time step).</summary>
public sealed class NeighbourLists
{
    public required int[] Start { get; init; }   // neighbours of i: Index[Start[i] .. Start[i+1]-1]
    public required int[] Index { get; init; }
    public required double Band { get; init; }
    public int Count => Start.Length - 1;
    public ReadOnlySpan<int> Of(int i) => Index.AsSpan(Start[i], Start[i + 1] - Start[i]);

    /// <summary>All pairs within <paramref name="band"/> (boundary included); the point itself included when
    /// <paramref name="includeSelf"/> (Gi*), excluded otherwise (Moran's I).</summary>
    public static NeighbourLists Build(ReadOnlySpan<double> xs, ReadOnlySpan<double> ys, double band, bool includeSelf, PointGrid? grid = null)
    {
        grid ??= new PointGrid(xs, ys, band);
        var n = xs.Length;
        var start = new int[n + 1];
        var collect = new Collector { List = new List<int>(n * 8) };
        for (var i = 0; i < n; i++)
        {
            collect.Self = includeSelf ? -1 : i;
            grid.ForEachWithin(xs[i], ys[i], band, ref collect);
            start[i + 1] = collect.List.Count;
        }
        return new NeighbourLists { Start = start, Index = collect.List.ToArray(), Band = band };
    }

    struct Collector : IPointVisitor
    {
        public List<int> List;
        public int Self;
        public void Visit(int index, double d2) { if (index != Self) List.Add(index); }
    }
}
