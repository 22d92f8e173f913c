using GeoTwin.DataImport.Crs;
using GeoTwin.DataImport.Reading;

namespace GeoTwin.DataImport.Import;

/// <param name="Srid">Source CRS from the command line; wins over the mapping and the file.</param>
/// <param name="SkipInvalid">Write the good rows and report the bad ones, instead of refusing the whole file.</param>
/// <param name="MaxVertices">Most vertices a row's geometry may have; null: the layer's own (see <see cref="VertexLimit"/>).</param>
/// <param name="Scope">The jurisdiction subtree (an ltree path) every written row must lie in; null: anywhere (an admin, the CLI).</param>
/// <param name="NoRepair">Refuse an invalid polygon as a bad row instead of repairing it.</param>
public sealed record ImportRequest(string Path, string Layer, int? Srid = null, WebDatum? Datum = null, ImportMapping? Mapping = null,
    bool SkipInvalid = false, ZipLimits? Zip = null, int MaxReportedRows = 10_000, int? MaxVertices = null, string? Scope = null, bool NoRepair = false);

/// <param name="Fraction">0 to 1 through the file.</param>
/// <param name="Phase">reading, checking, writing.</param>
public sealed record ImportProgress(long Rows, double Fraction, string Phase);

/// <param name="Row">Row or feature number in the file, as a person counts it.</param>
/// <param name="Field">The source field (or layer column) at fault.</param>
public sealed record BadRow(long Row, string Field, string Reason);

/// <param name="Refused">Why nothing was written; null when the import was written.</param>
/// <param name="BadRows">Every reason of the first bad rows, by row number (a row with several faults has an entry for each), at most
/// <see cref="ImportRequest.MaxReportedRows"/> entries; <see cref="BadCount"/> counts the bad rows, each once.</param>
public sealed record ImportResult(string Layer, int SourceSrid, long RowsRead, long Inserted, long Updated, long BadCount, long Repaired,
    IReadOnlyList<BadRow> BadRows, string? Refused, TimeSpan Elapsed)
{
    /// <summary>Rows written changed (each repaired polygon: what was changed), by row number; the first MaxReportedRows.</summary>
    public IReadOnlyList<BadRow> Warnings { get; init; } = [];
    public bool Written => Refused is null;
    public double RowsPerSecond => Elapsed.TotalSeconds > 0 ? RowsRead / Elapsed.TotalSeconds : 0;
}

/// <summary>The importer reports from its own thread; a progress bar or a job row reads the latest value on its own clock.</summary>
public sealed class LatestProgress : IProgress<ImportProgress>
{
    volatile ImportProgress? _value;
    public ImportProgress? Value => _value;
    public void Report(ImportProgress value) => _value = value;
}
