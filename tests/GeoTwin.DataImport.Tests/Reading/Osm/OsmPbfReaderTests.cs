using GeoTwin.DataImport.Reading.Osm;
using NetTopologySuite.Geometries;

namespace GeoTwin.DataImport.Tests.Reading.Osm;

/// <summary>The real Monaco extract; the counts are the ones shared/data/SOURCES.md states for it.</summary>
public sealed class OsmPbfReaderTests
{
    static List<GeoTwin.DataImport.Reading.SourceRecord> Read(OsmLayer layer)
    {
        using var reader = new OsmPbfReader(TestData.MonacoPbf, layer);
        var records = reader.Read().ToList();
        Assert.Equal(1.0, reader.Progress);
        return records;
    }

    [Fact]
    public void Roads_are_the_3334_highway_ways_as_line_strings()
    {
        var roads = Read(OsmLayer.Roads);

        Assert.Equal(3334, roads.Count);
        Assert.All(roads, r => Assert.IsType<LineString>(r.Geometry));
        Assert.All(roads, r => Assert.Null(r.Error));
        Assert.All(roads, r => Assert.Matches("^w[0-9]+$", r.Fields["osm_id"]));
        Assert.Equal(Enumerable.Range(1, roads.Count).Select(i => (long)i), roads.Select(r => r.Row));
    }

    [Fact]
    public void Buildings_are_1576_closed_ways_and_30_multipolygons_one_of_them_cut_off()
    {
        var all = Read(OsmLayer.Buildings);
        // One relation lies across the extract's edge: reported, not guessed.
        Assert.Equal("r5197022", Assert.Single(all, b => b.Error is not null).Fields["osm_id"]);
        var buildings = all.Where(b => b.Error is null).ToList();

        // SOURCES.md counts 1,607 buildings: the one more is a type=site relation, which is a group, not a shape.
        Assert.Equal(1576, buildings.Count(b => b.Fields["osm_id"]!.StartsWith('w')));
        Assert.Equal(29, buildings.Count(b => b.Fields["osm_id"]!.StartsWith('r')));
        Assert.All(buildings, b => Assert.True(b.Geometry is Polygon or MultiPolygon && b.Geometry.IsValid, b.Fields["osm_id"] + " " + b.Error));
        Assert.Equal(492, buildings.Count(b => b.Fields.ContainsKey("building:levels")));
        Assert.Equal(44, buildings.Count(b => b.Fields.ContainsKey("height")));
        var withHoles = buildings.Single(b => b.Fields["osm_id"] == "r8280869").Geometry!;
        Assert.Equal(8, ((Polygon)withHoles.GetGeometryN(0)).NumInteriorRings);
    }

    [Fact]
    public void Addresses_are_the_385_house_numbers_as_points()
    {
        var addresses = Read(OsmLayer.Addresses);

        Assert.Equal(385, addresses.Count);
        Assert.All(addresses, a => Assert.IsType<Point>(a.Geometry));
        Assert.All(addresses, a => Assert.False(string.IsNullOrEmpty(a.Fields["addr:housenumber"])));
    }

    [Fact]
    public void Cameras_are_the_16_surveillance_nodes_with_their_tags()
    {
        var cameras = Read(OsmLayer.Cameras);

        Assert.Equal(16, cameras.Count);
        Assert.Equal(3, cameras.Count(c => c.Fields.ContainsKey("direction") || c.Fields.ContainsKey("camera:direction")));
        var first = cameras.Single(c => c.Fields["osm_id"] == "n6459866647");
        Assert.Equal("240", first.Fields["direction"]);
        Assert.Equal("fixed", first.Fields["camera:type"]);
    }

    [Fact]
    public void Pois_include_the_9_police_features_and_the_hotels()
    {
        var pois = Read(OsmLayer.Pois);

        Assert.Equal(9, pois.Count(p => p.Fields.GetValueOrDefault("amenity") == "police"));
        Assert.Contains(pois, p => p.Fields.GetValueOrDefault("name") == "Sûreté Publique de Monaco" && p.Geometry is Point);
        Assert.True(pois.Count(p => p.Fields.GetValueOrDefault("tourism") == "hotel") >= 20);
    }

    [Fact]
    public void Boundaries_give_the_land_of_Monaco_and_its_quarters()
    {
        var boundaries = Read(OsmLayer.Boundaries).Where(b => b.Error is null).ToList();

        var land = boundaries.Single(b => b.Fields["osm_id"] == "r36990").Geometry!;
        Assert.True(land.IsValid);
        var areaKm2 = land.Area * 111.32 * 111.32 * Math.Cos(43.73 * Math.PI / 180);
        Assert.InRange(areaKm2, 1.9, 2.2); // Monaco is about 2 km² of land
        var quarters = boundaries.Where(b => b.Fields.GetValueOrDefault("admin_level") == "10").ToList();
        Assert.Equal(9, quarters.Count);
        Assert.All(quarters, q => Assert.IsType<MultiPolygon>(q.Geometry));
    }

    [Fact]
    public void Incomplete_relations_are_reported_by_id_instead_of_guessed()
    {
        var france = Read(OsmLayer.Boundaries).Single(b => b.Fields["osm_id"] == "r2202162");

        Assert.Null(france.Geometry);
        Assert.Contains("relation r2202162 is incomplete", france.Error);
    }

    [Fact]
    public void A_truncated_file_is_a_clear_error()
    {
        var path = Path.Combine(Path.GetTempPath(), $"truncated-{Guid.NewGuid():N}.osm.pbf");
        var bytes = File.ReadAllBytes(TestData.MonacoPbf);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        try
        {
            using var reader = new OsmPbfReader(path, OsmLayer.Roads);
            var e = Assert.Throws<InvalidDataException>(() => reader.Read().ToList());
            Assert.Contains(path, e.Message);
            Assert.Matches("truncated|not a readable OSM PBF", e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void A_file_that_is_not_PBF_is_a_clear_error()
    {
        var path = Path.Combine(Path.GetTempPath(), $"not-pbf-{Guid.NewGuid():N}.osm.pbf");
        File.WriteAllText(path, "<osm version=\"0.6\"></osm>");
        try
        {
            using var reader = new OsmPbfReader(path, OsmLayer.Cameras);
            var e = Assert.Throws<InvalidDataException>(() => reader.Read().ToList());
            Assert.Equal($"{path}: not an OSM PBF file (it does not start with an OSMHeader block)", e.Message);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void A_corrupted_block_is_a_clear_error()
    {
        var path = Path.Combine(Path.GetTempPath(), $"corrupt-{Guid.NewGuid():N}.osm.pbf");
        var bytes = File.ReadAllBytes(TestData.MonacoPbf);
        for (var i = 2000; i < 6000; i++) bytes[i] ^= 0x5A; // damage the compressed data of the first blocks
        File.WriteAllBytes(path, bytes);
        try
        {
            using var reader = new OsmPbfReader(path, OsmLayer.Roads);
            var e = Assert.Throws<InvalidDataException>(() => reader.Read().ToList());
            Assert.StartsWith($"{path}: ", e.Message);
        }
        finally { File.Delete(path); }
    }
}
