using GeoTwin.DataImport.Reading;
using GeoTwin.DataImport.Reading.Osm;
using NetTopologySuite.Geometries;

namespace GeoTwin.DataImport.Demo;

/// <summary>
/// The parts of the Monaco OpenStreetMap extract the demo is built from, read from the copy embedded in
/// this assembly (data-import/data/monaco-latest.osm.pbf, ODbL, see data-import/data/ATTRIBUTION.md).
/// </summary>
sealed class MonacoSource
{
    public const string PbfResource = "GeoTwin.DataImport.Demo.monaco-latest.osm.pbf";

    /// <summary>Monaco's land (boundary=land_area): the extract's own bbox reaches far out to sea.</summary>
    public required MultiPolygon Land { get; init; }
    /// <summary>The municipality (admin_level=8): the land plus the harbours, quays and beaches the coastline leaves out.</summary>
    public required MultiPolygon Municipality { get; init; }
    /// <summary>The country (admin_level=2) with its territorial waters: where the sea is Monaco's and not France.</summary>
    public required MultiPolygon Country { get; init; }
    public required int Population { get; init; }
    /// <summary>The administrative quarters (admin_level=10), in OSM id order.</summary>
    public required List<SourceRecord> Quarters { get; init; }
    public required List<SourceRecord> Roads { get; init; }
    public required List<SourceRecord> Buildings { get; init; }
    public required List<SourceRecord> HouseNumbers { get; init; }
    public required List<SourceRecord> Cameras { get; init; }
    public required List<SourceRecord> Pois { get; init; }
    /// <summary>Landuse, amenity, tourism and station areas as polygons (the warning places), in file order.</summary>
    public required List<SourceRecord> Areas { get; init; }

    /// <summary>Named beaches, squares, parks, harbours and landmarks, as Points (<see cref="OsmLayer.Places"/>).</summary>
    public required List<SourceRecord> Places { get; init; }

    public static MonacoSource Read(Action<double> progress, CancellationToken ct)
    {
        var layers = new[] { OsmLayer.Boundaries, OsmLayer.Roads, OsmLayer.Buildings, OsmLayer.Addresses, OsmLayer.Cameras, OsmLayer.Pois, OsmLayer.Areas, OsmLayer.Places };
        // One pass a layer, two at a time (the machines have two cores); each pass has its own stream.
        var read = new Dictionary<OsmLayer, List<SourceRecord>>();
        var done = 0;
        Parallel.ForEach(layers, new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = ct }, layer =>
        {
            using var reader = new OsmPbfReader(OpenPbf(), layer, "the embedded monaco-latest.osm.pbf");
            // Error rows are elements cut off by the extract's edge (outside Monaco): nothing the demo needs.
            var records = reader.Read(ct).Where(r => r.Error is null && r.Geometry is not null).ToList();
            lock (read)
            {
                read[layer] = records;
                progress(++done / (double)layers.Length);
            }
        });
        var boundaries = read[OsmLayer.Boundaries];
        var land = boundaries.Single(b => b.Fields.GetValueOrDefault("boundary") == "land_area" && b.Fields.GetValueOrDefault("name") == "Monaco");
        return new MonacoSource
        {
            Land = (MultiPolygon)land.Geometry!,
            Municipality = (MultiPolygon)boundaries.Single(b => b.Fields.GetValueOrDefault("admin_level") == "8" && b.Fields.GetValueOrDefault("name") == "Monaco").Geometry!,
            Country = (MultiPolygon)boundaries.Single(b => b.Fields.GetValueOrDefault("admin_level") == "2"
                && b.Fields.GetValueOrDefault("boundary") == "administrative" && b.Fields.GetValueOrDefault("name") == "Monaco").Geometry!,
            Population = int.TryParse(land.Fields.GetValueOrDefault("population"), out var p) ? p : 38_000,
            Quarters = boundaries.Where(b => b.Fields.GetValueOrDefault("admin_level") == "10").OrderBy(b => OsmId(b)).ToList(),
            Roads = read[OsmLayer.Roads],
            Buildings = read[OsmLayer.Buildings],
            HouseNumbers = read[OsmLayer.Addresses],
            Cameras = read[OsmLayer.Cameras],
            Pois = read[OsmLayer.Pois],
            Areas = read[OsmLayer.Areas],
            Places = read[OsmLayer.Places],
        };
    }

    public static Stream OpenPbf() =>
        typeof(MonacoSource).Assembly.GetManifestResourceStream(PbfResource)
        ?? throw new InvalidOperationException($"resource {PbfResource} is missing from the build");

    public static long OsmId(SourceRecord r) => long.Parse(r.Fields["osm_id"]![1..]);
}
