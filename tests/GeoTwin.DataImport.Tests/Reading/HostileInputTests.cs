using System.Buffers.Binary;
using GeoTwin.DataImport.Import;
using GeoTwin.DataImport.Reading;
using GeoTwin.DataImport.Reading.Osm;
using Microsoft.Data.Sqlite;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using NetTopologySuite.IO.Esri;

namespace GeoTwin.DataImport.Tests.Reading;

/// <summary>
/// Files that lie about their sizes (InputLimits): each is refused, or its row is bad, in memory bounded by a small
/// multiple of the file, measured as bytes allocated on the reading thread.
/// </summary>
public sealed class HostileInputTests : IDisposable
{
    readonly string _dir = TempDirs.Make("hostile");

    public void Dispose() => TempDirs.Remove(_dir);

    /// <summary>Runs <paramref name="read"/> and returns what it threw and what it allocated on this thread.</summary>
    static (Exception? Thrown, long Allocated) Measure(Action read)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        Exception? thrown = null;
        try { read(); } catch (Exception e) { thrown = e; }
        return (thrown, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void A_Shapefile_record_claiming_2_to_the_30_points_in_112_bytes_is_refused_before_anything_is_allocated_for_them()
    {
        var shp = HostileFiles.Shapefile(_dir);
        Assert.True(new DirectoryInfo(_dir).EnumerateFiles().Sum(f => f.Length) < 700);

        var (thrown, allocated) = Measure(() => SourceFiles.Open(shp).Dispose());

        var refused = Assert.IsType<ImportRefusedException>(thrown);
        Assert.Equal("the Shapefile hostile.shp is damaged: record 1: claims 1,073,741,824 points in 112 bytes", refused.Message);
        Assert.True(allocated < 4 << 20, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void Shapefiles_as_NTS_writes_them_pass_the_record_check_and_read_whole()
    {
        var f = new GeometryFactory();
        Geometry[][] layers =
        [
            [f.CreatePolygon(f.CreateLinearRing([new(0, 0), new(10, 0), new(10, 10), new(0, 10), new(0, 0)]), [f.CreateLinearRing([new(2, 2), new(2, 4), new(4, 4), new(4, 2), new(2, 2)])]),
             f.CreateMultiPolygon([f.CreatePolygon([new(20, 0), new(21, 0), new(21, 1), new(20, 0)]), f.CreatePolygon([new(30, 0), new(31, 0), new(31, 1), new(30, 0)])])],
            [f.CreateLineString([new CoordinateZ(0, 0, 1), new CoordinateZ(1, 1, 2), new CoordinateZ(2, 0, 3)])],
            [f.CreatePoint(new Coordinate(1, 2)), f.CreatePoint(new Coordinate(3, 4))],
            [f.CreateMultiPointFromCoords([new(1, 2), new(3, 4), new(5, 6)])],
        ];
        for (var i = 0; i < layers.Length; i++)
        {
            var shp = Path.Combine(_dir, $"legal{i}.shp");
            Shapefile.WriteAllFeatures(layers[i].Select(g => new Feature(g, new AttributesTable { { "code", "X" } })), shp);
            Assert.Null(ShapefileReader.CheckRecords(shp));
            using var reader = SourceFiles.Open(shp);
            Assert.Equal(layers[i].Length, reader.Read().Count(r => r.Geometry is not null));
        }
    }

    [Fact]
    public void A_GeoPackage_geometry_claiming_2_to_the_30_points_is_a_bad_row_in_bounded_memory()
    {
        var gpkg = Path.Combine(_dir, "hostile.gpkg");
        using (var db = new SqliteConnection($"Data Source={gpkg};Pooling=False"))
        {
            db.Open();
            using var cmd = db.CreateCommand();
            cmd.CommandText = """
                CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
                INSERT INTO gpkg_spatial_ref_sys VALUES ('WGS 84', 4326, 'EPSG', 4326, 'GEOGCS["WGS 84"]', NULL);
                CREATE TABLE gpkg_contents (table_name TEXT PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT, description TEXT DEFAULT '', last_change DATETIME, min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER);
                INSERT INTO gpkg_contents (table_name, data_type, srs_id) VALUES ('houses', 'features', 4326);
                CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL);
                INSERT INTO gpkg_geometry_columns VALUES ('houses', 'geom', 'POLYGON', 4326, 0, 0);
                CREATE TABLE houses (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom BLOB, code TEXT);
                """;
            cmd.ExecuteNonQuery();
            // GeoPackage header (no envelope), then WKB: little-endian polygon, 1 ring, claiming 2^30 points, 4 present.
            var blob = new byte[8 + 13 + 64];
            "GP"u8.CopyTo(blob);
            blob[3] = 1;
            blob[8] = 1;
            BinaryPrimitives.WriteInt32LittleEndian(blob.AsSpan(9), 3);
            BinaryPrimitives.WriteInt32LittleEndian(blob.AsSpan(13), 1);
            BinaryPrimitives.WriteInt32LittleEndian(blob.AsSpan(17), 1 << 30);
            cmd.CommandText = "INSERT INTO houses (geom, code) VALUES ($g, 'H-1')";
            cmd.Parameters.AddWithValue("$g", blob);
            cmd.ExecuteNonQuery();
        }

        List<SourceRecord> rows = [];
        var (thrown, allocated) = Measure(() => { using var reader = SourceFiles.Open(gpkg); rows = [.. reader.Read()]; });

        Assert.Null(thrown);
        var row = Assert.Single(rows);
        Assert.Null(row.Geometry);
        Assert.StartsWith("geom: not a GeoPackage geometry", row.Error);
        Assert.True(allocated < 16 << 20, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void A_CSV_record_longer_than_the_limit_is_refused_naming_its_line()
    {
        var path = Path.Combine(_dir, "open-quote.csv");
        File.WriteAllText(path, "code,address,lon,lat\nA-1,\"never closed," + new string('x', 5000) + "\n");
        using var reader = new CsvReader(path) { MaxRecordChars = 1000 };

        var e = Assert.Throws<ImportRefusedException>(() => reader.Read().ToList());

        Assert.Equal("line 2: a record longer than 1,000 characters (an unclosed quote?)", e.Message);
    }

    [Fact]
    public void An_OSM_PBF_block_claiming_2_GB_is_refused_before_OsmSharp_allocates_it()
    {
        var path = Path.Combine(_dir, "hostile.osm.pbf");
        // BlobHeader { type = "OSMHeader", datasize = 2^31 - 1 }, then a few bytes of blob.
        byte[] header = [0x0A, 9, .. "OSMHeader"u8, 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0x07];
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, header.Length);
        File.WriteAllBytes(path, [.. length, .. header, 0x10, 0x01, 0x1A, 0x00]);

        using var reader = new OsmPbfReader(path, OsmLayer.Roads);
        var (thrown, allocated) = Measure(() => reader.Read().ToList());

        var e = Assert.IsType<InvalidDataException>(thrown);
        Assert.Equal($"{path}: block 1 claims a block of 2,147,483,647 bytes (the format allows 1 to 33,554,432): the OSM PBF file is damaged", e.Message);
        Assert.True(allocated < 4 << 20, $"allocated {allocated:N0} bytes");
    }
}
