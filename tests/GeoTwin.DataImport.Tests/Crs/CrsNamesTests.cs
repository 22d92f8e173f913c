using GeoTwin.DataImport.Crs;

namespace GeoTwin.DataImport.Tests.Crs;

public sealed class CrsNamesTests
{
    [Theory]
    [InlineData("urn:ogc:def:crs:EPSG::4549", 4549)]
    [InlineData("EPSG:4490", 4490)]
    [InlineData("urn:ogc:def:crs:OGC:1.3:CRS84", 4326)]
    [InlineData("http://www.opengis.net/def/crs/EPSG/0/4527", 4527)]
    public void A_GeoJSON_crs_name_gives_its_EPSG_code(string name, int srid) => Assert.Equal(srid, CrsNames.FromName(name));

    [Theory]
    [InlineData("CGCS2000_3_Degree_GK_CM_120E", 4549)]
    [InlineData("CGCS2000_3_Degree_GK_CM_117E", 4548)]
    [InlineData("CGCS2000_3_Degree_GK_Zone_39", 4527)]
    [InlineData("CGCS2000_GK_CM_117E", 4509)]
    [InlineData("GCS_China_Geodetic_Coordinate_System_2000", 4490)]
    [InlineData("WGS_1984_UTM_Zone_50N", 32650)]
    public void An_ArcGIS_prj_without_codes_is_recognized_by_name(string name, int srid) =>
        Assert.Equal(srid, CrsNames.FromWkt($"PROJCS[\"{name}\",GEOGCS[\"GCS_China_Geodetic_Coordinate_System_2000\",DATUM[\"D_China_2000\",SPHEROID[\"CGCS2000\",6378137.0,298.257222101]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]]]"));

    [Fact]
    public void A_WKT_with_an_authority_gives_its_own_code_not_its_datums()
    {
        const string wkt = """PROJCS["CGCS2000 / 3-degree Gauss-Kruger CM 120E",GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101,AUTHORITY["EPSG","1024"]],AUTHORITY["EPSG","1043"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4490"]],PROJECTION["Transverse_Mercator"],PARAMETER["central_meridian",120],PARAMETER["false_easting",500000],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AUTHORITY["EPSG","4549"]]""";
        Assert.Equal(4549, CrsNames.FromWkt(wkt));
    }

    [Fact]
    public void A_custom_CRS_has_no_code_but_keeps_its_name()
    {
        const string wkt = """PROJCS["Shanghai_City_Local",GEOGCS["GCS_Local",DATUM["D_Local",SPHEROID["Krasovsky",6378245,298.3]],PRIMEM["Greenwich",0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"]]""";
        Assert.Null(CrsNames.FromWkt(wkt));
        Assert.Equal("Shanghai_City_Local", CrsNames.NameOf(wkt));
    }
}
