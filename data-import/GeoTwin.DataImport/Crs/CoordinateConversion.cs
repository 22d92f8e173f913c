using GeoTwin.DataImport.Import;
using NetTopologySuite.Geometries;
using Npgsql;
using ProjNet.CoordinateSystems;
using ProjNet.CoordinateSystems.Transformations;

namespace GeoTwin.DataImport.Crs;

/// <summary>Chinese web-map offsets a source may carry on top of its CRS.</summary>
public enum WebDatum { None, Gcj02, Bd09 }

public static class WebDatums
{
    /// <summary>"gcj02" or "bd09" (no name: none); anything else is refused by name.</summary>
    public static WebDatum Parse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        null or "" or "none" or "wgs84" => WebDatum.None,
        "gcj02" or "gcj-02" => WebDatum.Gcj02,
        "bd09" or "bd-09" => WebDatum.Bd09,
        _ => throw new ImportRefusedException($"unknown datum '{name}': gcj02 or bd09"),
    };
}

/// <summary>
/// Source CRS (any EPSG code PostGIS knows, by ProjNet from its spatial_ref_sys WKT) and web-map offset
/// to EPSG:4326 longitude/latitude, in place on NTS geometries.
/// </summary>
public sealed class CoordinateConversion
{
    /// <summary>CGCS2000 is WGS 84 at map precision (DESIGN.md): no transformation is run for either.</summary>
    static readonly HashSet<int> Wgs84Equivalent = [4326, 4490];

    readonly MathTransform? _transform;
    readonly WebDatum _datum;
    readonly double? _falseEasting;

    CoordinateConversion(int srid, MathTransform? transform, WebDatum datum, double? falseEasting)
    {
        SourceSrid = srid;
        _transform = transform;
        _datum = datum;
        _falseEasting = falseEasting;
    }

    public int SourceSrid { get; }

    public static async Task<CoordinateConversion> CreateAsync(NpgsqlDataSource db, int srid, WebDatum datum, CancellationToken ct = default)
    {
        if (Wgs84Equivalent.Contains(srid)) return new CoordinateConversion(srid, null, datum, null);
        var wkt = await SourceWktAsync(db, srid, ct);
        CoordinateSystem source;
        try { source = new CoordinateSystemFactory().CreateFromWkt(wkt); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or InvalidOperationException or FormatException)
        {
            throw new ImportRefusedException($"EPSG:{srid} is in PostGIS, but its definition cannot be used for transforming ({e.Message})", e);
        }
        if (datum != WebDatum.None && source is not GeographicCoordinateSystem)
            throw new ImportRefusedException($"--datum {datum.ToString().ToLowerInvariant()} applies to longitude/latitude sources; EPSG:{srid} ({source.Name}) is projected");
        MathTransform transform;
        try { transform = new CoordinateTransformationFactory().CreateFromCoordinateSystems(source, GeographicCoordinateSystem.WGS84).MathTransform; }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or InvalidOperationException)
        {
            throw new ImportRefusedException($"cannot transform EPSG:{srid} ({source.Name}) to EPSG:4326: {e.Message}", e);
        }
        double? falseEasting = source is ProjectedCoordinateSystem { Projection.ClassName: var cls } p && cls.Contains("Transverse_Mercator", StringComparison.OrdinalIgnoreCase)
            ? p.Projection.GetParameter("false_easting")?.Value : null;
        return new CoordinateConversion(srid, transform, datum, falseEasting);
    }

    static async Task<string> SourceWktAsync(NpgsqlDataSource db, int srid, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(EmbeddedSql.Get("Crs/srtext.sql"));
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = srid });
        return await cmd.ExecuteScalarAsync(ct) as string
            ?? throw new ImportRefusedException($"unknown CRS EPSG:{srid}: PostGIS's spatial_ref_sys has no definition for it");
    }

    /// <summary>Converts in place; null when done, else why the coordinates cannot be right (for the bad-row report).</summary>
    public string? Apply(Geometry geometry)
    {
        var filter = new Converter(this);
        geometry.Apply(filter);
        geometry.GeometryChanged();
        geometry.SRID = 4326;
        return filter.Error;
    }

    /// <summary>
    /// EPSG defines the Gauss-Kruger CRSs northing-first, but PostGIS's WKT has no AXIS and GIS files store easting
    /// first; Chinese survey tables (X = north) do the opposite. A TM easting lies within a few hundred km of the
    /// false easting and a northing far from it, so a pair the wrong way round is recognizable and is swapped.
    /// </summary>
    bool IsNorthingFirst(double x, double y) =>
        _falseEasting is { } fe && Math.Abs(x - fe) > 1_000_000 && Math.Abs(y - fe) <= 1_000_000 && Math.Abs(x) < 10_000_000;

    sealed class Converter(CoordinateConversion c) : ICoordinateSequenceFilter
    {
        public string? Error { get; private set; }
        public bool Done => Error is not null;
        public bool GeometryChanged => true;

        public void Filter(CoordinateSequence seq, int i)
        {
            double x = seq.GetX(i), y = seq.GetY(i);
            if (!double.IsFinite(x) || !double.IsFinite(y)) { Error = $"coordinate ({x}, {y}) is not a number"; return; }
            if (c._transform is { } t)
            {
                if (c.IsNorthingFirst(x, y)) (x, y) = (y, x);
                (x, y) = t.Transform(x, y);
                if (!double.IsFinite(x) || !double.IsFinite(y)) { Error = $"coordinate ({seq.GetX(i)}, {seq.GetY(i)}) is outside EPSG:{c.SourceSrid}"; return; }
            }
            if (x is < -180 or > 180 || y is < -90 or > 90)
            {
                Error = c._transform is null
                    ? $"coordinate ({x}, {y}) is out of range for longitude/latitude (EPSG:{c.SourceSrid}); is the file in a projected CRS? pass --srid"
                    : $"coordinate ({seq.GetX(i)}, {seq.GetY(i)}) in EPSG:{c.SourceSrid} lands out of range at ({x}, {y})";
                return;
            }
            (x, y) = c._datum switch
            {
                WebDatum.Gcj02 => ChineseWebDatums.Gcj02ToWgs84(x, y),
                WebDatum.Bd09 => ChineseWebDatums.Bd09ToWgs84(x, y),
                _ => (x, y),
            };
            seq.SetX(i, x);
            seq.SetY(i, y);
        }
    }
}
