using System.IO.Compression;
using GeoTwin.DataImport.Import;

namespace GeoTwin.DataImport.Reading;

/// <param name="MaxTotalBytes">Most bytes all entries may expand to together.</param>
/// <param name="MaxRatio">Most an archive may expand relative to its own size (a zip bomb expands thousands of times).</param>
/// <param name="MaxEntries">Most files an archive may hold.</param>
public sealed record ZipLimits(long MaxTotalBytes = 4L << 30, double MaxRatio = 200, int MaxEntries = 1000);

/// <summary>Unpacks an uploaded archive, refusing entries that would land outside the target folder and archives that expand too far.</summary>
public static class SafeZip
{
    public static void ExtractTo(string zipPath, string directory, ZipLimits limits)
    {
        var root = Path.GetFullPath(directory) + Path.DirectorySeparatorChar;
        var zipSize = Math.Max(1, new FileInfo(zipPath).Length);
        var allowed = (long)Math.Min(limits.MaxTotalBytes, limits.MaxRatio * zipSize);
        using var zip = OpenArchive(zipPath);
        if (zip.Entries.Count > limits.MaxEntries)
            throw new ImportRefusedException($"the archive holds {zip.Entries.Count} files; at most {limits.MaxEntries} are allowed");

        foreach (var entry in zip.Entries)
        {
            var target = Path.GetFullPath(Path.Combine(root, entry.FullName));
            if (Path.IsPathRooted(entry.FullName) || entry.FullName.Split('/', '\\').Contains("..") || !target.StartsWith(root, StringComparison.Ordinal))
                throw new ImportRefusedException($"the archive entry '{entry.FullName}' points outside the archive (path traversal); the archive is refused");
        }
        // Declared sizes can lie, so the bytes really written are counted too.
        long written = 0;
        var buffer = new byte[1 << 16];
        foreach (var entry in zip.Entries)
        {
            var target = Path.GetFullPath(Path.Combine(root, entry.FullName));
            if (entry.FullName.EndsWith('/')) { Directory.CreateDirectory(target); continue; }
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            using var input = entry.Open();
            using var output = File.Create(target);
            int read;
            while ((read = input.Read(buffer)) > 0)
            {
                written += read;
                if (written > allowed) throw TooLarge(written, zipSize, limits);
                output.Write(buffer, 0, read);
            }
        }
    }

    static ZipArchive OpenArchive(string path)
    {
        try { return ZipFile.OpenRead(path); }
        catch (InvalidDataException e) { throw new ImportRefusedException($"not a readable zip archive: {e.Message}", e); }
    }

    static ImportRefusedException TooLarge(long written, long zipSize, ZipLimits limits) =>
        new($"the archive expands to more than {written:N0} bytes from {zipSize:N0} (limits: {limits.MaxTotalBytes:N0} bytes in all, " +
            $"{limits.MaxRatio:0}x its size): refused as a possible zip bomb");
}
