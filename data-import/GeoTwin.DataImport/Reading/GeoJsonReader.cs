using System.Text;
using System.Text.Json;
using GeoTwin.DataImport.Crs;
using GeoTwin.DataImport.Import;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;

namespace GeoTwin.DataImport.Reading;

/// <summary>
/// A GeoJSON FeatureCollection, read feature by feature with Utf8JsonReader over a sliding buffer, so
/// a file of any size needs only as much memory as its largest feature.
/// </summary>
public sealed class GeoJsonReader : ISourceReader
{
    enum Phase { Start, Members, MemberValue, Features, Done }

    readonly FileBuffer _file;
    JsonReaderState _state;
    Phase _phase = Phase.Start;
    string? _member;
    bool _featuresSeen;

    public GeoJsonReader(string path)
    {
        _file = new FileBuffer(path, "a single GeoJSON feature");
        _state = new JsonReaderState(new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
    }

    public int? DeclaredSrid { get; private set; }
    public string? UnrecognizedCrs { get; private set; }
    public double Progress => _file.Progress;

    public IEnumerable<SourceRecord> Read(CancellationToken ct = default)
    {
        long row = 0;
        while (NextFeature() is var (offset, count) && count > 0)
        {
            ct.ThrowIfCancellationRequested();
            yield return GeoJsonFeature.Parse(++row, _file.Bytes.AsSpan(offset, count));
        }
    }

    /// <summary>The next feature's bytes inside the buffer (valid until the next call); count 0 at the end.</summary>
    (int Offset, int Count) NextFeature()
    {
        while (_phase != Phase.Done)
        {
            var reader = new Utf8JsonReader(_file.Unread, _file.AtEnd, _state);
            (int, int) feature = default;
            bool stepped;
            try { stepped = Step(ref reader, ref feature); }
            catch (JsonException e) { throw new ImportRefusedException($"not valid GeoJSON near byte {_file.Position + reader.BytesConsumed:N0}: {e.Message}", e); }
            if (!stepped)
            {
                if (_file.AtEnd) throw new ImportRefusedException("the GeoJSON ends in the middle of a value (truncated file?)");
                _file.Refill();
                continue;
            }
            var start = _file.Start;
            _file.Consume((int)reader.BytesConsumed);
            _state = reader.CurrentState;
            if (feature.Item2 > 0) return (start + feature.Item1, feature.Item2);
        }
        return (0, 0);
    }

    /// <summary>One token (with its whole value when it is one to keep); false, with nothing consumed, when the buffer holds too little.</summary>
    bool Step(ref Utf8JsonReader reader, ref (int Offset, int Count) feature)
    {
        if (!reader.Read()) return false;
        switch (_phase)
        {
            case Phase.Start:
                if (reader.TokenType != JsonTokenType.StartObject) throw new ImportRefusedException("a GeoJSON file must hold one FeatureCollection object");
                _phase = Phase.Members;
                return true;
            case Phase.Members:
                if (reader.TokenType == JsonTokenType.EndObject) { _phase = Phase.Done; return true; }
                _member = reader.GetString();
                _phase = Phase.MemberValue;
                return true;
            case Phase.MemberValue when _member == "features":
                if (reader.TokenType != JsonTokenType.StartArray) throw new ImportRefusedException("the GeoJSON member \"features\" must be an array");
                _featuresSeen = true;
                _phase = Phase.Features;
                return true;
            case Phase.MemberValue:
                var valueStart = (int)reader.TokenStartIndex;
                if (!reader.TrySkip()) return false;
                ReadMember(_member, _file.Unread.Slice(valueStart, (int)reader.BytesConsumed - valueStart));
                _phase = Phase.Members;
                return true;
            case Phase.Features:
                if (reader.TokenType == JsonTokenType.EndArray) { _phase = Phase.Members; return true; }
                if (reader.TokenType != JsonTokenType.StartObject) throw new ImportRefusedException("every element of \"features\" must be a Feature object");
                var featureStart = (int)reader.TokenStartIndex;
                if (!reader.TrySkip()) return false;
                feature = (featureStart, (int)reader.BytesConsumed - featureStart);
                return true;
            default:
                return true;
        }
    }

    void ReadMember(string? name, ReadOnlySpan<byte> json)
    {
        if (name == "type")
        {
            var type = JsonSerializer.Deserialize<string>(json);
            if (type != "FeatureCollection") throw new ImportRefusedException($"the GeoJSON is a {type}; GeoTwin imports a FeatureCollection or newline-delimited features");
        }
        else if (name == "crs")
        {
            using var doc = JsonDocument.Parse(json.ToArray());
            var crsName = doc.RootElement.TryGetProperty("properties", out var p) && p.TryGetProperty("name", out var n) ? n.GetString() : null;
            var srid = CrsNames.FromName(crsName);
            // Records already read were taken as WGS 84; a crs member saying otherwise after them would have been ignored.
            if (_featuresSeen && srid != 4326) throw new ImportRefusedException($"the GeoJSON crs member ({crsName}) comes after the features; move it before \"features\" or pass --srid");
            DeclaredSrid = srid;
            UnrecognizedCrs = srid is null ? crsName ?? doc.RootElement.GetRawText() : null;
        }
    }

    public void Dispose() => _file.Dispose();
}

/// <summary>
/// Newline-delimited GeoJSON (GeoJSONSeq / NDJSON): one Feature a line. A bad line is a bad row, not a bad file,
/// since every other line still stands on its own.
/// </summary>
public sealed class GeoJsonLinesReader(string path) : ISourceReader
{
    readonly FileBuffer _file = new(path, "a line");

