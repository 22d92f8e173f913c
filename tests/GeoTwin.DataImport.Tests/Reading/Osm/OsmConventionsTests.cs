using GeoTwin.DataImport.Reading.Osm;

namespace GeoTwin.DataImport.Tests.Reading.Osm;

public sealed class OsmConventionsTests
{
    static Dictionary<string, string?> Tags(params string[] kv) =>
        Enumerable.Range(0, kv.Length / 2).ToDictionary(i => kv[2 * i], i => (string?)kv[2 * i + 1]);

    [Theory]
    [InlineData("primary_link", "primary")]
    [InlineData("unclassified", "residential")]
    [InlineData("living_street", "living_street")]
    [InlineData("pedestrian", "pedestrian")]
    [InlineData("footway", null)]
    [InlineData("steps", null)]
    [InlineData("cycleway", null)]
    [InlineData("path", null)]
    [InlineData("raceway", null)]
    public void Highway_maps_to_the_road_class_or_off_the_driving_network(string highway, string? roadClass) =>
        Assert.Equal(roadClass, OsmConventions.RoadClass(Tags("highway", highway)));

    [Theory]
    [InlineData("50", 50)]
    [InlineData("30 km/h", 30)]
    [InlineData("30 mph", 48.3)]
    [InlineData("FR:urban", 45)] // symbolic: the class default
    [InlineData("walk", 45)]
    [InlineData(null, 45)]
    public void Speed_comes_from_maxspeed_in_kmh_or_mph_else_the_class_default(string? maxspeed, double kmh)
    {
        var tags = Tags("highway", "primary");
        if (maxspeed is not null) tags["maxspeed"] = maxspeed;
        Assert.Equal(kmh, OsmConventions.SpeedKmh(tags, "primary"));
    }

    [Theory]
    [InlineData("residential", "yes", null, 1)]
    [InlineData("residential", "1", null, 1)]
    [InlineData("residential", "true", null, 1)]
    [InlineData("residential", "-1", null, -1)]
    [InlineData("residential", "no", null, 0)]
    [InlineData("residential", null, null, 0)]
    [InlineData("primary", null, "roundabout", 1)]
    [InlineData("primary", "no", "roundabout", 0)]
    [InlineData("motorway", null, null, 1)]
    public void Oneway_follows_the_tag_roundabouts_and_motorways(string roadClass, string? oneway, string? junction, short expected)
    {
        var tags = Tags("highway", roadClass);
        if (oneway is not null) tags["oneway"] = oneway;
        if (junction is not null) tags["junction"] = junction;
        Assert.Equal(expected, OsmConventions.Oneway(tags, roadClass));
    }

    [Fact]
    public void Height_comes_from_height_then_levels_then_the_use()
    {
        Assert.Equal(new BuildingHeight(0, 27.5, 9), OsmConventions.Height(Tags("building", "yes", "height", "27.5 m"), "residential"));
        Assert.Equal(new BuildingHeight(0, 24, 8), OsmConventions.Height(Tags("building", "apartments", "building:levels", "8"), "residential"));
        Assert.Equal(new BuildingHeight(6, 18, 4), OsmConventions.Height(Tags("building", "yes", "building:levels", "4", "building:min_level", "2"), "residential"));
        Assert.Equal(new BuildingHeight(0, 12.19, 4), OsmConventions.Height(Tags("building", "yes", "height", "40 ft"), "residential"));
        Assert.Equal(new BuildingHeight(0, 21, 7), OsmConventions.Height(Tags("building", "hotel"), "hotel"));
        Assert.Equal(new BuildingHeight(0, 15, 5), OsmConventions.Height(Tags("building", "yes", "height", "tall"), "residential"));
    }

    [Theory]
    [InlineData("apartments", null, "residential")]
    [InlineData("yes", null, "residential")]
    [InlineData("yes", "place_of_worship", "religious")]
    [InlineData("church", null, "religious")]
    [InlineData("hotel", null, "hotel")]
    [InlineData("retail", null, "commercial")]
    [InlineData("school", null, "public")]
    [InlineData("roof", null, "other")]
    public void Use_comes_from_building_then_amenity(string building, string? amenity, string use)
    {
        var tags = Tags("building", building);
        if (amenity is not null) tags["amenity"] = amenity;
        Assert.Equal(use, OsmConventions.BuildingUse(tags));
    }
}
