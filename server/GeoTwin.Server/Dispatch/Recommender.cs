using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Dispatch.Routing;
using GeoTwin.Tiling.Geodesy;

namespace GeoTwin.Server.Dispatch;

/// <summary>Settings of the recommendation (GeoTwin:Dispatch:*).</summary>
public sealed record DispatchOptions
{
    /// <summary>A unit or incident farther than this from every road is off the network.</summary>
    public double SnapMetres { get; init; } = 150;
    /// <summary>The shared stale/offline rule: a unit whose position is offline by it is not recommended.</summary>
    public PositionFreshness Freshness { get; init; } = Vocabulary.Freshness;
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
    string EtaBasis, double? PositionAgeSeconds, bool Eligible, string[] Reasons, bool Diversion, string? DivertFrom, double[][]? Route,
    string? EtaNote = null);

public sealed record Recommendations(string Incident, bool IncidentOnNetwork, IReadOnlyList<Recommendation> Units,
    IReadOnlyList<Recommendation> Ineligible, double ComputeMs);

/// <summary>
/// Ranks units by road travel time to an incident: the incident and each eligible unit snapped onto the road graph, one
/// Dijkstra from the incident over the reversed graph that stops as soon as the k fastest eligible units are known, and
/// routes drawn only for those k. A unit's time is its kind's (<see cref="UnitTravel"/>: a foot patrol walks the route),
/// never less than the graph's, so once k units' own times are within the search front no unit not yet reached (at least
/// the front away by the graph) can beat them.
/// Ineligible units are listed nearest first by straight line, with their road ETA when the search reached them;
/// units outside the dispatcher's scope are never listed.
/// Only what is listed is put into words: the per-unit pass allocates nothing, so 1,000 units cost well under a
/// millisecond.
/// </summary>
public static class Recommender
{
    public static Recommendations Rank(RoadGraph graph, IncidentPlace incident, string incidentCode, IReadOnlyList<UnitState> units,
        DispatchOptions options, DateTime now, int k, string? capability = null, string userScope = "*")
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var n = units.Count;
        var target = graph.Snap(incident.Lon, incident.Lat, options.SnapMetres);
        var bars = new Bars[n];
        var diversion = new bool[n];
        var straight = new double[n]; // straight-line metres, measured only for the units that need them (Straight)
        var measured = new bool[n];
        var snaps = new RoadSnap[n];
        var snapped = new bool[n];
        var eta = new double[n];   // the unit's own time by its kind (UnitTravel), once final
        var final = new bool[n];
        var ready = new PriorityQueue<int, double>(); // final units by their own time, until the front passes it
        var confirmed = 0;
        // the eligible units at each junction, as linked lists: firstAt[node] - 1 is an entry, nextEntry chains them
        var firstAt = target is null ? [] : new int[graph.NodeCount];
        var entryUnit = new int[2 * n];
        var nextEntry = new int[2 * n];
        var entries = 0;
        var pending = new PriorityQueue<int, double>();
        for (var i = 0; i < n; i++)
        {
            var u = units[i];
            bars[i] = Check(u, incident, options, now, capability, userScope, out diversion[i]);
            // ineligible units are snapped later, and only those listed
            if (bars[i] != Bars.None || target is null || !SnapUnit(i)) continue;
            var (a, b) = graph.Ends(snaps[i].Road);
            Add(a, i);
            if (b != a) Add(b, i);
            if (snaps[i].Road == target.Value.Road) pending.Enqueue(i, 0); // may go straight along the road
        }

        var lastFront = 0.0;
        var times = target is { } t ? graph.To(t, null, Settled) : null;
        var heapEmptied = times is not null && confirmed < k;

        // eligible: the k fastest, with what the search did not reach (off the network, or no road joins it) estimated
        var listed = new List<(int I, double Seconds, string Basis)>();
        for (var i = 0; i < n; i++)
        {
            if (bars[i] != Bars.None) continue;
            if (final[i]) { listed.Add((i, eta[i], "road")); continue; }
            if (snapped[i] && times is not null && heapEmptied && times.From(snaps[i]) is var secs && double.IsFinite(secs))
            {
                final[i] = true;
                listed.Add((i, RoadEta(i, secs), "road"));
            }
            else if (units[i].Lon is null || units[i].Lat is null) listed.Add((i, double.PositiveInfinity, "none"));
            else if (!snapped[i] || heapEmptied || times is null) listed.Add((i, StraightLineSeconds(i), "straight_line"));
            // else: slower than the k found, not listed
        }
        // A straight-line guess is not a road time: it never outranks a unit with a real road ETA, and it says why (EtaNote).
        var best = listed.OrderBy(x => x.Basis == "road" ? 0 : 1).ThenBy(x => double.IsFinite(x.Seconds) ? x.Seconds : double.MaxValue)
            .ThenBy(x => units[x.I].Id).Take(k)
            .Select(x => Describe(x.I, x.Seconds, x.Basis) with { Route = RouteOf(x.I), EtaNote = NoteOf(x.I, x.Basis) }).ToList();

