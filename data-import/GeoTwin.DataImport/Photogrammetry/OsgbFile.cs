using System.Diagnostics;

namespace GeoTwin.DataImport.Photogrammetry;

/// <summary>A textured triangle mesh of a ContextCapture tile, in the tile set's local metres (x east, y north, z up).</summary>
internal sealed record OsgMesh(double[] Positions, float[]? TexCoords, uint[] Indices, byte[]? Texture);

/// <summary>
/// One osg::PagedLOD: its own (coarser) meshes, the child file that replaces them when the node covers more
/// than <see cref="PixelThreshold"/> pixels on screen, and its bounding sphere (centre and radius, local metres).
/// </summary>
internal sealed record LodNode(string? ChildFile, double? PixelThreshold, double Radius, List<OsgMesh> Meshes);

/// <summary>
/// Reads an .osgb through Debian's openscenegraph (`osgconv`): to the .osgt text form, with the textures
/// written out as the JPEG files ContextCapture embedded. Keeps what 3D Tiles needs: PagedLOD nodes, their
/// ranges and child files, triangles, texture coordinates and textures.
/// </summary>
internal static class OsgbFile
{
    public static List<LodNode> Read(string osgbPath)
    {
        var work = OwnedFolders.CreateTemp("osgb");
        try
        {
            var osgt = Path.Combine(work.FullName, "tile.osgt");
            Run(work.FullName, "-O", "WriteImageHint=WriteOut", Path.GetFullPath(osgbPath), osgt);
            OsgtLine root;
            using (var reader = File.OpenText(osgt)) root = OsgtLine.Parse(reader);
            var nodes = root.Descendants("osg::PagedLOD").Select(lod => ReadLod(lod, work.FullName)).ToList();
            if (nodes.Count == 0) // a tile without levels of detail: its geometry is all there is
                nodes.Add(new LodNode(null, null, 0, root.Descendants("osg::Geometry").Select(g => ReadMesh(g, work.FullName)).OfType<OsgMesh>().ToList()));
            return nodes;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static LodNode ReadLod(OsgtLine lod, string imageFolder)
    {
        var files = lod.Child("RangeDataList")?.Block.Select(l => l.Name).ToList() ?? [];
        var ranges = lod.Child("RangeList")?.Block.Select(l => (Min: Parse(l.Name), Max: Parse(l.Values[0]))).ToList() ?? [];
        var childIndex = files.FindIndex(f => f.Length > 0);
        string? child = childIndex >= 0 ? files[childIndex] : null;
        // PIXEL_SIZE_ON_SCREEN: the child is shown from its range's minimum (pixels the node covers) upwards.
        double? threshold = child is not null && childIndex < ranges.Count && lod.Child("RangeMode")?.Values[0] == "PIXEL_SIZE_ON_SCREEN"
            ? ranges[childIndex].Min : null;
        var centre = lod.Child("UserCenter")?.Values.Select(Parse).ToArray();
        var radius = centre is { Length: 4 } ? centre[3] : 0;
        var own = lod.Child("Children");
        var meshes = own is null ? [] : own.Descendants("osg::Geometry").Select(g => ReadMesh(g, imageFolder)).OfType<OsgMesh>().ToList();
        return new LodNode(child, threshold, radius, meshes);
    }

    private static OsgMesh? ReadMesh(OsgtLine geometry, string imageFolder)
    {
        var positions = geometry.Child("VertexArray")?.Descendants("osg::Vec3Array").FirstOrDefault()?.Child("vector")?.Numbers().ToArray();
        if (positions is null || positions.Length == 0) return null;
        var uv = geometry.Child("TexCoordArrayList")?.Descendants("osg::Vec2Array").FirstOrDefault()?.Child("vector")?.Numbers()
            .Select((v, i) => i % 2 == 0 ? (float)v : 1 - (float)v) // OpenGL's t runs up the image, glTF's v runs down it
            .ToArray();
        var indices = new List<uint>();
        foreach (var set in geometry.Child("PrimitiveSetList")?.Block ?? [])
        {
            var mode = set.Child("Mode")?.Values[0];
            if (mode != "TRIANGLES") throw new InvalidDataException($"primitive mode {mode} is not supported (ContextCapture writes TRIANGLES)");
            if (set.Name.StartsWith("osg::DrawElements", StringComparison.Ordinal))
                indices.AddRange(set.Child("vector")!.Numbers().Select(v => (uint)v));
            else if (set.Name == "osg::DrawArrays")
            {
                var first = (uint)Parse(set.Child("First")!.Values[0]);
                var count = (uint)Parse(set.Child("Count")!.Values[0]);
                for (var i = 0u; i < count; i++) indices.Add(first + i);
            }
        }
        // "Image TRUE { ClassName osg::Image  FileName \"...jpg\" ... }" inside the texture attribute
        var imageName = geometry.Descendants("Image").Select(i => i.Child("FileName")?.Values[0]).FirstOrDefault(f => f is not null);
        var imagePath = imageName is null ? null : Path.Combine(imageFolder, Path.GetFileName(imageName));
        var texture = imagePath is not null && File.Exists(imagePath) ? File.ReadAllBytes(imagePath) : null;
        return new OsgMesh(positions, uv is { Length: > 0 } ? uv : null, indices.ToArray(), texture);
    }

    private static double Parse(string s) => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture);

    private static void Run(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("osgconv") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException("osgconv was not found: install Debian's openscenegraph package (apt-get install openscenegraph)");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            _ = stdout.Result;
            if (process.ExitCode != 0 || !File.Exists(args[^1]))
                throw new InvalidDataException($"osgconv could not read {args[^2]}: {stderr.Trim()}");
        }
    }
}
