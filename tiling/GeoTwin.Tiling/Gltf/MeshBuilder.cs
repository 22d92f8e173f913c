namespace GeoTwin.Tiling.Gltf;

/// <summary>
/// Vertices and triangles of one glTF primitive, in glTF's own frame (y up, metres). Buffers grow and are kept
/// across <see cref="Clear"/> so a worker writing tile after tile does not allocate per tile.
/// </summary>
public sealed class MeshBuilder(bool texCoords = false, bool featureIds = false)
{
    private float[] _positions = new float[3 * 256];
    private float[] _normals = new float[3 * 256];
    private float[] _texCoords = texCoords ? new float[2 * 256] : [];
    private float[] _featureIds = featureIds ? new float[256] : [];
    private uint[] _indices = new uint[3 * 256];

    public bool HasTexCoords { get; } = texCoords;
    public bool HasFeatureIds { get; } = featureIds;
    public int VertexCount { get; private set; }
    public int IndexCount { get; private set; }

    public ReadOnlySpan<float> Positions => _positions.AsSpan(0, 3 * VertexCount);
    public ReadOnlySpan<float> Normals => _normals.AsSpan(0, 3 * VertexCount);
    public ReadOnlySpan<float> TexCoords => _texCoords.AsSpan(0, HasTexCoords ? 2 * VertexCount : 0);
    public ReadOnlySpan<float> FeatureIds => _featureIds.AsSpan(0, HasFeatureIds ? VertexCount : 0);
    public ReadOnlySpan<uint> Indices => _indices.AsSpan(0, IndexCount);

    public void Clear() => (VertexCount, IndexCount) = (0, 0);

    /// <returns>the new vertex's index.</returns>
    public int AddVertex(float x, float y, float z, float nx, float ny, float nz, float u = 0, float v = 0, int featureId = 0)
    {
        var i = VertexCount;
        if (3 * i + 3 > _positions.Length) GrowVertices();
        _positions[3 * i] = x; _positions[3 * i + 1] = y; _positions[3 * i + 2] = z;
        _normals[3 * i] = nx; _normals[3 * i + 1] = ny; _normals[3 * i + 2] = nz;
        if (HasTexCoords) { _texCoords[2 * i] = u; _texCoords[2 * i + 1] = v; }
        if (HasFeatureIds) _featureIds[i] = featureId;
        VertexCount = i + 1;
        return i;
    }

    /// <summary>A triangle, counter-clockwise seen from its front (glTF's front face).</summary>
    public void AddTriangle(int a, int b, int c)
    {
        if ((uint)a >= VertexCount || (uint)b >= VertexCount || (uint)c >= VertexCount)
            throw new ArgumentOutOfRangeException(nameof(a), $"triangle ({a}, {b}, {c}) refers past the {VertexCount} vertices");
        if (IndexCount + 3 > _indices.Length) Array.Resize(ref _indices, _indices.Length * 2);
        _indices[IndexCount] = (uint)a; _indices[IndexCount + 1] = (uint)b; _indices[IndexCount + 2] = (uint)c;
        IndexCount += 3;
    }

    private void GrowVertices()
    {
        var n = _positions.Length / 3 * 2;
        Array.Resize(ref _positions, 3 * n);
        Array.Resize(ref _normals, 3 * n);
        if (HasTexCoords) Array.Resize(ref _texCoords, 2 * n);
        if (HasFeatureIds) Array.Resize(ref _featureIds, n);
    }
}
