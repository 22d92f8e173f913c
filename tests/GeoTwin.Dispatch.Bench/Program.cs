// Usage: dotnet run -c Release --project tests/GeoTwin.Dispatch.Bench -- [units] [geotwin-rounds] [pgrouting-rounds]
// Starts a private cluster in /tmp with two databases: the Monaco demo, and a synthetic grid network of
// 231 x 231 junctions (~106,000 edges, every third street one-way, alternating). For each network and each round:
// a random incident and `units` random unit positions on the network; GeoTwin answers "how long does every unit
// take to reach the incident, best k=5 with routes" (Recommender.Rank: snap all, one Dijkstra over the reversed
// graph, routes), and pgRouting answers the same travel-time question with pgr_dijkstraCost (all unit junctions ->
// the incident junction) on the same roads table. pgRouting gets its fastest form of that question: one-to-many on
// the reversed edges (source and target swapped), one Dijkstra, as GeoTwin does; many-to-one runs one per unit. Prints a Markdown table of p50/p99 and the ratio of medians.
using System.Diagnostics;
using GeoTwin.DataImport.Demo;
using GeoTwin.Server.Dispatch;
using GeoTwin.Server.Dispatch.Routing;
using GeoTwin.Server.Infrastructure.Db;
using Npgsql;

var unitCount = int.Parse(args.ElementAtOrDefault(0) ?? "1000");
var ourRounds = int.Parse(args.ElementAtOrDefault(1) ?? "200");
var pgrRounds = int.Parse(args.ElementAtOrDefault(2) ?? "15");

const string Grid = """
    INSERT INTO roads (source_ref, road_class, speed_kmh, oneway, geom, source, target)
    SELECT 'g' || i || '-' || j || d, 'residential', CASE WHEN (i + j) % 5 = 0 THEN 50 ELSE 30 END,
           CASE WHEN d = 'h' AND i % 3 = 0 THEN CASE WHEN i % 6 = 0 THEN 1 ELSE -1 END
                WHEN d = 'v' AND j % 3 = 0 THEN CASE WHEN j % 6 = 0 THEN 1 ELSE -1 END ELSE 0 END,
           ST_MakeLine(ST_MakePoint(113.0 + j * 0.0009, 22.5 + i * 0.0008),
                       ST_MakePoint(113.0 + (j + (d = 'h')::int) * 0.0009, 22.5 + (i + (d = 'v')::int) * 0.0008))::geometry(LineString, 4326),
           i * 1000 + j + 1, (i + (d = 'v')::int) * 1000 + j + (d = 'h')::int + 1
    FROM generate_series(0, 230) i, generate_series(0, 230) j, (VALUES ('h'), ('v')) AS dir(d)
    WHERE (d = 'h' AND j < 230) OR (d = 'v' AND i < 230);
    """;

