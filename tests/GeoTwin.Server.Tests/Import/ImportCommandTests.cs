using System.Text.Json;
using GeoTwin.Server.Tests.Cli;

namespace GeoTwin.Server.Tests.Import;

/// <summary>`geotwin import` as a user runs it: the real binary, its own private database, exit codes and --report.</summary>
public sealed class ImportCommandTests : IDisposable
{
    readonly string _dir = TempDirs.Make("import-cli");

    public void Dispose() => TempDirs.Remove(_dir);

    async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        using var cli = ServerProcess.Start(["import", .. args, "--data", Path.Combine(_dir, "data")]);
        var exit = await cli.WaitForExitAsync(TimeSpan.FromMinutes(2));
        return (exit, cli.Output);
    }

    string File(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task A_refused_file_exits_1_with_its_report_and_a_good_one_exits_0()
    {
        var tree = File("tree.csv", "code,kind,name,parent_code,wkt\nC,city_bureau,City,,\nS,station,Station,C,\"POLYGON ((7.40 43.72, 7.44 43.72, 7.44 43.76, 7.40 43.76, 7.40 43.72))\"\n");
        Assert.Equal(0, (await RunAsync(tree, "--layer", "jurisdictions")).Exit);

        var addresses = File("a.csv", "code,address,lon,lat\nCLI-00000001,one,7.41,43.73\nCLI-00000002,two,9.0,43.73\n");
        var report = Path.Combine(_dir, "report.json");
        var (exit, output) = await RunAsync(addresses, "--layer", "addresses", "--report", report);

        Assert.Equal(1, exit);
        Assert.Contains("row 3: geometry: outside every police station", output);
        using (var json = JsonDocument.Parse(System.IO.File.ReadAllText(report)))
        {
            Assert.Equal(1, json.RootElement.GetProperty("badCount").GetInt32());
            Assert.Equal(3, json.RootElement.GetProperty("badRows")[0].GetProperty("row").GetInt32());
        }

        (exit, output) = await RunAsync(addresses, "--layer", "addresses", "--skip-invalid");
        Assert.Equal(0, exit);
        Assert.Contains("1 inserted", output);

        Assert.Equal(64, (await RunAsync(addresses)).Exit); // no --layer
        Assert.Equal(1, (await RunAsync(File("x.dxf", "0"), "--layer", "addresses")).Exit);
        // A header and no rows is a mistake, refused as an upload of it is: the script that ran the import must see it fail.
        (exit, output) = await RunAsync(File("header.csv", "code,address,lon,lat\n"), "--layer", "addresses");
        Assert.Equal(1, exit);
        Assert.Contains("the file has no rows", output);
    }
}
