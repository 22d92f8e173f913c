// Usage (tests/bench/warnings.sh runs it): GEOTWIN_DB=... GeoTwin.Warnings.Bench RUNS WORKDIR
// On an empty database: migrates, draws a city bureau with 4 stations, 9,900 compounds (a 99 x 100 grid of 80 m
// squares) and 100 patrol zones along streets (10,000 places), each with a community officer's phone (for the outbox).
//   pull       RUNS times: a drop-folder file of 10,000 new incidents (robbery/theft, this month, random points over
//              the grid) taken by IncidentPull.RunDropFolderAsync: parse, store, jurisdiction, assign to places and
//              zones, recompute levels, enqueue texts, log the run. Reference: the bare point-in-polygon join of the
//              same 10,000 incidents against the places in PostGIS (ST_Intersects, GiST), timed after each pull.
//   recompute  RUNS times: every level of the month recomputed from scratch for the 10,000 places (levels of the month
//              deleted, WarningLevels.RecomputeAsync counts and writes them all, history rows too), rolled back.
//              Reference: the bare count of the month's incidents per place and zone in PostGIS.
// Prints one line per run and "pull_median_ms=... ref_join_median_ms=... recompute_median_ms=... ref_count_median_ms=...".
using System.Diagnostics;
using System.Globalization;
using System.Text;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Warnings;
using GeoTwin.Server.Warnings.Pull;
using GeoTwin.Server.Warnings.Texts;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

var runs = int.Parse(args[0], CultureInfo.InvariantCulture);
var work = args[1];
var inv = CultureInfo.InvariantCulture;
var connectionString = Environment.GetEnvironmentVariable("GEOTWIN_DB") ?? throw new InvalidOperationException("GEOTWIN_DB is not set");
await using var db = NpgsqlDataSource.Create(connectionString);
await Migrations.ApplyAsync(db, Migrations.Embedded);

async Task Exec(string sql, params object[] args)
{
    await using var cmd = db.CreateCommand(sql);
    foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a });
    await cmd.ExecuteNonQueryAsync();
}

// Grid: x 7.40 .. 7.4792 (99 columns of 0.0008°), y 43.70 .. 43.79 (100 rows of 0.0009°): compounds.
// Patrol zones: 100 strips 0.0792° x 0.0001° just north of each row's top edge... drawn over the grid's row borders,
// each with its street along the middle, so street incidents fall in a zone and inside a compound both.
await Exec("""
    INSERT INTO jurisdictions (code, kind, name, boundary) VALUES ('B-CITY', 'city_bureau', '基准市局', ST_Multi(ST_MakeEnvelope(7.39, 43.69, 7.49, 43.80, 4326)));
    INSERT INTO jurisdictions (code, kind, name, parent_id, boundary)
    SELECT 'B-ST' || n, 'station', '基准派出所' || n, (SELECT id FROM jurisdictions WHERE code = 'B-CITY'),
           ST_Multi(ST_MakeEnvelope(7.39 + (n % 2) * 0.05, 43.69 + (n / 2) * 0.055, 7.44 + (n % 2) * 0.05, 43.745 + (n / 2) * 0.055, 4326))
    FROM generate_series(0, 3) n;
    INSERT INTO warning_places (code, kind, name, boundary, jurisdiction_id)
    SELECT 'C-' || c || '-' || r, 'compound', '小区' || c || '-' || r,
           ST_Multi(ST_MakeEnvelope(7.40 + c * 0.0008, 43.70 + r * 0.0009, 7.40 + (c + 1) * 0.0008, 43.70 + (r + 1) * 0.0009, 4326)),
           (SELECT j.id FROM jurisdictions j WHERE j.kind = 'station'
              AND ST_Covers(j.boundary, ST_SetSRID(ST_MakePoint(7.40 + (c + 0.5) * 0.0008, 43.70 + (r + 0.5) * 0.0009), 4326)) LIMIT 1)
    FROM generate_series(0, 98) c, generate_series(0, 99) r;
    INSERT INTO warning_places (code, kind, name, boundary, street, jurisdiction_id)
    SELECT 'Z-' || r, 'patrol_zone', '巡区' || r,
           ST_Multi(ST_MakeEnvelope(7.40, 43.70 + r * 0.0009 - 0.00005, 7.4792, 43.70 + r * 0.0009 + 0.00005, 4326)),
           ST_Multi(ST_MakeLine(ST_MakePoint(7.40, 43.70 + r * 0.0009), ST_MakePoint(7.4792, 43.70 + r * 0.0009))::geometry(LineString, 4326)),
           (SELECT id FROM jurisdictions WHERE code = 'B-CITY')
    FROM generate_series(0, 99) r;
    INSERT INTO warning_place_people (place_id, role, full_name, phone)
    SELECT id, 'community_officer', '基准民警', '+99 000 ' || lpad(id::text, 6, '0') FROM warning_places;
    ANALYZE;
    """);
var places = (long)(await db.CreateCommand("SELECT count(*) FROM warning_places").ExecuteScalarAsync())!;
Console.Error.WriteLine($"places={places}");