        // ineligible: the k nearest by straight line, with a road time where the search reached them
        var nearest = new List<int>(k + 1);
        for (var i = 0; i < n; i++)
        {
            // a unit outside the dispatcher's own scope is not theirs to see, not even by call sign and distance
            if (bars[i] == Bars.None || bars[i].HasFlag(Bars.OutsideYours)) continue;
            var at = nearest.Count;
            while (at > 0 && Closer(i, nearest[at - 1])) at--;
            if (at >= k) continue;
            nearest.Insert(at, i);
            if (nearest.Count > k) nearest.RemoveAt(k);
        }
        var ineligible = new List<Recommendation>(nearest.Count);
        foreach (var i in nearest)
        {
            if (double.IsNaN(Straight(i))) { ineligible.Add(Describe(i, double.PositiveInfinity, "none")); continue; }
            if (target is not null && SnapUnit(i) && times is not null && times.From(snaps[i]) is var secs && double.IsFinite(secs)
                && (heapEmptied || secs <= lastFront))
                ineligible.Add(Describe(i, RoadEta(i, secs), "road"));
            else if (!snapped[i] || heapEmptied || times is null) ineligible.Add(Describe(i, StraightLineSeconds(i), "straight_line"));
            else ineligible.Add(Describe(i, double.PositiveInfinity, "beyond_search"));
        }
        return new Recommendations(incidentCode, target is not null, best, ineligible, clock.Elapsed.TotalMilliseconds);

        double Straight(int i)
        {
            if (measured[i]) return straight[i];
            measured[i] = true;
            var u = units[i];
            return straight[i] = u.Lon is { } lon && u.Lat is { } lat ? Wgs84.DistanceM(lon, lat, incident.Lon, incident.Lat) : double.NaN;
        }

        bool SnapUnit(int i)
        {
            var u = units[i];
            if (u.Lon is not { } lon || u.Lat is not { } lat || graph.Snap(lon, lat, options.SnapMetres) is not { } s) return false;
            (snaps[i], snapped[i]) = (s, true);
            return true;
        }

        void Add(int node, int unit)
        {
            entryUnit[entries] = unit;
            nextEntry[entries] = firstAt[node] - 1;
            firstAt[node] = ++entries;
        }

        // why a listed unit has no road time: the incident or the unit lies off the network, or no road joins them
        string? NoteOf(int i, string basis) => basis != "straight_line" ? null
            : target is null ? "incident_off_network" : !snapped[i] ? "unit_off_network" : "no_road_joins";

        double StraightLineSeconds(int i) => UnitTravel.StraightLineSeconds(units[i].Kind, Straight(i), options.OffNetworkDetour, options.OffNetworkKmh);

        // the unit's own time along the route the graph found, at its kind's speed (what the simulator drives, too)
        double RoadEta(int i, double graphSeconds) => UnitTravel.RoadSeconds(units[i].Kind, graphSeconds, times!.RouteMetres(snaps[i]));

        bool Closer(int i, int j)
        {
            double a = double.IsNaN(Straight(i)) ? double.MaxValue : Straight(i), b = double.IsNaN(Straight(j)) ? double.MaxValue : Straight(j);
            return a < b || (a == b && units[i].Id < units[j].Id);
        }

        Recommendation Describe(int i, double seconds, string basis)
        {
            var u = units[i];
            return new Recommendation(u.Id, u.CallSign, u.Kind, u.Status, double.IsNaN(Straight(i)) ? -1 : Math.Round(Straight(i), 1),
                double.IsFinite(seconds) ? Math.Round(seconds, 1) : -1, basis,
                u.FixAt is { } fix ? Math.Round(Math.Max(0, (now - fix).TotalSeconds), 1) : null, bars[i] == Bars.None,
                Reasons(bars[i], u, options, now, capability), diversion[i], diversion[i] ? u.ActiveIncidentCode : null, null);
        }

