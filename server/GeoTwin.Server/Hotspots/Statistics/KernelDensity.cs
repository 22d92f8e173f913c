namespace GeoTwin.Server.Hotspots.Statistics;

/// <summary>
/// Quartic (biweight) kernel density, as Esri's Kernel Density (Silverman 1986, eq. 4.5):
/// <code>  f(p) = Σ_i w_i · 3/(π h²) · (1 − d_i²/h²)²   for d_i &lt; h  </code>
/// in weight per square metre (× 1e6 for per km²). Built once per point set (a grid index with buckets of the
/// bandwidth), then evaluated per raster tile: only points within h of the tile are visited, and each is
/// spread over the pixel rows its kernel covers.
/// <para>Default bandwidth (Esri's rule, Silverman's rule of thumb made robust to spatial outliers):
/// h = 0.9 · min(SD, √(1/ln 2) · D_m) · n^(−0.2), where SD is the standard distance of the points, D_m the
/// median distance from their mean centre, n the number of points (the sum of weights when weighted).</para>
/// </summary>
public sealed class KernelDensity
{
    readonly double[] _x, _y, _w;
    readonly PointGrid _grid;

    public Choice Bandwidth { get; }

    public KernelDensity(double[] xs, double[] ys, double[]? weights = null, double? bandwidth = null)
    {
        if (xs.Length != ys.Length || (weights is not null && weights.Length != xs.Length)) throw new ArgumentException("points and weights differ in length");
        if (xs.Length == 0) throw new HotspotInputException("points", "no points to estimate a density from", 0, 1);
        if (bandwidth is { } given && !(given > 0 && double.IsFinite(given)))
            throw new HotspotInputException("bandwidth", $"the bandwidth must be a positive number of metres, not {given}", given);
        _x = xs;
        _y = ys;
        _w = weights ?? [];
        Bandwidth = bandwidth is { } h ? new Choice(h, Chosen.Given, "given") : DefaultBandwidth(xs, ys, weights);
        _grid = new PointGrid(xs, ys, Bandwidth.Value);
    }

    public static Choice DefaultBandwidth(ReadOnlySpan<double> xs, ReadOnlySpan<double> ys, ReadOnlySpan<double> weights)
    {
        var n = xs.Length;
        double sw = 0, mx = 0, my = 0;
        for (var i = 0; i < n; i++)
        {
            var w = weights.IsEmpty ? 1 : weights[i];
            sw += w;
            mx += w * xs[i];
            my += w * ys[i];
        }
        mx /= sw;
        my /= sw;
        double vx = 0, vy = 0;
        var d = new double[n];
        for (var i = 0; i < n; i++)
        {
            var w = weights.IsEmpty ? 1 : weights[i];
            double dx = xs[i] - mx, dy = ys[i] - my;
            vx += w * dx * dx;
            vy += w * dy * dy;
            d[i] = Math.Sqrt(dx * dx + dy * dy);
        }
        var sd = Math.Sqrt((vx + vy) / sw);
        var median = WeightedMedian(d, weights, sw);
        var spread = Math.Min(sd, Math.Sqrt(1 / Math.Log(2)) * median);
        var h = 0.9 * spread * Math.Pow(sw, -0.2);
        if (!(h > 0))
            throw new HotspotInputException("points", "the points have no spread (all at one place): give a bandwidth");
        return new Choice(h, Chosen.SilvermanRule,
            $"Esri's default 0.9 · min(standard distance {sd:0.#} m, √(1/ln 2) · median distance from the mean centre {median:0.#} m) · n^−0.2 with n = {sw:0.##}");
    }

    static double WeightedMedian(double[] d, ReadOnlySpan<double> weights, double total)
    {
        if (weights.IsEmpty)
        {
            var copy = (double[])d.Clone();
            Array.Sort(copy);
            var m = copy.Length;
            return m % 2 == 1 ? copy[m / 2] : (copy[m / 2 - 1] + copy[m / 2]) / 2;
        }
        var order = Enumerable.Range(0, d.Length).ToArray();
        Array.Sort((double[])d.Clone(), order);
        double acc = 0;
        foreach (var i in order)
        {
            acc += weights[i];
            if (acc >= total / 2) return d[i];
        }
        return d[order[^1]];
    }

    /// <summary>
    /// Densities at the centres of a width × height pixel grid, row-major: pixel (col, row) is at
    /// (x0 + col·dx, y0 + row·dy). dy is usually negative (rows run north to south). Per square metre.
    /// For a Web Mercator tile, pass EPSG:3857 coordinates of points and pixels and a bandwidth multiplied by the
    /// tile's scale 1/cos φ (constant to 0.1 % within a tile at z ≥ 10): distances are then true metres.
    /// </summary>
    public double[] Evaluate(double x0, double y0, double dx, double dy, int width, int height, double scale = 1)
    {
        var result = new double[width * height];
        var h = Bandwidth.Value * scale;
        var h2 = h * h;
        var norm = 3 / (Math.PI * h2) / (scale * scale); // per true square metre
        double xMin = Math.Min(x0, x0 + (width - 1) * dx), xMax = Math.Max(x0, x0 + (width - 1) * dx);
        double yMin = Math.Min(y0, y0 + (height - 1) * dy), yMax = Math.Max(y0, y0 + (height - 1) * dy);
        var splat = new Splat
        {
            X = _x, Y = _y, W = _w, Out = result, X0 = x0, Y0 = y0, Dx = dx, Dy = dy, Width = width, Height = height, H = h, InvH2 = 1 / h2, Norm = norm,
        };
        _grid.ForEachInRectangle(xMin - h, yMin - h, xMax + h, yMax + h, ref splat);
        return result;
    }

    struct Splat : IPointVisitor
    {
        public double[] X, Y, W, Out;
        public double X0, Y0, Dx, Dy, H, InvH2, Norm;
        public int Width, Height;

        public void Visit(int i, double _)
        {
            double px = X[i], py = Y[i], weight = (W.Length == 0 ? 1 : W[i]) * Norm;
            // Rows and columns whose centres can lie within h.
            var (r0, r1) = Range(py, Y0, Dy, Height);
            var (c0, c1) = Range(px, X0, Dx, Width);
            for (var row = r0; row <= r1; row++)
            {
                var ry = Y0 + row * Dy - py;
                var rest = 1 - ry * ry * InvH2;
                if (rest <= 0) continue;
                var baseIndex = row * Width;
                for (var col = c0; col <= c1; col++)
                {
                    var rx = X0 + col * Dx - px;
                    var u = rest - rx * rx * InvH2;
                    if (u > 0) Out[baseIndex + col] += weight * u * u;
                }
            }
        }

        readonly (int From, int To) Range(double p, double origin, double step, int count)
        {
            double a = (p - H - origin) / step, b = (p + H - origin) / step;
            if (a > b) (a, b) = (b, a);
            return (Math.Max(0, (int)Math.Ceiling(a)), Math.Min(count - 1, (int)Math.Floor(b)));
        }
    }
}
