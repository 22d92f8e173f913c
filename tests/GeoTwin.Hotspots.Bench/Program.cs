// Usage (tests/bench/hotspots.sh runs it): GEOTWIN_DB=... GeoTwin.Hotspots.Bench MODE RUNS OUTDIR [cellSize] [band]
//   gi        Optimized Hot Spot Analysis from stored incidents to answered cells: read the incidents' points from
//             PostgreSQL (binary COPY), project them to a local metric frame, hexagon bins of cellSize, the distance
//             band by incremental spatial autocorrelation (or the one given), Gi* + BH FDR, cells back to lon/lat and
//             written as the JSON answer. Writes OUTDIR/cells.csv (the last run's cells, for the R spdep reference).
//   density   one uncached density tile: for each of 9 tiles around the densest place at each zoom 12..16, read the
//             points within the tile + bandwidth, build the kernel's index, evaluate 256x256 pixels, colour and PNG-encode.
//   emerging  emerging hot spots over the 120 months 2010-2019: read points and months, bin into cells x months,
//             space-time Gi*, FDR over the cube, Mann-Kendall per cell, Esri's patterns.
// Prints one line per run and a summary line "median_ms=..." that the script reads. The endpoints of issue #16
// (h-hs-api, h-hs-density) will replace this pipeline as the measured path; the statistics called are the same.
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using GeoTwin.Server.Hotspots.Statistics;
using Npgsql;
using NpgsqlTypes;

var mode = args[0];
var runs = int.Parse(args[1], CultureInfo.InvariantCulture);
var outDir = args[2];
var cellSize = args.Length > 3 ? double.Parse(args[3], CultureInfo.InvariantCulture) : 200;
double? givenBand = args.Length > 4 ? double.Parse(args[4], CultureInfo.InvariantCulture) : null;
var connectionString = Environment.GetEnvironmentVariable("GEOTWIN_DB") ?? throw new InvalidOperationException("GEOTWIN_DB is not set");
await using var db = NpgsqlDataSource.Create(connectionString);
var inv = CultureInfo.InvariantCulture;
const string Filter = "category = 'fight'";

switch (mode)
{
    case "gi": await Gi(); break;
    case "density": await Density(); break;
    case "emerging": await Emerging(); break;
    default: throw new ArgumentException($"unknown mode {mode}: gi, density or emerging");
}

