using System.Globalization;

namespace GeoTwin.DataImport.Reading.Osm;

/// <summary>
/// OSM tags as `geotwin import` columns: the demo's tag meanings (<see cref="OsmConventions"/>) turned into
/// fields named like the layer's columns, which win over the raw tags in the field mapping.
/// </summary>
public static class OsmImportFields
{
    /// <summary>The OSM layer that feeds a GeoTwin layer; null for layers OSM has nothing for.</summary>
    public static OsmLayer? For(string? layer) => layer switch
    {
        "roads" => OsmLayer.Roads,
        "houses" => OsmLayer.Buildings,
        "addresses" => OsmLayer.Addresses,
        "cameras" => OsmLayer.Cameras,
        "organizations" => OsmLayer.Pois,
        "jurisdictions" => OsmLayer.Boundaries,
        _ => null,
    };

    public static ISourceReader Open(string path, string? layer) =>
        new Normalized(new OsmPbfReader(path, For(layer) ?? throw new Import.ImportRefusedException(
            $"an OSM file holds nothing for the {layer} layer: import roads, houses, addresses, cameras, organizations or jurisdictions from it")), For(layer)!.Value);

    sealed class Normalized(OsmPbfReader inner, OsmLayer layer) : ISourceReader
    {
        public int? DeclaredSrid => inner.DeclaredSrid;
        public double Progress => inner.Progress;
        public void Dispose() => inner.Dispose();

        public IEnumerable<SourceRecord> Read(CancellationToken ct = default) =>
            inner.Read(ct).Select(r => r.Error is null ? r with { Fields = Add(r.Fields) } : r);

        Dictionary<string, string?> Add(IReadOnlyDictionary<string, string?> tags)
        {
            var fields = new Dictionary<string, string?>(tags);
            static string Text(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
            switch (layer)
            {
                case OsmLayer.Roads when OsmConventions.RoadClass(tags) is { } roadClass:
                    fields["road_class"] = roadClass;
                    fields["speed_kmh"] = Text(OsmConventions.SpeedKmh(tags, roadClass));
                    fields["oneway"] = OsmConventions.Oneway(tags, roadClass).ToString(CultureInfo.InvariantCulture);
                    break;
                case OsmLayer.Buildings:
                    var use = OsmConventions.BuildingUse(tags);
                    var height = OsmConventions.Height(tags, use);
                    (fields["use"], fields["base_height_m"], fields["roof_height_m"]) = (use, Text(height.BaseM), Text(height.RoofM));
                    fields["floors"] = height.Floors?.ToString(CultureInfo.InvariantCulture);
                    break;
                case OsmLayer.Pois:
                    fields["category"] = OsmConventions.OrganizationCategory(tags);
                    break;
            }
            return fields;
        }
    }
}
