using System.IO.Compression;
using GeoTwin.DataImport.Import;
using GeoTwin.DataImport.Reading;

namespace GeoTwin.DataImport.Tests.Reading;

public sealed class SafeZipTests : IDisposable
{
    readonly string _dir = TempDirs.Make("zip");

    public void Dispose() => TempDirs.Remove(_dir);

    string Zip(params (string Name, byte[] Content)[] entries)
    {
        var path = Path.Combine(_dir, $"{Guid.NewGuid():N}.zip");
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, content) in entries)
        {
            using var s = zip.CreateEntry(name, CompressionLevel.SmallestSize).Open();
            s.Write(content);
        }
        return path;
    }

    [Theory]
    [InlineData("../evil.csv")]
    [InlineData("data/../../evil.csv")]
    [InlineData("/etc/evil.csv")]
    public void An_entry_that_climbs_out_of_the_archive_is_refused_and_nothing_is_written(string name)
    {
        var zip = Zip(("ok.csv", "a,b\n"u8.ToArray()), (name, "x"u8.ToArray()));
        var target = Path.Combine(_dir, "out");

        var e = Assert.Throws<ImportRefusedException>(() => SafeZip.ExtractTo(zip, target, new ZipLimits()));

        Assert.Contains("path traversal", e.Message);
        Assert.False(File.Exists(Path.Combine(_dir, "evil.csv")));
        Assert.False(Directory.Exists(target) && Directory.EnumerateFiles(target, "*", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public void An_archive_that_expands_too_far_is_refused_as_a_zip_bomb()
    {
        var zip = Zip(("zeros.csv", new byte[50 << 20]));

        var e = Assert.Throws<ImportRefusedException>(() => SafeZip.ExtractTo(zip, Path.Combine(_dir, "out"), new ZipLimits(MaxRatio: 100)));

        Assert.Contains("zip bomb", e.Message);
    }

    [Fact]
    public void The_total_size_limit_holds_whatever_the_ratio()
    {
        var zip = Zip(("a.csv", new byte[3 << 20]), ("b.csv", new byte[3 << 20]));

        var e = Assert.Throws<ImportRefusedException>(() => SafeZip.ExtractTo(zip, Path.Combine(_dir, "out"), new ZipLimits(MaxTotalBytes: 4 << 20, MaxRatio: 1e9)));

        Assert.Contains("zip bomb", e.Message);
    }

    [Fact]
    public void A_zipped_data_file_is_read_through_the_archive()
    {
        var zip = Zip(("folder/points.csv", "code,lon,lat\nA-1,7.42,43.73\n"u8.ToArray()), ("readme.pdf", [1, 2, 3]));

        using var reader = SourceFiles.Open(zip);
        var record = Assert.Single(reader.Read());

        Assert.Equal("A-1", record.Fields["code"]);
        Assert.Equal(7.42, record.Geometry!.Coordinate.X);
    }
}
