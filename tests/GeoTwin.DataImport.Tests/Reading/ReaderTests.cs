using System.Text;
using GeoTwin.DataImport.Import;
using GeoTwin.DataImport.Reading;

namespace GeoTwin.DataImport.Tests.Reading;

/// <summary>The readers on real files written here: encodings, quoting, streaming across buffer boundaries.</summary>
public sealed class ReaderTests : IDisposable
{
    readonly string _dir = TempDirs.Make("read");

    public void Dispose() => TempDirs.Remove(_dir);

    string Write(string name, string text, Encoding? encoding = null)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text, encoding ?? new UTF8Encoding(false));
        return path;
    }

    static List<SourceRecord> ReadAll(string path)
    {
        using var reader = SourceFiles.Open(path);
        return [.. reader.Read()];
    }

    [Fact]
    public void A_GBK_csv_is_recognized_and_read_with_quotes_and_line_breaks_inside_fields()
    {
        // The first rows are pure ASCII: GBK shows only further down, so the whole file decides.
        var text = new StringBuilder("编码,地址,经度,纬度\n");
        for (var i = 0; i < 3000; i++) text.Append($"A{i},plain,116.4,39.9\n");
        text.Append("B1,\"北京市东城区\n正义路\"\"2\"\"号, 甲\",116.41,39.91\n");
        var path = Write("gbk.csv", text.ToString(), TextEncodings.Gbk);

        using var reader = new CsvReader(path);
        var rows = reader.Read().ToList();

        Assert.Equal(TextEncodings.Gbk.WebName, reader.Encoding.WebName);
        var last = rows[^1];
        Assert.Equal("北京市东城区\n正义路\"2\"号, 甲", last.Fields["地址"]);
        Assert.Equal(3002, last.Row); // the line it starts on, header being line 1
        Assert.Equal((116.41, 39.91), (last.Geometry!.Coordinate.X, last.Geometry.Coordinate.Y));
    }

    [Fact]
    public void A_semicolon_csv_without_header_finds_its_coordinates_and_a_WKT_column_is_read()
    {
        var headerless = ReadAll(Write("plain.csv", "A-1;7.42;43.73;x\nA-2;7.43;43.74;y\n"));
        Assert.Equal(["A-1", "7.42"], new[] { headerless[0].Fields["col1"]!, headerless[0].Fields["col2"]! });
        Assert.Equal(43.74, headerless[1].Geometry!.Coordinate.Y);

        var wkt = ReadAll(Write("wkt.csv", "id\tshape\nR1\tLINESTRING (7.41 43.73, 7.42 43.74)\nR2\tLINESTRING (7.41\n"));
        Assert.Equal("LineString", wkt[0].Geometry!.GeometryType);
        Assert.StartsWith("shape: not valid WKT", wkt[1].Error);
    }

    [Fact]
    public void A_large_FeatureCollection_streams_across_buffer_boundaries_with_its_crs_member()
    {
        var text = new StringBuilder("""{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4549"}},"features":[""");
        const int n = 5000;
        for (var i = 0; i < n; i++)
            text.Append(i == 0 ? "" : ",").Append($$$"""{"type":"Feature","id":{{{i}}},"properties":{"name":"点{{{i}}}","n":{{{i}}}.5,"tags":{"a":[1,2]}},"geometry":{"type":"Point","coordinates":[{{{500000 + i}}},3300000]}}""");
        // one feature bigger than the reader's first buffer
        text.Append($$""",{"type":"Feature","properties":{"name":"{{new string('长', 100_000)}}"},"geometry":null}]}""");
        using var reader = new GeoJsonReader(Write("big.geojson", text.ToString()));

        var rows = reader.Read().ToList();

        Assert.Equal(4549, reader.DeclaredSrid);
        Assert.Equal(n + 1, rows.Count);
        Assert.Equal("点4321", rows[4321].Fields["name"]);
        Assert.Equal("4321.5", rows[4321].Fields["n"]);
        Assert.Equal("""{"a":[1,2]}""", rows[4321].Fields["tags"]);
        Assert.Equal("4321", rows[4321].Fields["id"]);
        Assert.Equal(504321, rows[4321].Geometry!.Coordinate.X);
        Assert.Null(rows[^1].Geometry);
        Assert.Equal(100_000, rows[^1].Fields["name"]!.Length);
        Assert.Equal(1, reader.Progress, 3);
    }

    [Fact]
    public void A_broken_FeatureCollection_is_refused_with_where_it_breaks()
    {
        var path = Write("broken.geojson", """{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":null},{"type":""");
        var e = Assert.Throws<ImportRefusedException>(() => ReadAll(path));
        Assert.Contains("GeoJSON", e.Message);
    }

    [Fact]
    public void Newline_delimited_GeoJSON_reports_a_bad_line_and_reads_the_rest()
    {
        var path = Write("points.ndjson", string.Join('\n',
            """{"type":"Feature","properties":{"id":"a"},"geometry":{"type":"Point","coordinates":[7.42,43.73]}}""",
            "",
            """{"type":"Feature","properties":{"id":"b"},"geometry":{"type":"Point","coordinates":[7.42,""",
            "\u001e" + """{"type":"Feature","properties":{"id":"c"},"geometry":{"type":"Polygon","coordinates":"nope"}}""",
            """{"type":"Feature","properties":{"id":"d"},"geometry":{"type":"Point","coordinates":[7.43,43.74]}}"""));

        var rows = ReadAll(path);

        Assert.Equal([1L, 3, 4, 5], rows.Select(r => r.Row));
        Assert.Null(rows[0].Error);
        Assert.NotNull(rows[1].Error);
        Assert.StartsWith("geometry:", rows[2].Error);
        Assert.Equal("d", rows[3].Fields["id"]);
    }
}
