using System.Globalization;
using GeoTwin.DataImport.Import.Layers;
using NetTopologySuite.Geometries;

namespace GeoTwin.DataImport.Import;

/// <summary>
/// How many vertices one row's geometry may have: the layer's <see cref="Layer.MaxVertices"/> unless the operator set
/// another for this import (<see cref="ImportRequest.MaxVertices"/>: `geotwin import --max-vertices N`, or
/// <c>GeoTwin:Import:MaxVertices:&lt;layer&gt;</c> in the server's configuration for CLI imports and uploads alike).
/// An uploader cannot raise it: the limit protects everyone who views the tiles. Checked on the row as read, before
/// it is repaired, converted or placed, all of which cost in proportion to its vertices.
/// </summary>
public static class VertexLimit
{
    public static int For(Layer layer, int? configured) => configured ?? layer.MaxVertices;

    /// <returns>null when within the limit; else the reason for the row's report, as "1,000,001 vertices, the limit for houses is 10,000"</returns>
    public static string? Check(Geometry? geometry, Layer layer, int limit) =>
        geometry is { NumPoints: var n } && n > limit
            ? string.Create(CultureInfo.InvariantCulture, $"{n:N0} vertices, the limit for {layer.Name} is {limit:N0}")
            : null;
}
