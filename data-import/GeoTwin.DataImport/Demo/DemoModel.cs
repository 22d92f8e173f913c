namespace GeoTwin.DataImport.Demo;

/// <summary>The whole demo in memory, built from the embedded OSM extract and a seed: nothing here reads
/// the clock or the database, so the same seed and end time give the same rows.</summary>
sealed class DemoModel
{
    public required JurisdictionTree Tree { get; init; }
    public required RoadNetwork Roads { get; init; }
    public required Registry Registry { get; init; }
    public required List<CameraRow> Cameras { get; init; }
    public required List<UnitRow> Units { get; init; }
    public required List<IncidentRow> Incidents { get; init; }
    public required List<WarningPlaceRow> WarningPlaces { get; init; }
    public required List<WarningPersonRow> WarningPeople { get; init; }
    public required DateTime UntilUtc { get; init; }
    public required List<PersonRow> People { get; init; }

    public static DemoModel Build(int seed, DateTime untilUtc, Action<string, double> progress, CancellationToken ct)
    {
        var source = MonacoSource.Read(f => progress("reading OpenStreetMap", f), ct);
        progress("building the jurisdiction", 0);
        var tree = JurisdictionTree.Build(source);
        var locator = new Locator(tree.Communities);
        var roads = RoadNetwork.Build(source.Roads, tree.Land);
        progress("building the jurisdiction", 0.3);
        var registry = Registry.Build(source, tree, roads, locator, seed);
        progress("building the jurisdiction", 0.6);
        var cameras = CameraPlan.Build(source, roads, registry, locator, seed + 2);
        var units = PoliceUnits.Build(tree, roads, locator, seed + 3);
        var incidents = IncidentHistory.Build(registry, roads, locator, units, untilUtc, seed + 4);
        var (warningPlaces, warningPeople) = Demo.WarningPlaces.Build(source, tree, locator, seed + 5);
        progress("building the jurisdiction", 1);
        return new DemoModel { Tree = tree, Roads = roads, Registry = registry, Cameras = cameras, Units = units, Incidents = incidents, UntilUtc = untilUtc,
            WarningPlaces = warningPlaces, WarningPeople = warningPeople, People = DemoPeople.Build(registry.Houses, untilUtc, seed + 6) };
    }
}
