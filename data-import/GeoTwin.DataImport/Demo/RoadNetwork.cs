using GeoTwin.DataImport.Reading;
using GeoTwin.DataImport.Reading.Osm;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;
using NetTopologySuite.Index.Strtree;
using NetTopologySuite.LinearReferencing;
using NetTopologySuite.Operation.Distance;

namespace GeoTwin.DataImport.Demo;

sealed record RoadEdge(string SourceRef, string? Name, string RoadClass, double SpeedKmh, short Oneway, LineString Geometry, long Source, long Target)
{
    public double LengthM { get; } = DemoGeo.LengthM(Geometry);
}

/// <summary>
/// The drivable OSM ways clipped to the land and cut at every node they share, so each edge runs from
/// one junction to the next: the shape pgRouting's source/target columns describe. Node ids are given
/// here (junctions numbered in coordinate order), which is deterministic and needs no pgr_createTopology.
/// </summary>
sealed class RoadNetwork
{
    public required List<RoadEdge> Edges { get; init; }
    /// <summary>Node id -> coordinate and the edges that meet there.</summary>
    public required Dictionary<long, (Coordinate At, List<RoadEdge> Edges)> Nodes { get; init; }
    readonly STRtree<RoadEdge> _index = new();

    public static RoadNetwork Build(IEnumerable<SourceRecord> ways, Geometry land)
    {
        var prepared = PreparedGeometryFactory.Prepare(land);
        var pieces = new List<(SourceRecord Way, string RoadClass, Coordinate[] Coords)>();
        foreach (var way in ways.OrderBy(MonacoSource.OsmId))
        {
            if (OsmConventions.RoadClass(way.Fields) is not { } roadClass) continue;
            var line = (LineString)way.Geometry!;
            var inside = prepared.Covers(line) ? line : prepared.Intersects(line) ? line.Intersection(land) : null;
            if (inside is null) continue;
            for (var i = 0; i < inside.NumGeometries; i++)
                if (inside.GetGeometryN(i) is LineString part && Dedupe(AlongWay(part, line)) is { Length: >= 2 } coords)
                    pieces.Add((way, roadClass, coords));
        }

        // A vertex is a junction where a piece ends or where it is used more than once (by several ways, or a loop).
        var uses = new Dictionary<Coordinate, int>();
        foreach (var (_, _, coords) in pieces)
            foreach (var c in coords) uses[c] = uses.GetValueOrDefault(c) + 1;
        var junctions = new HashSet<Coordinate>(pieces.SelectMany(p => new[] { p.Coords[0], p.Coords[^1] }));
        junctions.UnionWith(uses.Where(u => u.Value > 1).Select(u => u.Key));
        var ids = junctions.OrderBy(c => c.X).ThenBy(c => c.Y).Select((c, i) => (c, Id: i + 1L)).ToDictionary(x => x.c, x => x.Id);

        var edges = new List<RoadEdge>();
        var partsOfWay = new Dictionary<string, int>();
        foreach (var (way, roadClass, coords) in pieces)
        {
            var start = 0;
            for (var i = 1; i < coords.Length; i++)
            {
                if (!ids.ContainsKey(coords[i])) continue;
                var osmId = way.Fields["osm_id"]!;
                var n = partsOfWay[osmId] = partsOfWay.GetValueOrDefault(osmId) + 1;
                edges.Add(new RoadEdge($"{osmId}-{n}", way.Fields.GetValueOrDefault("name"), roadClass,
                    OsmConventions.SpeedKmh(way.Fields, roadClass), OsmConventions.Oneway(way.Fields, roadClass),
                    DemoGeo.Factory.CreateLineString(coords[start..(i + 1)].Select(c => c.Copy()).ToArray()),
                    ids[coords[start]], ids[coords[i]]));
                start = i;
            }
        }

        var nodes = ids.ToDictionary(x => x.Value, x => (x.Key, new List<RoadEdge>()));
        foreach (var e in edges)
        {
            nodes[e.Source].Item2.Add(e);
            if (e.Target != e.Source) nodes[e.Target].Item2.Add(e);
        }
        var network = new RoadNetwork { Edges = edges, Nodes = nodes };
        foreach (var e in edges) network._index.Insert(e.Geometry.EnvelopeInternal, e);
        network._index.Build();
        return network;
    }

    /// <summary>An overlay may return a clipped piece reversed; one-way streets need the way's own direction.</summary>
    static Coordinate[] AlongWay(LineString piece, LineString way)
    {
        var index = new LocationIndexedLine(way);
        var coords = piece.Coordinates;
        return index.Project(coords[0]).CompareTo(index.Project(coords[^1])) <= 0 ? coords : coords.Reverse().ToArray();
    }

    static Coordinate[] Dedupe(Coordinate[] coords)
    {
        var list = new List<Coordinate>(coords.Length);
        foreach (var c in coords)
            if (list.Count == 0 || !list[^1].Equals2D(c)) list.Add(new Coordinate(c.X, c.Y));
        return list.ToArray();
    }

    /// <summary>The edge nearest to a point among those the filter accepts, searched in a box that grows
    /// from about 50 m to about 3 km (most queries end in the first box, which keeps the demo fast).</summary>
    public RoadEdge? Nearest(Coordinate at, Func<RoadEdge, bool>? accept = null)
    {
        var point = DemoGeo.Factory.CreatePoint(at);
        for (var reach = 0.0005; reach < 0.05; reach *= 4)
        {
            var box = new Envelope(at);
            box.ExpandBy(reach);
            var best = _index.Query(box).Where(e => accept?.Invoke(e) ?? true)
                .Select(e => (Edge: e, Distance: e.Geometry.Distance(point)))
                .OrderBy(x => x.Distance).ThenBy(x => x.Edge.SourceRef, StringComparer.Ordinal).FirstOrDefault();
            // Only an edge within the box's inner radius is surely the nearest; else look wider.
            if (best.Edge is not null && best.Distance <= reach) return best.Edge;
        }
        return null;
    }

    /// <summary>The point on the nearest accepted edge closest to a point: "on the road network".</summary>
    public (RoadEdge Edge, Coordinate At)? Snap(Coordinate at, Func<RoadEdge, bool>? accept = null)
    {
        if (Nearest(at, accept) is not { } edge) return null;
        var closest = DistanceOp.NearestPoints(edge.Geometry, DemoGeo.Factory.CreatePoint(at))[0];
        return (edge, closest);
    }

    public static bool Drivable(RoadEdge e) => e.RoadClass is not ("pedestrian" or "track");
}
