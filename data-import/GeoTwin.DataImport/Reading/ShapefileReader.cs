using System.Buffers.Binary;
using System.Globalization;
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
        if (CheckRecords(shpPath) is { } damage)
            throw new ImportRefusedException($"the Shapefile {Path.GetFileName(shpPath)} is damaged: {damage}");
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

    /// <summary>
    /// Walks the .shp's record headers before the library reads them: the library believes a record's part and point
    /// counts and allocates for them, so a 700-byte file claiming 2^30 points took gigabytes (see <see cref="InputLimits"/>).
    /// Each record must fit in the file and its counts in the record. One seek and a 52-byte read a record.
    /// </summary>
    /// <returns>null when every record is sound; else the first fault, as "record 1: claims 1,073,741,824 points in 112 bytes"</returns>
    internal static string? CheckRecords(string shpPath)
    {
        using var s = new FileStream(shpPath, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
        var length = s.Length;
        if (length < 100) return string.Create(CultureInfo.InvariantCulture, $"{length:N0} bytes, shorter than the 100-byte header");
        Span<byte> head = stackalloc byte[8 + 44];
        long position = 100, record = 0;
        while (position + 8 <= length)
        {
            record++;
            s.Position = position;
            s.ReadExactly(head[..8]);
            long content = 2L * BinaryPrimitives.ReadInt32BigEndian(head[4..]);
            var left = length - position - 8;
            if (content < 4 || content > left)
                return string.Create(CultureInfo.InvariantCulture, $"record {record}: its header claims {content:N0} bytes, {left:N0} are left in the file");
            var start = head.Slice(8, (int)Math.Min(44, content));
            s.ReadExactly(start);
            if (RecordFault(start, content) is { } fault) return $"record {record}: {fault}";
            position += 8 + content;
        }
        return null;
    }

    /// <summary>A record's counts against its length; <paramref name="start"/> holds its first (up to) 44 bytes.</summary>
    static string? RecordFault(ReadOnlySpan<byte> start, long content)
    {
        var type = BinaryPrimitives.ReadInt32LittleEndian(start);
        // The fixed head before the part index, the bytes a part and a point take at least (Z adds a range and a z each).
        var (fixedHead, partBytes, pointBytes, zRange) = type switch
        {
            0 or 1 or 11 or 21 => (0, 0, 0, 0),
            3 or 5 or 23 or 25 => (44, 4, 16, 0),
            13 or 15 => (44, 4, 24, 16),
            8 or 28 => (40, 0, 16, 0),
            18 => (40, 0, 24, 16),
            31 => (44, 8, 24, 16),
            _ => (-1, 0, 0, 0),
        };
        if (fixedHead < 0) return string.Create(CultureInfo.InvariantCulture, $"shape type {type} is not one a Shapefile has");
        if (fixedHead == 0) return null;
        if (content < fixedHead) return string.Create(CultureInfo.InvariantCulture, $"{content:N0} bytes are too few for its shape type {type}");
        long parts = partBytes == 0 ? 0 : BinaryPrimitives.ReadInt32LittleEndian(start[36..]);
        long points = BinaryPrimitives.ReadInt32LittleEndian(start[(partBytes == 0 ? 36 : 40)..]);
        var room = content - fixedHead - zRange;
        return (partBytes == 0 ? null : InputLimits.Overclaim(parts, partBytes, room, "parts", content))
            ?? InputLimits.Overclaim(points, pointBytes, room - parts * partBytes, "points", content);
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
