using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace GeoTwin.Tiling.Tests.Gltf;

/// <summary>
/// A GLB read back independently of the writer: header and chunks checked on the way in, accessors decoded
/// from the raw bytes, and <see cref="AssertWellFormed"/> for the structural rules glTF 2.0 sets.
/// </summary>
public sealed class Glb
{
    public JsonElement Json { get; }
    public byte[] Bin { get; }

    private Glb(JsonElement json, byte[] bin) => (Json, Bin) = (json, bin);

    public static Glb Parse(byte[] bytes)
    {
        Assert.True(bytes.Length >= 20, "shorter than a GLB header");
        Assert.Equal(0x46546C67u, BinaryPrimitives.ReadUInt32LittleEndian(bytes));
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)));
        Assert.Equal((uint)bytes.Length, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
        var jsonLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(12));
        Assert.Equal(0x4E4F534Au, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(16)));
        Assert.Equal(0, jsonLength % 4);
        var json = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 20, jsonLength)).RootElement.Clone();
        var at = 20 + jsonLength;
        var bin = Array.Empty<byte>();
        if (at < bytes.Length)
        {
            var binLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at));
            Assert.Equal(0x004E4942u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 4)));
            Assert.Equal(0, binLength % 4);
            Assert.Equal(bytes.Length, at + 8 + binLength);
            bin = bytes.AsSpan(at + 8, binLength).ToArray();
        }
        return new Glb(json, bin);
    }

    public JsonElement Accessor(int i) => Json.GetProperty("accessors")[i];

    public ReadOnlySpan<byte> View(int i)
    {
        var v = Json.GetProperty("bufferViews")[i];
        return Bin.AsSpan(v.GetProperty("byteOffset").GetInt32(), v.GetProperty("byteLength").GetInt32());
    }

    public static int Components(string type) => type switch { "SCALAR" => 1, "VEC2" => 2, "VEC3" => 3, "VEC4" => 4, _ => throw new InvalidDataException(type) };

    /// <summary>Any accessor's values as doubles, component by component.</summary>
    public double[] Read(int accessor)
    {
        var a = Accessor(accessor);
        var n = a.GetProperty("count").GetInt32() * Components(a.GetProperty("type").GetString()!);
        var offset = a.TryGetProperty("byteOffset", out var o) ? o.GetInt32() : 0;
        var view = View(a.GetProperty("bufferView").GetInt32())[offset..];
        var values = new double[n];
        switch (a.GetProperty("componentType").GetInt32())
        {
            case 5126: for (var i = 0; i < n; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(view[(4 * i)..]); break;
            case 5125: for (var i = 0; i < n; i++) values[i] = BinaryPrimitives.ReadUInt32LittleEndian(view[(4 * i)..]); break;
            case 5123: for (var i = 0; i < n; i++) values[i] = BinaryPrimitives.ReadUInt16LittleEndian(view[(2 * i)..]); break;
            case 5121: for (var i = 0; i < n; i++) values[i] = view[i]; break;
            default: throw new InvalidDataException($"component type {a.GetProperty("componentType")}");
        }
        return values;
    }

    public IEnumerable<JsonElement> Primitives() =>
        Json.TryGetProperty("meshes", out var meshes)
            ? meshes.EnumerateArray().SelectMany(m => m.GetProperty("primitives").EnumerateArray())
            : [];

    /// <summary>
    /// Buffer views aligned and inside the buffer, accessors inside their views, min/max equal to the data,
    /// indices inside their primitive's vertices, normals of unit length, feature ids inside the property table.
    /// </summary>
    public void AssertWellFormed()
    {
        Assert.Equal("2.0", Json.GetProperty("asset").GetProperty("version").GetString());
        var bufferLength = Json.TryGetProperty("buffers", out var buffers) ? buffers[0].GetProperty("byteLength").GetInt32() : 0;
        Assert.True(bufferLength <= Bin.Length);
        if (Json.TryGetProperty("bufferViews", out var views))
            foreach (var v in views.EnumerateArray())
            {
                var offset = v.GetProperty("byteOffset").GetInt32();
                Assert.Equal(0, offset % 8);
                Assert.True(offset + v.GetProperty("byteLength").GetInt32() <= bufferLength, "buffer view past the buffer");
            }
        if (Json.TryGetProperty("accessors", out var accessors))
            for (var i = 0; i < accessors.GetArrayLength(); i++)
            {
                var a = accessors[i];
                var components = Components(a.GetProperty("type").GetString()!);
                var size = a.GetProperty("componentType").GetInt32() switch { 5126 or 5125 => 4, 5123 => 2, _ => 1 };
                Assert.True(a.GetProperty("count").GetInt32() * components * size <= View(a.GetProperty("bufferView").GetInt32()).Length, $"accessor {i} past its view");
                var values = Read(i);
                for (var c = 0; c < components; c++)
                {
                    var column = values.Where((_, k) => k % components == c).ToArray();
                    // JSON carries the shortest text that reads back as the same float32: compare as float32, exactly.
                    Assert.Equal((float)column.Min(), (float)a.GetProperty("min")[c].GetDouble());
                    Assert.Equal((float)column.Max(), (float)a.GetProperty("max")[c].GetDouble());
                }
            }
        var featureCount = Json.TryGetProperty("extensions", out var ext) && ext.TryGetProperty("EXT_structural_metadata", out var meta)
            ? meta.GetProperty("propertyTables")[0].GetProperty("count").GetInt32() : 0;
        foreach (var p in Primitives())
        {
            var attributes = p.GetProperty("attributes");
            var vertexCount = Accessor(attributes.GetProperty("POSITION").GetInt32()).GetProperty("count").GetInt32();
            var indices = Read(p.GetProperty("indices").GetInt32());
            Assert.Equal(0, indices.Length % 3);
            Assert.All(indices, i => Assert.InRange(i, 0, vertexCount - 1));
            var normals = Read(attributes.GetProperty("NORMAL").GetInt32());
            for (var k = 0; k < normals.Length; k += 3)
                Assert.InRange(Math.Sqrt(normals[k] * normals[k] + normals[k + 1] * normals[k + 1] + normals[k + 2] * normals[k + 2]), 0.9999, 1.0001);
            if (attributes.TryGetProperty("_FEATURE_ID_0", out var fid))
                Assert.All(Read(fid.GetInt32()), id => Assert.InRange(id, 0, featureCount - 1));
        }
    }

    /// <summary>One column of the property table, decoded from its buffer views.</summary>
    public object[] PropertyColumn(string name)
    {
        var meta = Json.GetProperty("extensions").GetProperty("EXT_structural_metadata");
        var table = meta.GetProperty("propertyTables")[0];
        var cls = meta.GetProperty("schema").GetProperty("classes").GetProperty(table.GetProperty("class").GetString()!);
        var def = cls.GetProperty("properties").GetProperty(name);
        var prop = table.GetProperty("properties").GetProperty(name);
        var count = table.GetProperty("count").GetInt32();
        var values = View(prop.GetProperty("values").GetInt32());
        var result = new object[count];
        if (def.GetProperty("type").GetString() == "STRING")
        {
            var offsets = View(prop.GetProperty("stringOffsets").GetInt32());
            for (var i = 0; i < count; i++)
            {
                var start = (int)BinaryPrimitives.ReadUInt32LittleEndian(offsets[(4 * i)..]);
                var end = (int)BinaryPrimitives.ReadUInt32LittleEndian(offsets[(4 * i + 4)..]);
                result[i] = Encoding.UTF8.GetString(values[start..end]);
            }
        }
        else if (def.GetProperty("componentType").GetString() == "INT32")
            for (var i = 0; i < count; i++) result[i] = BinaryPrimitives.ReadInt32LittleEndian(values[(4 * i)..]);
        else
            for (var i = 0; i < count; i++) result[i] = BinaryPrimitives.ReadDoubleLittleEndian(values[(8 * i)..]);
        return result;
    }
}
