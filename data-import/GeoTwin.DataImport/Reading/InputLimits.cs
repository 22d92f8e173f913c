using System.Globalization;

namespace GeoTwin.DataImport.Reading;

/// <summary>
/// The one rule every reader keeps, so that no input makes GeoTwin allocate more than a bounded multiple of its own
/// size (an import token must not be a way to take the server down):
/// <list type="number">
/// <item>a count read from a file (points, parts, a block's length) is believed only when the items it counts fit in
/// the bytes that hold them, and is checked before anything is allocated for it;</item>
/// <item>no single item (a GeoJSON feature, an NDJSON line, a CSV record, a PBF block) is larger than
/// <see cref="MaxItemBytes"/>, so a reader's buffer stays bounded whatever the file's size.</item>
/// </list>
/// Where a library checks for itself (NTS's WKB reader compares counts with the bytes left; OsmSharp's blobs are
/// bounded by the PBF block check) the reader relies on it and a test pins it; where it does not (the Esri
/// Shapefile reader believes a record's point count), the reader checks before handing the file over.
/// </summary>
public static class InputLimits
{
    /// <summary>The largest single item a reader holds in memory at once.</summary>
    public const int MaxItemBytes = 256 << 20;

    /// <summary>
    /// Null when <paramref name="count"/> items of at least <paramref name="bytesEach"/> bytes fit in
    /// <paramref name="available"/> bytes; else why not, as "claims 1,073,741,824 points in 112 bytes".
    /// </summary>
    /// <param name="holder">the bytes that hold them, as the message names them (e.g. the record's length)</param>
    public static string? Overclaim(long count, int bytesEach, long available, string items, long holder) =>
        count < 0 || available < 0 || count > available / bytesEach
            ? string.Create(CultureInfo.InvariantCulture, $"claims {count:N0} {items} in {holder:N0} bytes")
            : null;

    /// <summary>Null when an item of <paramref name="bytes"/> is within <see cref="MaxItemBytes"/>; else why not, naming it.</summary>
    public static string? TooLarge(long bytes, string item) =>
        bytes > MaxItemBytes ? string.Create(CultureInfo.InvariantCulture, $"{item} is larger than {MaxItemBytes >> 20} MiB") : null;
}
