using System.Globalization;
using System.Text;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;

namespace GeoTwin.DataImport.Reading;

/// <summary>Which columns hold the coordinates; null means "find it by its usual names".</summary>
public sealed record CsvColumns(string? Lon = null, string? Lat = null, string? Wkt = null);

/// <summary>
/// A delimited text file (comma, semicolon, tab or bar, RFC 4180 quoting with fields across lines), UTF-8 or GBK,
/// with or without a header row; geometry from longitude/latitude columns or a WKT column.
/// </summary>
public sealed class CsvReader : ISourceReader
{
    static readonly string[] LonNames = ["lon", "lng", "long", "longitude", "x", "经度", "pointx", "coordx", "东经"];
    static readonly string[] LatNames = ["lat", "latitude", "y", "纬度", "pointy", "coordy", "北纬"];
    static readonly string[] WktNames = ["wkt", "geometry", "geom", "thegeom", "shape", "wktgeom", "几何"];

    readonly FileStream _stream;
    readonly StreamReader _text;
    readonly CsvColumns _columns;
    readonly GeometryFactory _factory = new();

    readonly string _path;

    public CsvReader(string path, CsvColumns? columns = null)
    {
        _path = path;
        Encoding = TextEncodings.Detect(path);
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        _text = new StreamReader(_stream, Encoding, detectEncodingFromByteOrderMarks: true, 1 << 16);
        _columns = columns ?? new CsvColumns();
    }

    public Encoding Encoding { get; }
    /// <summary>The longest record (two bytes a character in memory): <see cref="InputLimits.MaxItemBytes"/>; smaller in tests.</summary>
    internal long MaxRecordChars { get; init; } = InputLimits.MaxItemBytes / 2;
    public int? DeclaredSrid => null;
    public double Progress => _stream.Length == 0 ? 1 : (double)_stream.Position / _stream.Length;

    public IEnumerable<SourceRecord> Read(CancellationToken ct = default)
    {
        var parser = new Parser(_text, DetectDelimiter(_path, Encoding), MaxRecordChars);
        var first = parser.Next();
        if (first is null) yield break;
        // Headers hold names, never numbers or geometry.
        var hasHeader = !first.Cells.Any(c => IsNumber(c) || LooksLikeWkt(c));
        var names = hasHeader ? UniqueNames(first.Cells) : [.. first.Cells.Select((_, i) => $"col{i + 1}")];
        var (lon, lat, wkt) = GeometryColumns(names, hasHeader ? null : first.Cells);
        var wktReader = new WKTReader();

        for (var record = hasHeader ? parser.Next() : first; record is not null; record = parser.Next())
        {
            ct.ThrowIfCancellationRequested();
            if (record.Cells.Count == 1 && record.Cells[0].Length == 0) continue; // blank line
            var fields = new Dictionary<string, string?>(names.Length);
            for (var i = 0; i < names.Length; i++)
                fields[names[i]] = i < record.Cells.Count && record.Cells[i].Length > 0 ? record.Cells[i] : null;
            string? error = record.Cells.Count > names.Length ? $"row: {record.Cells.Count} fields, the header has {names.Length}" : null;
            Geometry? geometry = null;
            if (error is null)
            {
                if (wkt >= 0 && fields[names[wkt]] is { } text)
                {
                    try { geometry = wktReader.Read(text); }
                    catch (Exception e) when (e is ParseException or ArgumentException or FormatException) { error = $"{names[wkt]}: not valid WKT ({e.Message})"; }
                }
                else if (lon >= 0 && lat >= 0 && fields[names[lon]] is { } x && fields[names[lat]] is { } y)
                {
                    if (!TryNumber(x, out var vx)) error = $"{names[lon]}: '{x}' is not a number";
                    else if (!TryNumber(y, out var vy)) error = $"{names[lat]}: '{y}' is not a number";
                    else geometry = _factory.CreatePoint(new Coordinate(vx, vy));
                }
            }
            yield return new SourceRecord(record.Line, geometry, fields, error);
        }
    }

