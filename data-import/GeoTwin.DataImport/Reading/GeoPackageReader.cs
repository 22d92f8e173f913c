using GeoTwin.DataImport.Crs;
using GeoTwin.DataImport.Import;
using Microsoft.Data.Sqlite;
using NetTopologySuite.IO;

namespace GeoTwin.DataImport.Reading;

/// <summary>
/// One feature table of an OGC GeoPackage (SQLite): the only one, or the one named. The CRS is the table's srs:
/// its EPSG code when the organization is EPSG, else whatever its WKT definition says.
/// </summary>
public sealed class GeoPackageReader : ISourceReader
{
    readonly SqliteConnection _db;
    readonly string _table, _geometryColumn;
    readonly long _count;
    long _row;

    public GeoPackageReader(string path, string? table = null)
    {
        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        try
        {
            _db.Open();
            var tables = Query("SELECT g.table_name, g.column_name, g.srs_id FROM gpkg_geometry_columns g JOIN gpkg_contents c USING (table_name) WHERE c.data_type = 'features' ORDER BY 1",
                r => (Name: r.GetString(0), Column: r.GetString(1), Srs: r.GetInt64(2)));
            var chosen = table is null
                ? tables.Count == 1 ? tables[0] : throw new ImportRefusedException(tables.Count == 0
                    ? "the GeoPackage has no feature table"
                    : $"the GeoPackage has {tables.Count} feature tables ({string.Join(", ", tables.Select(t => t.Name))}); name one with \"table\" in the mapping")
                : tables.FirstOrDefault(t => t.Name.Equals(table, StringComparison.OrdinalIgnoreCase)) is { Name: not null } t ? t
                : throw new ImportRefusedException($"the GeoPackage has no feature table '{table}' (it has: {string.Join(", ", tables.Select(x => x.Name))})");
            (_table, _geometryColumn) = (chosen.Name, chosen.Column);
            ReadSrs(chosen.Srs);
            _count = Query($"SELECT count(*) FROM {Quote(_table)}", r => r.GetInt64(0))[0];
        }
        catch (SqliteException e)
        {
            _db.Dispose();
            throw new ImportRefusedException($"not a readable GeoPackage: {e.Message}", e);
        }
    }

    public int? DeclaredSrid { get; private set; }
    public string? UnrecognizedCrs { get; private set; }
    public double Progress => _count == 0 ? 1 : Math.Min(1, (double)_row / _count);

    public IEnumerable<SourceRecord> Read(CancellationToken ct = default)
    {
        var geometryReader = new GeoPackageGeoReader();
        using var cmd = _db.CreateCommand();
        cmd.CommandText = $"SELECT * FROM {Quote(_table)}";
        using var reader = cmd.ExecuteReader();
        var geometryOrdinal = reader.GetOrdinal(_geometryColumn);
        while (reader.Read())
        {
            ct.ThrowIfCancellationRequested();
            _row++;
            var fields = new Dictionary<string, string?>(reader.FieldCount);
            for (var i = 0; i < reader.FieldCount; i++)
                if (i != geometryOrdinal) fields[reader.GetName(i)] = FieldText.Of(reader.GetValue(i));
            NetTopologySuite.Geometries.Geometry? geometry = null;
            string? error = null;
            if (!reader.IsDBNull(geometryOrdinal))
            {
                try { geometry = geometryReader.Read((byte[])reader.GetValue(geometryOrdinal)); }
                catch (Exception e) when (e is ParseException or ArgumentException or IOException or InvalidOperationException) { error = $"{_geometryColumn}: not a GeoPackage geometry ({e.Message})"; }
            }
            yield return new SourceRecord(_row, geometry is { IsEmpty: false } ? geometry : null, fields, error);
        }
    }

    void ReadSrs(long srsId)
    {
        var srs = Query("SELECT srs_name, organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = $id",
            r => (Name: r.GetString(0), Org: r.GetString(1), Code: r.GetInt64(2), Wkt: r.IsDBNull(3) ? null : r.GetString(3)), ("$id", srsId));
        if (srs.Count == 0) { UnrecognizedCrs = $"srs_id {srsId} (not in gpkg_spatial_ref_sys)"; return; }
        var (name, org, code, wkt) = srs[0];
        // srs_id 0 and -1 are the standard's "undefined geographic" and "undefined Cartesian"
        if (srsId is 0 or -1) return;
        DeclaredSrid = org.Equals("EPSG", StringComparison.OrdinalIgnoreCase) ? (int)code : CrsNames.FromWkt(wkt);
        if (DeclaredSrid is null) UnrecognizedCrs = $"{name} ({org}:{code})";
    }

    List<T> Query<T>(string sql, Func<SqliteDataReader, T> map, params (string Name, object Value)[] parameters)
    {
        using var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (n, v) in parameters) cmd.Parameters.AddWithValue(n, v);
        using var reader = cmd.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read()) rows.Add(map(reader));
        return rows;
    }

    /// <summary>The table name comes from the file's own gpkg_contents; quoted so any name reads as a name.</summary>
    static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";

    public void Dispose() => _db.Dispose();
}
