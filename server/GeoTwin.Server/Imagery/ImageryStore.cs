using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using GeoTwin.Tiling.Tiles;
using Microsoft.Data.Sqlite;

namespace GeoTwin.Server.Imagery;

/// <summary>
/// Raster base imagery a bureau drops into a folder: XYZ tile folders ({name}/{z}/{x}/{y}.png|jpg|jpeg|webp)
/// and MBTiles files ({name}.mbtiles, SQLite with TMS rows). The catalog is rescanned when the folder's
/// listing changes; tiles are only ever read through a catalog entry and integer z/x/y, so no request
/// can name a path of its own.
/// </summary>
public sealed class ImageryStore(string folder)
{
    static readonly Dictionary<string, string> MediaTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["png"] = "image/png", ["jpg"] = "image/jpeg", ["jpeg"] = "image/jpeg", ["webp"] = "image/webp",
    };

    sealed record Entry(ImagerySource Source, string Path);

    readonly Lock _lock = new();
    Dictionary<string, Entry> _catalog = new();
    string _stamp = "";

    public string Folder => folder;

    public IReadOnlyList<ImagerySource> List() => [.. Catalog().Values.Select(e => e.Source).OrderBy(s => s.Name, StringComparer.Ordinal)];

    public bool Exists(string name) => Catalog().ContainsKey(name);

    /// <returns>the tile, or null when the source has none at z/x/y (y counted from the north, XYZ)</returns>
    public ImageryTile? Tile(string name, int z, int x, int y)
    {
        if (!Catalog().TryGetValue(name, out var entry)) return null;
        if (z < entry.Source.MinZoom || z > entry.Source.MaxZoom) return null;
        return entry.Source.Kind == "mbtiles" ? MbTile(entry, z, x, y) : FolderTile(entry, z, x, y);
    }

    static ImageryTile? FolderTile(Entry entry, int z, int x, int y)
    {
        foreach (var (ext, mediaType) in MediaTypes)
        {
            var file = new FileInfo(Path.Combine(entry.Path, z.ToString(CultureInfo.InvariantCulture), x.ToString(CultureInfo.InvariantCulture), $"{y}.{ext}"));
            if (!file.Exists) continue;
            return new ImageryTile(File.ReadAllBytes(file.FullName), mediaType, $"\"{file.Length:x}-{file.LastWriteTimeUtc.Ticks:x}\"");
        }
        return null;
    }

    static ImageryTile? MbTile(Entry entry, int z, int x, int y)
    {
        using var conn = Open(entry.Path);
        using var cmd = conn.CreateCommand();
        cmd.CommandText = "SELECT tile_data FROM tiles WHERE zoom_level = $z AND tile_column = $x AND tile_row = $y";
        cmd.Parameters.AddWithValue("$z", z);
        cmd.Parameters.AddWithValue("$x", x);
        cmd.Parameters.AddWithValue("$y", (1 << z) - 1 - y); // MBTiles rows count from the south (TMS)
        if (cmd.ExecuteScalar() is not byte[] bytes) return null;
        return new ImageryTile(bytes, MediaTypes.GetValueOrDefault(entry.Source.Format, "application/octet-stream"),
            $"\"{Convert.ToHexString(SHA256.HashData(bytes))[..20]}\"");
    }

    static SqliteConnection Open(string path)
    {
        var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly }.ToString());
        conn.Open();
        return conn;
    }

    Dictionary<string, Entry> Catalog()
    {
        var stamp = Stamp();
        lock (_lock)
        {
            if (stamp == _stamp) return _catalog;
            var catalog = new Dictionary<string, Entry>(StringComparer.Ordinal);
            if (Directory.Exists(folder))
                foreach (var path in Directory.EnumerateFileSystemEntries(folder))
                    if (Read(path) is { } entry) catalog.TryAdd(entry.Source.Name, entry);
            (_catalog, _stamp) = (catalog, stamp);
            return catalog;
        }
    }

    /// <summary>What the folder holds now, cheaply: names, sizes and times of its direct entries.</summary>
    string Stamp()
    {
        if (!Directory.Exists(folder)) return "none";
        return string.Join('|', new DirectoryInfo(folder).EnumerateFileSystemInfos()
            .Select(i => $"{i.Name}:{(i as FileInfo)?.Length}:{i.LastWriteTimeUtc.Ticks}").Order(StringComparer.Ordinal));
    }

    /// <summary>A name is what goes into the URL: letters, digits, dot, dash and underscore only.</summary>
    public static bool IsGoodName(string name) =>
        name.Length is > 0 and <= 64 && name[0] != '.' && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    static Entry? Read(string path)
    {
        try
        {
            if (Directory.Exists(path)) return ReadFolder(path);
            if (path.EndsWith(".mbtiles", StringComparison.OrdinalIgnoreCase)) return ReadMbTiles(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SqliteException or JsonException or FormatException)
        {
            Cli.Say($"imagery: skipping {path}: {e.Message}");
        }
        return null;
    }

    static Entry? ReadFolder(string path)
    {
        var name = Path.GetFileName(path);
        if (!IsGoodName(name)) return null;
        var zooms = Directory.EnumerateDirectories(path).Select(Path.GetFileName)
            .Select(n => int.TryParse(n, NumberStyles.None, CultureInfo.InvariantCulture, out var z) && z <= TileAddress.MaxZoom ? z : -1)
            .Where(z => z >= 0).Order().ToList();
        if (zooms.Count == 0) return null;
        // Format and bounds from the lowest zoom: the fewest files to look at.
        var (minX, maxX, minY, maxY, format) = (int.MaxValue, -1, int.MaxValue, -1, (string?)null);
        foreach (var xDir in Directory.EnumerateDirectories(Path.Combine(path, zooms[0].ToString(CultureInfo.InvariantCulture))))
        {
            if (!int.TryParse(Path.GetFileName(xDir), NumberStyles.None, CultureInfo.InvariantCulture, out var x)) continue;
            foreach (var file in Directory.EnumerateFiles(xDir))
            {
                var ext = Path.GetExtension(file).TrimStart('.');
                if (!MediaTypes.ContainsKey(ext) || !int.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out var y)) continue;
                format ??= ext.ToLowerInvariant() == "jpeg" ? "jpg" : ext.ToLowerInvariant();
                (minX, maxX, minY, maxY) = (Math.Min(minX, x), Math.Max(maxX, x), Math.Min(minY, y), Math.Max(maxY, y));
            }
        }
        if (format is null) return null;
        var nw = new TileAddress(zooms[0], minX, minY).Bounds();
        var se = new TileAddress(zooms[0], maxX, maxY).Bounds();
        string? attribution = null;
        double[] bounds = [nw.West, se.South, se.East, nw.North];
        var metadata = Path.Combine(path, "metadata.json");
        if (File.Exists(metadata))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(metadata));
            if (doc.RootElement.TryGetProperty("attribution", out var a) && a.ValueKind == JsonValueKind.String) attribution = a.GetString();
            if (doc.RootElement.TryGetProperty("bounds", out var b) && ParseBounds(b.ValueKind == JsonValueKind.Array
                    ? string.Join(',', b.EnumerateArray().Select(v => v.ToString())) : b.ToString()) is { } given) bounds = given;
        }
        return new Entry(new ImagerySource(name, "xyz", format, bounds, zooms[0], zooms[^1], attribution, TilesUrl(name)), path);
    }

    static Entry? ReadMbTiles(string path)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        if (!IsGoodName(name)) return null;
        using var conn = Open(path);
        var meta = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        using (var cmd = conn.CreateCommand())
        {
            cmd.CommandText = "SELECT name, value FROM metadata";
            using var r = cmd.ExecuteReader();
            while (r.Read()) if (!r.IsDBNull(0) && !r.IsDBNull(1)) meta[r.GetString(0)] = r.GetString(1);
        }
        var format = meta.GetValueOrDefault("format", "png").ToLowerInvariant() is "jpeg" ? "jpg" : meta.GetValueOrDefault("format", "png").ToLowerInvariant();
        if (!MediaTypes.ContainsKey(format)) return null; // pbf (vector) MBTiles are not base imagery
        int minZoom, maxZoom;
        if (int.TryParse(meta.GetValueOrDefault("minzoom"), CultureInfo.InvariantCulture, out var lo) &&
            int.TryParse(meta.GetValueOrDefault("maxzoom"), CultureInfo.InvariantCulture, out var hi))
            (minZoom, maxZoom) = (lo, hi);
        else
        {
            using var cmd = conn.CreateCommand();
            cmd.CommandText = "SELECT min(zoom_level), max(zoom_level) FROM tiles";
            using var r = cmd.ExecuteReader();
            if (!r.Read() || r.IsDBNull(0)) return null;
            (minZoom, maxZoom) = (r.GetInt32(0), r.GetInt32(1));
        }
        if (minZoom < 0 || maxZoom > TileAddress.MaxZoom || minZoom > maxZoom) return null;
        var bounds = ParseBounds(meta.GetValueOrDefault("bounds")) ?? [-180, -85.0511, 180, 85.0511];
        return new Entry(new ImagerySource(name, "mbtiles", format, bounds, minZoom, maxZoom, meta.GetValueOrDefault("attribution"), TilesUrl(name)), path);
    }

    static double[]? ParseBounds(string? text)
    {
        var parts = text?.Split(',', StringSplitOptions.TrimEntries);
        if (parts is not { Length: 4 }) return null;
        var values = new double[4];
        for (var i = 0; i < 4; i++)
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i])) return null;
        var (w, s, e, n) = (values[0], values[1], values[2], values[3]);
        return w >= -180 && e <= 180 && s >= -90 && n <= 90 && w < e && s < n ? values : null;
    }

    static string TilesUrl(string name) => $"/imagery/{name}/{{z}}/{{x}}/{{y}}";
}
