using GeoTwin.DataImport.Demo;
using GeoTwin.DataImport.Domain;
using Npgsql;

namespace GeoTwin.DataImport.Tests.Demo;

/// <summary>The Monaco demo, built from the embedded OSM extract into real PostGIS databases.</summary>
[Collection("postgis")]
public sealed class DemoJurisdictionTests(PostgisFixture pg)
{
    static readonly DateTime Until = new(2025, 2, 11, 12, 0, 0, DateTimeKind.Utc);
    static readonly DemoOptions Options = new(Seed: 7, UntilUtc: Until);
    static readonly Shared<(NpgsqlDataSource Db, DemoFacts Facts)> Built = new();

    /// <summary>One build shared by the read-only tests (they run one after another in the collection).</summary>
    Task<(NpgsqlDataSource Db, DemoFacts Facts)> BuiltAsync() => Built.GetAsync(() => BuildAsync(pg));

    static async Task<(NpgsqlDataSource, DemoFacts)> BuildAsync(PostgisFixture pg)
    {
        var db = await pg.CreateDataSourceAsync();
        var facts = await DemoJurisdiction.LoadIfEmptyAsync(db, Options, null);
        return (db, facts!);
    }

    // Every column a person or another slice reads; no clock-set columns (created_at and the like).
    static readonly string[] Checksums =
    [
        "SELECT md5(string_agg(concat_ws(',', code, kind, name, parent_id, path, ST_AsEWKB(boundary)), '|' ORDER BY id)) FROM jurisdictions",
        "SELECT md5(string_agg(concat_ws(',', source_ref, name, road_class, speed_kmh, oneway, ST_AsEWKB(geom), source, target), '|' ORDER BY id)) FROM roads",
        "SELECT md5(string_agg(concat_ws(',', code, element_type, parent_code, full_text, door_number, ST_AsEWKB(location), jurisdiction_id, community_id), '|' ORDER BY id)) FROM addresses",
        "SELECT md5(string_agg(concat_ws(',', code, address_id, ST_AsEWKB(footprint), roof_height_m, floors, use, ownership, rooms, residents_total, residents_floating, residents_foreign, jurisdiction_id), '|' ORDER BY id)) FROM houses",
        "SELECT md5(string_agg(concat_ws(',', code, name, category, address_id, ST_AsEWKB(location), jurisdiction_id), '|' ORDER BY id)) FROM organizations",
        "SELECT md5(string_agg(concat_ws(',', code, name, kind, ST_AsEWKB(location), jurisdiction_id), '|' ORDER BY id)) FROM places",
        "SELECT md5(string_agg(concat_ws(',', id, name, ST_AsEWKB(location), heading_deg, fov_deg, range_m, kind, owner, jurisdiction_id), '|' ORDER BY id)) FROM cameras",
        "SELECT md5(string_agg(concat_ws(',', call_sign, kind, device_id, status, ST_AsEWKB(last_position), last_heading_deg, last_fix_at, jurisdiction_id), '|' ORDER BY id)) FROM police_units",
        "SELECT md5(string_agg(concat_ws(',', code, category, priority, description, ST_AsEWKB(location), address_id, status, received_at, closed_at, jurisdiction_id), '|' ORDER BY id)) FROM incidents",
        "SELECT md5(string_agg(concat_ws(',', incident_id, at, kind, unit_id), '|' ORDER BY id)) FROM incident_events",
    ];

    [Fact]
    public async Task The_same_seed_builds_the_same_rows_in_another_database()
    {
        var (first, facts) = await BuiltAsync();
        await using var second = await pg.CreateDataSourceAsync();
        Assert.NotNull(await DemoJurisdiction.LoadIfEmptyAsync(second, Options, null));

        foreach (var sql in Checksums)
            Assert.Equal(await first.ScalarAsync<string>(sql), await second.ScalarAsync<string>(sql));
        // Its speed is a benchmark (tests/bench/demo.sh, BENCHMARKS.md), not a timed test: a loaded machine is no failure.
    }

    [Fact]
    public async Task About_38000_residents_with_a_floating_share_that_varies_by_community()
    {
        var (db, _) = await BuiltAsync();

        var residents = await db.ScalarAsync<long>("SELECT sum(residents_total) FROM houses");
        Assert.InRange(residents, 38_000 * 0.95, 38_000 * 1.05);
        var shares = new List<double>();
        await using var cmd = db.CreateCommand("SELECT sum(residents_floating)::float8 / sum(residents_total) FROM houses GROUP BY community_id HAVING sum(residents_total) > 500");
        await using (var reader = await cmd.ExecuteReaderAsync())
            while (await reader.ReadAsync()) shares.Add(reader.GetDouble(0));
        Assert.True(shares.Count >= 5);
        Assert.True(shares.Max() - shares.Min() > 0.15, $"floating shares {string.Join(", ", shares)}");
    }

