namespace GeoTwin.Tiling.Geodesy;

/// <summary>
/// A local east-north-up frame (metres) on the WGS84 ellipsoid. Tile content is written in such a frame
/// around the tile's centre so that float32 vertices keep millimetres; the tile transform puts it back in ECEF.
/// </summary>
public sealed class EnuFrame
{
    public double Longitude { get; }
    public double Latitude { get; }
    public double Height { get; }

    private readonly double _ox, _oy, _oz;
    private readonly double _ex, _ey;           // east (z component is 0)
    private readonly double _nx, _ny, _nz;      // north
    private readonly double _ux, _uy, _uz;      // up

    public EnuFrame(double lonDegrees, double latDegrees, double height)
    {
        Longitude = lonDegrees;
        Latitude = latDegrees;
        Height = height;
        (_ox, _oy, _oz) = Wgs84.ToEcef(lonDegrees, latDegrees, height);
        var (sinLat, cosLat) = Math.SinCos(latDegrees * (Math.PI / 180));
        var (sinLon, cosLon) = Math.SinCos(lonDegrees * (Math.PI / 180));
        (_ex, _ey) = (-sinLon, cosLon);
        (_nx, _ny, _nz) = (-sinLat * cosLon, -sinLat * sinLon, cosLat);
        (_ux, _uy, _uz) = (cosLat * cosLon, cosLat * sinLon, sinLat);
    }

    /// <summary>East, north, up metres of a geodetic point in this frame (exact: the earth's curvature is kept).</summary>
    public (double East, double North, double Up) FromGeodetic(double lonDegrees, double latDegrees, double height)
    {
        var (x, y, z) = Wgs84.ToEcef(lonDegrees, latDegrees, height);
        return FromEcef(x, y, z);
    }

    public (double East, double North, double Up) FromEcef(double x, double y, double z)
    {
        var (dx, dy, dz) = (x - _ox, y - _oy, z - _oz);
        return (_ex * dx + _ey * dy, _nx * dx + _ny * dy + _nz * dz, _ux * dx + _uy * dy + _uz * dz);
    }

    /// <summary>ECEF metres of a point given in this frame.</summary>
    public (double X, double Y, double Z) ToEcef(double east, double north, double up) =>
        (_ox + _ex * east + _nx * north + _ux * up, _oy + _ey * east + _ny * north + _uy * up, _oz + _nz * north + _uz * up);

    /// <summary>This frame to ECEF as a column-major 4x4 matrix, the layout of 3D Tiles' tile.transform.</summary>
    public double[] ToEcefMatrix() =>
    [
        _ex, _ey, 0, 0,
        _nx, _ny, _nz, 0,
        _ux, _uy, _uz, 0,
        _ox, _oy, _oz, 1,
    ];

    /// <summary>
    /// This frame expressed in a parent frame, column-major: 3D Tiles multiplies a tile's transform onto its
    /// parent's, so a child tile with its own centre carries parent⁻¹ · child rather than its ECEF matrix.
    /// </summary>
    public double[] ToMatrixRelativeTo(EnuFrame parent)
    {
        var (east, north, up) = (Rotate(parent, _ex, _ey, 0), Rotate(parent, _nx, _ny, _nz), Rotate(parent, _ux, _uy, _uz));
        var origin = parent.FromEcef(_ox, _oy, _oz);
        return
        [
            east.E, east.N, east.U, 0,
            north.E, north.N, north.U, 0,
            up.E, up.N, up.U, 0,
            origin.East, origin.North, origin.Up, 1,
        ];

        // A direction has no origin: only the parent's rotation applies.
        static (double E, double N, double U) Rotate(EnuFrame p, double x, double y, double z) =>
            (p._ex * x + p._ey * y, p._nx * x + p._ny * y + p._nz * z, p._ux * x + p._uy * y + p._uz * z);
    }
}
