using GeoTwin.Server.Infrastructure.Auth;
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
/// Dijkstra from the incident over the reversed graph that stops as soon as the k fastest eligible units are known
/// (every unit not yet reached is at least as far as the search front), and routes drawn only for those k.
/// Ineligible units are listed nearest first by straight line, with their road ETA when the search reached them.
/// </summary>
public static class Recommender
{
    public static Recommendations Rank(RoadGraph graph, IncidentPlace incident, string incidentCode, IReadOnlyList<UnitState> units,
        DispatchOptions options, DateTime now, int k, string? capability = null, string userScope = "*")
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var n = units.Count;
        var target = graph.Snap(incident.Lon, incident.Lat, options.SnapMetres);
        var snaps = new RoadSnap?[n];
        var reasons = new List<string>[n];
        var diversion = new bool[n];
        var straight = new double[n];
        var eta = new double[n];
        var final = new bool[n];
        var atNode = new Dictionary<int, List<int>>();
        var pending = new PriorityQueue<int, double>();
        for (var i = 0; i < n; i++)
        {
            var u = units[i];
            (reasons[i], diversion[i]) = Eligibility(u, incident, options, now, capability, userScope);
            eta[i] = double.PositiveInfinity;
            straight[i] = u.Lon is { } lon && u.Lat is { } lat ? RoadGraph.HaversineMetres(lon, lat, incident.Lon, incident.Lat) : double.NaN;
            if (target is null || u.Lon is null || u.Lat is null) continue;
            snaps[i] = graph.Snap(u.Lon.Value, u.Lat!.Value, options.SnapMetres);
            if (snaps[i] is not { } s) continue;
            var (a, b) = graph.Ends(s.Road);
            Add(a, i);
            if (b != a) Add(b, i);
            if (s.Road == target.Value.Road && reasons[i].Count == 0) pending.Enqueue(i, 0); // may go straight along the road
        }

        var eligibleFinal = 0;
        var lastFront = 0.0;
        var times = target is { } t ? graph.To(t, null, Settled) : null;
        var heapEmptied = times is not null && eligibleFinal < k;

        var ranked = new List<Recommendation>();
        var others = new List<(Recommendation R, double Order)>();
        for (var i = 0; i < n; i++)
        {
            var u = units[i];
            var basis = "road";
            var seconds = eta[i];
            if (!final[i] && snaps[i] is { } s && times is not null && (heapEmptied || reasons[i].Count > 0) && times.From(s) is var secs)
            {
                // the search ran dry, so a finite time is exact; an ineligible unit gets one only when the front reached it
                if (double.IsFinite(secs) && (heapEmptied || secs <= lastFront)) { seconds = secs; final[i] = true; }
            }
            if (!final[i])
            {
                if (double.IsNaN(straight[i])) basis = "none";
                else if (snaps[i] is null || heapEmptied || times is null)
                {
                    // off the network, or no road joins it to the incident
                    basis = "straight_line";
                    seconds = straight[i] * options.OffNetworkDetour / (options.OffNetworkKmh / 3.6);
                }
                else if (reasons[i].Count == 0) continue; // eligible but slower than the k found: not listed
                else basis = "beyond_search";
            }
            var r = new Recommendation(u.Id, u.CallSign, u.Kind, u.Status, double.IsNaN(straight[i]) ? -1 : Math.Round(straight[i], 1),
                double.IsFinite(seconds) ? Math.Round(seconds, 1) : -1, basis,
                u.FixAt is { } fix ? Math.Round(Math.Max(0, (now - fix).TotalSeconds), 1) : null, reasons[i].Count == 0, [.. reasons[i]],
                diversion[i], diversion[i] ? u.ActiveIncidentCode : null, null);
            if (r.Eligible) ranked.Add(r with { Route = RouteOf(i) });
            else others.Add((r, double.IsNaN(straight[i]) ? double.MaxValue : straight[i]));
        }
        var best = ranked.OrderBy(r => r.EtaSeconds < 0 ? double.MaxValue : r.EtaSeconds).ThenBy(r => r.UnitId).Take(k).ToList();
        var ineligible = others.OrderBy(x => x.Order).ThenBy(x => x.R.UnitId).Take(k).Select(x => x.R).ToList();
        return new Recommendations(incidentCode, target is not null, best, ineligible, clock.Elapsed.TotalMilliseconds);

        void Add(int node, int unit)
        {
            if (!atNode.TryGetValue(node, out var list)) atNode[node] = list = [];
            list.Add(unit);
        }

        // A unit's time is final once it is no more than the search front: any better way would pass an unsettled
        // junction, which is at least as far as the front.
        bool Settled(int node, double front, TravelTimes times)
        {
            lastFront = front;
            if (atNode.TryGetValue(node, out var here))
                foreach (var i in here)
                    if (reasons[i].Count == 0 && !final[i]) pending.Enqueue(i, times.From(snaps[i]!.Value));
            while (pending.TryPeek(out var i, out var secs) && secs <= front)
            {
                pending.Dequeue();
                if (final[i]) continue;
                var current = times.From(snaps[i]!.Value); // may have improved since it was queued
                if (current != secs) { pending.Enqueue(i, current); continue; }
                final[i] = true;
                eta[i] = secs;
                if (++eligibleFinal >= k) return true;
            }
            return false;
        }

        double[][] RouteOf(int i)
        {
            var u = units[i];
            if (times is not null && snaps[i] is { } s && final[i] && times.RouteFrom(s) is { Count: > 0 } road)
                return [[u.Lon!.Value, u.Lat!.Value], .. road, [incident.Lon, incident.Lat]];
            return [[u.Lon!.Value, u.Lat!.Value], [incident.Lon, incident.Lat]];
        }
    }

    static (List<string> Reasons, bool Diversion) Eligibility(UnitState u, IncidentPlace incident, DispatchOptions options, DateTime now,
        string? capability, string userScope)
    {
        var reasons = new List<string>();
        var diversion = false;
        if (u.ActiveIncidentId == incident.Id) reasons.Add("already dispatched to this incident");
        else if (u.Status == "available") { }
        else if (u.Status is "dispatched" or "en_route" && u.ActiveIncidentPriority is { } p && p > incident.Priority) diversion = true;
        else reasons.Add($"status is {u.Status}");
        if (u.Kind == "boat") reasons.Add("capability: a boat cannot drive the roads");
        if (capability is not null && !u.Capabilities.Contains(capability)) reasons.Add($"capability: lacks '{capability}'");
        if (incident.Category == "traffic_accident" && !u.Capabilities.Contains("traffic")) reasons.Add("capability: lacks 'traffic' for a traffic accident");
        if (u.FixAt is not { } fix) reasons.Add("no position");
        else if ((now - fix).TotalSeconds > options.StalePositionSeconds) reasons.Add($"stale position ({(now - fix).TotalSeconds:0} s old)");
        if (!Within(incident.JurisdictionPath, u.JurisdictionPath)) reasons.Add("other jurisdiction");
        else if (!JurisdictionPaths.InScope(u.JurisdictionPath, userScope)) reasons.Add("other jurisdiction: outside yours");
        return (reasons, diversion);
    }

    /// <summary>The unit's station holds the incident's place, or the unit sits inside it (ltree &lt;@ either way).</summary>
    static bool Within(string incidentPath, string unitPath) =>
        JurisdictionPaths.InScope(incidentPath, unitPath) || JurisdictionPaths.InScope(unitPath, incidentPath);
}
