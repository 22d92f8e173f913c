using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace GeoTwin.Tiling.Gltf;

/// <summary>
/// Writes a <see cref="GltfDocument"/> as binary glTF 2.0 (GLB): one JSON chunk, one BIN chunk, every buffer
/// view 8-byte aligned (glTF asks 4 for vertex data; EXT_structural_metadata asks 8 for its FLOAT64 columns).
/// </summary>
public static class GlbWriter
{
    private const uint Magic = 0x46546C67;       // "glTF"
    private const uint ChunkJson = 0x4E4F534A;   // "JSON"
    private const uint ChunkBin = 0x004E4942;    // "BIN\0"
    private const int ArrayBuffer = 34962, ElementArrayBuffer = 34963;
    private const int UnsignedShort = 5123, UnsignedInt = 5125, Float = 5126;

    public static byte[] ToBytes(GltfDocument document)
    {
        var output = new ArrayBufferWriter<byte>(64 * 1024);
        Write(output, document);
        return output.WrittenSpan.ToArray();
    }

    public static void Write(Stream stream, GltfDocument document)
    {
        var output = new ArrayBufferWriter<byte>(64 * 1024);
        Write(output, document);
        stream.Write(output.WrittenSpan);
    }

    public static void Write(IBufferWriter<byte> output, GltfDocument document)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("GLB buffers are little-endian; this writer copies memory as is");
        var layout = new Layout();
        var json = new ArrayBufferWriter<byte>(16 * 1024);
        using (var w = new Utf8JsonWriter(json))
            WriteJson(w, document, layout);

        var jsonLength = Align(json.WrittenCount, 4);
        var binLength = Align(layout.Bin.WrittenCount, 4);
        var total = 12 + 8 + jsonLength + (binLength > 0 ? 8 + binLength : 0);