var dir = Directory.CreateTempSubdirectory("geotwin-dispatchbench-").FullName;
File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
await using var cluster = await PrivateCluster.StartAsync(new PrivateClusterOptions { DataDirectory = dir });
var rows = new List<string>();
foreach (var network in new[] { "demo", "synthetic" })
{
    Console.Error.WriteLine($"{network}: building the database...");
    var cs = new NpgsqlConnectionStringBuilder(cluster.ConnectionString);
    await using (var admin = Database.Build(cluster.ConnectionString))
    {
        if (network == "synthetic") await Exec(admin, "CREATE DATABASE synthetic");
    }
    if (network == "synthetic") cs.Database = "synthetic";
    await using var db = Database.Build(cs.ConnectionString);
    await Migrations.ApplyAsync(db, Migrations.Embedded);
    await db.ReloadTypesAsync();
    if (network == "demo") await DemoJurisdiction.LoadIfEmptyAsync(db);
    else await Exec(db, Grid);
    await Exec(db, "ANALYZE roads");

    var load = Stopwatch.StartNew();
    var graph = await RoadGraphCache.LoadAsync(db, default);
    var loadMs = load.Elapsed.TotalMilliseconds;
    // junctions with coordinates, for random incidents and units placed on the network
    var ends = await db.CreateCommand("SELECT source, ST_X(ST_StartPoint(geom)), ST_Y(ST_StartPoint(geom)) FROM roads WHERE source IS NOT NULL")
        .ListAsync(r => (Id: r.GetInt64(0), Lon: r.GetDouble(1), Lat: r.GetDouble(2)), default);
    var random = new Random(7);
    (long Id, double Lon, double Lat) Pick() => ends[random.Next(ends.Count)];
    var options = new DispatchOptions();
    var now = DateTime.UtcNow;

    List<UnitState> Units(out long[] junctions)
    {
        var list = new List<UnitState>(unitCount);
        junctions = new long[unitCount];
        for (var i = 0; i < unitCount; i++)
        {
            var j = Pick();
            junctions[i] = j.Id;
            list.Add(new UnitState(i + 1, $"U{i}", "car", ["patrol"], "available", j.Lon, j.Lat, now, "X"));
        }
        return list;
    }

    // Warm-up outside the figures, long enough for .NET's tiered JIT to replace the first quick code with optimised
    // code (it recompiles hot methods in the background after ~30 calls): a server answers from that steady state.
    var warmUp = Stopwatch.StartNew();
    for (var i = 0; i < 100 || warmUp.Elapsed < TimeSpan.FromSeconds(2); i++)
    {
        var inc = Pick();
        Recommender.Rank(graph, new IncidentPlace(0, "theft", 2, inc.Lon, inc.Lat, "X"), "W", Units(out _), options, now, 5);
        if (i % 20 == 0) Thread.Sleep(50); // idle moments let the background compiler run on a busy machine
    }
    var ours = new List<double>();
    for (var i = 0; i < ourRounds; i++)
    {
        var inc = Pick();
        var units = Units(out _);
        var t = Stopwatch.StartNew();
        var result = Recommender.Rank(graph, new IncidentPlace(0, "theft", 2, inc.Lon, inc.Lat, "X"), "B", units, options, now, 5);
        ours.Add(t.Elapsed.TotalMilliseconds);
        if (result.Units.Count == 0) throw new InvalidOperationException("no unit recommended");
    }
    // pgRouting, two ways: given the junction ids (no snapping: flatters pgRouting), and from the same positions
    // GeoTwin gets (nearest road by the GiST index for every unit and the incident, then the search): the same question.
    var bare = new List<double>();
    var theirs = new List<double>();
    const string Pgr = """
        SELECT count(*) FROM pgr_dijkstraCost(
          'SELECT id, target AS source, source AS target, cost, reverse_cost FROM roads WHERE source IS NOT NULL AND target IS NOT NULL',
          $2::bigint, $1::bigint[], directed => true)
        """;
    const string PgrFromPositions = """
        WITH u AS (SELECT * FROM unnest($1::float8[], $2::float8[]) AS t(lon, lat)),
             snapped AS (SELECT DISTINCT r.source FROM u CROSS JOIN LATERAL (
                           SELECT source FROM roads WHERE source IS NOT NULL
                           ORDER BY geom <-> ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326) LIMIT 1) r)
        SELECT count(*) FROM pgr_dijkstraCost(
          'SELECT id, target AS source, source AS target, cost, reverse_cost FROM roads WHERE source IS NOT NULL AND target IS NOT NULL',
          (SELECT source FROM roads WHERE source IS NOT NULL ORDER BY geom <-> ST_SetSRID(ST_MakePoint($3, $4), 4326) LIMIT 1),
          (SELECT array_agg(source) FROM snapped), directed => true)
        """;
    await using (var conn = await db.OpenConnectionAsync())
    {
        for (var i = 0; i < pgrRounds + 1; i++)
        {
            var inc = Pick();
            var units = Units(out var junctions);
            await using var cmd = new NpgsqlCommand(Pgr, conn) { CommandTimeout = 600 };
            cmd.Parameters.Add(new() { Value = junctions.Distinct().ToArray() });
            cmd.Parameters.Add(new() { Value = inc.Id });
            var t = Stopwatch.StartNew();
            await cmd.ExecuteScalarAsync();
            if (i > 0) bare.Add(t.Elapsed.TotalMilliseconds); // the first warms the connection
            await using var full = new NpgsqlCommand(PgrFromPositions, conn) { CommandTimeout = 600 };
            full.Parameters.Add(new() { Value = units.Select(u => u.Lon!.Value).ToArray() });
            full.Parameters.Add(new() { Value = units.Select(u => u.Lat!.Value).ToArray() });
            full.Parameters.Add(new() { Value = inc.Lon });
            full.Parameters.Add(new() { Value = inc.Lat });
            t.Restart();
            await full.ExecuteScalarAsync();
            if (i > 0) theirs.Add(t.Elapsed.TotalMilliseconds);
        }
    }
    double P(List<double> xs, double q) { var s = xs.Order().ToList(); return s[Math.Min(s.Count - 1, (int)Math.Ceiling(q * s.Count) - 1)]; }
    rows.Add($"| {network} | {graph.RoadCount:N0} roads, {graph.NodeCount:N0} junctions, {graph.ArcCount:N0} arcs | {unitCount:N0} | " +
             $"{P(ours, 0.5):0.00} | {P(ours, 0.99):0.00} | {P(theirs, 0.5):0.0} | {P(theirs, 0.99):0.0} | {P(theirs, 0.5) / P(ours, 0.5):0}x | " +
             $"{P(bare, 0.5):0.0} | {P(bare, 0.99):0.0} | {P(bare, 0.5) / P(ours, 0.5):0.0}x | {loadMs:0} |");
    Console.Error.WriteLine(rows[^1]);
}
Console.WriteLine("| network | graph | units | GeoTwin p50 ms | GeoTwin p99 ms | pgRouting from positions p50 ms | p99 ms | ratio of p50 | pgr_dijkstraCost alone (junction ids given) p50 ms | p99 ms | ratio of p50 | graph build ms |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
foreach (var r in rows) Console.WriteLine(r);
Console.WriteLine($"rounds: GeoTwin {ourRounds}, pgRouting {pgrRounds}; machine: {Environment.ProcessorCount} cores");

static async Task Exec(NpgsqlDataSource db, string sql)
{
    await using var cmd = db.CreateCommand(sql);
    cmd.CommandTimeout = 600;
    await cmd.ExecuteNonQueryAsync();
}