    [Fact]
    public async Task Every_house_has_a_standard_building_address_and_the_real_house_numbers_are_there()
    {
        var (db, facts) = await BuiltAsync();

        Assert.InRange(facts.Houses, 1100, 1606);
        Assert.Equal(0L, await db.ScalarAsync<long>("""
            SELECT count(*) FROM houses h LEFT JOIN addresses a ON a.id = h.address_id
            WHERE a.id IS NULL OR a.element_type <> 50 OR a.code !~ '^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
            """));
        // The real OSM house numbers on Monaco's land are door numbers now (the rest of the 385 are in France).
        Assert.InRange(await db.ScalarAsync<long>("SELECT count(*) FROM addresses WHERE door_number IS NOT NULL"), 250, 385);
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM addresses a LEFT JOIN addresses p ON p.code = a.parent_code WHERE a.element_type <> 12 AND p.id IS NULL"));
    }

    [Theory]
    [InlineData("addresses", "location")]
    [InlineData("organizations", "location")]
    [InlineData("cameras", "location")]
    [InlineData("places", "location")]
    [InlineData("incidents", "location")]
    [InlineData("houses", "ST_PointOnSurface(footprint)")]
    public async Task Every_scoped_row_lies_in_its_responsibility_area_and_community(string table, string point)
    {
        var (db, _) = await BuiltAsync();
        // table and point come from the InlineData above, not from input.
        var community = table is "cameras" or "places" ? "" : $"OR (t.community_id IS NOT NULL AND NOT ST_Covers((SELECT boundary FROM jurisdictions WHERE id = t.community_id), {point}))";

        Assert.True(await db.ScalarAsync<long>($"SELECT count(*) FROM {table}") > 0);
        Assert.Equal(0L, await db.ScalarAsync<long>($"""
            SELECT count(*) FROM {table} t JOIN jurisdictions j ON j.id = t.jurisdiction_id
            WHERE j.kind <> 'responsibility_area' OR t.jurisdiction_path <> j.path OR NOT ST_Covers(j.boundary, {point}) {community}
            """));
    }

    [Fact]
    public async Task Units_stand_on_the_road_network_of_their_station()
    {
        var (db, facts) = await BuiltAsync();

        Assert.InRange(facts.Units, 20, 40);
        Assert.Equal(0L, await db.ScalarAsync<long>("""
            SELECT count(*) FROM police_units u JOIN jurisdictions s ON s.id = u.jurisdiction_id
            WHERE s.kind <> 'station' OR NOT ST_DWithin(s.boundary, u.last_position, 1e-6)
               OR NOT EXISTS (SELECT 1 FROM roads r WHERE ST_DWithin(r.geom, u.last_position, 1e-7))
            """));
        Assert.Equal(2L, await db.ScalarAsync<long>("SELECT count(*) FROM police_units WHERE kind = 'boat'"));
        Assert.Equal(4L, await db.ScalarAsync<long>("SELECT count(DISTINCT kind) FROM police_units"));
    }

    [Fact]
    public async Task Cameras_have_valid_GB28181_ids_and_include_the_real_OSM_ones()
    {
        var (db, _) = await BuiltAsync();

        var ids = new List<string>();
        await using var cmd = db.CreateCommand("SELECT id FROM cameras");
        await using (var reader = await cmd.ExecuteReaderAsync())
            while (await reader.ReadAsync()) ids.Add(reader.GetString(0));
        Assert.True(ids.Count > 200);
        Assert.All(ids, id => Assert.Null(Gb28181Id.ValidateCamera(id)));
        // Of the 16 OSM cameras, two stand on the quay edge within 3 m of the land polygon (placed on it) and one 32 m off it.
        Assert.Equal(15L, await db.ScalarAsync<long>("SELECT count(*) FROM cameras WHERE source_ref LIKE 'n%'"));
        Assert.True(await db.ScalarAsync<long>("SELECT count(*) FROM cameras WHERE owner = 'social'") > 20);
        Assert.True(await db.ScalarAsync<long>("SELECT count(*) FROM cameras WHERE heading_deg IS NOT NULL AND fov_deg < 360") > 200);
    }