        // A unit's graph time is final once it is no more than the search front: any better way would pass an unsettled
        // junction, which is at least as far as the front. Its own time (by kind) is no less; once that too is within the
        // front, no unit not yet reached can beat it.
        bool Settled(int node, double front, TravelTimes search)
        {
            lastFront = front;
            for (var e = firstAt[node] - 1; e >= 0; e = nextEntry[e])
                if (!final[entryUnit[e]]) pending.Enqueue(entryUnit[e], search.From(snaps[entryUnit[e]]));
            while (pending.TryPeek(out var i, out var secs) && secs <= front)
            {
                pending.Dequeue();
                if (final[i]) continue;
                var current = search.From(snaps[i]); // may have improved since it was queued
                if (current != secs) { pending.Enqueue(i, current); continue; }
                final[i] = true;
                eta[i] = UnitTravel.RoadSeconds(units[i].Kind, secs, search.RouteMetres(snaps[i]));
                ready.Enqueue(i, eta[i]);
            }
            while (ready.TryPeek(out _, out var own) && own <= front)
            {
                ready.Dequeue();
                if (++confirmed >= k) return true;
            }
            return false;
        }

        double[][] RouteOf(int i)
        {
            var u = units[i];
            if (times is not null && snapped[i] && final[i] &&
                RoadGraph.Framed(u.Lon!.Value, u.Lat!.Value, times.RouteFrom(snaps[i]), incident.Lon, incident.Lat) is { } line)
                return line;
            return [[u.Lon!.Value, u.Lat!.Value], [incident.Lon, incident.Lat]];
        }
    }

    /// <summary>Why a unit may not be sent, as flags: checked for every unit, put into words only for those listed.</summary>
    [Flags]
    enum Bars
    {
        None = 0, AlreadyHere = 1, Status = 2, Boat = 4, LacksCapability = 8, LacksTraffic = 16, NoPosition = 32, Offline = 64,
        OtherJurisdiction = 128, OutsideYours = 256,
    }

    static Bars Check(UnitState u, IncidentPlace incident, DispatchOptions options, DateTime now, string? capability, string userScope,
        out bool diversion)
    {
        var bars = Bars.None;
        diversion = false;
        if (u.ActiveIncidentId == incident.Id) bars |= Bars.AlreadyHere;
        else if (u.Status == "available") { }
        else if (u.Status is "dispatched" or "en_route" && u.ActiveIncidentPriority is { } p && p > incident.Priority) diversion = true;
        else bars |= Bars.Status;
        if (u.Kind == "boat") bars |= Bars.Boat;
        if (capability is not null && Array.IndexOf(u.Capabilities, capability) < 0) bars |= Bars.LacksCapability;
        if (incident.Category == "traffic_accident" && Array.IndexOf(u.Capabilities, "traffic") < 0) bars |= Bars.LacksTraffic;
        if (u.FixAt is not { } fix) bars |= Bars.NoPosition;
        else if (options.Freshness.IsOffline(fix, now)) bars |= Bars.Offline;
        if (!Within(incident.JurisdictionPath, u.JurisdictionPath)) bars |= Bars.OtherJurisdiction;
        else if (!JurisdictionPaths.InScope(u.JurisdictionPath, userScope)) bars |= Bars.OutsideYours;
        return bars;
    }

    static string[] Reasons(Bars bars, UnitState u, DispatchOptions options, DateTime now, string? capability)
    {
        if (bars == Bars.None) return [];
        var reasons = new List<string>();
        if (bars.HasFlag(Bars.AlreadyHere)) reasons.Add("already dispatched to this incident");
        if (bars.HasFlag(Bars.Status)) reasons.Add($"status is {u.Status}");
        if (bars.HasFlag(Bars.Boat)) reasons.Add("capability: a boat cannot drive the roads");
        if (bars.HasFlag(Bars.LacksCapability)) reasons.Add($"capability: lacks '{capability}'");
        if (bars.HasFlag(Bars.LacksTraffic)) reasons.Add("capability: lacks 'traffic' for a traffic accident");
        if (bars.HasFlag(Bars.NoPosition)) reasons.Add("no position");
        if (bars.HasFlag(Bars.Offline)) reasons.Add($"offline: last position {(now - u.FixAt!.Value).TotalSeconds:0} s old (limit {options.Freshness.OfflineSeconds} s)");
        if (bars.HasFlag(Bars.OtherJurisdiction)) reasons.Add("other jurisdiction");
        return [.. reasons];
    }

    /// <summary>The unit's station holds the incident's place, or the unit sits inside it (ltree &lt;@ either way).</summary>
    static bool Within(string incidentPath, string unitPath) =>
        JurisdictionPaths.InScope(incidentPath, unitPath) || JurisdictionPaths.InScope(unitPath, incidentPath);
}
