namespace GeoTwin.Tiling.Geodesy;

/// <summary>
/// 4x4 matrices as 3D Tiles stores them (16 numbers, column after column), for adding up tile transforms down a
/// tree: a tile's world transform is its parent's times its own.
/// </summary>
public static class ColumnMajor
{
    public static double[] Identity() => [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];

    /// <summary>a · b: b applied first.</summary>
    public static double[] Multiply(double[] a, double[] b)
    {
        if (a.Length != 16 || b.Length != 16) throw new ArgumentException("a 4x4 matrix has 16 numbers");
        var r = new double[16];
        for (var col = 0; col < 4; col++)
            for (var row = 0; row < 4; row++)
                for (var k = 0; k < 4; k++)
                    r[col * 4 + row] += a[k * 4 + row] * b[col * 4 + k];
        return r;
    }

    /// <summary>The point m · (x, y, z, 1).</summary>
    public static (double X, double Y, double Z) Transform(double[] m, double x, double y, double z) =>
        (m[0] * x + m[4] * y + m[8] * z + m[12], m[1] * x + m[5] * y + m[9] * z + m[13], m[2] * x + m[6] * y + m[10] * z + m[14]);

    /// <summary>Where a 3D Tiles runtime puts a glTF vertex: y-up turned to z-up, then the tile's world transform.</summary>
    public static (double X, double Y, double Z) GltfToWorld(double[] world, double x, double y, double z) =>
        Transform(world, x, -z, y);
}
