using NetTopologySuite.Geometries;

namespace GeoTwin.DataImport.Reading;

/// <summary>
/// One record of a source file as read, before it is mapped to a GeoTwin layer. Fields are text,
/// as in the file (numbers in invariant culture), so one mapping step serves every format.
/// </summary>
/// <param name="Row">1-based row or feature number, as a person counts it in the file.</param>
/// <param name="Geometry">In the source CRS (see <see cref="ISourceReader.DeclaredSrid"/>); null if the row has none.</param>
/// <param name="Error">Set when the row could not be read at all (bad JSON, bad WKT): the reason, naming the field.</param>
public sealed record SourceRecord(long Row, Geometry? Geometry, IReadOnlyDictionary<string, string?> Fields, string? Error = null);

/// <summary>A streaming reader: records come one at a time, so memory stays flat in file size.</summary>
public interface ISourceReader : IDisposable
{
    /// <summary>EPSG code the file declares (.prj, GeoPackage srs, GeoJSON crs member); null if it declares none.</summary>
    int? DeclaredSrid { get; }

    /// <summary>
    /// The name of a CRS the file declares but GeoTwin could not tie to an EPSG code (e.g. a custom .prj),
    /// so the import can refuse it by name instead of guessing; null when there is none.
    /// </summary>
    string? UnrecognizedCrs => null;

    /// <summary>How far through the file reading is, 0 to 1, for progress bars and job percentages.</summary>
    double Progress { get; }

    IEnumerable<SourceRecord> Read(CancellationToken ct = default);
}
