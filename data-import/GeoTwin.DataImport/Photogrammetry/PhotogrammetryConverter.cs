using GeoTwin.Tiling.Geodesy;
using GeoTwin.Tiling.Gltf;
using GeoTwin.Tiling.Tilesets;

namespace GeoTwin.DataImport.Photogrammetry;

public sealed record PhotogrammetrySummary(int TileCount, int Depth, IReadOnlyList<string> Warnings);

/// <summary>
/// A ContextCapture OSGB tile set (metadata.xml + Data/Tile_*/Tile_*.osgb) to 3D Tiles 1.1 with GLB content.
/// The PagedLOD tree is kept as the tile tree (refine REPLACE: a child file replaces its parent's coarser mesh),
/// textures are kept, vertices are georeferenced through metadata.xml and written in each tile's ENU frame.
/// </summary>
public static class PhotogrammetryConverter
{
    /// <summary>Cesium's default maximumScreenSpaceError: the pixels a geometric error is compared with.</summary>
    private const double CesiumScreenSpaceError = 16;

    public static PhotogrammetrySummary Convert(string datasetFolder, string outputDirectory, Func<int, string?>? wktForEpsg = null,
        IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var metadata = ContextCaptureMetadata.Load(Path.Combine(datasetFolder, "metadata.xml"), wktForEpsg);
        var data = Path.Combine(datasetFolder, "Data");
        if (!Directory.Exists(data)) throw new ArgumentException($"{datasetFolder} has no Data folder: is it a ContextCapture OSGB export?", nameof(datasetFolder));
        var output = Path.GetFullPath(outputDirectory);
        if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any())
            throw new ArgumentException($"the output directory {output} is not empty", nameof(outputDirectory));
        var staging = output.TrimEnd(Path.DirectorySeparatorChar) + ".partial";
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(Path.Combine(staging, "tiles"));
        try
        {
            var run = new Run(metadata, staging, progress, cancellationToken);
            var root = new TilesetTile();
            foreach (var folder in Directory.GetDirectories(data, "Tile_*").Order(StringComparer.Ordinal))
            {
                var rootFile = Path.Combine(folder, Path.GetFileName(folder) + ".osgb");
                if (!File.Exists(rootFile))
                {
                    run.Warnings.Add($"{Path.GetFileName(folder)} has no {Path.GetFileName(rootFile)}: that tile is skipped");
                    continue;
                }
                root.Children.AddRange(run.File(rootFile, depth: 1));
            }
            if (root.Children.Count == 0) throw new ArgumentException($"{data} holds no Tile_*/Tile_*.osgb to convert", nameof(datasetFolder));
            foreach (var c in root.Children) root.Region = root.Region.Union(c.Region);
            root.GeometricError = Math.Max(1, 2 * root.Children.Max(c => c.GeometricError));
            File.WriteAllBytes(Path.Combine(staging, "tileset.json"), TilesetJson.Write(root, Refinement.Replace, version: null));
            if (Directory.Exists(output)) Directory.Delete(output);
            Directory.Move(staging, output);
            return new PhotogrammetrySummary(run.TileCount, run.Depth, run.Warnings);
        }
        catch
        {
            try { Directory.Delete(staging, recursive: true); } catch (IOException) { /* the original error matters more */ }
            throw;
        }
    }

    private sealed class Run(ContextCaptureMetadata metadata, string staging, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        public List<string> Warnings { get; } = [];
        public int TileCount { get; private set; }
        public int Depth { get; private set; }

        /// <summary>Every PagedLOD of one .osgb becomes a tile, and its child file its children.</summary>
        public List<TilesetTile> File(string path, int depth)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report(Path.GetFileName(path));
            var stem = Path.GetFileNameWithoutExtension(path);
            var tiles = new List<TilesetTile>();
            var nodes = OsgbFile.Read(path);
            for (var i = 0; i < nodes.Count; i++)
            {
                var node = nodes[i];
                var tile = Content(node, $"tiles/{stem}_{i}.glb");
                TileCount++;
                Depth = Math.Max(Depth, depth);
                if (node.ChildFile is { } childName)
                {
                    var childPath = Path.Combine(Path.GetDirectoryName(path)!, childName);
                    if (System.IO.File.Exists(childPath)) tile.Children.AddRange(File(childPath, depth + 1));
                    else Warnings.Add($"{childName}, named by {Path.GetFileName(path)}, is missing: that branch ends there");
                }
                foreach (var c in tile.Children) tile.Region = tile.Region.Union(c.Region);
                // OSG shows the child once the node's bounding sphere covers PixelThreshold pixels; Cesium refines once
                // geometricError covers 16. Both scale with 1/distance, so this error switches at the same distance.
                tile.GeometricError = tile.Children.Count == 0 ? 0
                    : node.PixelThreshold is { } pixels && pixels > 0 ? CesiumScreenSpaceError * 2 * node.Radius / pixels
                    : 2 * node.Radius / CesiumScreenSpaceError;
                tiles.Add(tile);
            }
            return tiles;
        }

        private TilesetTile Content(LodNode node, string uri)
        {
            var tile = new TilesetTile();
            var ecef = node.Meshes.Select(m =>
            {
                var points = new (double X, double Y, double Z)[m.Positions.Length / 3];
                for (var v = 0; v < points.Length; v++) points[v] = metadata.ToEcef(m.Positions[3 * v], m.Positions[3 * v + 1], m.Positions[3 * v + 2]);
                return points;
            }).ToList();
            foreach (var p in ecef.SelectMany(points => points))
            {
                var (lon, lat, h) = Wgs84.ToGeodetic(p.X, p.Y, p.Z);
                tile.Region = tile.Region.Include(lon, lat, h);
            }
            if (tile.Region.IsEmpty) return tile;

            var r = tile.Region;
            var frame = new EnuFrame((r.West + r.East) / 2, (r.South + r.North) / 2, r.MinHeight);
            var document = new GltfDocument();
            for (var m = 0; m < node.Meshes.Count; m++)
            {
                var source = node.Meshes[m];
                var mesh = new MeshBuilder(texCoords: source.TexCoords is not null);
                var points = ecef[m];
                var normals = Normals(points, source.Indices, frame);
                for (var v = 0; v < points.Length; v++)
                {
                    var (e, n, u) = frame.FromEcef(points[v].X, points[v].Y, points[v].Z);
                    var (ne, nn, nu) = normals[v];
                    mesh.AddVertex((float)e, (float)u, (float)-n, (float)ne, (float)nu, (float)-nn,
                        source.TexCoords?[2 * v] ?? 0, source.TexCoords?[2 * v + 1] ?? 0);
                }
                for (var t = 0; t + 2 < source.Indices.Length; t += 3)
                    mesh.AddTriangle((int)source.Indices[t], (int)source.Indices[t + 1], (int)source.Indices[t + 2]);
                document.Materials.Add(source.Texture is { } jpeg
                    ? new GltfMaterial(new Rgba(1, 1, 1), new GltfImage(jpeg), DoubleSided: true, Unlit: true)
                    : new GltfMaterial(new Rgba(0.7f, 0.7f, 0.7f), DoubleSided: true));
                document.Primitives.Add(new GltfPrimitive(mesh, m));
            }
            System.IO.File.WriteAllBytes(Path.Combine(staging, uri), GlbWriter.ToBytes(document));
            tile.Frame = frame;
            tile.ContentUri = uri;
            return tile;
        }

        /// <summary>Smooth vertex normals (area-weighted face normals) in the tile frame: ContextCapture meshes carry none.</summary>
        private static (double E, double N, double U)[] Normals((double X, double Y, double Z)[] points, uint[] indices, EnuFrame frame)
        {
            var local = points.Select(p => frame.FromEcef(p.X, p.Y, p.Z)).ToArray();
            var sums = new (double E, double N, double U)[points.Length];
            for (var t = 0; t + 2 < indices.Length; t += 3)
            {
                var (a, b, c) = (local[indices[t]], local[indices[t + 1]], local[indices[t + 2]]);
                var (ue, un, uu) = (b.East - a.East, b.North - a.North, b.Up - a.Up);
                var (ve, vn, vu) = (c.East - a.East, c.North - a.North, c.Up - a.Up);
                var face = (un * vu - uu * vn, uu * ve - ue * vu, ue * vn - un * ve);
                foreach (var i in (uint[])[indices[t], indices[t + 1], indices[t + 2]])
                    sums[i] = (sums[i].E + face.Item1, sums[i].N + face.Item2, sums[i].U + face.Item3);
            }
            for (var i = 0; i < sums.Length; i++)
            {
                var length = Math.Sqrt(sums[i].E * sums[i].E + sums[i].N * sums[i].N + sums[i].U * sums[i].U);
                sums[i] = length > 0 ? (sums[i].E / length, sums[i].N / length, sums[i].U / length) : (0, 0, 1);
            }
            return sums;
        }
    }
}
