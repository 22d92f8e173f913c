using System.Security.Cryptography;
using GeoTwin.Tiling.Extrusion;
using GeoTwin.Tiling.Gltf;
using NetTopologySuite.Geometries;

namespace GeoTwin.Tiling.Tilesets;

/// <summary>
/// Extruded footprints in, a 3D Tiles 1.1 tileset of GLB tiles out. Two passes, memory bounded by one tile per
/// worker: the first reads the input once, checks every feature and parks it in a spill file while keeping only
/// its bounding box and size; the tree is planned from those; the second pass reads back one tile's features at
/// a time, extrudes them, writes the GLB and drops it.
/// <para/>
/// The output appears only complete: tiles go to a staging folder that becomes <c>outputDirectory</c> at the end,
/// and bad input is found in the first pass, before any tile is written.
/// Same input in the same order, same options: byte-identical files.
/// </summary>
public static class TilesetBuilder
{
    /// <summary>Every tile's property table starts with this: the feature's <see cref="ExtrudedFeature.Id"/>.</summary>
    public const string IdProperty = "id";

    /// <param name="features">footprints with heights and one value per property of <paramref name="featureClass"/>.
    /// Give them in a stable order (e.g. by id) for reproducible files.</param>
    /// <param name="featureClass">the properties a click on a feature shows, without <see cref="IdProperty"/> (added first).</param>
    /// <param name="outputDirectory">must not exist or be empty; holds tileset.json and tiles/{level}/{x}_{y}.glb when done.</param>
    /// <exception cref="ArgumentException">bad input, naming the feature (nothing is left behind).</exception>
    public static TilesetSummary Build(
        IEnumerable<ExtrudedFeature> features,
        FeatureClass featureClass,
        string outputDirectory,
        TilesetOptions? options = null,
        IProgress<TilesetProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(featureClass);
        options ??= new TilesetOptions();
        options.Validate();
        if (featureClass.Properties.Any(p => p.Name == IdProperty))
            throw new ArgumentException($"property '{IdProperty}' is reserved: the builder writes each feature's Id there", nameof(featureClass));
        var output = Path.GetFullPath(outputDirectory);
        if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any())
            throw new ArgumentException($"the output directory {output} is not empty", nameof(outputDirectory));

        var staging = output.TrimEnd(Path.DirectorySeparatorChar) + ".partial";
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);
        try
        {
            TilesetSummary summary;
            using (var spill = new FeatureSpill(Path.Combine(staging, "features.spill"), featureClass))
            {
                var entries = Read(features, featureClass, spill, options, progress, cancellationToken);
                if (entries.Count == 0) throw new ArgumentException("there are no features to tile", nameof(features));
                spill.Seal();
                var root = TileTree.Plan(entries, options);
                var tiles = root.DepthFirst().ToList();
                WriteTiles(tiles, entries, spill, featureClass, staging, options, progress, cancellationToken);
                var (version, bytes) = WriteTileset(root, tiles, staging, options);
                summary = new TilesetSummary(entries.Count, tiles.Count, tiles.Max(t => t.Level), version, bytes);
            }
            if (Directory.Exists(output)) Directory.Delete(output);
            Directory.Move(staging, output);
            return summary;
        }
        catch
        {
            try { Directory.Delete(staging, recursive: true); } catch (IOException) { /* the original error matters more */ }
            throw;
        }
    }

    private static List<FeatureEntry> Read(IEnumerable<ExtrudedFeature> features, FeatureClass featureClass, FeatureSpill spill,
        TilesetOptions options, IProgress<TilesetProgress>? progress, CancellationToken cancellationToken)
    {
        var entries = new List<FeatureEntry>();
        long index = 0;
        foreach (var given in features)
        {
            if (given is null) throw new ArgumentException($"feature #{index} is null", nameof(features));
            given.Validate(index, featureClass);
            var f = DisplayFootprint.Simplify(given.Footprint, options.MaxFootprintVertices) is var shown && shown != given.Footprint
                ? given with { Footprint = shown } : given;
            var (offset, length) = spill.Append(f);
            var box = f.Footprint.EnvelopeInternal;
            entries.Add(new FeatureEntry(box.MinX, box.MinY, box.MaxX, box.MaxY, f.BaseHeight, f.RoofHeight, f.Footprint.Area, offset, length));
            if (++index % 10_000 == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Report(new TilesetProgress("reading", index, null));
            }
        }
        return entries;
    }

    private static void WriteTiles(List<TileNode> tiles, List<FeatureEntry> entries, FeatureSpill spill, FeatureClass featureClass,
        string staging, TilesetOptions options, IProgress<TilesetProgress>? progress, CancellationToken cancellationToken)
    {
        var tableClass = new FeatureClass(featureClass.Name, [new PropertyDefinition(IdProperty, PropertyType.String), .. featureClass.Properties]);
        var material = new GltfMaterial(options.Color);
        foreach (var dir in tiles.Select(t => Path.GetDirectoryName(Path.Combine(staging, t.ContentUri!))!).Distinct())
            Directory.CreateDirectory(dir);
        long written = 0;
        Parallel.ForEach(
            tiles,
            new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism, CancellationToken = cancellationToken },
            () => new Worker(tableClass, material),
            (tile, _, worker) =>
            {
                var glb = worker.Tile(tile, entries, spill);
                File.WriteAllBytes(Path.Combine(staging, tile.ContentUri!), glb);
                tile.ContentHash = SHA256.HashData(glb);
                progress?.Report(new TilesetProgress("writing", Interlocked.Increment(ref written), tiles.Count));
                return worker;
            },
            _ => { });
    }

    /// <summary>What one thread reuses from tile to tile.</summary>
    private sealed class Worker(FeatureClass tableClass, GltfMaterial material)
    {
        private readonly PrismExtruder _extruder = new();
        private readonly MeshBuilder _mesh = new(featureIds: true);
        private readonly PropertyTable _table = new(tableClass);
        private readonly GeometryFactory _factory = new();
        private readonly object?[] _row = new object?[tableClass.Properties.Count];
        private byte[] _buffer = new byte[4096];

        public byte[] Tile(TileNode tile, List<FeatureEntry> entries, FeatureSpill spill)
        {
            _mesh.Clear();
            _table.Clear();
            for (var id = 0; id < tile.Content.Length; id++)
            {
                var entry = entries[tile.Content[id]];
                var f = spill.Read(entry.Offset, entry.Length, ref _buffer, _factory);
                _row[0] = f.Id;
                for (var p = 0; p < f.Properties.Count; p++) _row[p + 1] = f.Properties[p];
                _table.Add(_row);
                _extruder.Extrude(f.Footprint, f.BaseHeight, f.RoofHeight, tile.Frame!, _mesh, id);
            }
            var document = new GltfDocument { Features = _table };
            document.Materials.Add(material);
            document.Primitives.Add(new GltfPrimitive(_mesh, 0));
            return GlbWriter.ToBytes(document);
        }
    }

    private static (string Version, long Bytes) WriteTileset(TileNode root, List<TileNode> tiles, string staging, TilesetOptions options)
    {
        var version = options.Version;
        if (version is null)
        {
            // The tree as written plus every tile's bytes: any change to either gives a new version.
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            hash.AppendData(TilesetJson.Write(root, options.Refine, version: null));
            foreach (var t in tiles) hash.AppendData(t.ContentHash);
            version = Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
        }
        File.WriteAllBytes(Path.Combine(staging, "tileset.json"), TilesetJson.Write(root, options.Refine, version));
        var bytes = tiles.Sum(t => new FileInfo(Path.Combine(staging, t.ContentUri!)).Length);
        return (version, bytes);
    }
}