    (int Lon, int Lat, int Wkt) GeometryColumns(string[] names, List<string>? firstRow)
    {
        int Find(string? chosen, string[] usual)
        {
            if (chosen is not null)
                return Array.FindIndex(names, n => string.Equals(n, chosen, StringComparison.OrdinalIgnoreCase)) is var i and >= 0
                    ? i : throw new Import.ImportRefusedException($"the CSV has no column '{chosen}' (it has: {string.Join(", ", names)})");
            foreach (var u in usual)
                if (Array.FindIndex(names, n => Normalize(n) == u) is var j and >= 0) return j;
            return -1;
        }
        var (lon, lat, wkt) = (Find(_columns.Lon, LonNames), Find(_columns.Lat, LatNames), Find(_columns.Wkt, WktNames));
        if (firstRow is not null && lon < 0 && wkt < 0)
        {
            // No header: a WKT cell, else the first two neighbouring numeric cells, are the geometry.
            wkt = firstRow.FindIndex(LooksLikeWkt);
            if (wkt < 0)
                for (var i = 0; i + 1 < firstRow.Count && lon < 0; i++)
                    if (IsNumber(firstRow[i]) && IsNumber(firstRow[i + 1])) (lon, lat) = (i, i + 1);
        }
        return (lon, lat, wkt);
    }

    static string[] UniqueNames(List<string> header)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        return [.. header.Select((h, i) =>
        {
            var name = h.Trim().TrimStart('\uFEFF');
            if (name.Length == 0) name = $"col{i + 1}";
            var unique = name;
            for (var n = 2; !seen.Add(unique); n++) unique = $"{name}_{n}";
            return unique;
        })];
    }

    internal static string Normalize(string name) => new([.. name.Trim().ToLowerInvariant().Where(c => c is not ('_' or ' ' or '-' or ':' or '.'))]);
    static bool IsNumber(string s) => TryNumber(s, out _);
    static bool TryNumber(string s, out double value) => double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    static bool LooksLikeWkt(string s) => s.TrimStart().StartsWith("POINT", StringComparison.OrdinalIgnoreCase)
        || s.TrimStart().StartsWith("LINESTRING", StringComparison.OrdinalIgnoreCase) || s.TrimStart().StartsWith("POLYGON", StringComparison.OrdinalIgnoreCase)
        || s.TrimStart().StartsWith("MULTI", StringComparison.OrdinalIgnoreCase);

    public void Dispose() => _text.Dispose();

    sealed record Row(long Line, List<string> Cells);

    /// <summary>Whichever of , ; tab | the first line uses most outside quotes (comma when none).</summary>
    static char DetectDelimiter(string path, Encoding encoding)
    {
        using var reader = new StreamReader(path, encoding, detectEncodingFromByteOrderMarks: true);
        var counts = new Dictionary<char, int> { [','] = 0, [';'] = 0, ['\t'] = 0, ['|'] = 0 };
        var quoted = false;
        for (int c, n = 0; (c = reader.Read()) >= 0 && n < 1 << 20; n++)
        {
            if (c == '"') quoted = !quoted;
            else if (!quoted && c == '\n') break;
            else if (!quoted && counts.ContainsKey((char)c)) counts[(char)c]++;
        }
        return counts.MaxBy(kv => kv.Value) is { Value: > 0 } best ? best.Key : ',';
    }

    /// <summary>RFC 4180 records: quoted fields may hold delimiters, doubled quotes and line breaks.</summary>
    /// <param name="maxChars">the longest record, in characters (two bytes each in memory)</param>
    sealed class Parser(TextReader text, char delimiter, long maxChars)
    {
        readonly StringBuilder _cell = new();
        long _line = 1;

        public Row? Next()
        {
            if (text.Peek() < 0) return null;
            var start = _line;
            var cells = new List<string>();
            var quoted = false;
            long size = 0;
            int c;
            while ((c = text.Read()) >= 0)
            {
                // A quote left open makes the rest of the file one cell: the record is bounded like any reader's item.
                if (++size > maxChars) throw new Import.ImportRefusedException($"line {start:N0}: a record longer than {maxChars:N0} characters (an unclosed quote?)");
                if (quoted)
                {
                    if (c == '"' && text.Peek() == '"') { text.Read(); _cell.Append('"'); }
                    else if (c == '"') quoted = false;
                    else
                    {
                        if (c == '\n') _line++;
                        _cell.Append((char)c);
                    }
                }
                else if (c == '"' && _cell.Length == 0) quoted = true;
                else if (c == delimiter) { cells.Add(_cell.ToString()); _cell.Clear(); }
                else if (c == '\n') { _line++; break; }
                else if (c != '\r') _cell.Append((char)c);
            }
            cells.Add(_cell.ToString());
            _cell.Clear();
            return new Row(start, cells);
        }
    }
}
