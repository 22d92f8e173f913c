using GeoTwin.DataImport;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace GeoTwin.Server.Twin3d;

/// <summary>
/// The tileset folder on disk: <c>{root}/{name}/{version}/</c>, one folder a published version, never changed once
/// published. A new version is staged beside it, gzipped, then made current by one row update; the version before
/// it stays on disk so viewers that still hold the old tileset.json finish loading it, older ones are deleted.
/// </summary>
public sealed partial class TilesetFiles(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    public static TilesetFiles From(IConfiguration config) =>
        new(config["GeoTwin:Twin3d:Directory"] ?? Path.Combine(config["GeoTwin:DataDirectory"] ?? ".geotwin", "tilesets"));

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,62}$")]
    public static partial Regex NamePattern();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex VersionPattern();

    // Any file name a tileset may use (spaces, CJK), but no hidden names, separators, drive colons or control characters.
    [GeneratedRegex(@"^[^/\\:\x00-\x1f.][^/\\:\x00-\x1f]{0,254}$")]
    private static partial Regex SegmentPattern();

    static readonly HashSet<string> Compressible = [".json", ".glb", ".b3dm", ".i3dm", ".pnts", ".cmpt", ".subtree", ".bin", ".gltf"];

    public static string ContentType(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".glb" => "model/gltf-binary",
        ".gltf" => "model/gltf+json",
        ".json" => "application/json",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".png" => "image/png",
        ".webp" => "image/webp",
        ".ktx2" => "image/ktx2",
        _ => "application/octet-stream", // .b3dm .i3dm .pnts .cmpt .subtree .bin
    };

    /// <returns>the file a request names inside a published version, or null for anything that is not one
    /// (bad name or version, '..', hidden or .gz names, a folder, a missing file).</returns>
    public string? Resolve(string name, string version, string path)
    {
        if (!NamePattern().IsMatch(name) || !VersionPattern().IsMatch(version)) return null;
        var segments = path.Split('/');
        if (segments.Length > 32 || segments.Any(s => !SegmentPattern().IsMatch(s) || s is "." or "..")) return null;
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) return null;
        var folder = Path.Combine(Root, name, version) + Path.DirectorySeparatorChar;
        var full = Path.GetFullPath(Path.Combine(folder, path));
        return full.StartsWith(folder, StringComparison.Ordinal) && File.Exists(full) ? full : null;
    }

    public string VersionFolder(string name, string version) => Path.Combine(Root, name, version);

    /// <summary>Staging folders are named .staging-{owner}-{guid} (see OwnedFolders), so a start can tell a dead builder's.</summary>
    public const string StagingPrefix = ".staging-";

    /// <summary>Removes the staging folders of builders (on this machine) that are gone; returns how many.</summary>
    public int RemoveLeftoverStaging() =>
        Directory.Exists(Root) ? Directory.GetDirectories(Root).Sum(set => OwnedFolders.RemoveLeftovers(set, StagingPrefix)) : 0;

    /// <summary>A fresh folder for building or unpacking a version, on the same file system so publishing is a rename.</summary>
    public string Stage(string name)
    {
        var dir = Path.Combine(Root, name, $"{StagingPrefix}{OwnedFolders.Self}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>
    /// Moves a finished staging folder to its version folder (gzipping it first). The same content twice is the same
    /// version: the staging copy is dropped and the published one kept.
    /// </summary>
    public void Publish(string name, string staging, string version)
    {
        var target = VersionFolder(name, version);
        if (Directory.Exists(target))
        {
            Directory.Delete(staging, recursive: true);
            return;
        }
        Precompress(staging);
        Directory.Move(staging, target);
    }

    /// <summary>Deletes every version folder of the set but the current one and <paramref name="keep"/> (the one it replaced).</summary>
    public void Prune(string name, string current, string? keep)
    {
        var dir = Path.Combine(Root, name);
        if (!Directory.Exists(dir)) return;
        foreach (var d in Directory.GetDirectories(dir))
        {
            var v = Path.GetFileName(d);
            if (v == current || v == keep || v.StartsWith(StagingPrefix, StringComparison.Ordinal)) continue;
            try { Directory.Delete(d, recursive: true); } catch (IOException) { /* a reader still has it open: next time */ }
        }
    }

    /// <summary>First 16 hex digits of a SHA-256 over every file's relative path and content, in path order.</summary>
    public static string ContentVersion(string folder)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            sha.AppendData(System.Text.Encoding.UTF8.GetBytes(Path.GetRelativePath(folder, file) + "\n"));
            using var s = File.OpenRead(file);
            sha.AppendData(SHA256.HashData(s));
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset())[..16];
    }

    /// <summary>Writes x.gz beside every compressible file where gzip saves at least a tenth.</summary>
    public static void Precompress(string folder)
    {
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => Compressible.Contains(Path.GetExtension(f).ToLowerInvariant())).ToList();
        Parallel.ForEach(files, file =>
        {
            var gz = file + ".gz";
            using (var input = File.OpenRead(file))
            using (var output = File.Create(gz))
            using (var zip = new GZipStream(output, CompressionLevel.SmallestSize))
                input.CopyTo(zip);
            if (new FileInfo(gz).Length > new FileInfo(file).Length * 0.9) File.Delete(gz);
        });
    }

    /// <summary>
    /// The root tileset.json as served at the unversioned URL: every relative uri (content, subtrees, external
    /// tilesets, schemas) gets the prefix <c>v/{version}/</c>, so the content is fetched from immutable, versioned
    /// URLs while the entry point stays stable.
    /// </summary>
    public static byte[] VersionedEntry(byte[] tilesetJson, string version)
    {
        var node = JsonNode.Parse(tilesetJson) ?? throw new InvalidDataException("tileset.json is empty");
        Prefix(node, $"v/{version}/");
        return System.Text.Encoding.UTF8.GetBytes(node.ToJsonString());
    }

    static void Prefix(JsonNode node, string prefix)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o.ToList())
                {
                    if (key is "uri" or "url" or "schemaUri" && value is JsonValue v && v.TryGetValue<string>(out var s) && IsRelative(s))
                        o[key] = prefix + (s.StartsWith("./", StringComparison.Ordinal) ? s[2..] : s);
                    else if (value is not null) Prefix(value, prefix);
                }
                break;
            case JsonArray a:
                foreach (var item in a) if (item is not null) Prefix(item, prefix);
                break;
        }
    }

    static bool IsRelative(string uri) => uri.Length > 0 && !uri.StartsWith('/') && !uri.Contains(':') && !uri.StartsWith("..", StringComparison.Ordinal);
}
