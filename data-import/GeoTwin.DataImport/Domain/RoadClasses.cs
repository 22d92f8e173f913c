namespace GeoTwin.DataImport.Domain;

/// <summary>
/// The road classes of the roads table and the travel speed GeoTwin assumes when a source gives none:
/// typical urban patrol speeds, lower than signed limits, because dispatch ETAs should not be optimistic.
/// </summary>
public static class RoadClasses
{
    static readonly Dictionary<string, double> DefaultSpeeds = new()
    {
        ["motorway"] = 80, ["trunk"] = 60, ["primary"] = 45, ["secondary"] = 40, ["tertiary"] = 35,
        ["residential"] = 25, ["service"] = 15, ["living_street"] = 10, ["pedestrian"] = 8, ["track"] = 15, ["other"] = 20,
    };

    public static IReadOnlyCollection<string> All => DefaultSpeeds.Keys;

    public static bool IsKnown(string roadClass) => DefaultSpeeds.ContainsKey(roadClass);

    public static double DefaultSpeedKmh(string roadClass) =>
        DefaultSpeeds.TryGetValue(roadClass, out var speed) ? speed : throw new ArgumentException($"unknown road class '{roadClass}'");
}
