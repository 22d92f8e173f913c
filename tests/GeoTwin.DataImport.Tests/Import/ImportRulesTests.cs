using System.Text;
using GeoTwin.DataImport.Import;

namespace GeoTwin.DataImport.Tests.Import;

/// <summary>The bad-row report, the all-or-nothing rule, --skip-invalid, re-import by natural key and hostile input.</summary>
[Collection("postgis")]
public sealed class ImportRulesTests(PostgisFixture pg)
{
    static string AddressCsv(int rows, Func<int, string>? line = null)
    {
        var csv = new StringBuilder("code,address,door,lon,lat\n");
        for (var i = 1; i <= rows; i++) csv.Append(line?.Invoke(i) ?? $"MC-{i:D8},Boulevard {i},{i},7.42,43.73").Append('\n');
        return csv.ToString();
    }

    const string SearchIndexes = """
        SELECT string_agg(indexdef, ' | ' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'addresses'
        """;

    const string KeyConstraintOid = "SELECT oid FROM pg_constraint WHERE conname = 'addresses_code_key'";

    [Fact]
    public async Task A_bulk_load_builds_the_tables_search_indexes_again_and_a_small_one_keeps_them()
    {
        await using var h = await ImportHarness.CreateAsync(pg);
        var before = await h.ScalarAsync<string>(SearchIndexes);
        Assert.Contains("gin_trgm_ops", before);
        var keyBefore = await h.ScalarAsync<uint>(KeyConstraintOid);

        // 100,000 rows into an empty table: the bulk path (indexes dropped, rows written, indexes built again)
        var bulk = await h.ImportAsync(h.File("bulk.csv", AddressCsv(100_000, i => $"MC-{i:D8},Rue {i % 300} no {i},{i},7.42,43.73")), "addresses");
        Assert.True(bulk.Written, bulk.Refused);
        Assert.Equal(100_000, bulk.Inserted);
        Assert.Equal(before, await h.ScalarAsync<string>(SearchIndexes));
        Assert.Equal(0L, await h.ScalarAsync<long>("SELECT count(*) FROM pg_index WHERE NOT indisvalid"));
        // the path trigger, off for the bulk upsert, is on again, and the paths the upsert joined are the tree's
        Assert.Equal("O", await h.ScalarAsync<string>("SELECT tgenabled::text FROM pg_trigger WHERE tgname = 'addresses_scope'"));
        // the foreign keys into the tree, checked once for the file, have their row-by-row checks on again, and they bite
        Assert.Equal("O", await h.ScalarAsync<string>("""
            SELECT string_agg(DISTINCT t.tgenabled::text, ',') FROM pg_trigger t JOIN pg_constraint c ON c.oid = t.tgconstraint
            WHERE t.tgrelid = 'addresses'::regclass AND c.confrelid = 'jurisdictions'::regclass
            """));
        var refused = await Assert.ThrowsAsync<Npgsql.PostgresException>(() =>
            h.ScalarAsync<long>("UPDATE addresses SET community_id = -1 WHERE code = 'MC-00000001' RETURNING id"));
        Assert.Equal("23503", refused.SqlState);
        Assert.Equal(0L, await h.ScalarAsync<long>(
            "SELECT count(*) FROM addresses a JOIN jurisdictions j ON j.id = a.jurisdiction_id WHERE a.jurisdiction_path IS DISTINCT FROM j.path"));
        // every key was new, so the rows went in without ON CONFLICT; the unique code and the parent reference that
        // leans on it were dropped for that (a new constraint) and are back, and they bite
        Assert.NotEqual(keyBefore, await h.ScalarAsync<uint>(KeyConstraintOid));
        Assert.Equal("addresses_code_key UNIQUE (code)|addresses_parent_code_fkey FOREIGN KEY (parent_code) REFERENCES addresses(code) DEFERRABLE INITIALLY DEFERRED",
            await h.ScalarAsync<string>("""
                SELECT string_agg(conname || ' ' || pg_get_constraintdef(oid), '|' ORDER BY conname) FROM pg_constraint
                WHERE conrelid = 'addresses'::regclass AND conname IN ('addresses_code_key', 'addresses_parent_code_fkey')
                """));
        var duplicate = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => h.ScalarAsync<long>(
            "INSERT INTO addresses (code, element_type, full_text, location, jurisdiction_id) SELECT 'MC-00000001', 50, 'x', location, jurisdiction_id FROM addresses LIMIT 1 RETURNING id"));
        Assert.Equal("23505", duplicate.SqlState);
        var orphan = await Assert.ThrowsAsync<Npgsql.PostgresException>(() =>
            h.ScalarAsync<long>("UPDATE addresses SET parent_code = 'MC-99999999' WHERE code = 'MC-00000002' RETURNING id"));
        Assert.Equal("23503", orphan.SqlState);
        // the rebuilt trigram index answers a search the planner may only do through it
        await using (var conn = await h.Db.OpenConnectionAsync())
        {
            await using var off = new Npgsql.NpgsqlCommand("SET enable_seqscan = off", conn);
            await off.ExecuteNonQueryAsync();
            await using var plan = new Npgsql.NpgsqlCommand("EXPLAIN SELECT id FROM addresses WHERE full_text % 'Rue 42 no 4242'", conn);
            await using var r = await plan.ExecuteReaderAsync();
            var lines = new List<string>();
            while (await r.ReadAsync()) lines.Add(r.GetString(0));
            Assert.Contains("addresses_text_trgm", string.Join('\n', lines));
        }
        Assert.Equal("Rue 42 no 4242", await h.ScalarAsync<string>(
            "SELECT full_text FROM addresses WHERE full_text % 'Rue 42 no 4242' ORDER BY similarity(full_text, 'Rue 42 no 4242') DESC LIMIT 1"));