    public int? DeclaredSrid => null;
    public double Progress => _file.Progress;

    public IEnumerable<SourceRecord> Read(CancellationToken ct = default)
    {
        long line = 0;
        while (true)
        {
            var newline = _file.Unread.IndexOf((byte)'\n');
            if (newline < 0 && !_file.AtEnd) { _file.Refill(); continue; }
            if (newline < 0 && _file.Unread.IsEmpty) yield break;
            var length = newline < 0 ? _file.Unread.Length : newline;
            var (start, trimmed) = (_file.Start, TrimmedRange(_file.Unread[..length]));
            _file.Consume(newline < 0 ? length : length + 1);
            line++;
            ct.ThrowIfCancellationRequested();
            if (trimmed.Length == 0) continue;
            yield return GeoJsonFeature.Parse(line, _file.Bytes.AsSpan(start + trimmed.Offset, trimmed.Length));
        }
    }

    /// <summary>Without blanks, and without the record separator RFC 8142 puts before each text.</summary>
    static (int Offset, int Length) TrimmedRange(ReadOnlySpan<byte> line)
    {
        var trimmed = line.Trim("\r\t \u001e"u8);
        return trimmed.IsEmpty ? (0, 0) : (line.IndexOf(trimmed), trimmed.Length);
    }

    public void Dispose() => _file.Dispose();
}

/// <summary>
/// A file read through a buffer that slides forward and grows to hold the largest single item (a feature,
/// a line), so streaming readers keep memory flat in file size. Bytes stay put until consumed or refilled.
/// </summary>
sealed class FileBuffer(string path, string item) : IDisposable
{
    readonly FileStream _stream = new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
    int _end;
    long _offset;

    public byte[] Bytes { get; private set; } = new byte[1 << 16];
    public int Start { get; private set; }
    public bool AtEnd { get; private set; }
    public ReadOnlySpan<byte> Unread => Bytes.AsSpan(Start, _end - Start);
    /// <summary>Bytes consumed since the start of the file.</summary>
    public long Position => _offset + Start;
    public double Progress => _stream.Length == 0 ? 1 : Math.Min(1, (double)Position / _stream.Length);

    public void Consume(int count) => Start += count;

    public void Refill()
    {
        if (Start > 0)
        {
            Buffer.BlockCopy(Bytes, Start, Bytes, 0, _end - Start);
            (_offset, _end, Start) = (_offset + Start, _end - Start, 0);
        }
        if (_end == Bytes.Length)
        {
            if (InputLimits.TooLarge(2L * Bytes.Length, item) is { } tooLarge) throw new ImportRefusedException(tooLarge);
            var grown = new byte[Bytes.Length * 2];
            Buffer.BlockCopy(Bytes, 0, grown, 0, _end);
            Bytes = grown;
        }
        var read = _stream.Read(Bytes, _end, Bytes.Length - _end);
        if (read == 0) AtEnd = true;
        _end += read;
    }

    public void Dispose() => _stream.Dispose();
}

/// <summary>One GeoJSON Feature object to a record: geometry through NTS, properties as text.</summary>
static class GeoJsonFeature
{
    static readonly JsonSerializerOptions GeometryOptions = new() { Converters = { new GeoJsonConverterFactory(new GeometryFactory()) } };

    public static SourceRecord Parse(long row, ReadOnlySpan<byte> json)
    {
        var fields = new Dictionary<string, string?>();
        Geometry? geometry = null;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        string member = "feature";
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return new SourceRecord(row, null, fields, "feature: not a JSON object");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                member = reader.GetString()!;
                reader.Read();
                switch (member)
                {
                    case "geometry":
                        geometry = JsonSerializer.Deserialize<Geometry>(ref reader, GeometryOptions);
                        break;
                    case "properties" when reader.TokenType == JsonTokenType.StartObject:
                        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                        {
                            var name = reader.GetString()!;
                            reader.Read();
                            fields[name] = ValueText(ref reader, json);
                        }
                        break;
                    case "id":
                        fields.TryAdd("id", ValueText(ref reader, json));
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }
            return new SourceRecord(row, geometry, fields);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or FormatException)
        {
            return new SourceRecord(row, null, fields, $"{member}: {e.Message}");
        }
    }

    /// <summary>Strings as they are, numbers as written in the file, objects and arrays as their JSON text.</summary>
    static string? ValueText(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String: return reader.GetString();
            case JsonTokenType.Null: return null;
            case JsonTokenType.True: return "true";
            case JsonTokenType.False: return "false";
            case JsonTokenType.Number: return Encoding.UTF8.GetString(reader.ValueSpan);
            default:
                var start = (int)reader.TokenStartIndex;
                reader.Skip(); // onto the closing bracket
                return Encoding.UTF8.GetString(json[start..((int)reader.TokenStartIndex + 1)]);
        }
    }
}