        var header = output.GetSpan(20);
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], 2);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], (uint)total);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], (uint)jsonLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], ChunkJson);
        output.Advance(20);
        output.Write(json.WrittenSpan);
        Pad(output, jsonLength - json.WrittenCount, (byte)' '); // the JSON chunk is padded with spaces, the BIN chunk with zeros
        if (binLength == 0) return;
        var binHeader = output.GetSpan(8);
        BinaryPrimitives.WriteUInt32LittleEndian(binHeader, (uint)binLength);
        BinaryPrimitives.WriteUInt32LittleEndian(binHeader[4..], ChunkBin);
        output.Advance(8);
        output.Write(layout.Bin.WrittenSpan);
        Pad(output, binLength - layout.Bin.WrittenCount, 0);
    }

    private static int Align(int n, int to) => (n + to - 1) / to * to;

    private static void Pad(IBufferWriter<byte> output, int count, byte value)
    {
        if (count == 0) return;
        var span = output.GetSpan(count)[..count];
        span.Fill(value);
        output.Advance(count);
    }

    private static void WriteJson(Utf8JsonWriter w, GltfDocument doc, Layout layout)
    {
        var primitives = doc.Primitives.Where(p => p.Mesh.IndexCount > 0).ToList();
        foreach (var p in primitives)
            if ((uint)p.Material >= doc.Materials.Count)
                throw new ArgumentException($"a primitive uses material {p.Material}, the document has {doc.Materials.Count}", nameof(doc));
        var features = doc.Features is { Count: > 0 } table ? table : null;

        // Binary first: the JSON needs the accessor and view indices it produces.
        var primitiveAccessors = primitives.Select(p => layout.AddPrimitive(p.Mesh)).ToList();
        var images = new List<GltfImage>();
        var imageViews = new List<int>();
        var materialTexture = new int?[doc.Materials.Count];
        for (var m = 0; m < doc.Materials.Count; m++)
        {
            if (doc.Materials[m].BaseColorTexture is not { } image) continue;
            var found = images.IndexOf(image);
            if (found < 0)
            {
                found = images.Count;
                images.Add(image);
                imageViews.Add(layout.AddView(image.Bytes, target: null));
            }
            materialTexture[m] = found;
        }
        var columns = features is null ? [] : Enumerable.Range(0, features.Class.Properties.Count).Select(i =>
        {
            var (values, offsets) = features.Encode(i);
            return (Values: layout.AddView(values, null), Offsets: offsets is null ? (int?)null : layout.AddView(offsets, null));
        }).ToList();

        w.WriteStartObject();
        w.WriteStartObject("asset");
        w.WriteString("version", "2.0");
        w.WriteString("generator", "GeoTwin.Tiling");
        w.WriteEndObject();
        var usesFeatures = features is not null && primitives.Any(p => p.Mesh.HasFeatureIds);
        var usesUnlit = doc.Materials.Any(m => m.Unlit);
        if (usesFeatures || usesUnlit)
        {
            w.WriteStartArray("extensionsUsed");
            if (usesFeatures)
            {
                w.WriteStringValue("EXT_mesh_features");
                w.WriteStringValue("EXT_structural_metadata");
            }
            if (usesUnlit) w.WriteStringValue("KHR_materials_unlit");
            w.WriteEndArray();
        }
        w.WriteNumber("scene", 0);
        w.WriteStartArray("scenes");
        w.WriteStartObject();
        if (primitives.Count > 0)
        {
            w.WriteStartArray("nodes");
            w.WriteNumberValue(0);
            w.WriteEndArray();
        }
        w.WriteEndObject();
        w.WriteEndArray();

        if (primitives.Count > 0)
        {
            w.WriteStartArray("nodes");
            w.WriteStartObject();
            w.WriteNumber("mesh", 0);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteStartArray("meshes");
            w.WriteStartObject();
            w.WriteStartArray("primitives");
            for (var i = 0; i < primitives.Count; i++)
                WritePrimitive(w, primitives[i], primitiveAccessors[i], usesFeatures ? features!.Count : 0);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
        }

        if (doc.Materials.Count > 0)
        {
            w.WriteStartArray("materials");
            for (var m = 0; m < doc.Materials.Count; m++) WriteMaterial(w, doc.Materials[m], materialTexture[m]);
            w.WriteEndArray();
        }
        if (images.Count > 0) WriteTextures(w, images, imageViews);

        layout.WriteAccessorsAndViews(w);

        if (usesFeatures) WriteStructuralMetadata(w, features!, columns);
        w.WriteEndObject();
    }

    private static void WritePrimitive(Utf8JsonWriter w, GltfPrimitive p, PrimitiveAccessors a, int featureCount)
    {
        w.WriteStartObject();
        w.WriteStartObject("attributes");
        w.WriteNumber("POSITION", a.Position);
        w.WriteNumber("NORMAL", a.Normal);
        if (a.TexCoord is { } uv) w.WriteNumber("TEXCOORD_0", uv);
        if (a.FeatureId is { } fid && featureCount > 0) w.WriteNumber("_FEATURE_ID_0", fid);
        w.WriteEndObject();
        w.WriteNumber("indices", a.Indices);
        w.WriteNumber("material", p.Material);
        if (a.FeatureId is not null && featureCount > 0)
        {
            w.WriteStartObject("extensions");
            w.WriteStartObject("EXT_mesh_features");
            w.WriteStartArray("featureIds");
            w.WriteStartObject();
            w.WriteNumber("featureCount", featureCount);
            w.WriteNumber("attribute", 0);
            w.WriteNumber("propertyTable", 0);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static void WriteMaterial(Utf8JsonWriter w, GltfMaterial m, int? texture)
    {
        w.WriteStartObject();
        w.WriteStartObject("pbrMetallicRoughness");
        w.WriteStartArray("baseColorFactor");
        w.WriteNumberValue(m.BaseColor.R);
        w.WriteNumberValue(m.BaseColor.G);
        w.WriteNumberValue(m.BaseColor.B);
        w.WriteNumberValue(m.BaseColor.A);
        w.WriteEndArray();
        if (texture is { } t)
        {
            w.WriteStartObject("baseColorTexture");
            w.WriteNumber("index", t);
            w.WriteEndObject();
        }
        w.WriteNumber("metallicFactor", m.Metallic);
        w.WriteNumber("roughnessFactor", m.Roughness);
        w.WriteEndObject();
        if (m.BaseColor.A < 1) w.WriteString("alphaMode", "BLEND");
        if (m.DoubleSided) w.WriteBoolean("doubleSided", true);
        if (m.Unlit)
        {
            w.WriteStartObject("extensions");
            w.WriteStartObject("KHR_materials_unlit");
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static void WriteTextures(Utf8JsonWriter w, List<GltfImage> images, List<int> views)
    {
        // One linear, clamped sampler: photogrammetry atlases bleed at their seams when wrapped.
        w.WriteStartArray("samplers");
        w.WriteStartObject();
        w.WriteNumber("magFilter", 9729);
        w.WriteNumber("minFilter", 9729);
        w.WriteNumber("wrapS", 33071);
        w.WriteNumber("wrapT", 33071);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteStartArray("images");
        for (var i = 0; i < images.Count; i++)
        {
            w.WriteStartObject();
            w.WriteNumber("bufferView", views[i]);
            w.WriteString("mimeType", images[i].MimeType);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("textures");
        for (var i = 0; i < images.Count; i++)
        {
            w.WriteStartObject();
            w.WriteNumber("sampler", 0);
            w.WriteNumber("source", i);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteStructuralMetadata(Utf8JsonWriter w, PropertyTable table, List<(int Values, int? Offsets)> columns)
    {
        var cls = table.Class;
        w.WriteStartObject("extensions");
        w.WriteStartObject("EXT_structural_metadata");
        w.WriteStartObject("schema");
        w.WriteString("id", "geotwin");
        w.WriteStartObject("classes");
        w.WriteStartObject(cls.Name);
        w.WriteStartObject("properties");
        foreach (var p in cls.Properties)
        {
            w.WriteStartObject(p.Name);
            switch (p.Type)
            {
                case PropertyType.String:
                    w.WriteString("type", "STRING");
                    w.WriteString("noData", (string)p.NoData);
                    break;
                case PropertyType.Int32:
                    w.WriteString("type", "SCALAR");
                    w.WriteString("componentType", "INT32");
                    w.WriteNumber("noData", (int)p.NoData);
                    break;
                default:
                    w.WriteString("type", "SCALAR");
                    w.WriteString("componentType", "FLOAT64");
                    w.WriteNumber("noData", (double)p.NoData);
                    break;
            }
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartArray("propertyTables");
        w.WriteStartObject();
        w.WriteString("class", cls.Name);
        w.WriteNumber("count", table.Count);
        w.WriteStartObject("properties");
        for (var i = 0; i < cls.Properties.Count; i++)
        {
            w.WriteStartObject(cls.Properties[i].Name);
            w.WriteNumber("values", columns[i].Values);
            if (columns[i].Offsets is { } offsets)
            {
                w.WriteNumber("stringOffsets", offsets);
                w.WriteString("stringOffsetType", "UINT32");
            }
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private readonly record struct PrimitiveAccessors(int Position, int Normal, int? TexCoord, int? FeatureId, int Indices);

    private sealed record Accessor(int View, int ComponentType, int Count, string Type, double[] Min, double[] Max);

    /// <summary>The BIN chunk as it fills, with the buffer views and accessors that describe it.</summary>
    private sealed class Layout
    {
        public ArrayBufferWriter<byte> Bin { get; } = new(64 * 1024);
        private readonly List<(int Offset, int Length, int? Target)> _views = [];
        private readonly List<Accessor> _accessors = [];

        public int AddView(ReadOnlySpan<byte> bytes, int? target)
        {
            Pad(Bin, Align(Bin.WrittenCount, 8) - Bin.WrittenCount, 0);
            _views.Add((Bin.WrittenCount, bytes.Length, target));
            Bin.Write(bytes);
            return _views.Count - 1;
        }

        public PrimitiveAccessors AddPrimitive(MeshBuilder mesh)
        {
            var position = AddFloats(mesh.Positions, 3, "VEC3");
            var normal = AddFloats(mesh.Normals, 3, "VEC3");
            int? uv = mesh.HasTexCoords ? AddFloats(mesh.TexCoords, 2, "VEC2") : null;
            int? fid = mesh.HasFeatureIds ? AddFloats(mesh.FeatureIds, 1, "SCALAR") : null;
            return new PrimitiveAccessors(position, normal, uv, fid, AddIndices(mesh.Indices, mesh.VertexCount));
        }

        private int AddFloats(ReadOnlySpan<float> values, int components, string type)
        {
            var min = new double[components];
            var max = new double[components];
            Array.Fill(min, double.PositiveInfinity);
            Array.Fill(max, double.NegativeInfinity);
            for (var i = 0; i < values.Length; i++)
            {
                var c = i % components;
                if (values[i] < min[c]) min[c] = values[i];
                if (values[i] > max[c]) max[c] = values[i];
            }
            var view = AddView(MemoryMarshal.AsBytes(values), ArrayBuffer);
            _accessors.Add(new Accessor(view, Float, values.Length / components, type, min, max));
            return _accessors.Count - 1;
        }

        private int AddIndices(ReadOnlySpan<uint> indices, int vertexCount)
        {
            uint min = uint.MaxValue, max = 0;
            foreach (var i in indices) { if (i < min) min = i; if (i > max) max = i; }
            int view;
            int componentType;
            // 16-bit indices halve the index buffer; 65535 itself is the primitive-restart value glTF forbids.
            if (vertexCount <= ushort.MaxValue)
            {
                var shorts = new ushort[indices.Length];
                for (var i = 0; i < indices.Length; i++) shorts[i] = (ushort)indices[i];
                view = AddView(MemoryMarshal.AsBytes(shorts.AsSpan()), ElementArrayBuffer);
                componentType = UnsignedShort;
            }
            else
            {
                view = AddView(MemoryMarshal.AsBytes(indices), ElementArrayBuffer);
                componentType = UnsignedInt;
            }
            _accessors.Add(new Accessor(view, componentType, indices.Length, "SCALAR", [min], [max]));
            return _accessors.Count - 1;
        }

        public void WriteAccessorsAndViews(Utf8JsonWriter w)
        {
            if (_accessors.Count > 0)
            {
                w.WriteStartArray("accessors");
                foreach (var a in _accessors)
                {
                    w.WriteStartObject();
                    w.WriteNumber("bufferView", a.View);
                    w.WriteNumber("componentType", a.ComponentType);
                    w.WriteNumber("count", a.Count);
                    w.WriteString("type", a.Type);
                    WriteBound(w, "min", a.Min, a.ComponentType);
                    WriteBound(w, "max", a.Max, a.ComponentType);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            if (_views.Count == 0) return;
            w.WriteStartArray("bufferViews");
            foreach (var (offset, length, target) in _views)
            {
                w.WriteStartObject();
                w.WriteNumber("buffer", 0);
                w.WriteNumber("byteOffset", offset);
                w.WriteNumber("byteLength", length);
                if (target is { } t) w.WriteNumber("target", t);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("buffers");
            w.WriteStartObject();
            w.WriteNumber("byteLength", Align(Bin.WrittenCount, 4));
            w.WriteEndObject();
            w.WriteEndArray();
        }

        private static void WriteBound(Utf8JsonWriter w, string name, double[] values, int componentType)
        {
            w.WriteStartArray(name);
            foreach (var v in values)
                if (componentType == Float) w.WriteNumberValue((float)v);
                else w.WriteNumberValue((long)v);
            w.WriteEndArray();
        }
    }
}