        // the same rows again: not more than the table holds, so the indexes stay and are maintained row by row
        var again = await h.ImportAsync(h.PathOf("bulk.csv"), "addresses");
        Assert.Equal(100_000, again.Updated);
        Assert.Equal(before, await h.ScalarAsync<string>(SearchIndexes));
    }

    [Fact]
    public async Task A_bulk_load_that_names_a_stored_key_updates_it_in_place_and_the_rest_go_in_beside_it()
    {
        await using var h = await ImportHarness.CreateAsync(pg);
        var first = await h.ImportAsync(h.File("few.csv", AddressCsv(3, i => $"MC-{i:D8},Old {i},{i},7.42,43.73")), "addresses");
        Assert.True(first.Written, first.Refused);
        var ids = await h.ScalarAsync<string>("SELECT string_agg(id::text, ',' ORDER BY code) FROM addresses");
        var keyBefore = await h.ScalarAsync<uint>(KeyConstraintOid);

        // more rows than the table holds (the bulk path), one of them a stored key: no constraint is dropped, the upsert runs
        var bulk = await h.ImportAsync(h.File("bulk.csv", AddressCsv(100_000, i => $"MC-{i + 2:D8},Rue {i},{i},7.42,43.73")), "addresses");
        Assert.True(bulk.Written, bulk.Refused);
        Assert.Equal((99_999L, 1L), (bulk.Inserted, bulk.Updated));
        Assert.Equal(100_002L, await h.ScalarAsync<long>("SELECT count(*) FROM addresses"));
        Assert.Equal("Old 1|Rue 1|Rue 2", await h.ScalarAsync<string>(
            "SELECT string_agg(full_text, '|' ORDER BY code) FROM addresses WHERE code IN ('MC-00000001', 'MC-00000003', 'MC-00000004')"));
        Assert.Equal(ids, await h.ScalarAsync<string>("SELECT string_agg(id::text, ',' ORDER BY code) FROM addresses WHERE code <= 'MC-00000003'"));
        Assert.Equal(keyBefore, await h.ScalarAsync<uint>(KeyConstraintOid));
    }

    [Fact]
    public void Every_layer_that_can_load_in_bulk_has_an_insert_without_on_conflict()
    {
        foreach (var layer in GeoTwin.DataImport.Import.Layers.LayerCatalog.All.Where(l => l != GeoTwin.DataImport.Import.Layers.LayerCatalog.Jurisdictions))
        {
            var insert = Importer.InsertOnlySql(layer);
            Assert.DoesNotContain("ON CONFLICT", insert);
            Assert.Contains("RETURNING xmax = 0 AS inserted", insert);
        }
    }

    [Fact]
    public async Task Rows_hang_on_the_code_they_name_else_on_the_deepest_node_of_the_layers_kinds_containing_them()
    {
        await using var h = await ImportHarness.CreateAsync(pg);
        // inside RA-BJ: a unit hangs on its station (units: stations only), an address on RA-BJ; an address there
        // naming ST-MC hangs on ST-MC, yet counts in the community it lies in
        var units = await h.ImportAsync(h.File("units.csv", "call_sign,lon,lat\nBJ-1,116.5,40\n"), "police_units");
        Assert.True(units.Written, units.Refused);
        Assert.Equal("ST-EAST", await h.ScalarAsync<string>("SELECT j.code FROM police_units u JOIN jurisdictions j ON j.id = u.jurisdiction_id"));
        var addresses = await h.ImportAsync(h.File("a.csv", "code,address,lon,lat,jurisdiction_code\nBJ-00000001,a,116.5,40,\nBJ-00000002,b,116.5,40,ST-MC\n"), "addresses");
        Assert.True(addresses.Written, addresses.Refused);
        Assert.Equal("BJ-00000001 RA-BJ C-BJ|BJ-00000002 ST-MC C-BJ", await h.ScalarAsync<string>("""
            SELECT string_agg(a.code || ' ' || j.code || ' ' || c.code, '|' ORDER BY a.code)
              FROM addresses a JOIN jurisdictions j ON j.id = a.jurisdiction_id JOIN jurisdictions c ON c.id = a.community_id
            """));

        var unknown = await h.ImportAsync(h.File("b.csv", "code,address,lon,lat,jurisdiction_code\nBJ-00000003,c,116.5,40,NOPE\n"), "addresses");
        Assert.False(unknown.Written);
        Assert.Equal("no jurisdiction with code 'NOPE'", unknown.BadRows.Single().Reason);
    }

    [Fact]
    public async Task Every_bad_row_is_reported_with_its_row_number_field_and_reason()
    {
        await using var h = await ImportHarness.CreateAsync(pg);
        var csv = h.File("bad.csv", """
            code,address,door,lon,lat,element_type
            MC-00000001,good,1,7.42,43.73,50
            MC-00000002,no position,2,,,50
            MC-00000003,out of range,3,200,43.73,50
            bad code!,bad code,4,7.42,43.73,50
            MC-00000001,repeat,5,7.42,43.73,50
            MC-00000006,Paris,6,2.35,48.85,50
            MC-00000007,odd type,7,7.42,43.73,30
            MC-00000008,x is text,8,east,43.73,50
            """);

        var result = await h.ImportAsync(csv, "addresses");

        Assert.False(result.Written);
        Assert.Equal(7, result.BadCount);
        var report = result.BadRows.Select(b => (b.Row, b.Field)).ToList();
        Assert.Equal([(3L, "geometry"), (4, "geometry"), (5, "code"), (6, "code"), (7, "geometry"), (8, "element_type"), (9, "lon")], report);
        string Reason(long row) => result.BadRows.Single(b => b.Row == row).Reason;
        Assert.Equal("no geometry", Reason(3));
        Assert.Contains("out of range", Reason(4));
        Assert.Contains("does not match", Reason(5));
        Assert.Equal("duplicate code 'MC-00000001' in the file (first at row 2)", Reason(6));
        Assert.StartsWith("outside every police station (POINT(2.35 48.85))", Reason(7));
        Assert.Contains("not a GA/T 2000.32 code", Reason(8));
        Assert.Contains("'east' is not a number", Reason(9));
        Assert.Equal(0L, await h.ScalarAsync<long>("SELECT count(*) FROM addresses"));
    }

    [Fact]
    public async Task A_bad_row_is_reported_with_every_reason_and_counted_once()
    {
        await using var h = await ImportHarness.CreateAsync(pg);
        // Row 2: a bad code and the coordinates swapped (lat, lon), which lands it outside every station.
        // Row 3: a bad code, a bad element type and a position that cannot be read. Row 4 is good but repeats row 2's
        // key ... which row 2 cannot claim, being bad: row 4 is the one kept, and row 2 is also a repeat of it.
        var csv = h.File("many.csv", """
            code,address,lon,lat,element_type
            MC-0000002!,swapped,43.73,7.42,50
            bad code!,three faults,east,43.73,30
            MC-00000004,good,7.42,43.73,50
            MC-00000004,repeat of a good one,7.42,43.73,50
            """);

        var result = await h.ImportAsync(csv, "addresses");

        Assert.False(result.Written);
        Assert.Equal(3L, result.BadCount);
        Assert.Equal([(2L, "code"), (2, "geometry"), (3, "code"), (3, "element_type"), (3, "lon"), (5, "code")],
            result.BadRows.Select(b => (b.Row, b.Field)));
        Assert.Contains("does not match", result.BadRows[0].Reason);
        Assert.StartsWith("outside every police station (POINT(43.73 7.42))", result.BadRows[1].Reason);
        Assert.Contains("not a GA/T 2000.32 code", result.BadRows[3].Reason);
        Assert.Equal("'east' is not a number", result.BadRows[4].Reason);
        Assert.Equal("duplicate code 'MC-00000004' in the file (first at row 4)", result.BadRows[5].Reason);

        var skipped = await h.ImportAsync(csv, "addresses", skipInvalid: true);
        Assert.Equal((true, 1L, 3L), (skipped.Written, skipped.Inserted, skipped.BadCount));
        Assert.Equal("good", await h.ScalarAsync<string>("SELECT full_text FROM addresses"));
    }

    [Fact]
    public async Task A_camera_with_a_bad_heading_and_a_bad_field_of_view_names_both()
    {
        await using var h = await ImportHarness.CreateAsync(pg);
        var ndjson = h.File("cam.ndjson", """
            {"type":"Feature","properties":{"国标编码":"34020000001320000001","heading":400,"fov":-5},"geometry":{"type":"Point","coordinates":[7.42,43.73]}}
            """);

        var result = await h.ImportAsync(ndjson, "cameras");

        Assert.Equal(1L, result.BadCount);
        Assert.Equal(["heading", "fov"], result.BadRows.Select(b => b.Field));
        Assert.All(result.BadRows, b => Assert.Equal(1L, b.Row));
        Assert.Contains("400", result.BadRows[0].Reason);
        Assert.Contains("-5", result.BadRows[1].Reason);
    }

    [Fact]
    public async Task A_row_with_a_bad_field_is_still_held_to_the_vertex_limit_and_the_geometry_rules()
    {
        await using var h = await ImportHarness.CreateAsync(pg);
        var ring = string.Join(",", Enumerable.Range(0, 12).Select(i => FormattableString.Invariant($"[{7.42 + 0.001 * Math.Cos(i * Math.PI / 6):0.######},{43.73 + 0.001 * Math.Sin(i * Math.PI / 6):0.######}]")));
        var json = h.File("houses.geojson", $$$"""
            {"type":"FeatureCollection","features":[
             {"type":"Feature","properties":{"code":"H-1","height":"tall"},"geometry":{"type":"Polygon","coordinates":[[{{{ring}}},[7.421,43.73]]]}},
             {"type":"Feature","properties":{"code":"H-2","height":"tall"},"geometry":{"type":"LineString","coordinates":[[7.42,43.73],[7.43,43.74]]}}]}
            """);

        var result = await Importer.RunAsync(h.Db, new ImportRequest(json, "houses", MaxVertices: 10));

        Assert.Equal(2L, result.BadCount);
        Assert.Equal([(1L, "height"), (1, "geometry"), (2, "height"), (2, "geometry")], result.BadRows.Select(b => (b.Row, b.Field)));
        Assert.Equal("13 vertices, the limit for houses is 10", result.BadRows[1].Reason);
        Assert.Equal("expected a polygon, got LineString", result.BadRows[3].Reason);
    }

    [Theory]
    [InlineData("header.csv", "code,address,lon,lat\n")]
    [InlineData("empty.geojson", """{"type":"FeatureCollection","features":[]}""")]
    [InlineData("empty.ndjson", "")]
    public async Task A_file_with_no_rows_is_refused(string name, string text)
    {
        await using var h = await ImportHarness.CreateAsync(pg);
        var e = await Assert.ThrowsAsync<ImportRefusedException>(() => h.ImportAsync(h.File(name, text), "addresses"));
        Assert.Equal("the file has no rows", e.Message);
    }

    [Fact]
    public async Task A_file_that_fails_after_thousands_of_good_rows_writes_nothing_and_leaves_existing_rows_alone()
    {
        await using var h = await ImportHarness.CreateAsync(pg);
        Assert.True((await h.ImportAsync(h.File("first.csv", AddressCsv(1, _ => "MC-00000001,the old text,1,7.42,43.73")), "addresses")).Written);
        var csv = h.File("big.csv", AddressCsv(5000, i => i == 5000 ? "MC-00005000,last,1,7.42,95" : $"MC-{i:D8},new text {i},{i},7.42,43.73"));

        var refused = await h.ImportAsync(csv, "addresses");

        Assert.False(refused.Written);
        Assert.Equal((5000L, 1L, 0L), (refused.RowsRead, refused.BadCount, refused.Inserted));
        Assert.Equal(5001L, refused.BadRows.Single().Row); // the line in the file, the header being line 1
        Assert.Equal(1L, await h.ScalarAsync<long>("SELECT count(*) FROM addresses"));
        Assert.Equal("the old text", await h.ScalarAsync<string>("SELECT full_text FROM addresses"));

        var skipped = await h.ImportAsync(csv, "addresses", skipInvalid: true);

        Assert.True(skipped.Written);
        Assert.Equal((4998L, 1L, 1L), (skipped.Inserted, skipped.Updated, skipped.BadCount));
        Assert.Equal("new text 1", await h.ScalarAsync<string>("SELECT full_text FROM addresses WHERE code = 'MC-00000001'"));
    }

    [Fact]
    public async Task Importing_the_same_file_again_updates_by_natural_key_instead_of_duplicating()
    {
        await using var h = await ImportHarness.CreateAsync(pg);
        var path = h.File("a.csv", AddressCsv(300));
        var first = await h.ImportAsync(path, "addresses");
        var second = await h.ImportAsync(path, "addresses");
        h.File("a.csv", AddressCsv(300, i => $"MC-{i:D8},Renamed {i},{i},7.43,43.74"));
        var third = await h.ImportAsync(path, "addresses");

        Assert.Equal((300L, 0L), (first.Inserted, first.Updated));
        Assert.Equal((0L, 300L), (second.Inserted, second.Updated));
        Assert.Equal((0L, 300L), (third.Inserted, third.Updated));
        Assert.Equal(300L, await h.ScalarAsync<long>("SELECT count(*) FROM addresses"));
        Assert.Equal("Renamed 7", await h.ScalarAsync<string>("SELECT full_text FROM addresses WHERE code = 'MC-00000007'"));
        Assert.Equal((7.43, 43.74), await h.PointAsync("SELECT location FROM addresses WHERE code = 'MC-00000007'"));
    }

    [Fact]
    public async Task Hostile_strings_are_stored_as_text_or_refused_with_a_clear_reason()
    {
        await using var h = await ImportHarness.CreateAsync(pg);
        const string sqlish = "'); DROP TABLE addresses; -- \"quoted\" \\ $1 %s";
        (string Code, string Text)[] features =
        [
            ("MC-00000001", sqlish),
            ("MC-00000002", new string('长', 501)),
            ("MC-00000003", "bell\u0007 in text"),
            ("MC-00000004", "nul\u0000 in text"),
            ("MC-00000005", "tab\tand\nnew line are fine"),
            ("'; DELETE FROM jurisdictions; --", "code as SQL"),
        ];
        var json = new StringBuilder("""{"type":"FeatureCollection","features":[""");
        json.AppendJoin(',', features.Select(f => $$$"""{"type":"Feature","properties":{"code":{{{System.Text.Json.JsonSerializer.Serialize(f.Code)}}},"full_text":{{{System.Text.Json.JsonSerializer.Serialize(f.Text)}}}},"geometry":{"type":"Point","coordinates":[7.42,43.73]}}"""));
        json.Append("]}");

        var result = await h.ImportAsync(h.File("hostile.geojson", json.ToString()), "addresses", skipInvalid: true);

        Assert.Equal(2L, result.Inserted);
        Assert.Equal(sqlish, await h.ScalarAsync<string>("SELECT full_text FROM addresses WHERE code = 'MC-00000001'"));
        Assert.Equal("tab\tand\nnew line are fine", await h.ScalarAsync<string>("SELECT full_text FROM addresses WHERE code = 'MC-00000005'"));
        string Reason(long row) => result.BadRows.Single(b => b.Row == row).Reason;
        Assert.Equal("full_text is 501 characters long; at most 500", Reason(2));
        Assert.Equal("full_text holds the control character U+0007", Reason(3));
        Assert.Equal("full_text holds the control character U+0000", Reason(4));
        Assert.Contains("does not match", Reason(6));
        Assert.DoesNotContain(result.BadRows, b => b.Reason.Any(c => char.IsControl(c)));
        Assert.Equal(5L, await h.ScalarAsync<long>("SELECT count(*) FROM jurisdictions"));
    }

    [Fact]
    public async Task A_self_intersecting_footprint_is_repaired_and_counted()
    {
        await using var h = await ImportHarness.CreateAsync(pg);
        var bowtie = h.File("houses.geojson", """
            {"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"H-1","height":12},
             "geometry":{"type":"Polygon","coordinates":[[[7.420,43.730],[7.421,43.731],[7.421,43.730],[7.420,43.731],[7.420,43.730]]]}}]}
            """);

        var result = await h.ImportAsync(bowtie, "houses");

        Assert.True(result.Written, result.Refused);
        Assert.Equal(1L, result.Repaired);
        Assert.True(await h.ScalarAsync<bool>("SELECT ST_IsValid(footprint) AND ST_Area(footprint) > 0 FROM houses"));
    }

    [Fact]
    public async Task Roads_get_the_class_default_speed_and_one_way_and_a_multi_part_line_is_a_bad_row()
    {
        await using var h = await ImportHarness.CreateAsync(pg);
        var roads = h.File("roads.geojson", """
            {"type":"FeatureCollection","features":[
             {"type":"Feature","properties":{"osm_id":"w1","highway":"primary","oneway":"yes","name":"Bd Albert 1er"},"geometry":{"type":"LineString","coordinates":[[7.42,43.73],[7.43,43.735]]}},
             {"type":"Feature","properties":{"osm_id":"w2","道路等级":"支路","限速":"30"},"geometry":{"type":"MultiLineString","coordinates":[[[7.42,43.73],[7.421,43.731]]]}},
             {"type":"Feature","properties":{"osm_id":"w3"},"geometry":{"type":"MultiLineString","coordinates":[[[7.42,43.73],[7.421,43.731]],[[7.43,43.73],[7.431,43.731]]]}}]}
            """);

        var result = await h.ImportAsync(roads, "roads", skipInvalid: true);

        Assert.Equal(2L, result.Inserted);
        Assert.Equal("w1|primary|45|1;w2|tertiary|30|0", await h.ScalarAsync<string>(
            "SELECT string_agg(source_ref || '|' || road_class || '|' || speed_kmh || '|' || oneway, ';' ORDER BY source_ref) FROM roads"));
        Assert.Contains("2 parts", result.BadRows.Single().Reason);
    }

    [Fact]
    public async Task Units_hang_on_the_station_they_name_and_incidents_take_Chinese_categories_and_local_times()
    {
        await using var h = await ImportHarness.CreateAsync(pg);
        var units = await h.ImportAsync(h.File("units.csv", "呼号,类型,所属派出所,能力\n巡逻1组,警车,ST-MC,\"armed,medic\"\n"), "police_units");
        Assert.True(units.Written, string.Join("; ", units.BadRows));
        Assert.Equal("car|ST-MC|{armed,medic}", await h.ScalarAsync<string>(
            "SELECT u.kind || '|' || j.code || '|' || u.capabilities::text FROM police_units u JOIN jurisdictions j ON j.id = u.jurisdiction_id"));

        var incidents = await h.ImportAsync(h.File("incidents.csv", "警情编号,警情类别,报警时间,lon,lat\nJJ-1,盗窃,2024-05-01 13:45:00,116.4,39.9\n"), "incidents");
        Assert.True(incidents.Written, string.Join("; ", incidents.BadRows));
        Assert.Equal("theft|2024-05-01 05:45:00|import|RA-BJ", await h.ScalarAsync<string>("""
            SELECT i.category || '|' || to_char(i.received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || '|' || i.source || '|' || j.code
              FROM incidents i JOIN jurisdictions j ON j.id = i.jurisdiction_id
            """));
    }

    [Fact]
    public async Task A_mapping_file_names_fields_and_a_jurisdiction_for_rows_outside_every_station()
    {
        await using var h = await ImportHarness.CreateAsync(pg);
        var mapping = h.File("map.json", """{ "fields": { "code": "DZ", "full_text": "TXT" }, "defaults": { "element_type": "41" }, "jurisdiction": "ST-MC", "lon": "E", "lat": "N" }""");
        var csv = h.File("x.csv", "DZ,TXT,E,N,code\nPA-00000001,Paris,2.35,48.85,ignored\n");

        var result = await h.ImportAsync(csv, "addresses", mapping: ImportMapping.Load(mapping));

        Assert.True(result.Written, string.Join("; ", result.BadRows));
        Assert.Equal("PA-00000001|Paris|41|ST-MC", await h.ScalarAsync<string>(
            "SELECT a.code || '|' || a.full_text || '|' || a.element_type || '|' || j.code FROM addresses a JOIN jurisdictions j ON j.id = a.jurisdiction_id"));
        var typo = await Assert.ThrowsAsync<ImportRefusedException>(() => h.ImportAsync(csv, "addresses", mapping: new() { Fields = { ["fulltext"] = "TXT" } }));
        Assert.Contains("'fulltext', which the addresses layer does not have", typo.Message);
    }
}
