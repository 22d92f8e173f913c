using GeoTwin.DataImport.Domain;

namespace GeoTwin.DataImport.Tests.Domain;

public sealed class Gb28181IdTests
{
    [Theory]
    [InlineData("34020000001320000001", null)]
    [InlineData("34020000011310000002", null)]
    [InlineData("", "camera id is missing")]
    [InlineData("3402000000132000001", "camera id must be 20 digits, got 19 characters")]
    [InlineData("3402000000132000000A", "camera id must be digits only (0-9)")]
    [InlineData("34020000001180000001", "camera id has device type 118; a camera is 131 (camera) or 132 (IP camera)")]
    public void Camera_ids_are_checked_like_the_database_does(string id, string? reason) =>
        Assert.Equal(reason, Gb28181Id.ValidateCamera(id));

    [Fact]
    public void Made_ids_are_valid_and_laid_out_by_the_standard()
    {
        var id = Gb28181Id.Make("34020000", 1, 132, 0, 42);
        Assert.Equal("34020000011320000042", id);
        Assert.Throws<ArgumentException>(() => Gb28181Id.Make("34020000", 0, 200, 0, 1));
    }

    [Fact]
    public void Every_road_class_of_the_schema_has_a_default_speed()
    {
        foreach (var c in new[] { "motorway", "trunk", "primary", "secondary", "tertiary", "residential", "service", "living_street", "pedestrian", "track", "other" })
            Assert.InRange(RoadClasses.DefaultSpeedKmh(c), 5, 130);
        Assert.Throws<ArgumentException>(() => RoadClasses.DefaultSpeedKmh("autobahn"));
    }
}