var options = new WarningOptions(timeZone: "UTC", zoneStreetMetres: 30);
var levels = new WarningLevels(options);
var texts = new WarningTexts(db, NullLogger<WarningTexts>.Instance);
var pull = new IncidentPull(db, levels, NullLogger<IncidentPull>.Instance, texts);
var drop = Path.Combine(work, "drop");
Directory.CreateDirectory(drop);
var mappingFile = Path.Combine(work, "mapping.json");
File.WriteAllText(mappingFile, """
    { "records": "records", "next": "next",
      "fields": { "number": "jjdbh", "category": "ajlb", "lon": "x", "lat": "y", "receivedAt": "bjsj", "description": "jyaq" },
      "categories": { "0201": "robbery", "0301": "theft" }, "timeZone": "UTC" }
    """);
var settings = new PullSettings { DropFolder = drop, Mapping = PullMapping.Load(mappingFile) };
var month = levels.CurrentMonth();
var rng = new Random(17);

var pullMs = new List<double>(); var joinMs = new List<double>();
for (var run = 0; run < runs; run++)
{
    var now = DateTime.UtcNow;
    var sb = new StringBuilder("{ \"records\": [");
    for (var n = 0; n < 10000; n++)
    {
        // Received this month, before now; a third on the streets (a zone and a compound), the rest anywhere in the grid.
        var at = month.ToDateTime(TimeOnly.MinValue).AddSeconds(rng.NextDouble() * Math.Max(60, (now - month.ToDateTime(TimeOnly.MinValue)).TotalSeconds - 60));
        var x = 7.40 + rng.NextDouble() * 0.0792;
        var y = n % 3 == 0 ? 43.70 + rng.Next(0, 100) * 0.0009 + (rng.NextDouble() - 0.5) * 0.00008 : 43.70 + rng.NextDouble() * 0.09;
        if (n > 0) sb.Append(',');
        sb.Append(inv, $$"""{ "jjdbh": "R{{run}}-{{n:00000}}", "ajlb": "{{(n % 4 == 0 ? "0201" : "0301")}}", "x": {{x:F7}}, "y": {{y:F7}}, "bjsj": "{{at:yyyy-MM-dd HH:mm:ss}}", "jyaq": "基准警情" }""");
    }
    sb.Append("] }");
    await File.WriteAllTextAsync(Path.Combine(drop, $"run{run:000}.json"), sb.ToString());

    var sw = Stopwatch.StartNew();
    var result = await pull.RunDropFolderAsync(settings, default);
    var took = sw.Elapsed.TotalMilliseconds;
    if (!result.Ok || result.New != 10000) throw new InvalidOperationException($"pull run {run}: ok={result.Ok} new={result.New} skipped={result.Skipped} error={result.Error}");
    pullMs.Add(took);

    // Reference: the bare point-in-polygon join of the same incidents (no writes).
    sw.Restart();
    await using (var cmd = db.CreateCommand("""
        SELECT count(p.id) FROM incidents i JOIN pulled_incidents pi ON pi.incident_id = i.id AND pi.number LIKE $1
        LEFT JOIN warning_places p ON ST_Intersects(p.boundary, i.location)
        """))
    {
        cmd.Parameters.Add(new NpgsqlParameter { Value = $"R{run}-%" });
        var joined = (long)(await cmd.ExecuteScalarAsync())!;
        joinMs.Add(sw.Elapsed.TotalMilliseconds);
        Console.Error.WriteLine($"pull run {run}: {took:F0} ms (new {result.New}, level changes {result.LevelChanges}) | bare ST_Intersects join {joinMs[^1]:F0} ms ({joined} pairs)");
    }
}
var outbox = (long)(await db.CreateCommand("SELECT count(*) FROM warning_texts").ExecuteScalarAsync())!;

var recomputeMs = new List<double>(); var countMs = new List<double>();
for (var run = 0; run < runs; run++)
{
    await using var conn = await db.OpenConnectionAsync();
    await using var tx = await conn.BeginTransactionAsync();
    await using (var clear = new NpgsqlCommand("DELETE FROM warning_levels WHERE month = $1", conn, tx) { Parameters = { new() { Value = month } } })
        await clear.ExecuteNonQueryAsync();
    var sw = Stopwatch.StartNew();
    var changes = await levels.RecomputeAsync(conn, tx, [month], default);
    recomputeMs.Add(sw.Elapsed.TotalMilliseconds);
    await tx.RollbackAsync();

    sw.Restart();
    await using (var cmd = db.CreateCommand("""
        SELECT count(*) FROM (
            SELECT place_id, count(*) FROM warning_incidents WHERE month = $1 AND place_id IS NOT NULL GROUP BY place_id
            UNION ALL
            SELECT zone_id, count(*) FROM warning_incidents WHERE month = $1 AND zone_id IS NOT NULL GROUP BY zone_id) c
        """))
    {
        cmd.Parameters.Add(new NpgsqlParameter { Value = month });
        var groups = (long)(await cmd.ExecuteScalarAsync())!;
        countMs.Add(sw.Elapsed.TotalMilliseconds);
        Console.Error.WriteLine($"recompute run {run}: {recomputeMs[^1]:F0} ms ({changes.Count} places written) | bare count per place {countMs[^1]:F0} ms ({groups} groups)");
    }
}

static double Median(List<double> xs)
{
    var s = xs.Order().ToList();
    return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
}
Console.WriteLine(string.Create(inv, $"places={places} incidents_per_pull=10000 runs={runs} outbox_texts={outbox} " +
    $"pull_median_ms={Median(pullMs):F0} ref_join_median_ms={Median(joinMs):F0} recompute_median_ms={Median(recomputeMs):F0} ref_count_median_ms={Median(countMs):F0}"));