async Task Gi()
{
    var totals = new List<double>();
    for (var run = 0; run < runs; run++)
    {
        var sw = Stopwatch.StartNew();
        var (lon, lat) = await ReadPoints($"SELECT ST_X(location), ST_Y(location) FROM incidents WHERE {Filter}");
        var read = sw.Elapsed.TotalMilliseconds;
        var frame = LocalProjection.For(lon, lat);
        var (x, y) = frame.Forward(lon, lat);
        var project = sw.Elapsed.TotalMilliseconds;
        var result = OptimizedHotSpots.Analyse(x, y, [], new HotSpotOptions { CellSize = cellSize, DistanceBand = givenBand });
        var analyse = sw.Elapsed.TotalMilliseconds;
        var cells = result.Cells;
        var (clon, clat) = frame.Inverse(cells.X, cells.Y);
        var answer = new MemoryStream();
        using (var w = new Utf8JsonWriter(answer))
        {
            w.WriteStartObject();
            w.WriteStartObject("parameters");
            w.WriteNumber("cellSize", result.Parameters.CellSize.Value);
            w.WriteNumber("band", result.Parameters.DistanceBand.Value);
            w.WriteString("bandWhy", result.Parameters.DistanceBand.Why);
            w.WriteNumber("count", result.Parameters.Points);
            w.WriteNumber("cells", result.Parameters.Cells);
            w.WriteEndObject();
            w.WriteStartArray("cells");
            for (var c = 0; c < cells.Cells; c++)
            {
                w.WriteStartObject();
                w.WriteString("id", $"{cells.Q[c]}_{cells.R[c]}");
                w.WriteNumber("q", cells.Q[c]);
                w.WriteNumber("r", cells.R[c]);
                w.WriteNumber("lon", Math.Round(clon[c], 7));
                w.WriteNumber("lat", Math.Round(clat[c], 7));
                w.WriteNumber("count", cells.Count[c]);
                w.WriteNumber("z", result.Gi.Z[c]);
                w.WriteNumber("p", result.Gi.P[c]);
                w.WriteNumber("q_fdr", result.Gi.Q[c]);
                w.WriteNumber("bin", result.Gi.Bin[c]);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        var total = sw.Elapsed.TotalMilliseconds;
        totals.Add(total);
        var hot = result.Gi.Bin.Count(b => b > 0);
        var cold = result.Gi.Bin.Count(b => b < 0);
        Console.Error.WriteLine(FormattableString.Invariant(
            $"gi run {run + 1}: {total:0} ms (read {read:0}, project {project - read:0}, bin+band+Gi*+FDR {analyse - project:0}, answer {total - analyse:0}); {lon.Length} incidents, {cells.Cells} cells of {cellSize} m, band {result.Parameters.DistanceBand.Value:0.###} m ({result.Parameters.DistanceBand.How}), mean neighbours {result.Parameters.MeanNeighbours:0.#}, hot {hot}, cold {cold}, answer {answer.Length >> 10} KiB"));
        if (run == runs - 1)
        {
            using var f = new StreamWriter(Path.Combine(outDir, "cells.csv"));
            f.WriteLine("x,y,count,neighbours,z,p,q");
            for (var c = 0; c < cells.Cells; c++)
                f.WriteLine(FormattableString.Invariant($"{cells.X[c]:R},{cells.Y[c]:R},{cells.Value[c]:R},{result.Gi.Neighbours[c]},{result.Gi.Z[c]:R},{result.Gi.P[c]:R},{result.Gi.Q[c]:R}"));
            File.WriteAllText(Path.Combine(outDir, "band.txt"), result.Parameters.DistanceBand.Value.ToString("R", inv));
            Console.WriteLine(FormattableString.Invariant($"incidents={lon.Length} cells={cells.Cells} band={result.Parameters.DistanceBand.Value:0.###} bandHow={result.Parameters.DistanceBand.How} neighbours={result.Parameters.MeanNeighbours:0.#}"));
        }
    }
    Console.WriteLine(FormattableString.Invariant($"median_ms={Median(totals):0.#}"));
}

async Task Density()
{
    // The bandwidth is chosen once per filter over all of its incidents (Esri's rule), as an endpoint would cache
    // it beside the data version; each tile then reads only the points its kernels can reach.
    var sw = Stopwatch.StartNew();
    var (lon, lat) = await ReadPoints($"SELECT ST_X(location), ST_Y(location) FROM incidents WHERE {Filter}");
    var frame = LocalProjection.For(lon, lat);
    var (x, y) = frame.Forward(lon, lat);
    var h = KernelDensity.DefaultBandwidth(x, y, []).Value;
    // The densest place: the 0.01° square holding most incidents.
    var (hotLon, hotLat) = Enumerable.Range(0, lon.Length).GroupBy(i => (Math.Floor(lon[i] * 100), Math.Floor(lat[i] * 100)))
        .MaxBy(g => g.Count())!.Key is var k ? ((k.Item1 + 0.5) / 100, (k.Item2 + 0.5) / 100) : default;
    Console.Error.WriteLine(FormattableString.Invariant($"bandwidth {h:0.#} m chosen over {lon.Length} incidents in {sw.ElapsedMilliseconds} ms; tiles around {hotLon:0.###}, {hotLat:0.###}"));

    var all = new List<double>();
    var byZoom = new Dictionary<int, List<double>>();
    var points = new List<int>();
    for (var run = 0; run < runs; run++)
        for (var z = 12; z <= 16; z++)
        {
            var (tx, ty) = Tile(hotLon, hotLat, z);
            for (var dx = -1; dx <= 1; dx++)
                for (var dy = -1; dy <= 1; dy++)
                {
                    var t = Stopwatch.StartNew();
                    var (png, n) = await DensityTile(z, tx + dx, ty + dy, h);
                    var ms = t.Elapsed.TotalMilliseconds;
                    all.Add(ms);
                    (byZoom.TryGetValue(z, out var l) ? l : byZoom[z] = []).Add(ms);
                    if (run == 0) points.Add(n);
                    if (run == 0 && dx == 0 && dy == 0) File.WriteAllBytes(Path.Combine(outDir, $"density-{z}.png"), png);
                }
        }
    foreach (var (z, l) in byZoom)
        Console.Error.WriteLine(FormattableString.Invariant($"density z{z}: median {Median(l):0.#} ms, max {l.Max():0.#} ms over {l.Count} tiles"));
    var zooms = string.Join(" ", byZoom.Select(kv => FormattableString.Invariant($"z{kv.Key}_ms={Median(kv.Value):0.#}")));
    Console.WriteLine(FormattableString.Invariant(
        $"bandwidth={h:0.#} tiles={all.Count} points_per_tile_median={Median(points.Select(p => (double)p).ToList()):0} max_ms={all.Max():0.#} {zooms}"));
    Console.WriteLine(FormattableString.Invariant($"median_ms={Median(all):0.#}"));
}

async Task<(byte[] Png, int Points)> DensityTile(int z, int tx, int ty, double h)
{
    const int Size = 256;
    const double Half = 20037508.342789244;
    var span = 2 * Half / (1 << z);
    double minX = -Half + tx * span, maxY = Half - ty * span, maxX = minX + span, minY = maxY - span;
    var centreLat = MercatorLat((minY + maxY) / 2);
    var scale = 1 / Math.Cos(centreLat * Math.PI / 180);
    var reach = h * scale; // the kernel's radius in Web Mercator units at this latitude
    double lon0 = MercatorLon(minX - reach), lon1 = MercatorLon(maxX + reach), lat0 = MercatorLat(minY - reach), lat1 = MercatorLat(maxY + reach);
    var (lon, lat) = await ReadPoints(FormattableString.Invariant(
        $"SELECT ST_X(location), ST_Y(location) FROM incidents WHERE {Filter} AND location && ST_MakeEnvelope({lon0:R}, {lat0:R}, {lon1:R}, {lat1:R}, 4326)"));
    var pixels = new byte[Size * (Size * 4 + 1)];
    if (lon.Length > 0)
    {
        var mx = new double[lon.Length];
        var my = new double[lon.Length];
        for (var i = 0; i < lon.Length; i++)
        {
            mx[i] = lon[i] * Half / 180;
            my[i] = Math.Log(Math.Tan((90 + lat[i]) * Math.PI / 360)) * Half / Math.PI;
        }
        var kde = new KernelDensity(mx, my, null, h);
        var res = span / Size;
        // the evaluator the density endpoint runs (binned kernel on a lattice aligned to global pixels)
        var d = kde.EvaluateFast(minX + res / 2, maxY - res / 2, res, -res, Size, Size, scale, alignCol: (long)tx * Size, alignRow: (long)ty * Size);
        // A stand-in ramp (transparent → yellow → red by density relative to a fixed ceiling of 1,500 incidents per
        // km² over the decade), to count the cost of colouring and encoding; h-hs-density owns the real ramp.
        const double Ceiling = 1500e-6;
        for (var row = 0; row < Size; row++)
        {
            var o = row * (Size * 4 + 1) + 1;
            for (var col = 0; col < Size; col++)
            {
                var v = Math.Min(1, d[row * Size + col] / Ceiling);
                if (v <= 0) { o += 4; continue; }
                pixels[o++] = 255;
                pixels[o++] = (byte)(255 * (1 - v));
                pixels[o++] = 0;
                pixels[o++] = (byte)(80 + 175 * v);
            }
        }
    }
    return (Png(pixels, Size), lon.Length);
}

async Task Emerging()
{
    var totals = new List<double>();
    for (var run = 0; run < runs; run++)
    {
        var sw = Stopwatch.StartNew();
        var lon = new List<double>();
        var lat = new List<double>();
        var month = new List<int>();
        await using (var conn = await db.OpenConnectionAsync())
        await using (var copy = await conn.BeginBinaryExportAsync(
            $"COPY (SELECT ST_X(location), ST_Y(location), ((extract(year FROM received_at AT TIME ZONE 'America/Chicago') - 2010) * 12 + extract(month FROM received_at AT TIME ZONE 'America/Chicago') - 1)::int FROM incidents WHERE {Filter}) TO STDOUT (FORMAT BINARY)"))
            while (await copy.StartRowAsync() != -1)
            {
                lon.Add(copy.Read<double>(NpgsqlDbType.Double));
                lat.Add(copy.Read<double>(NpgsqlDbType.Double));
                month.Add(copy.Read<int>(NpgsqlDbType.Integer));
            }
        var read = sw.Elapsed.TotalMilliseconds;
        const int Steps = 120;
        var frame = LocalProjection.For(lon.ToArray(), lat.ToArray());
        var (x, y) = frame.Forward(lon.ToArray(), lat.ToArray());
        var bins = HexBins.Bin(x, y, [], cellSize, 1_000_000);
        var values = new double[bins.Cells * Steps];
        for (var i = 0; i < x.Length; i++)
            if (month[i] is >= 0 and < Steps) values[bins.CellOfPoint[i] * Steps + month[i]]++;
        var cube = sw.Elapsed.TotalMilliseconds;
        var band = givenBand ?? throw new ArgumentException("emerging needs the band (the script passes the one Gi* chose)");
        var result = EmergingHotSpots.Analyse(bins.X, bins.Y, values, Steps, new EmergingOptions { DistanceBand = band });
        var total = sw.Elapsed.TotalMilliseconds;
        totals.Add(total);
        var patterns = result.Pattern.GroupBy(p => p).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}");
        Console.Error.WriteLine(FormattableString.Invariant(
            $"emerging run {run + 1}: {total:0} ms (read {read:0}, cube {cube - read:0}, space-time Gi*+FDR+Mann-Kendall+patterns {total - cube:0}); {bins.Cells} cells x {Steps} months = {(long)bins.Cells * Steps} bins; {string.Join(", ", patterns)}"));
        if (run == runs - 1) Console.WriteLine($"cells={bins.Cells} steps={Steps} patterns=\"{string.Join(", ", patterns)}\"");
    }
    Console.WriteLine(FormattableString.Invariant($"median_ms={Median(totals):0.#}"));
}

async Task<(double[] Lon, double[] Lat)> ReadPoints(string select)
{
    var lon = new List<double>();
    var lat = new List<double>();
    await using var conn = await db.OpenConnectionAsync();
    await using var copy = await conn.BeginBinaryExportAsync($"COPY ({select}) TO STDOUT (FORMAT BINARY)");
    while (await copy.StartRowAsync() != -1)
    {
        lon.Add(copy.Read<double>(NpgsqlDbType.Double));
        lat.Add(copy.Read<double>(NpgsqlDbType.Double));
    }
    return (lon.ToArray(), lat.ToArray());
}

static (int X, int Y) Tile(double lon, double lat, int z)
{
    var n = 1 << z;
    var r = lat * Math.PI / 180;
    return ((int)((lon + 180) / 360 * n), (int)((1 - Math.Log(Math.Tan(r) + 1 / Math.Cos(r)) / Math.PI) / 2 * n));
}

static double MercatorLon(double x) => x / 20037508.342789244 * 180;
static double MercatorLat(double y) => Math.Atan(Math.Sinh(y / 20037508.342789244 * Math.PI)) * 180 / Math.PI;

static double Median(List<double> v)
{
    var s = v.Order().ToArray();
    return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
}

// An RGBA PNG: filter byte 0 per row (already in place), zlib at the fastest level.
static byte[] Png(byte[] filteredRows, int size)
{
    var png = new MemoryStream();
    png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
    var header = new byte[13];
    BinaryPrimitives.WriteInt32BigEndian(header, size);
    BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), size);
    header[8] = 8;
    header[9] = 6;
    Chunk(png, "IHDR", header);
    var data = new MemoryStream();
    using (var z = new ZLibStream(data, CompressionLevel.Fastest, leaveOpen: true)) z.Write(filteredRows);
    Chunk(png, "IDAT", data.ToArray());
    Chunk(png, "IEND", []);
    return png.ToArray();
}

static void Chunk(Stream s, string type, byte[] body)
{
    Span<byte> four = stackalloc byte[4];
    BinaryPrimitives.WriteInt32BigEndian(four, body.Length);
    s.Write(four);
    var typed = new byte[4 + body.Length];
    System.Text.Encoding.ASCII.GetBytes(type, typed);
    body.CopyTo(typed, 4);
    s.Write(typed);
    BinaryPrimitives.WriteUInt32BigEndian(four, Crc(typed));
    s.Write(four);
}

static uint Crc(byte[] bytes)
{
    var c = 0xFFFFFFFFu;
    foreach (var b in bytes)
    {
        c ^= b;
        for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    }
    return ~c;
}
