using GeoTwin.Tiling.Tiles;

namespace GeoTwin.Tiling.Tests.Tiles;

public sealed class TileAddressTests
{
    [Theory]
    [InlineData(-1, 0, 0, "z must be between 0 and 30, got -1")]
    [InlineData(31, 0, 0, "z must be between 0 and 30, got 31")]
    [InlineData(3, 8, 0, "x must be between 0 and 7 at zoom 3, got 8")]
    [InlineData(3, -1, 0, "x must be between 0 and 7 at zoom 3, got -1")]
    [InlineData(3, 0, 8, "y must be between 0 and 7 at zoom 3, got 8")]
    public void Out_of_range_tiles_are_named(int z, int x, int y, string expected) =>
        Assert.Equal(expected, TileAddress.Validate(z, x, y));

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(16, 34112, 23868)]
    [InlineData(30, 1073741823, 1073741823)]
    public void Tiles_in_range_are_valid(int z, int x, int y) => Assert.Null(TileAddress.Validate(z, x, y));

    [Fact]
    public void The_world_tile_spans_the_mercator_world()
    {
        var (w, s, e, n) = new TileAddress(0, 0, 0).Bounds();
        Assert.Equal(-180, w, 9);
        Assert.Equal(180, e, 9);
        Assert.Equal(85.0511287798, n, 6);
        Assert.Equal(-85.0511287798, s, 6);
    }

    [Theory]
    [InlineData(7.4246, 43.7384, 16)] // Monaco
    [InlineData(113.37, 22.49, 14)]   // southern China
    [InlineData(-122.42, 37.77, 12)]  // San Francisco
    public void The_containing_tile_holds_the_point(double lon, double lat, int z)
    {
        var tile = TileAddress.Containing(lon, lat, z);
        var (w, s, e, n) = tile.Bounds();
        Assert.InRange(lon, w, e);
        Assert.InRange(lat, s, n);
        Assert.Null(TileAddress.Validate(tile.Z, tile.X, tile.Y));
    }
}
