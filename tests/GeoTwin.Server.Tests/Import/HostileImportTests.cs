using GeoTwin.Server.Tests.Cli;

namespace GeoTwin.Server.Tests.Import;

/// <summary>
/// `geotwin import` of a 400-byte Shapefile whose polygon claims 2^30 points, as the real binary in its own process
/// with a 512 MiB GC heap limit: before the guard it ran out of memory (4.9 GB in 25 s without a limit).
/// </summary>
public sealed class HostileImportTests : IDisposable
{
    readonly string _dir = TempDirs.Make("import-hostile");

    public void Dispose() => TempDirs.Remove(_dir);

    [Fact]
    public async Task A_Shapefile_claiming_2_to_the_30_points_is_refused_with_its_record_under_a_512_MiB_heap()
    {
        var shp = HostileFiles.Shapefile(_dir);
        using var cli = ServerProcess.Start(["import", shp, "--layer", "houses", "--data", Path.Combine(_dir, "data")],
            environment: new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x20000000" });

        var exit = await cli.WaitForExitAsync(TimeSpan.FromMinutes(2));

        Assert.True(exit == 1, $"exit {exit}:\n{cli.Output}");
        Assert.Contains("hostile.shp refused: the Shapefile hostile.shp is damaged: record 1: claims 1,073,741,824 points in 112 bytes", cli.Output);
    }

    [Fact]
    public async Task A_max_vertices_that_is_not_a_whole_number_above_0_is_bad_usage()
    {
        using var cli = ServerProcess.Start(["import", Path.Combine(_dir, "x.geojson"), "--layer", "houses", "--max-vertices", "0"]);
        Assert.Equal(64, await cli.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        Assert.Contains("--max-vertices needs a whole number above 0, got '0'", cli.Output);
    }
}
