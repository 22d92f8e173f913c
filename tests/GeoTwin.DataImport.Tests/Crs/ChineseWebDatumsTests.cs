using GeoTwin.DataImport.Crs;

namespace GeoTwin.DataImport.Tests.Crs;

/// <summary>The published test vectors in shared/DOMAIN.md (from gcoord).</summary>
public sealed class ChineseWebDatumsTests
{
    const double Lon = 116.404, Lat = 39.915;

    [Fact]
    public void Wgs84_to_gcj02_matches_the_reference()
    {
        var (lon, lat) = ChineseWebDatums.Wgs84ToGcj02(Lon, Lat);
        Assert.Equal(116.41024449916938, lon, 12);
        Assert.Equal(39.91640428150164, lat, 12);
    }

    [Fact]
    public void The_one_step_inverse_matches_the_reference_and_the_iterated_one_is_exact()
    {
        var (oneLon, oneLat) = ChineseWebDatums.Gcj02ToWgs84OneStep(Lon, Lat);
        Assert.Equal(116.39775550083061, oneLon, 12);
        Assert.Equal(39.91359571849836, oneLat, 12);

        var (gLon, gLat) = ChineseWebDatums.Wgs84ToGcj02(Lon, Lat);
        var (wLon, wLat) = ChineseWebDatums.Gcj02ToWgs84(gLon, gLat);
        Assert.True(Math.Abs(wLon - Lon) < 1e-6 && Math.Abs(wLat - Lat) < 1e-6, $"round trip off: {wLon}, {wLat}");
        var (oLon, oLat) = ChineseWebDatums.Gcj02ToWgs84OneStep(gLon, gLat);
        Assert.True(Math.Abs(oLon - Lon) + Math.Abs(oLat - Lat) > Math.Abs(wLon - Lon) + Math.Abs(wLat - Lat),
            "iteration should beat the one-step inverse");
    }

    [Fact]
    public void Gcj02_and_bd09_match_the_reference_both_ways()
    {
        var (bLon, bLat) = ChineseWebDatums.Gcj02ToBd09(Lon, Lat);
        Assert.Equal(116.41036949371029, bLon, 12);
        Assert.Equal(39.92133699351021, bLat, 12);
        var (gLon, gLat) = ChineseWebDatums.Bd09ToGcj02(Lon, Lat);
        Assert.Equal(116.39762729119315, gLon, 12);
        Assert.Equal(39.90865673957631, gLat, 12);
    }

    [Theory]
    [InlineData(7.4246, 43.7384)]  // Monaco
    [InlineData(139.69, 35.68)]    // Tokyo
    public void Outside_China_nothing_moves(double lon, double lat)
    {
        Assert.Equal((lon, lat), ChineseWebDatums.Wgs84ToGcj02(lon, lat));
        Assert.Equal((lon, lat), ChineseWebDatums.Gcj02ToWgs84(lon, lat));
    }
}
