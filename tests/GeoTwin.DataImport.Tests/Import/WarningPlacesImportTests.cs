using GeoTwin.DataImport;
using GeoTwin.DataImport.Import;
using GeoTwin.DataImport.Import.Layers;
using GeoTwin.Domain;

namespace GeoTwin.DataImport.Tests.Import;

/// <summary>
/// The four-colour warning's places (#17) through the importer: a bureau's export (Chinese headers, WKT polygons, a
/// person and a phone per role on the place's row) written with its people; re-import by code; malformed rows each
/// reported by field with nothing written; --skip-invalid writes the good ones only.
/// </summary>
[Collection("postgis")]
public sealed class WarningPlacesImportTests(PostgisFixture pg)
{
    // Small squares in Monaco (station ST-MC of the harness's tree), one for each row.
    static string Square(double lon, double lat, double d = 0.002) =>
        FormattableString.Invariant($"POLYGON(({lon} {lat}, {lon + d} {lat}, {lon + d} {lat + d}, {lon} {lat + d}, {lon} {lat}))");

    const string Header = "场所编码,类型,名称,name_en,巡区街道,社区民警,社区民警电话,物业负责人,物业负责人电话,单位保卫负责人,单位保卫负责人电话,wkt";

    static string Row(string code, string kind, string name, string street = "", string officer = "", string officerPhone = "",
        string manager = "", string managerPhone = "", string chief = "", string chiefPhone = "", string? wkt = null, double lon = 7.41) =>
        $"{code},{kind},{name},{name} en,\"{street}\",{officer},{officerPhone},{manager},{managerPhone},{chief},{chiefPhone},\"{wkt ?? Square(lon, 43.73)}\"";

    const string People = """
        SELECT string_agg(p.code || ' ' || w.role || ' ' || w.full_name || ' ' || w.phone, '|' ORDER BY p.code, w.role)
          FROM warning_place_people w JOIN warning_places p ON p.id = w.place_id
        """;

    [Fact]
    public async Task A_bureau_export_writes_places_with_their_people_and_a_second_import_updates_them_by_code()
    {
        await using var h = await ImportHarness.CreateAsync(pg);
        var file = h.File("places.csv", string.Join('\n',
            Header,
            Row("XQ-001", "小区", "海景小区", officer: "王伟", officerPhone: "+86 138 0000 0001", manager: "李静", managerPhone: "138-0000-0002", lon: 7.410),
            Row("DW-002", "医院", "公主医院", officer: "王伟", officerPhone: "+86 138 0000 0001", chief: "张磊", chiefPhone: "13800000003", lon: 7.415),
            Row("ZONE-3", "街面巡区", "王子大道巡区", street: "LINESTRING(7.420 43.731, 7.422 43.731)", lon: 7.420)) + "\n");

        var first = await h.ImportAsync(file, "warning_places");

        Assert.True(first.Written, first.Refused + string.Join("; ", first.BadRows));
        Assert.Equal((3L, 0L), (first.Inserted, first.Updated));
        Assert.Equal("DW-002 unit_premises ST-MC import|XQ-001 compound ST-MC import|ZONE-3 patrol_zone ST-MC import", await h.ScalarAsync<string>("""
            SELECT string_agg(p.code || ' ' || p.kind || ' ' || j.code || ' ' || p.source, '|' ORDER BY p.code)
              FROM warning_places p JOIN jurisdictions j ON j.id = p.jurisdiction_id
            """));
        Assert.Equal("MULTILINESTRING((7.42 43.731,7.422 43.731))", await h.ScalarAsync<string>("SELECT ST_AsText(street) FROM warning_places WHERE code = 'ZONE-3'"));
        Assert.Equal("MULTIPOLYGON", await h.ScalarAsync<string>("SELECT DISTINCT GeometryType(boundary) FROM warning_places"));
        Assert.Equal("DW-002 community_officer 王伟 +86 138 0000 0001|DW-002 security_chief 张磊 13800000003|"
            + "XQ-001 community_officer 王伟 +86 138 0000 0001|XQ-001 property_manager 李静 138-0000-0002", await h.ScalarAsync<string>(People));

        // The compound's manager changed and its officer left the row; the hospital's row names no one (its people stay).
        var again = await h.ImportAsync(h.File("again.csv", string.Join('\n',
            Header,
            Row("XQ-001", "compound", "海景小区（东区）", manager: "赵敏", managerPhone: "+86 139 0000 0009", lon: 7.410),
            Row("DW-002", "unit_premises", "公主医院", lon: 7.415)) + "\n"), "warning_places");

        Assert.True(again.Written, again.Refused);
        Assert.Equal((0L, 2L), (again.Inserted, again.Updated));
        Assert.Equal("海景小区（东区）", await h.ScalarAsync<string>("SELECT name FROM warning_places WHERE code = 'XQ-001'"));
        Assert.Equal("DW-002 community_officer 王伟 +86 138 0000 0001|DW-002 security_chief 张磊 13800000003|"
            + "XQ-001 property_manager 赵敏 +86 139 0000 0009", await h.ScalarAsync<string>(People));
    }

