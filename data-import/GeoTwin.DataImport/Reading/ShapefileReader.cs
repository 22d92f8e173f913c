using System.Text;
using GeoTwin.DataImport.Crs;
using GeoTwin.DataImport.Import;
using NetTopologySuite.IO.Esri;
using NetTopologySuite.IO.Esri.Shapefiles.Readers;

namespace GeoTwin.DataImport.Reading;

/// <summary>
/// An Esri Shapefile (.shp + .dbf, with .prj for the CRS and .cpg for the text encoding). Without a .cpg
/// or a DBF language-driver byte, Chinese DBFs are usually GBK, so the bytes decide between UTF-8 and GBK.
/// </summary>
public sealed class ShapefileReader : ISourceReader
{
    readonly NetTopologySuite.IO.Esri.Shapefiles.Readers.ShapefileReader _reader;
    long _row;

    public ShapefileReader(string shpPath)
    {
        var dbf = Path.ChangeExtension(shpPath, ".dbf");
        if (!File.Exists(dbf)) throw new ImportRefusedException($"the Shapefile {Path.GetFileName(shpPath)} has no .dbf beside it");
        var prj = Sibling(shpPath, ".prj");
        if (prj is not null)
        {
            var wkt = File.ReadAllText(prj);
            DeclaredSrid = CrsNames.FromWkt(wkt);
            if (DeclaredSrid is null) UnrecognizedCrs = CrsNames.NameOf(wkt) ?? wkt;
        }
        Encoding = (Sibling(shpPath, ".cpg") is { } cpg ? TextEncodings.FromName(File.ReadAllText(cpg)) : null)
            ?? (HasLanguageDriver(dbf) ? null : TextEncodings.Detect(dbf));
        try
        {
            _reader = Shapefile.OpenRead(shpPath, new ShapefileReaderOptions { Encoding = Encoding });
        }
        catch (Exception e) when (e is ShapefileException or IOException or NotSupportedException or ArgumentException)
        {
            throw new ImportRefusedException($"cannot read the Shapefile {Path.GetFileName(shpPath)}: {e.Message}", e);
        }
    }

    /// <summary>The .dbf text encoding chosen (null: the one its language-driver byte names).</summary>
    public Encoding? Encoding { get; }
    public int? DeclaredSrid { get; }
    public string? UnrecognizedCrs { get; }
    public double Progress => _reader.RecordCount == 0 ? 1 : Math.Min(1, (double)_row / _reader.RecordCount);

    public IEnumerable<SourceRecord> Read(CancellationToken ct = default)
    {
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            bool more, deleted;
            NetTopologySuite.Features.Feature feature;
            try { more = _reader.Read(out deleted, out feature); }
            catch (Exception e) when (e is ShapefileException or IOException or ArgumentException or InvalidOperationException)
            {
                throw new ImportRefusedException($"the Shapefile is damaged at record {_row + 1}: {e.Message}", e);
            }
            if (!more) yield break;
            _row++;
            if (deleted) continue;
            var fields = new Dictionary<string, string?>();
            foreach (var name in feature.Attributes.GetNames()) fields[name] = FieldText.Of(feature.Attributes[name]);
            var geometry = feature.Geometry is { IsEmpty: false } g ? g : null;
            yield return new SourceRecord(_row, geometry, fields);
        }
    }

    /// <summary>.prj / .PRJ: files from Windows tools come in either case.</summary>
    static string? Sibling(string shpPath, string extension) =>
        new[] { extension, extension.ToUpperInvariant() }.Select(e => Path.ChangeExtension(shpPath, e)).FirstOrDefault(File.Exists);

    static bool HasLanguageDriver(string dbf)
    {
        using var s = File.OpenRead(dbf);
        s.Position = 29;
        return s.ReadByte() is > 0;
    }

    public void Dispose() => _reader.Dispose();
}
