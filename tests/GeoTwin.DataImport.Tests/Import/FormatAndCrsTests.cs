using System.IO.Compression;
using System.Text;
using GeoTwin.DataImport.Crs;
using GeoTwin.DataImport.Reading;
using Microsoft.Data.Sqlite;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using NetTopologySuite.IO.Esri;

namespace GeoTwin.DataImport.Tests.Import;

/// <summary>Every format and CRS case into a real PostGIS, with coordinates checked against known values and PROJ.</summary>
[Collection("postgis")]
public sealed class FormatAndCrsTests(PostgisFixture pg)
{
    const string EsriPrj4549 = """PROJCS["CGCS2000_3_Degree_GK_CM_120E",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",120.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]""";
    const double Degree1cm = 1e-7;

    [Theory]
    [InlineData(4548, 500000.000, 3985542.670)]   // DOMAIN.md check point, easting first as GIS files store it
    [InlineData(4548, 3985542.670, 500000.000)]   // northing first, as EPSG and Chinese survey tables order it
    [InlineData(4527, 39500000.000, 3985542.670)] // the zone-prefixed twin (zone 39)
    [InlineData(4527, 3985542.670, 39500000.000)]
    public async Task The_DOMAIN_check_point_comes_back_to_36N_117E_in_either_axis_order(int srid, double x, double y)
    {
        await using var h = await ImportHarness.CreateAsync(pg);
        var conversion = await CoordinateConversion.CreateAsync(h.Db, srid, WebDatum.None);
        var point = new GeometryFactory().CreatePoint(new Coordinate(x, y));

        Assert.Null(conversion.Apply(point));

        Assert.Equal(117, point.X, Degree1cm);
        Assert.Equal(36, point.Y, Degree1cm);
    }

    [Fact]
    public async Task A_Gauss_Kruger_point_agrees_with_PROJ_and_an_unknown_EPSG_code_is_refused_by_name()
    {
        await using var h = await ImportHarness.CreateAsync(pg);
        var (north, east) = ImportHarness.Cs2cs("EPSG:4490", "EPSG:4549", 30.2, 120.1);
        var conversion = await CoordinateConversion.CreateAsync(h.Db, 4549, WebDatum.None);
        var point = new GeometryFactory().CreatePoint(new Coordinate(east, north));
        conversion.Apply(point);
        Assert.Equal(120.1, point.X, Degree1cm);
        Assert.Equal(30.2, point.Y, Degree1cm);

        var e = await Assert.ThrowsAsync<GeoTwin.DataImport.Import.ImportRefusedException>(() => CoordinateConversion.CreateAsync(h.Db, 999999, WebDatum.None));
        Assert.Contains("unknown CRS EPSG:999999", e.Message);
    }

    [Fact]
    public async Task BD09_is_removed_through_GCJ02_and_a_web_datum_on_a_projected_CRS_is_refused()
    {
        await using var h = await ImportHarness.CreateAsync(pg);
        var conversion = await CoordinateConversion.CreateAsync(h.Db, 4326, WebDatum.Bd09);
        // DOMAIN.md: GCJ-02 (116.404, 39.915) is BD-09 (116.41036949371029, 39.92133699351021)
        var point = new GeometryFactory().CreatePoint(new Coordinate(116.41036949371029, 39.92133699351021));

        conversion.Apply(point);

        var (lon, lat) = ChineseWebDatums.Gcj02ToWgs84(116.404, 39.915);
        Assert.Equal(lon, point.X, 1e-6);
        Assert.Equal(lat, point.Y, 1e-6);
        var e = await Assert.ThrowsAsync<GeoTwin.DataImport.Import.ImportRefusedException>(() => CoordinateConversion.CreateAsync(h.Db, 4549, WebDatum.Gcj02));
        Assert.Contains("applies to longitude/latitude sources", e.Message);
    }