    [Fact]
    public async Task Cameras_see_part_of_the_streets_not_all()
    {
        var (db, _) = await BuiltAsync();

        // Each camera's view as a sector (heading ± fov/2 out to its range; a circle for domes).
        var seen = await db.ScalarAsync<double>("""
            WITH views AS (
                SELECT CASE WHEN heading_deg IS NULL OR fov_deg >= 360 THEN ST_Buffer(location::geography, range_m)::geometry
                       ELSE ST_MakePolygon(ST_MakeLine(location || ARRAY(
                                SELECT ST_Project(location::geography, range_m, radians(heading_deg - fov_deg / 2 + fov_deg * k / 8))::geometry
                                FROM generate_series(0, 8) k) || location)) END AS view
                FROM cameras),
                 seen AS (SELECT ST_Union(view) AS area FROM views)
            SELECT sum(ST_Length(ST_Intersection(r.geom, seen.area)::geography)) / sum(ST_Length(r.geom::geography))
            FROM roads r, seen
            """);

        Assert.InRange(seen, 0.2, 0.8);
    }

    [Fact]
    public async Task Incidents_span_two_years_cluster_in_hotspots_and_peak_at_night()
    {
        var (db, facts) = await BuiltAsync();

        Assert.InRange(facts.Incidents, 3000, 5000);
        var span = await db.ScalarAsync<double>("SELECT extract(epoch FROM max(received_at) - min(received_at))::float8 / 86400 FROM incidents");
        Assert.InRange(span, 720, 730);
        Assert.True(await db.ScalarAsync<DateTime>("SELECT max(received_at) FROM incidents") < Until);
        // Evening and night (18:00-03:00 local, 9 of 24 hours) hold well over their 37.5% share.
        var night = await db.ScalarAsync<double>("""
            SELECT avg((extract(hour FROM received_at AT TIME ZONE 'Europe/Monaco') >= 18 OR extract(hour FROM received_at AT TIME ZONE 'Europe/Monaco') < 3)::int)::float8
            FROM incidents
            """);
        Assert.True(night > 0.45, $"night share {night}");
        var twoRobberiesAndTheft = await db.ScalarAsync<double>("SELECT avg((category IN ('robbery', 'snatching', 'theft', 'burglary'))::int)::float8 FROM incidents");
        Assert.InRange(twoRobberiesAndTheft, 0.65, 0.85);
        // Hotspots: the busiest 5% of 100 m cells hold far more than 5% of the street crime.
        var top = await db.ScalarAsync<double>("""
            WITH cells AS (SELECT count(*) n FROM incidents WHERE category IN ('theft', 'snatching', 'robbery')
                           GROUP BY ST_SnapToGrid(ST_Transform(location, 32632), 100)),
                 ranked AS (SELECT n, row_number() OVER (ORDER BY n DESC) r, count(*) OVER () cells FROM cells)
            SELECT sum(n) FILTER (WHERE r <= cells * 0.05)::float8 / sum(n) FROM ranked
            """);
        Assert.True(top > 0.3, $"top 5% of cells hold {top:P0}");
        Assert.Equal(0L, await db.ScalarAsync<long>("""
            SELECT count(*) FROM incidents i
            WHERE (SELECT count(*) FROM incident_events e WHERE e.incident_id = i.id AND e.kind = 'intake' AND e.at = i.received_at) <> 1
            """));
    }

    [Fact]
    public async Task Communities_cover_the_land_and_the_coast_without_overlaps()
    {
        var (db, _) = await BuiltAsync();

        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM jurisdictions WHERE NOT ST_IsValid(boundary) OR GeometryType(boundary) <> 'MULTIPOLYGON'"));
        var area = await db.ScalarAsync<double>("SELECT ST_Area(boundary::geography) FROM jurisdictions WHERE kind = 'city_bureau'");
        Assert.InRange(area, 2.9e6, 4.5e6); // Monaco's land (about 2 km²), its harbours and beaches and a coastal strip, not the open sea
        // where police are called on the coast: the harbour's basin, Larvotto beach, the sea off Fontvieille; never France
        foreach (var (lon, lat, inside) in new[] { (7.4240, 43.7350, true), (7.4355, 43.7455, true), (7.4180, 43.7265, true), (7.4330, 43.7560, false) })
            Assert.Equal(inside, await db.ScalarAsync<bool>($"SELECT EXISTS (SELECT 1 FROM jurisdictions WHERE kind = 'community' AND ST_Covers(boundary, ST_SetSRID(ST_MakePoint({lon}, {lat}), 4326)))"));
        var uncovered = await db.ScalarAsync<double>("""
            SELECT ST_Area(ST_SymDifference(c.boundary, (SELECT ST_Union(boundary) FROM jurisdictions WHERE kind = 'community'))::geography)
            FROM jurisdictions c WHERE c.kind = 'city_bureau'
            """);
        Assert.True(uncovered < 1, $"{uncovered} m² differ");
        var overlap = await db.ScalarAsync<double>("""
            SELECT coalesce(sum(ST_Area(ST_Intersection(a.boundary, b.boundary)::geography)), 0)
            FROM jurisdictions a JOIN jurisdictions b ON a.kind = 'community' AND b.kind = 'community' AND a.id < b.id
            """);
        Assert.True(overlap < 1, $"{overlap} m² overlap");
        Assert.Equal(9L, await db.ScalarAsync<long>("SELECT count(*) FROM jurisdictions WHERE kind = 'community'"));
    }

