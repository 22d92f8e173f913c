using GeoTwin.Tiling.Gltf;

namespace GeoTwin.Tiling.Tests.Gltf;

public sealed class GlbWriterTests
{
    // A 1 x 1 PNG.
    private static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==");

    private static readonly FeatureClass House = new("house",
    [
        new("id", PropertyType.String),
        new("floors", PropertyType.Int32),
        new("height", PropertyType.Float64),
    ]);

    /// <summary>Two quads that are features 0 and 1, and a textured triangle in a second primitive.</summary>
    private static GltfDocument Sample()
    {
        var features = new MeshBuilder(featureIds: true);
        for (var f = 0; f < 2; f++)
        {
            var v = features.AddVertex(f * 2, 0, 0, 0, 0, 1, featureId: f);
            features.AddVertex(f * 2 + 1, 0, 0, 0, 0, 1, featureId: f);
            features.AddVertex(f * 2 + 1, 1, 0, 0, 0, 1, featureId: f);
            features.AddVertex(f * 2, 1, 0, 0, 0, 1, featureId: f);
            features.AddTriangle(v, v + 1, v + 2);
            features.AddTriangle(v, v + 2, v + 3);
        }
        var textured = new MeshBuilder(texCoords: true);
        textured.AddVertex(0, 0, -1, 0, 0, 1, 0, 0);
        textured.AddVertex(1, 0, -1, 0, 0, 1, 1, 0);
        textured.AddVertex(0, 1, -1, 0, 0, 1, 0, 1);
        textured.AddTriangle(0, 1, 2);

        var table = new PropertyTable(House);
        table.Add(["house-1", 3, 9.5]);
        table.Add(["房屋-2", null, null]);
        var doc = new GltfDocument { Features = table };
        doc.Materials.Add(new GltfMaterial(new Rgba(0.8f, 0.7f, 0.6f)));
        doc.Materials.Add(new GltfMaterial(new Rgba(1, 1, 1), new GltfImage(Png), DoubleSided: true));
        doc.Primitives.Add(new GltfPrimitive(features, 0));
        doc.Primitives.Add(new GltfPrimitive(textured, 1));
        return doc;
    }

    [Fact]
    public void A_textured_mesh_with_feature_ids_and_properties_parses_back()
    {
        var glb = Glb.Parse(GlbWriter.ToBytes(Sample()));
        glb.AssertWellFormed();

        Assert.Equal(["EXT_mesh_features", "EXT_structural_metadata"], glb.Json.GetProperty("extensionsUsed").EnumerateArray().Select(e => e.GetString()));
        var primitives = glb.Primitives().ToList();
        Assert.Equal(2, primitives.Count);
        var featureIds = primitives[0].GetProperty("extensions").GetProperty("EXT_mesh_features").GetProperty("featureIds")[0];
        Assert.Equal(2, featureIds.GetProperty("featureCount").GetInt32());
        Assert.Equal(0, featureIds.GetProperty("propertyTable").GetInt32());
        Assert.Equal([0, 0, 0, 0, 1, 1, 1, 1], glb.Read(primitives[0].GetProperty("attributes").GetProperty("_FEATURE_ID_0").GetInt32()));
        Assert.False(primitives[1].TryGetProperty("extensions", out _));

        Assert.Equal(["house-1", "房屋-2"], glb.PropertyColumn("id"));
        Assert.Equal([3, int.MinValue], glb.PropertyColumn("floors"));   // null is stored as the declared noData
        Assert.Equal([9.5, double.MinValue], glb.PropertyColumn("height"));

        Assert.Equal("image/png", glb.Json.GetProperty("images")[0].GetProperty("mimeType").GetString());
        Assert.Equal(Png, glb.View(glb.Json.GetProperty("images")[0].GetProperty("bufferView").GetInt32()).ToArray());
        var textured = glb.Json.GetProperty("materials")[1].GetProperty("pbrMetallicRoughness");
        Assert.Equal(0, textured.GetProperty("baseColorTexture").GetProperty("index").GetInt32());
        Assert.Equal([0, 0, 1, 0, 0, 1], glb.Read(primitives[1].GetProperty("attributes").GetProperty("TEXCOORD_0").GetInt32()));
    }

