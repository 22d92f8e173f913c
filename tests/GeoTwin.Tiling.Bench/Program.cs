// One timed run a process, so each run's peak memory is its own. tests/bench/tiling.sh runs this several
// times and takes medians. Usage:
//   GeoTwin.Tiling.Bench builder <features> [workers]   the tileset builder, into a temporary folder
//   GeoTwin.Tiling.Bench raw <features>                 the reference: the same prisms as bare triangles
//   GeoTwin.Tiling.Bench osgb <folder>                  a ContextCapture OSGB export to 3D Tiles
// Prints one line: mode features seconds features/s peak-RSS-MiB and what was written.
using System.Diagnostics;
using GeoTwin.Tiling.Bench;
using GeoTwin.Tiling.Tilesets;

if (args is ["osgb", var folder])
{
    var osgbOutput = Path.Combine(Path.GetTempPath(), $"geotwin-bench-osgb-{Environment.ProcessId}");
    try
    {
        var watch = Stopwatch.StartNew();
        var s = GeoTwin.DataImport.Photogrammetry.PhotogrammetryConverter.Convert(folder, osgbOutput);
        Console.WriteLine($"osgb seconds={watch.Elapsed.TotalSeconds:F2} tiles={s.TileCount} peak_rss_mib={PeakRssMib():F0} ({s.Warnings.Count} warnings)");
        return 0;
    }
    finally
    {
        if (Directory.Exists(osgbOutput)) Directory.Delete(osgbOutput, recursive: true);
    }
}
if (args.Length < 2 || !int.TryParse(args[1], out var count) || count < 1 || args[0] is not ("builder" or "raw"))
{
    Console.Error.WriteLine("usage: GeoTwin.Tiling.Bench builder|raw <features> [workers] | osgb <folder>");
    return 64;
}
var workers = args.Length > 2 ? int.Parse(args[2]) : Environment.ProcessorCount;
var output = Path.Combine(Path.GetTempPath(), $"geotwin-bench-{Environment.ProcessId}");
try
{
    var clock = Stopwatch.StartNew();
    string written;
    if (args[0] == "builder")
    {
        // The first "writing" report marks the end of pass 1 (read, check, spill) and of planning the tree.
        double? firstPassSeconds = null;
        var progress = new SynchronousProgress(p => firstPassSeconds ??= p.Phase == "writing" ? clock.Elapsed.TotalSeconds : null);
        var summary = TilesetBuilder.Build(SyntheticHouses.Generate(count), SyntheticHouses.Class, output,
            new TilesetOptions { MaxDegreeOfParallelism = workers }, progress);
        written = $"{summary.TileCount} tiles, depth {summary.Depth}, {summary.ContentBytes / 1048576.0:F1} MiB of GLB, " +
            $"read+plan {firstPassSeconds:F1} s, tileset.json {new FileInfo(Path.Combine(output, "tileset.json")).Length / 1024} KiB";
    }
    else
    {
        Directory.CreateDirectory(output);
        var (triangles, bytes) = RawTriangles.Write(SyntheticHouses.Generate(count), Path.Combine(output, "triangles.bin"));
        written = $"{triangles} triangles, {bytes / 1048576.0:F1} MiB";
        workers = 1;
    }
    var seconds = clock.Elapsed.TotalSeconds;
    Console.WriteLine($"{args[0]} features={count} workers={workers} seconds={seconds:F2} rate={count / seconds:F0} peak_rss_mib={PeakRssMib():F0} ({written})");
    return 0;
}
finally
{
    if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
}

// VmHWM: the most resident memory this process ever had, runtime included.
static double PeakRssMib() =>
    File.ReadLines("/proc/self/status").Where(l => l.StartsWith("VmHWM:")).Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024).Single();

// Progress<T> posts to the thread pool; the time of the report is what matters here, so call back at once.
sealed class SynchronousProgress(Action<TilesetProgress> report) : IProgress<TilesetProgress>
{
    public void Report(TilesetProgress value) => report(value);
}
