using GeoTwin.DataImport.Import;

namespace GeoTwin.DataImport.Reading;

/// <param name="Csv">Coordinate columns of a CSV, when not found by their usual names.</param>
/// <param name="Table">The GeoPackage table, when it holds more than one.</param>
/// <param name="Layer">The GeoTwin layer being imported: an OSM file is read for what feeds it.</param>
public sealed record SourceOptions(CsvColumns? Csv = null, string? Table = null, ZipLimits? Zip = null, string? Layer = null);

/// <summary>Picks the reader by file extension; a .zip is unpacked (safely) and the one data file in it is read.</summary>
public static class SourceFiles
{
    static readonly string[] DataExtensions = [".shp", ".gpkg", ".geojson", ".json", ".ndjson", ".geojsonl", ".geojsons", ".jsonl", ".csv", ".tsv", ".txt"];

    public static ISourceReader Open(string path, SourceOptions? options = null)
    {
        options ??= new SourceOptions();
        if (!File.Exists(path)) throw new ImportRefusedException($"no such file: {path}");
        var extension = Path.GetExtension(path).ToLowerInvariant();
        return extension switch
        {
            ".zip" => OpenZip(path, options),
            ".shp" => new ShapefileReader(path),
            ".gpkg" => new GeoPackageReader(path, options.Table),
            ".geojson" or ".json" => new GeoJsonReader(path),
            ".ndjson" or ".geojsonl" or ".geojsons" or ".jsonl" => new GeoJsonLinesReader(path),
            ".csv" or ".tsv" or ".txt" => new CsvReader(path, options.Csv),
            ".pbf" => Osm.OsmImportFields.Open(path, options.Layer),
            _ => throw new ImportRefusedException($"cannot import a '{extension}' file: GeoTwin reads .geojson, .ndjson, .csv, .shp, .gpkg, .osm.pbf and .zip archives of them"),
        };
    }

    static ISourceReader OpenZip(string path, SourceOptions options)
    {
        var directory = OwnedFolders.CreateTemp("zip").FullName;
        try
        {
            SafeZip.ExtractTo(path, directory, options.Zip ?? new ZipLimits());
            var files = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
                .Where(f => !f.Contains("__MACOSX") && DataExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                .ToList();
            // A Shapefile's .dbf/.prj are not data files of their own; any other text file beside a .shp is a readme.
            var shapefiles = files.Where(f => Path.GetExtension(f).Equals(".shp", StringComparison.OrdinalIgnoreCase)).ToList();
            var data = shapefiles.Count > 0 ? shapefiles : files;
            if (data.Count != 1)
                throw new ImportRefusedException(data.Count == 0
                    ? "the archive holds no file GeoTwin can import (.shp, .gpkg, .geojson, .ndjson, .csv)"
                    : $"the archive holds {data.Count} data files ({string.Join(", ", data.Select(Path.GetFileName))}); import one at a time");
            return new Extracted(Open(data[0], options), directory);
        }
        catch
        {
            Delete(directory);
            throw;
        }
    }

    static void Delete(string directory)
    {
        try { if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true); } catch (IOException) { }
    }

    /// <summary>A reader over files unpacked from an archive; the files go when it is disposed.</summary>
    sealed class Extracted(ISourceReader inner, string directory) : ISourceReader
    {
        public int? DeclaredSrid => inner.DeclaredSrid;
        public string? UnrecognizedCrs => inner.UnrecognizedCrs;
        public double Progress => inner.Progress;
        public IEnumerable<SourceRecord> Read(CancellationToken ct = default) => inner.Read(ct);

        public void Dispose()
        {
            inner.Dispose();
            Delete(directory);
        }
    }
}
