using NetTopologySuite.Geometries;

namespace GeoTwin.DataImport.Import.Layers;

public enum GeometryKind { Point, Line, Polygon }

/// <summary>Which jurisdiction a row hangs on: none (roads, the tree itself), the deepest police node, or the station.</summary>
public enum Placement { None, DeepestPolice, Station }

/// <summary>A bad value found by a layer's cross-field rule: the column and why.</summary>
public sealed record FieldError(string Column, string Reason);

/// <summary>
/// A target of `geotwin import`: its staging columns (key first; every name here is an identifier the SQL may use,
/// the allow-list), its geometry, how rows are placed in the jurisdiction tree, and its SQL: checks that mark bad
/// rows set-based, then one upsert on the natural key.
/// </summary>
public sealed class Layer
{
    public required string Name { get; init; }
    public required string Table { get; init; }
    public required Column[] Columns { get; init; }
    public required GeometryKind Geometry { get; init; }
    public bool GeometryRequired { get; init; } = true;
    /// <summary>
    /// Most vertices one row's geometry may have (a point layer: 1). A million-vertex house was accepted once and made every
    /// 3D viewer download a 217 MB tile; an operator may set another limit for an import (see <see cref="VertexLimit"/>).
    /// </summary>
    public int MaxVertices { get; init; } = 1;
    public Placement Placement { get; init; } = Placement.DeepestPolice;
    /// <summary>Columns whose values must be unique in the file; the first is the natural key.</summary>
    public required string[] UniqueColumns { get; init; }
    /// <summary>Embedded SQL files run after the load, each marking bad rows (set-based) in import_staging.</summary>
    public string[] Checks { get; init; } = [];
    /// <summary>
    /// The table's per-row trigger that looks up jurisdiction_path, when this layer's upsert joins the path itself:
    /// a bulk load switches it off for the upsert (one hash join instead of a million lookups).
    /// </summary>
    public string? PathTrigger { get; init; }
    /// <summary>Fills derived values and checks rules across columns (values by column index).</summary>
    public Func<Layer, object?[], FieldError?> Complete { get; init; } = (_, _) => null;

    public string Key => UniqueColumns[0];
    public string UpsertSql => $"Import/Layers/{Name}.upsert.sql";
    public int IndexOf(string column) => Array.FindIndex(Columns, c => c.Name == column) is var i and >= 0 ? i : throw new ArgumentException(column);

    /// <summary>The geometry as the table stores it (single point or line, multipolygon); null with the reason when it cannot be.</summary>
    public (Geometry? Geometry, string? Error) Shape(Geometry g) => (Geometry, g) switch
    {
        (GeometryKind.Point, Point) => (g, null),
        (GeometryKind.Point, MultiPoint { NumGeometries: 1 } m) => (m.GetGeometryN(0), null),
        (GeometryKind.Line, LineString) => (g, null),
        (GeometryKind.Line, MultiLineString { NumGeometries: 1 } m) => (m.GetGeometryN(0), null),
        (GeometryKind.Polygon, Polygon p) => (g.Factory.CreateMultiPolygon([p]), null),
        (GeometryKind.Polygon, MultiPolygon) => (g, null),
        _ => (null, $"expected {Expected}, got {g.GeometryType}" + (g is GeometryCollection { NumGeometries: > 1 } ? $" of {g.NumGeometries} parts (import the parts as separate rows)" : "")),
    };

    string Expected => Geometry switch { GeometryKind.Point => "a point", GeometryKind.Line => "a line", _ => "a polygon" };
}
