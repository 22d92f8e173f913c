using GeoTwin.Domain;

namespace GeoTwin.Server.Dispatch;

/// <summary>
/// How long a unit of a kind takes to reach an incident: the one rule the recommendation's ETA and the demo simulator's
/// drive share, so the time a dispatcher is shown is the time the unit takes (a foot patrol walks; it is not a car).
/// The speeds themselves are the vocabulary's (<see cref="Vocabulary.ResponseKmh"/>).
/// </summary>
public static class UnitTravel
{
    /// <summary>Seconds along a road route: its length at the kind's speed, never faster than the road graph's own time
    /// (the roads' limits and one-ways, which hold for a car as much as for anyone).</summary>
    public static double RoadSeconds(string kind, double roadGraphSeconds, double routeMetres) =>
        Math.Max(roadGraphSeconds, routeMetres / MetresPerSecond(kind));

    /// <summary>A guess for a unit or incident off the road network: the straight line times a detour, at the off-network
    /// speed or the kind's own where that is slower (nobody walks at a car's pace across a square).</summary>
    public static double StraightLineSeconds(string kind, double straightMetres, double detour, double offNetworkKmh) =>
        straightMetres * detour / (Math.Min(offNetworkKmh, Vocabulary.ResponseKmh(kind)) / 3.6);

    /// <summary>The speed a unit of the kind goes on a road route that the graph times at <paramref name="roadGraphSeconds"/>:
    /// what makes the drive take exactly <see cref="RoadSeconds"/>.</summary>
    public static double RouteKmh(string kind, double roadGraphSeconds, double routeMetres) =>
        routeMetres <= 0 ? Vocabulary.ResponseKmh(kind) : routeMetres / RoadSeconds(kind, roadGraphSeconds, routeMetres) * 3.6;

    static double MetresPerSecond(string kind) => Vocabulary.ResponseKmh(kind) / 3.6;
}
