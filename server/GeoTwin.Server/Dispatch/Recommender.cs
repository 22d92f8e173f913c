using GeoTwin.Server.Dispatch.Routing;

namespace GeoTwin.Server.Dispatch;

/// <summary>Settings of the recommendation (GeoTwin:Dispatch:*).</summary>
public sealed record DispatchOptions
{
    /// <summary>A unit or incident farther than this from every road is off the network.</summary>
    public double SnapMetres { get; init; } = 150;
    /// <summary>A position older than this is stale: the unit is not recommended.</summary>
    public double StalePositionSeconds { get; init; } = 900;
    /// <summary>Straight-line estimate for units off the network: distance x detour at this speed.</summary>
    public double OffNetworkKmh { get; init; } = 25;
    public double OffNetworkDetour { get; init; } = 1.4;
    /// <summary>An open incident of the same category this close and this recent is offered for merging.</summary>
    public double MergeMetres { get; init; } = 200;
    public double MergeMinutes { get; init; } = 30;
    /// <summary>A dispatched unit this close to its incident has arrived.</summary>
    public double ArrivalMetres { get; init; } = 50;
    public double ArrivalCheckSeconds { get; init; } = 5;
}

/// <param name="ActiveIncidentPriority">priority of the incident the unit is dispatched to now, if any</param>
public sealed record UnitState(long Id, string CallSign, string Kind, string[] Capabilities, string Status, double? Lon, double? Lat,
    DateTime? FixAt, string JurisdictionPath, long? ActiveIncidentId = null, string? ActiveIncidentCode = null, int? ActiveIncidentPriority = null);

public sealed record IncidentPlace(long Id, string Category, int Priority, double Lon, double Lat, string JurisdictionPath);

public sealed record Recommendation(long UnitId, string CallSign, string Kind, string Status, double StraightLineM, double EtaSeconds,
    string EtaBasis, double? PositionAgeSeconds, bool Eligible, string[] Reasons, bool Diversion, string? DivertFrom, double[][]? Route);

public sealed record Recommendations(string Incident, bool IncidentOnNetwork, IReadOnlyList<Recommendation> Units,
    IReadOnlyList<Recommendation> Ineligible, double ComputeMs);

/// <summary>
/// Ranks units by road travel time to an incident: the incident and each unit snapped onto the road graph, one
/// Dijkstra from the incident over the reversed graph (stopping once every unit's junctions are final), and the
/// route drawn only for the k returned.
/// </summary>
public static class Recommender
{
    public static Recommendations Rank(RoadGraph graph, IncidentPlace incident, string incidentCode, IReadOnlyList<UnitState> units,
        DispatchOptions options, DateTime now, int k, string? capability = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var target = graph.Snap(incident.Lon, incident.Lat, options.SnapMetres);
        var snaps = new RoadSnap?[units.Count];
        var ends = new List<int>(units.Count * 2);
        for (var i = 0; i < units.Count; i++)
        {
            if (units[i].Lon is not { } lon || units[i].Lat is not { } lat) continue;
            snaps[i] = graph.Snap(lon, lat, options.SnapMetres);
            if (snaps[i] is { } s)
            {
                var (a, b) = graph.Ends(s.Road);
                ends.Add(a);
                ends.Add(b);
            }
        }
        var times = target is { } t ? graph.To(t, ends) : null;

        var all = new List<(Recommendation R, int Index)>(units.Count);
        for (var i = 0; i < units.Count; i++)
        {
            var u = units[i];
            var reasons = new List<string>();
            var diversion = false;
            if (u.Status == "available") { }
            else if (u.Status is "dispatched" or "en_route" && u.ActiveIncidentPriority is { } p && p > incident.Priority && u.ActiveIncidentId != incident.Id)
                diversion = true;
            else if (u.ActiveIncidentId == incident.Id) reasons.Add("already dispatched to this incident");
            else reasons.Add($"status is {u.Status}");
            if (u.Kind == "boat") reasons.Add("capability: a boat cannot drive the roads");
            if (capability is not null && !u.Capabilities.Contains(capability)) reasons.Add($"capability: lacks '{capability}'");
            if (incident.Category == "traffic_accident" && !u.Capabilities.Contains("traffic")) reasons.Add("capability: lacks 'traffic' for a traffic accident");
            double? age = u.FixAt is { } fix ? Math.Max(0, (now - fix).TotalSeconds) : null;
            if (age is null) reasons.Add("no position");
            else if (age > options.StalePositionSeconds) reasons.Add($"stale position ({age:0} s old)");
            if (!Within(incident.JurisdictionPath, u.JurisdictionPath)) reasons.Add("other jurisdiction");

            double straight = double.NaN, eta = double.PositiveInfinity;
            var basis = "none";
            if (u.Lon is { } lon && u.Lat is { } lat)
            {
                straight = RoadGraph.HaversineMetres(lon, lat, incident.Lon, incident.Lat);
                if (times is not null && snaps[i] is { } s && times.From(s) is var secs && double.IsFinite(secs))
                {
                    eta = secs;
                    basis = "road";
                }
                else
                {
                    eta = straight * options.OffNetworkDetour / (options.OffNetworkKmh / 3.6);
                    basis = "straight_line"; // off the network, or no road joins it to the incident
                }
            }
            all.Add((new Recommendation(u.Id, u.CallSign, u.Kind, u.Status, Math.Round(straight, 1), Math.Round(eta, 1), basis,
                age is { } a2 ? Math.Round(a2, 1) : null, reasons.Count == 0, [.. reasons], diversion,
                diversion ? u.ActiveIncidentCode : null, null), i));
        }

        var ordered = all.Where(x => double.IsFinite(x.R.EtaSeconds)).OrderBy(x => x.R.EtaSeconds).ThenBy(x => x.R.UnitId)
            .Concat(all.Where(x => !double.IsFinite(x.R.EtaSeconds)).OrderBy(x => x.R.UnitId)).ToList();
        var eligible = ordered.Where(x => x.R.Eligible).Take(k)
            .Select(x => x.R with { Route = RouteOf(x.Index) }).ToList();
        var ineligible = ordered.Where(x => !x.R.Eligible).Take(k).Select(x => x.R with
        {
            EtaSeconds = double.IsFinite(x.R.EtaSeconds) ? x.R.EtaSeconds : -1,
            StraightLineM = double.IsFinite(x.R.StraightLineM) ? x.R.StraightLineM : -1,
        }).ToList();
        return new Recommendations(incidentCode, target is not null, eligible, ineligible, clock.Elapsed.TotalMilliseconds);

        double[][] RouteOf(int i)
        {
            var u = units[i];
            if (times is not null && snaps[i] is { } s && graph.TimeFrom(s, times).Way != RoadGraph.Way.None)
            {
                var road = times.RouteFrom(s);
                return [[u.Lon!.Value, u.Lat!.Value], .. road, [incident.Lon, incident.Lat]];
            }
            return [[u.Lon!.Value, u.Lat!.Value], [incident.Lon, incident.Lat]];
        }
    }

    /// <summary>The unit's station holds the incident's place, or the unit sits inside it (ltree &lt;@ either way).</summary>
    static bool Within(string incidentPath, string unitPath) =>
        Inside(incidentPath, unitPath) || Inside(unitPath, incidentPath);

    static bool Inside(string path, string ancestor) =>
        path == ancestor || path.StartsWith(ancestor + ".", StringComparison.Ordinal);
}