    [Fact]
    public void The_Khronos_validator_finds_no_errors_or_warnings()
    {
        var file = Path.Combine(Path.GetTempPath(), $"geotwin-glb-{Guid.NewGuid():N}.glb");
        File.WriteAllBytes(file, GlbWriter.ToBytes(Sample()));
        try
        {
            var report = KhronosValidator.Validate(file).Single();
            Assert.True(report.Errors == 0 && report.Warnings == 0, report.ToString());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void An_unlit_material_declares_KHR_materials_unlit()
    {
        var mesh = new MeshBuilder(texCoords: true);
        mesh.AddVertex(0, 0, 0, 0, 1, 0, 0, 0);
        mesh.AddVertex(1, 0, 0, 0, 1, 0, 1, 0);
        mesh.AddVertex(0, 0, -1, 0, 1, 0, 0, 1);
        mesh.AddTriangle(0, 1, 2);
        var doc = new GltfDocument();
        doc.Materials.Add(new GltfMaterial(new Rgba(1, 1, 1), new GltfImage(Png), Unlit: true));
        doc.Primitives.Add(new GltfPrimitive(mesh, 0));

        var glb = Glb.Parse(GlbWriter.ToBytes(doc));
        glb.AssertWellFormed();
        Assert.Equal(["KHR_materials_unlit"], glb.Json.GetProperty("extensionsUsed").EnumerateArray().Select(e => e.GetString()));
        Assert.True(glb.Json.GetProperty("materials")[0].GetProperty("extensions").TryGetProperty("KHR_materials_unlit", out _));
    }

    [Theory]
    [InlineData(3, 5123)]
    [InlineData(65535, 5123)]
    [InlineData(65536, 5125)]
    public void Indices_are_16_bit_until_the_vertices_need_32(int vertices, int componentType)
    {
        var mesh = new MeshBuilder();
        for (var i = 0; i < vertices; i++) mesh.AddVertex(i, i % 2, 0, 0, 0, 1);
        mesh.AddTriangle(0, 1, vertices - 1);
        var doc = new GltfDocument();
        doc.Materials.Add(new GltfMaterial(new Rgba(1, 0, 0)));
        doc.Primitives.Add(new GltfPrimitive(mesh, 0));

        var glb = Glb.Parse(GlbWriter.ToBytes(doc));
        glb.AssertWellFormed();
        var indices = glb.Accessor(glb.Primitives().Single().GetProperty("indices").GetInt32());
        Assert.Equal(componentType, indices.GetProperty("componentType").GetInt32());
        Assert.Equal(vertices - 1, indices.GetProperty("max")[0].GetInt32());
    }

    [Fact]
    public void Only_jpeg_and_png_textures_are_accepted()
    {
        Assert.Equal("image/jpeg", new GltfImage([0xFF, 0xD8, 0xFF, 0xE0, 0, 0]).MimeType);
        var e = Assert.Throws<ArgumentException>(() => new GltfImage("GIF89a"u8.ToArray()));
        Assert.Contains("neither a JPEG nor a PNG", e.Message);
    }

    [Theory]
    [InlineData("three", "property 'floors' must be a whole number")]
    [InlineData(3.5, "property 'floors' must be a whole number")]
    [InlineData(int.MinValue, "marks a missing value")]
    public void A_value_of_the_wrong_type_is_refused_naming_the_property(object floors, string expected)
    {
        var table = new PropertyTable(House);
        var e = Assert.Throws<ArgumentException>(() => table.Add(["h", floors, 1.0]));
        Assert.Contains(expected, e.Message);
        Assert.Equal(0, table.Count);
    }

    [Theory]
    [InlineData("house-type")]
    [InlineData("1st")]
    public void Property_names_must_be_identifiers(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => new FeatureClass("house", [new(name, PropertyType.String)]));
        Assert.Contains($"'{name}' is not an identifier", e.Message);
    }
}
