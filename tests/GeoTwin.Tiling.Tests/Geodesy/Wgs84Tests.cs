using GeoTwin.Tiling.Geodesy;

namespace GeoTwin.Tiling.Tests.Geodesy;

public sealed class Wgs84Tests
{
    // Expected values from PROJ 9.1.1, an independent implementation:
    // printf 'lon lat h\n' | cs2cs -f %.4f +proj=longlat +datum=WGS84 +to +proj=geocent +datum=WGS84 +units=m
    [Theory]
    [InlineData(113.37, 22.49, 0, -2338728.3978, 5412255.6487, 2424633.8651)]
    [InlineData(7.4246, 43.7384, 60, 4576964.2798, 596442.2551, 4387178.5308)]
    [InlineData(0, 0, 0, 6378137.0, 0, 0)]
    [InlineData(-122.42, 37.77, -30, -2706385.3526, -4261292.3405, 3885277.2200)]
    public void Geodetic_to_ecef_matches_proj(double lon, double lat, double h, double x, double y, double z)
    {
        var ecef = Wgs84.ToEcef(lon, lat, h);
        Assert.Equal(x, ecef.X, 0.001);
        Assert.Equal(y, ecef.Y, 0.001);
        Assert.Equal(z, ecef.Z, 0.001);
    }

    [Theory]
    [InlineData(-2338823.6202, 5412216.5906, 2424694.5857, 113.371, 22.4905, 25)]
    [InlineData(4576964.2798, 596442.2551, 4387178.5308, 7.4246, 43.7384, 60)]
    public void Ecef_to_geodetic_matches_proj(double x, double y, double z, double lon, double lat, double h)
    {
        var g = Wgs84.ToGeodetic(x, y, z);
        Assert.Equal(lon, g.Lon, 1e-8);
        Assert.Equal(lat, g.Lat, 1e-8);
        Assert.Equal(h, g.Height, 0.001);
    }

    [Fact]
    public void A_frame_relative_to_its_parent_composes_back_to_its_own_ecef_matrix()
    {
        var parent = new EnuFrame(113.30, 22.40, 5);
        var child = new EnuFrame(113.45, 22.55, 40);
        var composed = ColumnMajor.Multiply(parent.ToEcefMatrix(), child.ToMatrixRelativeTo(parent));
        var direct = child.ToEcefMatrix();
        for (var i = 0; i < 16; i++) Assert.Equal(direct[i], composed[i], i >= 12 ? 1e-6 : 1e-12);
    }

    [Fact]
    public void Enu_of_the_origin_is_zero_and_up_is_up()
    {
        var frame = new EnuFrame(113.37, 22.49, 0);
        var (e, n, u) = frame.FromGeodetic(113.37, 22.49, 100);
        Assert.Equal(0, e, 1e-6);
        Assert.Equal(0, n, 1e-6);
        Assert.Equal(100, u, 1e-6);
    }

    [Fact]
    public void Enu_to_ecef_and_back_is_the_identity()
    {
        var frame = new EnuFrame(7.4246, 43.7384, 60);
        var (x, y, z) = frame.ToEcef(120.5, -340.25, 18);
        var (e, n, u) = frame.FromEcef(x, y, z);
        Assert.Equal(120.5, e, 1e-6);
        Assert.Equal(-340.25, n, 1e-6);
        Assert.Equal(18, u, 1e-6);
    }

    [Fact]
    public void Column_major_products_apply_the_right_hand_matrix_first()
    {
        double[] translate = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 10, 20, 30, 1];
        double[] quarterTurnAboutZ = [0, 1, 0, 0, -1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
        Assert.Equal((10, 21, 30), ColumnMajor.Transform(ColumnMajor.Multiply(translate, quarterTurnAboutZ), 1, 0, 0));
        Assert.Equal((-20, 11, 30), ColumnMajor.Transform(ColumnMajor.Multiply(quarterTurnAboutZ, translate), 1, 0, 0));
        Assert.Equal(translate, ColumnMajor.Multiply(ColumnMajor.Identity(), translate));
        Assert.Equal((1, -3, 2), ColumnMajor.GltfToWorld(ColumnMajor.Identity(), 1, 2, 3));
    }
}
