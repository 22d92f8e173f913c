using GeoTwin.Server.Infrastructure.Errors;
using GeoTwin.DataImport.Import;
using GeoTwin.DataImport.Photogrammetry;
using GeoTwin.DataImport.Reading;
using Npgsql;

namespace GeoTwin.Server.Twin3d;

/// <summary>Tilesets that come from outside: a folder or a .zip/.3tz of 3D Tiles hosted as given, and ContextCapture OSGB converted.</summary>
public sealed class TilesetSources(NpgsqlDataSource db, Twin3dStore store)
{
    /// <exception cref="Refusal">a name that is not allowed, saying why.</exception>
    public static void CheckName(string? name)
    {
        if (string.IsNullOrEmpty(name) || !TilesetFiles.NamePattern().IsMatch(name))
            throw Refusal.BadRequest("name", "must be 1 to 63 lower-case letters, digits, '-' or '_', starting with a letter or digit");
        if (name == HousesTileset.Name) throw Refusal.BadRequest("name", $"'{name}' is kept for the tileset GeoTwin builds from the houses");
    }

    public async Task<PublishedTileset> RegisterFolderAsync(string folder, string name, string? title, bool outsideOk, CancellationToken ct)
    {
        CheckName(name);
        if (!Directory.Exists(folder)) throw Refusal.BadRequest("folder", $"there is no folder {folder}");
        var staging = store.Files.Stage(name);
        try
        {
            var source = Path.GetFullPath(folder);
            foreach (var file in Directory.EnumerateFiles(source, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint | FileAttributes.Hidden }))
            {
                if (file.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) continue; // ours are made from the files themselves
                var target = Path.Combine(staging, Path.GetRelativePath(source, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
            return await store.PublishAsync(name, title, "hosted", Unwrap(staging), null, outsideOk, null, ct);
        }
        finally { Cleanup(staging); }
    }

    /// <param name="archive">a .zip or .3tz (a zip with tileset.json at its root); unpacked by SafeZip's rules.</param>
    public async Task<PublishedTileset> RegisterArchiveAsync(string archive, string name, string? title, bool outsideOk, ZipLimits limits, CancellationToken ct)
    {
        CheckName(name);
        var staging = store.Files.Stage(name);
        try
        {
            try { SafeZip.ExtractTo(archive, staging, limits); }
            catch (ImportRefusedException e) { throw Refusal.BadRequest("file", e.Message); }
            return await store.PublishAsync(name, title, "hosted", Unwrap(staging), null, outsideOk, null, ct);
        }
        finally { Cleanup(staging); }
    }

    /// <summary>A ContextCapture export (metadata.xml + Data/Tile_*/Tile_*.osgb) converted to 3D Tiles 1.1 and published.</summary>
    /// <param name="progress">0..100 by .osgb files read, and the file.</param>
    public async Task<(PublishedTileset Tileset, IReadOnlyList<string> Warnings)> ConvertOsgbAsync(string folder, string name, string? title, bool outsideOk,
        IProgress<(double Percent, string Phase)>? progress, CancellationToken ct)
    {
        CheckName(name);
        var data = Path.Combine(folder, "Data");
        if (!File.Exists(Path.Combine(folder, "metadata.xml")) || !Directory.Exists(data))
            throw Refusal.BadRequest("file", "an OSGB export has metadata.xml and a Data folder at its top; this one has not");
        var files = Math.Max(1, Directory.EnumerateFiles(data, "*.osgb", SearchOption.AllDirectories).Count());
        var done = 0;
        var staging = store.Files.Stage(name);
        try
        {
            var report = new Progress<string>(file => progress?.Report((90.0 * Interlocked.Increment(ref done) / files, $"converting {file}")));
            PhotogrammetrySummary summary;
            try { summary = await Task.Run(() => PhotogrammetryConverter.Convert(folder, staging, WktForEpsg, report, ct), ct); }
            catch (ArgumentException e) { throw Refusal.BadRequest("file", e.Message); }
            catch (FileNotFoundException e) { throw Refusal.BadRequest("file", e.Message); }
            progress?.Report((95, "publishing"));
            return (await store.PublishAsync(name, title, "photogrammetry", staging, null, outsideOk, null, ct), summary.Warnings);
        }
        finally { Cleanup(staging); }
    }

    string? WktForEpsg(int srid)
    {
        using var cmd = db.CreateCommand("SELECT srtext FROM spatial_ref_sys WHERE srid = $1");
        cmd.Parameters.Add(new() { Value = srid });
        return cmd.ExecuteScalar() as string;
    }

    /// <summary>Archives made by zipping a folder hold one folder with the tileset in it: that folder is the tileset.</summary>
    static string Unwrap(string staging)
    {
        if (File.Exists(Path.Combine(staging, "tileset.json"))) return staging;
        var dirs = Directory.GetDirectories(staging);
        if (dirs.Length == 1 && Directory.GetFiles(staging).Length == 0 && File.Exists(Path.Combine(dirs[0], "tileset.json")))
        {
            var inner = staging + ".inner";
            Directory.Move(dirs[0], inner);
            Directory.Delete(staging);
            Directory.Move(inner, staging);
        }
        return staging;
    }

    static void Cleanup(string staging)
    {
        try { if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true); }
        catch (IOException) { /* the original error matters more */ }
    }
}