    [Fact]
    public async Task A_GBK_Shapefile_in_EPSG_4549_with_an_ArcGIS_prj_imports_as_houses_zipped_or_not()
    {
        await using var h = await ImportHarness.CreateAsync(pg);
        var (north, east) = ImportHarness.Cs2cs("EPSG:4490", "EPSG:4549", 30.25, 120.15);
        var square = new GeometryFactory().CreatePolygon([new(east - 10, north - 10), new(east + 10, north - 10), new(east + 10, north + 10), new(east - 10, north + 10), new(east - 10, north - 10)]);
        var shp = h.PathOf("houses.shp");
        Shapefile.WriteAllFeatures([new Feature(square, new AttributesTable { { "FWBM", "H-0001" }, { "FWYT", "住宅" }, { "LEVELS", 5 }, { "HZRS", 3 } })],
            shp, EsriPrj4549, TextEncodings.Gbk);
        File.WriteAllText(Path.ChangeExtension(shp, ".cpg"), "GBK");

        var result = await h.ImportAsync(shp, "houses", mapping: new() { Fields = { ["residents_registered"] = "HZRS" } });

        Assert.True(result.Written, result.Refused + string.Join("; ", result.BadRows));
        Assert.Equal(4549, result.SourceSrid);
        var (lon, lat) = await h.PointAsync("SELECT ST_Centroid(footprint) FROM houses WHERE code = 'H-0001'");
        Assert.Equal(120.15, lon, 1e-6);
        Assert.Equal(30.25, lat, 1e-6);
        Assert.Equal("residential", await h.ScalarAsync<string>("SELECT use FROM houses"));
        Assert.Equal(15f, await h.ScalarAsync<float>("SELECT roof_height_m FROM houses")); // 5 floors x 3 m
        Assert.Equal(3, await h.ScalarAsync<int>("SELECT residents_total FROM houses"));
        Assert.Equal("ST-EAST", await h.ScalarAsync<string>("SELECT j.code FROM houses h JOIN jurisdictions j ON j.id = h.jurisdiction_id"));
        Assert.InRange(await h.ScalarAsync<double>("SELECT ST_Area(footprint::geography) FROM houses"), 399, 401);

        var zip = h.PathOf("houses.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
            foreach (var part in Directory.GetFiles(h.Dir, "houses.*").Where(f => f != zip))
                archive.CreateEntryFromFile(part, "export/" + Path.GetFileName(part));
        var again = await h.ImportAsync(zip, "houses", mapping: new() { Fields = { ["residents_registered"] = "HZRS" } });
        Assert.Equal((0L, 1L), (again.Inserted, again.Updated));
        Assert.Equal(1L, await h.ScalarAsync<long>("SELECT count(*) FROM houses"));
    }

    [Fact]
    public async Task A_Shapefile_whose_prj_names_an_unknown_CRS_is_refused_naming_it_unless_srid_is_given()
    {
        await using var h = await ImportHarness.CreateAsync(pg);
        var shp = h.PathOf("local.shp");
        Shapefile.WriteAllFeatures([new Feature(new GeometryFactory().CreatePoint(new Coordinate(7.42, 43.73)), new AttributesTable { { "code", "ADDR-0001" }, { "address", "x" } })],
            shp, """PROJCS["Shanghai_City_Local",GEOGCS["GCS_Local",DATUM["D_Local",SPHEROID["Krasovsky",6378245,298.3]],PRIMEM["Greenwich",0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"]]""");

        var e = await Assert.ThrowsAsync<GeoTwin.DataImport.Import.ImportRefusedException>(() => h.ImportAsync(shp, "addresses"));
        Assert.Contains("Shanghai_City_Local", e.Message);

        Assert.True((await h.ImportAsync(shp, "addresses", srid: 4326)).Written);
    }

    [Fact]
    public async Task A_GeoPackage_in_CGCS2000_imports_as_organizations_with_their_jurisdiction_and_community()
    {
        await using var h = await ImportHarness.CreateAsync(pg);
        var gpkg = h.PathOf("pois.gpkg");
        using (var db = new SqliteConnection($"Data Source={gpkg};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = """
                CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
                INSERT INTO gpkg_spatial_ref_sys VALUES ('China Geodetic Coordinate System 2000', 4490, 'EPSG', 4490, 'GEOGCS["China Geodetic Coordinate System 2000"]', NULL);
                CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT, description TEXT DEFAULT '', last_change DATETIME, min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER);
                INSERT INTO gpkg_contents (table_name, data_type, srs_id) VALUES ('pois', 'features', 4490);
                CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL);
                INSERT INTO gpkg_geometry_columns VALUES ('pois', 'geom', 'POINT', 4490, 0, 0);
                CREATE TABLE pois (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom BLOB, 单位编码 TEXT, 单位名称 TEXT, 类别 TEXT, stars INTEGER);
                """;
            cmd.ExecuteNonQuery();
            var point = new GeometryFactory(new PrecisionModel(), 4490).CreatePoint(new Coordinate(116.4, 39.9));
            cmd.CommandText = "INSERT INTO pois (geom, 单位编码, 单位名称, 类别, stars) VALUES ($g, 'ORG-1', '北京饭店', '宾馆', 5)";
            cmd.Parameters.AddWithValue("$g", new GeoPackageGeoWriter().Write(point));
            cmd.ExecuteNonQuery();
        }

        var result = await h.ImportAsync(gpkg, "organizations");

        Assert.True(result.Written, result.Refused);
        Assert.Equal(4490, result.SourceSrid);
        Assert.Equal((116.4, 39.9), await h.PointAsync("SELECT location FROM organizations"));
        Assert.Equal("北京饭店|hotel|RA-BJ|C-BJ", await h.ScalarAsync<string>("""
            SELECT o.name || '|' || o.category || '|' || j.code || '|' || c.code
              FROM organizations o JOIN jurisdictions j ON j.id = o.jurisdiction_id JOIN jurisdictions c ON c.id = o.community_id
            """));
    }

    [Fact]
    public async Task A_GCJ02_csv_in_GBK_lands_on_the_published_WGS84_point()
    {
        await using var h = await ImportHarness.CreateAsync(pg);
        var csv = h.File("gaode.csv", "地址编码,地址,经度,纬度\nBJ-00000001,\"北京市东城区天安门\",116.41024449916938,39.91640428150164\n", TextEncodings.Gbk);

        var result = await h.ImportAsync(csv, "addresses", datum: WebDatum.Gcj02);

        Assert.True(result.Written, result.Refused);
        var (lon, lat) = await h.PointAsync("SELECT location FROM addresses WHERE code = 'BJ-00000001'");
        Assert.Equal(116.404, lon, 1e-6);
        Assert.Equal(39.915, lat, 1e-6);
        Assert.Equal("北京市东城区天安门", await h.ScalarAsync<string>("SELECT full_text FROM addresses"));
    }

    [Fact]
    public async Task GeoJSON_with_an_EPSG_4549_crs_member_is_transformed_and_NDJSON_cameras_are_checked()
    {
        await using var h = await ImportHarness.CreateAsync(pg);
        var (north, east) = ImportHarness.Cs2cs("EPSG:4490", "EPSG:4549", 30.2, 120.1);
        var geojson = h.File("a.geojson", $$$"""
            {"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4549"}},"features":[
             {"type":"Feature","properties":{"dzbm":"HZ-00000001","dzqc":"杭州","mph":"1号"},"geometry":{"type":"Point","coordinates":[{{{east:R}}},{{{north:R}}}]}}]}
            """);
        var result = await h.ImportAsync(geojson, "addresses");
        Assert.True(result.Written, result.Refused);
        var (lon, lat) = await h.PointAsync("SELECT location FROM addresses");
        Assert.Equal((120.1, 30.2), (Math.Round(lon, 7), Math.Round(lat, 7)));

        var ndjson = h.File("cams.ndjson", """
            {"type":"Feature","properties":{"国标编码":"34020000001320000001","朝向":90,"camera:type":"球机"},"geometry":{"type":"Point","coordinates":[7.42,43.73]}}
            {"type":"Feature","properties":{"国标编码":"34020000001180000002"},"geometry":{"type":"Point","coordinates":[7.42,43.73]}}
            """);
        var refused = await h.ImportAsync(ndjson, "cameras");
        var bad = Assert.Single(refused.BadRows);
        Assert.Equal((2L, "国标编码"), (bad.Row, bad.Field));
        Assert.Contains("device type 118", bad.Reason);

        var skipped = await h.ImportAsync(ndjson, "cameras", skipInvalid: true);
        Assert.Equal(1L, skipped.Inserted);
        Assert.Equal("ptz|90|ST-MC", await h.ScalarAsync<string>("SELECT c.kind || '|' || c.heading_deg || '|' || j.code FROM cameras c JOIN jurisdictions j ON j.id = c.jurisdiction_id"));
    }
}

/// <summary>The real Monaco OSM extract the demo ships, through the same import as any file.</summary>
[Collection("postgis")]
public sealed class OsmImportTests(PostgisFixture pg)
{
    static string MonacoPbf()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "GeoTwin.sln"))) dir = dir.Parent;
        return Path.Combine(dir!.FullName, "data-import", "data", "monaco-latest.osm.pbf");
    }

    [Fact]
    public async Task Monaco_roads_and_buildings_import_from_the_PBF_with_OSM_meanings_and_again_by_key()
    {
        await using var h = await ImportHarness.CreateAsync(pg);

        var roads = await h.ImportAsync(MonacoPbf(), "roads", skipInvalid: true);
        var houses = await h.ImportAsync(MonacoPbf(), "houses", skipInvalid: true, mapping: new() { Jurisdiction = "ST-MC" });
        var again = await h.ImportAsync(MonacoPbf(), "roads", skipInvalid: true);

        Assert.True(roads.Inserted > 500, $"{roads.Inserted} roads");
        Assert.True(houses.Inserted > 1000, $"{houses.Inserted} houses");
        Assert.Equal((0L, roads.Inserted), (again.Inserted, again.Updated));
        Assert.True(await h.ScalarAsync<bool>("SELECT bool_and(speed_kmh > 0) AND count(*) FILTER (WHERE oneway <> 0) > 0 FROM roads"));
        Assert.True(await h.ScalarAsync<bool>("SELECT bool_and(roof_height_m > base_height_m) FROM houses"));
    }
}