    [Fact]
    public async Task Named_places_are_the_beaches_squares_and_harbours_of_the_OSM_data_each_once()
    {
        var (db, _) = await BuiltAsync();

        // the kinds a caller names, from the extract's own tags
        var kinds = await db.ScalarAsync<string>("SELECT string_agg(DISTINCT kind, ',' ORDER BY kind) FROM places");
        foreach (var kind in new[] { "beach", "square", "harbour" }) Assert.Contains(kind, kinds.Split(','));
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM places WHERE kind = 'beach' AND name ILIKE '%Larvotto%'"));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM (SELECT 1 FROM places GROUP BY kind, name HAVING count(*) > 1) d"));
        // beaches lie off the land the houses stand on, and are policed all the same (the row test above: in their area)
        Assert.True(await db.ScalarAsync<long>("""
            SELECT count(*) FROM places WHERE kind = 'beach'
            AND NOT EXISTS (SELECT 1 FROM houses h WHERE ST_DWithin(h.footprint::geography, location::geography, 5))
            """) > 0);
    }

    [Fact]
    public async Task Roads_have_topology_one_way_streets_and_speeds_by_class()
    {
        var (db, facts) = await BuiltAsync();

        Assert.InRange(facts.Roads, 1200, 3334);
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM roads WHERE source IS NULL OR target IS NULL"));
        // A node id is one place: every edge end with that id is at the same point.
        Assert.Equal(0L, await db.ScalarAsync<long>("""
            SELECT count(*) FROM (
                SELECT node FROM (SELECT source node, ST_StartPoint(geom) p FROM roads UNION ALL SELECT target, ST_EndPoint(geom) FROM roads) e
                GROUP BY node HAVING count(DISTINCT ST_AsEWKB(p)) > 1) x
            """));
        var biggest = await db.ScalarAsync<long>("""
            SELECT max(n) FROM (SELECT count(*) n FROM pgr_connectedComponents('SELECT id, source, target, cost, reverse_cost FROM roads') GROUP BY component) c
            """);
        Assert.True(biggest > 0.7 * await db.ScalarAsync<long>("SELECT count(DISTINCT source) FROM roads"), $"largest component {biggest} nodes");
        Assert.True(await db.ScalarAsync<long>("SELECT count(*) FROM roads WHERE oneway <> 0") > 300);
        Assert.True(await db.ScalarAsync<double>("SELECT avg(speed_kmh) FROM roads WHERE road_class = 'primary'")
                    > await db.ScalarAsync<double>("SELECT avg(speed_kmh) FROM roads WHERE road_class = 'residential'"));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM roads r, jurisdictions c WHERE c.kind = 'city_bureau' AND NOT ST_Covers(ST_Buffer(c.boundary, 1e-9), r.geom)"));
    }

    [Fact]
    public async Task Loading_refuses_a_database_with_data_and_leaves_it_as_it_was()
    {
        await using var db = await pg.CreateDataSourceAsync();
        await using (var cmd = db.CreateCommand("INSERT INTO roads (source_ref, road_class, speed_kmh, geom) VALUES ('mine', 'primary', 50, 'SRID=4326;LINESTRING(7.42 43.73, 7.43 43.74)')"))
            await cmd.ExecuteNonQueryAsync();

        Assert.Null(await DemoJurisdiction.LoadIfEmptyAsync(db, Options, null));
        Assert.False(await DemoJurisdiction.LoadIfEmptyAsync(db));

        Assert.Equal("mine", await db.ScalarAsync<string>("SELECT string_agg(source_ref, ',') FROM roads"));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT (SELECT count(*) FROM jurisdictions) + (SELECT count(*) FROM addresses) + (SELECT count(*) FROM incidents)"));
    }

    [Fact]
    public async Task A_build_that_fails_while_writing_leaves_the_database_empty()
    {
        await using var db = await pg.CreateDataSourceAsync();
        using var cancel = new CancellationTokenSource();
        var steps = new List<string>();
        void Progress(DemoProgress p)
        {
            steps.Add(p.Step);
            if (p.Step == "writing cameras") cancel.Cancel();
        }

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => DemoJurisdiction.LoadIfEmptyAsync(db, Options, Progress, cancel.Token));

        Assert.Contains("writing houses", steps);
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT (SELECT count(*) FROM jurisdictions) + (SELECT count(*) FROM roads) + (SELECT count(*) FROM houses)"));
    }
}
