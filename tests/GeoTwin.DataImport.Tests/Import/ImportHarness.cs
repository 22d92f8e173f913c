using System.Diagnostics;
using System.Globalization;
using System.Text;
using GeoTwin.DataImport.Crs;
using GeoTwin.DataImport.Import;
using Npgsql;

namespace GeoTwin.DataImport.Tests.Import;

/// <summary>A fresh migrated database with a jurisdiction tree (itself loaded through the import), a folder for the test's files, and query helpers.</summary>
public sealed class ImportHarness : IAsyncDisposable
{
    /// <summary>
    /// City bureau MC; station ST-EAST covering eastern China (lon 115-122, lat 28-41) with responsibility area RA-BJ
    /// around Beijing; community C-BJ; station ST-MC over Monaco. Points elsewhere are outside every station.
    /// </summary>
    public const string Tree = """
        {"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"code":"MC","kind":"市局","name":"市局"},"geometry":null},
        {"type":"Feature","properties":{"code":"ST-EAST","kind":"派出所","name":"东所","parent_code":"MC"},"geometry":{"type":"Polygon","coordinates":[[[115,28],[122,28],[122,41],[115,41],[115,28]]]}},
        {"type":"Feature","properties":{"code":"RA-BJ","kind":"responsibility_area","name":"北京区","parent_code":"ST-EAST"},"geometry":{"type":"Polygon","coordinates":[[[116,39.5],[117,39.5],[117,40.5],[116,40.5],[116,39.5]]]}},
        {"type":"Feature","properties":{"code":"C-BJ","kind":"community","name":"北京社区","parent_code":"ST-EAST"},"geometry":{"type":"Polygon","coordinates":[[[116,39.5],[117,39.5],[117,40.5],[116,40.5],[116,39.5]]]}},
        {"type":"Feature","properties":{"code":"ST-MC","kind":"station","name":"Monaco","parent_code":"MC"},"geometry":{"type":"MultiPolygon","coordinates":[[[[7.40,43.72],[7.44,43.72],[7.44,43.76],[7.40,43.76],[7.40,43.72]]]]}}
        ]}
        """;

    ImportHarness(NpgsqlDataSource db, string dir) => (Db, Dir) = (db, dir);

    public NpgsqlDataSource Db { get; }
    public string Dir { get; }

    public static async Task<ImportHarness> CreateAsync(PostgisFixture pg)
    {
        var harness = new ImportHarness(await pg.CreateDataSourceAsync(), TempDirs.Make("import"));
        var tree = await harness.ImportAsync(harness.File("tree.geojson", Tree), "jurisdictions");
        Assert.True(tree.Written, tree.Refused);
        return harness;
    }

    public string File(string name, string text, Encoding? encoding = null)
    {
        var path = Path.Combine(Dir, name);
        System.IO.File.WriteAllText(path, text, encoding ?? new UTF8Encoding(false));
        return path;
    }

    public string PathOf(string name) => Path.Combine(Dir, name);

    public Task<ImportResult> ImportAsync(string path, string layer, int? srid = null, ImportMapping? mapping = null, bool skipInvalid = false,
        WebDatum? datum = null) =>
        Importer.RunAsync(Db, new ImportRequest(path, layer, srid, datum, mapping, skipInvalid));

    public Task<T> ScalarAsync<T>(string sql, params object[] args) => Db.ScalarAsync<T>(sql, args);

    /// <summary>A stored point as (lon, lat).</summary>
    public async Task<(double Lon, double Lat)> PointAsync(string sql, params object[] args)
    {
        await using var cmd = Db.CreateCommand($"SELECT ST_X(g), ST_Y(g) FROM ({sql}) AS q(g)");
        foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync(), "no such row");
        return (r.GetDouble(0), r.GetDouble(1));
    }

    /// <summary>PROJ's cs2cs (Debian proj-bin) as the independent reference, in EPSG axis order: latitude first, northing first.</summary>
    public static (double First, double Second) Cs2cs(string from, string to, double a, double b)
    {
        var psi = new ProcessStartInfo("cs2cs", ["-f", "%.6f", from, to]) { RedirectStandardInput = true, RedirectStandardOutput = true };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cs2cs (apt-get install proj-bin) is needed");
        p.StandardInput.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{a} {b}"));
        p.StandardInput.Close();
        var parts = p.StandardOutput.ReadToEnd().Split((char[])[' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
        p.WaitForExit();
        return (double.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    public async ValueTask DisposeAsync()
    {
        await Db.DisposeAsync();
        TempDirs.Remove(Dir);
    }
}
