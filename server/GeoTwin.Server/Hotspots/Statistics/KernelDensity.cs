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
            $"Esri's default 0.9 · min(standard distance {sd:0.#} m, √(1/ln 2) · median distance from the mean centre {median:0.#} m) · n^−0.2 with n = {sw:0.##}",
            $"Esri 默认规则 0.9 · min(标准距离 {sd:0.#} 米, √(1/ln 2) · 到平均中心的中位距离 {median:0.#} 米) · n^−0.2，n = {sw:0.##}");
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

    /// <summary>Lattice nodes per bandwidth of <see cref="EvaluateFast"/>: its lattice spacing is h/14, which bounds
    /// the error (see there). Below this many pixels per h it splats exactly instead: a point then covers fewer
    /// than π·14² pixels, so exact is cheap.</summary>
    public const int NodesPerBandwidth = 14;

    /// <summary>
    /// <see cref="Evaluate"/> made fast where the bandwidth spans many pixels (a z16 tile of a city: h ≈ 500 px,
    /// 148k points × 800k pixels each took 12 s). The textbook binned estimator (Wand 1994, "Fast computation of
    /// multivariate kernel estimators") on a lattice of spacing Δ = h/14:
    /// <list type="number">
    /// <item>Only the points within h + Δ of the tile are read. Each is linearly binned: its weight goes to the 4
    /// surrounding nodes in proportion to the area opposite (first moments kept, so the error is second order).</item>
    /// <item>The density is computed exactly from the binned weights at the nodes (a stencil of the quartic kernel
    /// scattered from the nonempty bins: nodes × 29² operations, independent of the number of points), then
    /// bilinearly interpolated to the pixels.</item>
    /// </list>
    /// Error: each step is at most (Δ²/8)·(max|K_xx| + max|K_yy|)·W = 2(Δ/h)²·(3/πh²)·W, W the weight within
    /// h + Δ of the pixel; with Δ = h/14 both together ≤ 2 % of 3W/(πh²) (3× the density of W spread evenly over
    /// the kernel's disc). In practice less, as signs cancel: on clustered test data at z12-z16 the worst pixel is
    /// within 1 % of the tile's maximum (tests: FastKernelDensityTests), 2-3 steps of an 8-bit colour ramp.
    /// <para>The lattice is global: node J sits on global pixel coordinate J·κ (κ = <paramref name="nodeSpacing"/>
    /// in pixels; default h/(14·pixel)), with <paramref name="alignCol"/>, <paramref name="alignRow"/> the global
    /// index of pixel (0, 0). Tiles given the same κ share their nodes and meet without a seam; a caller drawing many
    /// tiles (whose scale 1/cos φ differs a little per row) passes one κ for them all.</para>
    /// </summary>
    public double[] EvaluateFast(double x0, double y0, double dx, double dy, int width, int height, double scale = 1,
        long alignCol = 0, long alignRow = 0, double? nodeSpacing = null)
    {
        var h = Bandwidth.Value * scale;
        double kx = nodeSpacing ?? h / (NodesPerBandwidth * Math.Abs(dx)), ky = nodeSpacing ?? h / (NodesPerBandwidth * Math.Abs(dy));
        if (!(kx >= 1 && ky >= 1)) return Evaluate(x0, y0, dx, dy, width, height, scale);

        // Lattice nodes J0..J1 (global node J sits on global pixel coordinate J·κ) covering the tile's pixels.
        long j0 = (long)Math.Floor(alignCol / kx), j1 = (long)Math.Ceiling((alignCol + width - 1) / kx);
        long i0 = (long)Math.Floor(alignRow / ky), i1 = (long)Math.Ceiling((alignRow + height - 1) / ky);
        int nx = (int)(j1 - j0 + 1), ny = (int)(i1 - i0 + 1);
        double sx = kx * dx, sy = ky * dy;                                   // signed node spacing
        double nodeX0 = x0 + (j0 * kx - alignCol) * dx, nodeY0 = y0 + (i0 * ky - alignRow) * dy;
        // Stencil: nodes within h of a bin. Bins reach rx + 1 nodes past the target (the + 1 for binning).
        int rx = (int)Math.Floor(h / Math.Abs(sx)), ry = (int)Math.Floor(h / Math.Abs(sy));
        int bx = nx + 2 * (rx + 1), by = ny + 2 * (ry + 1);
        var bins = new double[bx * by];
        var binner = new Binner
        {
            X = _x, Y = _y, W = _w, Bins = bins, Columns = bx, Rows = by,
            OriginX = nodeX0 - (rx + 1) * sx, OriginY = nodeY0 - (ry + 1) * sy, InvSx = 1 / sx, InvSy = 1 / sy,
        };
        double ax = binner.OriginX, bxEnd = binner.OriginX + (bx - 1) * sx, ay = binner.OriginY, byEnd = binner.OriginY + (by - 1) * sy;
        _grid.ForEachInRectangle(Math.Min(ax, bxEnd), Math.Min(ay, byEnd), Math.Max(ax, bxEnd), Math.Max(ay, byEnd), ref binner);

        var norm = 3 / (Math.PI * h * h) / (scale * scale);
        int sw = 2 * rx + 1, sh = 2 * ry + 1;
        var stencil = new double[sw * sh];
        var spans = new (int From, int To)[sh];                             // the disc's columns in each stencil row
        for (var v = -ry; v <= ry; v++)
        {
            int from = int.MaxValue, to = int.MinValue;
            for (var u = -rx; u <= rx; u++)
            {
                double ddx = u * sx, ddy = v * sy, t = 1 - (ddx * ddx + ddy * ddy) / (h * h);
                if (t <= 0) continue;
                stencil[(v + ry) * sw + u + rx] = norm * t * t;
                from = Math.Min(from, u);
                to = Math.Max(to, u);
            }
            spans[v + ry] = (from, to);
        }
        var nodes = new double[nx * ny];
        for (var b = 0; b < by; b++)
        {
            var ty0 = b - (ry + 1);                                         // target row of the stencil's centre
            int vFrom = Math.Max(-ry, -ty0), vTo = Math.Min(ry, ny - 1 - ty0);
            if (vFrom > vTo) continue;
            for (var a = 0; a < bx; a++)
            {
                var w = bins[b * bx + a];
                if (w == 0) continue;
                var tx0 = a - (rx + 1);
                for (var v = vFrom; v <= vTo; v++)
                {
                    var (from, to) = spans[v + ry];
                    int uFrom = Math.Max(from, -tx0), uTo = Math.Min(to, nx - 1 - tx0);
                    if (uFrom > uTo) continue;
                    var len = uTo - uFrom + 1;
                    AddScaled(nodes.AsSpan((ty0 + v) * nx + tx0 + uFrom, len), stencil.AsSpan((v + ry) * sw + uFrom + rx, len), w);
                }
            }
        }

        // Bilinear from the nodes to the pixels.
        var result = new double[width * height];
        var colNode = new int[width];
        var colFrac = new double[width];
        for (var c = 0; c < width; c++)
        {
            var t = (alignCol + c) / kx;
            var j = Math.Floor(t);
            colNode[c] = (int)((long)j - j0);
            colFrac[c] = t - j;
        }
        for (var r = 0; r < height; r++)
        {
            var t = (alignRow + r) / ky;
            var i = Math.Floor(t);
            var row = (int)((long)i - i0);
            var fy = t - i;
            var upper = nodes.AsSpan(row * nx, nx);
            var lower = fy > 0 ? nodes.AsSpan((row + 1) * nx, nx) : upper;
            var outRow = result.AsSpan(r * width, width);
            for (var c = 0; c < width; c++)
            {
                int n = colNode[c];
                double fx = colFrac[c];
                double top = fx > 0 ? upper[n] + fx * (upper[n + 1] - upper[n]) : upper[n];
                double bottom = fx > 0 ? lower[n] + fx * (lower[n + 1] - lower[n]) : lower[n];
                var value = top + fy * (bottom - top);
                outRow[c] = value > 0 ? value : 0;
            }
        }
        return result;
    }

    /// <summary>The exact density at one place (per square metre), from the points within h of it;
    /// <paramref name="scale"/> as in <see cref="Evaluate"/>.</summary>
    public double At(double x, double y, double scale = 1)
    {
        var h = Bandwidth.Value * scale;
        var sum = new KernelSum { W = _w, InvH2 = 1 / (h * h) };
        _grid.ForEachWithin(x, y, h, ref sum);
        return sum.Sum * 3 / (Math.PI * h * h) / (scale * scale);
    }

    static void AddScaled(Span<double> target, ReadOnlySpan<double> source, double w)
    {
        var i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated && target.Length >= System.Numerics.Vector<double>.Count)
        {
            var vw = new System.Numerics.Vector<double>(w);
            var tv = System.Runtime.InteropServices.MemoryMarshal.Cast<double, System.Numerics.Vector<double>>(target);
            var sv = System.Runtime.InteropServices.MemoryMarshal.Cast<double, System.Numerics.Vector<double>>(source);
            for (var k = 0; k < tv.Length; k++) tv[k] += sv[k] * vw;
            i = tv.Length * System.Numerics.Vector<double>.Count;
        }
        for (; i < target.Length; i++) target[i] += source[i] * w;
    }

    struct KernelSum : IPointVisitor
    {
        public double[] W;
        public double InvH2, Sum;

        public void Visit(int i, double d2)
        {
            var u = 1 - d2 * InvH2;
            if (u > 0) Sum += (W.Length == 0 ? 1 : W[i]) * u * u;
        }
    }

    /// <summary>Linear binning: a point's weight shared among the 4 lattice nodes around it by area.</summary>
    struct Binner : IPointVisitor
    {
        public double[] X, Y, W, Bins;
        public double OriginX, OriginY, InvSx, InvSy;
        public int Columns, Rows;

        public void Visit(int i, double _)
        {
            double u = (X[i] - OriginX) * InvSx, v = (Y[i] - OriginY) * InvSy;
            int a = (int)Math.Floor(u), b = (int)Math.Floor(v);
            if (a < 0 || b < 0 || a >= Columns - 1 || b >= Rows - 1) return; // only the outermost ring, beyond h of every node
            double fu = u - a, fv = v - b, w = W.Length == 0 ? 1 : W[i];
            var at = b * Columns + a;
            Bins[at] += w * (1 - fu) * (1 - fv);
            Bins[at + 1] += w * fu * (1 - fv);
            Bins[at + Columns] += w * (1 - fu) * fv;
            Bins[at + Columns + 1] += w * fu * fv;
        }
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