    [Fact]
    public async Task Malformed_rows_are_each_reported_by_field_and_nothing_is_written()
    {
        await using var h = await ImportHarness.CreateAsync(pg);
        var file = h.File("bad.csv", string.Join('\n',
            Header,
            Row("XQ-001", "小区", "good", manager: "李静", managerPhone: "13800000002"),                     // 2: good
            Row("XQ-002", "castle", "unknown kind"),                                                          // 3
            Row("XQ-003", "小区", "bad phone", manager: "李静", managerPhone: "call me"),                     // 4
            Row("XQ-004", "小区", "name without phone", manager: "李静"),                                     // 5
            Row("XQ-005", "小区", "street on a compound", street: "LINESTRING(7.41 43.73, 7.42 43.73)"),     // 6
            Row("ZONE-6", "巡区", "street not WKT", street: "Boulevard Albert 1er"),                          // 7
            Row("XQ-007", "小区", "a point", wkt: "POINT(7.41 43.73)"),                                       // 8
            Row("XQ-008", "小区", "in Paris", wkt: Square(2.35, 48.85)),                                      // 9
            Row("XQ-001", "小区", "repeat"),                                                                  // 10
            Row("bad code!", "小区", "bad code"),                                                             // 11
            Row("XQ-012", "小区", "", manager: "李静\u0007", managerPhone: "13800000002")) + "\n");          // 12: no name, a bell in a name

        var result = await h.ImportAsync(file, "warning_places");

        Assert.False(result.Written);
        Assert.Equal(10L, result.BadCount);
        Assert.Equal([(3L, "类型"), (4, "物业负责人电话"), (5, "物业负责人电话"), (6, "巡区街道"), (7, "巡区街道"), (8, "geometry"), (9, "geometry"),
                (10, "code"), (11, "场所编码"), (12, "名称"), (12, "物业负责人")],
            result.BadRows.Select(b => (b.Row, b.Field)));
        string Reason(long row) => result.BadRows.First(b => b.Row == row).Reason;
        Assert.StartsWith("kind 'castle' is not one of compound, village, unit_premises, patrol_zone", Reason(3));
        Assert.Contains("'call me' does not match", Reason(4));
        Assert.Equal("the property_manager is named but has no phone (texts go to it)", Reason(5));
        Assert.Equal("only a patrol zone has a street; this place is a compound", Reason(6));
        Assert.StartsWith("street 'Boulevard Albert 1er': is not WKT", Reason(7));
        Assert.Equal("expected a polygon, got Point", Reason(8));
        Assert.StartsWith("outside every police station", Reason(9));
        Assert.Equal("duplicate code 'XQ-001' in the file (first at row 2)", Reason(10));
        Assert.Contains("does not match", Reason(11));
        Assert.Equal("name is missing", Reason(12));
        Assert.Equal("property_manager holds the control character U+0007", result.BadRows.Last().Reason);
        // All or nothing: not even the good row, nor anyone's phone.
        Assert.Equal(0L, await h.ScalarAsync<long>("SELECT count(*) FROM warning_places"));
        Assert.Equal(0L, await h.ScalarAsync<long>("SELECT count(*) FROM warning_place_people"));

        var skipped = await h.ImportAsync(file, "warning_places", skipInvalid: true);
        Assert.Equal((true, 1L, 10L), (skipped.Written, skipped.Inserted, skipped.BadCount));
        Assert.Equal("XQ-001 property_manager 李静 13800000002", await h.ScalarAsync<string>(People));
    }

    [Fact]
    public async Task A_file_that_is_not_places_at_all_is_refused_with_the_reason()
    {
        await using var h = await ImportHarness.CreateAsync(pg);
        // A file cut off mid-feature: refused as a whole, saying where.
        var broken = await Assert.ThrowsAsync<ImportRefusedException>(() =>
            h.ImportAsync(h.File("broken.geojson", """{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"""), "warning_places"));
        Assert.StartsWith("not valid GeoJSON near byte", broken.Message);
        var empty = await Assert.ThrowsAsync<ImportRefusedException>(() => h.ImportAsync(h.File("empty.csv", Header + "\n"), "warning_places"));
        Assert.Equal("the file has no rows", empty.Message);
        Assert.Equal(0L, await h.ScalarAsync<long>("SELECT count(*) FROM warning_places"));
    }

    [Fact]
    public void Every_responsible_role_of_the_vocabulary_has_its_columns_and_is_written_by_the_upsert()
    {
        var upsert = EmbeddedSql.Get(WarningPlacesLayer.Layer.UpsertSql);
        foreach (var role in Vocabulary.Warnings.PersonRoles)
        {
            Assert.Contains(WarningPlacesLayer.Layer.Columns, c => c.Name == role);
            Assert.Contains(WarningPlacesLayer.Layer.Columns, c => c.Name == role + "_phone");
            Assert.Contains($"('{role}', s.{role}, s.{role}_phone)", upsert);
        }
        Assert.Same(WarningPlacesLayer.Layer, LayerCatalog.Get("warning-places"));
    }
}
