namespace GeoTwin.Tiling.Gltf;

/// <summary>A linear-space colour with alpha, each channel 0..1 (glTF's baseColorFactor).</summary>
public readonly record struct Rgba(float R, float G, float B, float A = 1f);

/// <summary>An image embedded in the GLB. Only JPEG and PNG: the two formats every glTF viewer must read.</summary>
public sealed class GltfImage
{
    public byte[] Bytes { get; }
    public string MimeType { get; }

    public GltfImage(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Bytes = bytes;
        MimeType = SniffMimeType(bytes)
            ?? throw new ArgumentException("the texture is neither a JPEG nor a PNG image (glTF allows only these)", nameof(bytes));
    }

    private static string? SniffMimeType(ReadOnlySpan<byte> b) =>
        b.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]) ? "image/jpeg"
        : b.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]) ? "image/png"
        : null;
}

/// <summary>
/// A PBR metallic-roughness material; buildings are matte (metallic 0, roughness 1) unless told otherwise.
/// <paramref name="Unlit"/> (KHR_materials_unlit) shows the texture as photographed: photogrammetry already has
/// the sun's light in its pictures, and lighting it again darkens it.
/// </summary>
public sealed record GltfMaterial(
    Rgba BaseColor,
    GltfImage? BaseColorTexture = null,
    float Metallic = 0f,
    float Roughness = 1f,
    bool DoubleSided = false,
    bool Unlit = false);

/// <summary>One draw call: a triangle mesh and the index of its material in <see cref="GltfDocument.Materials"/>.</summary>
public sealed record GltfPrimitive(MeshBuilder Mesh, int Material);

/// <summary>
/// What one GLB holds: one node with one mesh of any number of primitives, their materials, and optionally a
/// property table the primitives' feature ids point into (EXT_mesh_features + EXT_structural_metadata).
/// </summary>
public sealed class GltfDocument
{
    public List<GltfMaterial> Materials { get; } = [];
    public List<GltfPrimitive> Primitives { get; } = [];
    public PropertyTable? Features { get; set; }
}
