using System.Text.RegularExpressions;
using GeoTwin.Domain;
using GeoTwin.Server.Infrastructure.Auth;
using Npgsql;

namespace GeoTwin.Server.Tests.Infrastructure;

/// <summary>
/// The shared codes exist once (server/GeoTwin.Domain/vocabulary.json): the SQL CHECKs of a migrated database, the
/// roles table, the C# role names and the client must all say what it says. A code added in one place only fails here.
/// </summary>
[Collection("postgis")]
public sealed partial class VocabularyTests(PostgisFixture pg)
{
    /// <summary>The quoted values of a column's "IN (...)" CHECK as PostgreSQL prints it: col = ANY (ARRAY['a'::text, ...]).</summary>
    static async Task<List<string>> CheckValuesAsync(NpgsqlDataSource db, string table, string column)
    {
        var definitions = new List<string>();
        await using var cmd = db.CreateCommand("""
            SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
            WHERE t.relname = $1 AND t.relnamespace = 'public'::regnamespace AND c.contype = 'c'
            """);
        cmd.Parameters.Add(new() { Value = table });
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) definitions.Add(r.GetString(0));
        var check = Assert.Single(definitions, d => d.Contains($"({column} = ANY (ARRAY["));
        return [.. Quoted().Matches(check).Select(m => m.Groups[1].Value)];
    }

    [GeneratedRegex(@"'([^']*)'::text")]
    private static partial Regex Quoted();

    [Fact]
    public async Task The_sql_checks_allow_exactly_the_vocabulary_codes()
    {
        await using var db = await pg.CreateDataSourceAsync();

        Assert.Equal(Vocabulary.IncidentCategories.Order(), (await CheckValuesAsync(db, "incidents", "category")).Order());
        Assert.Equal(Vocabulary.IncidentStatuses.Order(), (await CheckValuesAsync(db, "incidents", "status")).Order());
        Assert.Equal(Vocabulary.UnitStatuses.Order(), (await CheckValuesAsync(db, "police_units", "status")).Order());
        Assert.Equal(Vocabulary.UnitKinds.Order(), (await CheckValuesAsync(db, "police_units", "kind")).Order());
        Assert.Equal(Vocabulary.Warnings.PlaceKinds.Order(), (await CheckValuesAsync(db, "warning_places", "kind")).Order());
        Assert.Equal(Vocabulary.Warnings.Levels.Order(), (await CheckValuesAsync(db, "warning_levels", "level")).Order());
        Assert.Equal(Vocabulary.Warnings.Levels.Order(), (await CheckValuesAsync(db, "warning_level_changes", "to_level")).Order());
        Assert.Equal(Vocabulary.Warnings.PersonRoles.Order(), (await CheckValuesAsync(db, "warning_place_people", "role")).Order());
        Assert.Equal(Vocabulary.GeofenceRules.Order(), (await CheckValuesAsync(db, "geofence_events", "rule")).Order());
        Assert.Equal(Vocabulary.CrowdLevels.Order(), (await CheckValuesAsync(db, "crowd_areas", "level")).Order());
        Assert.Equal(Vocabulary.CrowdLevels.Order(), (await CheckValuesAsync(db, "crowd_events", "level")).Order());
        // token purposes: the CHECK of api_tokens and the list the policies and the token form use
        Assert.Equal(Policies.TokenPurposes.Order(), (await CheckValuesAsync(db, "api_tokens", "purpose")).Order());
        // a fence's rules are an array: rules <@ ARRAY[...] (printed with the cardinality check in one constraint)
        var fenceRules = await db.ScalarAsync<string>("""
            SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
            WHERE t.relname = 'geofences' AND c.contype = 'c' AND pg_get_constraintdef(c.oid) LIKE '%rules <@ ARRAY[%'
            """);
        Assert.Equal(Vocabulary.GeofenceRules.Order(), Quoted().Matches(fenceRules).Select(m => m.Groups[1].Value).Order());

        // priority BETWEEN 1 AND 4, printed as ((priority >= 1) AND (priority <= 4))
        var priority = await db.ScalarAsync<string>("""
            SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
            WHERE t.relname = 'incidents' AND c.contype = 'c' AND pg_get_constraintdef(c.oid) LIKE '%priority >=%'
            """);
        Assert.Contains($"(priority >= {Vocabulary.HighestPriority})", priority);
        Assert.Contains($"(priority <= {Vocabulary.LowestPriority})", priority);
        Assert.Equal(Enumerable.Range(Vocabulary.HighestPriority, Vocabulary.LowestPriority - Vocabulary.HighestPriority + 1).Select(p => p.ToString()),
            Vocabulary.IncidentPriorities);

        // the partial index of open incidents names the vocabulary's open statuses
        var openIndex = await db.ScalarAsync<string>("SELECT pg_get_indexdef('incidents_open'::regclass)");
        Assert.Equal(Vocabulary.OpenIncidentStatuses.Order(), Quoted().Matches(openIndex).Select(m => m.Groups[1].Value).Order());
    }

    [Fact]
    public async Task The_roles_table_and_the_code_name_the_vocabulary_roles()
    {
        await using var db = await pg.CreateDataSourceAsync();
        var rows = new List<(string Name, string Zh, string En, bool Personal)>();
        await using (var cmd = db.CreateCommand("SELECT name, title_zh, title_en, reads_personal_data FROM roles ORDER BY name"))
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) rows.Add((r.GetString(0), r.GetString(1), r.GetString(2), r.GetBoolean(3)));

        Assert.Equal(Vocabulary.Roles.Order(), rows.Select(r => r.Name));
        foreach (var row in rows)
        {
            var label = Vocabulary.Roles.LabelOf(row.Name);
            Assert.Equal(label.Zh, row.Zh);
            Assert.Equal(label.En, row.En, ignoreCase: true);
            Assert.Equal(Vocabulary.RolesReadingPersonalData.Contains(row.Name), row.Personal);
        }
        string[] named = [Roles.Admin, Roles.Commander, Roles.Dispatcher, Roles.Analyst, Roles.Planner, Roles.CommunityOfficer, Roles.Resident];
        Assert.Equal(Vocabulary.Roles.Order(), named.Order());
        foreach (var (policy, roles) in Vocabulary.Policies) Assert.Equal(roles, Policies.RolesOf[policy]);
    }

    [Fact]
    public void The_freshness_rule_classifies_by_the_vocabulary_numbers()
    {
        var rule = Vocabulary.Freshness;
        var now = new DateTime(2026, 11, 25, 12, 0, 0, DateTimeKind.Utc);
        Assert.True(rule.StaleSeconds > 0 && rule.OfflineSeconds > rule.StaleSeconds);
        Assert.Equal("never", rule.Classify(null, now));
        Assert.Equal("live", rule.Classify(now.AddSeconds(-rule.StaleSeconds + 1), now));
        Assert.Equal("stale", rule.Classify(now.AddSeconds(-rule.StaleSeconds), now));
        Assert.Equal("offline", rule.Classify(now.AddSeconds(-rule.OfflineSeconds), now));
        Assert.False(rule.IsOffline(now.AddSeconds(-rule.OfflineSeconds + 1), now));
        Assert.Equal(["live", "never", "offline", "stale"], Vocabulary.FreshnessLabels.Keys.Order());
        Assert.Throws<ArgumentException>(() => rule.With(100, 50)); // an override may not make stale come after offline
    }

    static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "GeoTwin.sln"))) dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("GeoTwin.sln not found");
    }

    /// <summary>
    /// The viewer takes the codes and their zh-CN/English labels from the same vocabulary.json (imported by Vite): a
    /// client file quoting three or more codes of one list has copied the list.
    /// </summary>
    [Fact]
    public void The_client_imports_the_vocabulary_and_copies_no_list_of_it()
    {
        var src = Path.Combine(RepoRoot(), "client", "src");
        var files = Directory.EnumerateFiles(src, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".js", StringComparison.Ordinal) || f.EndsWith(".mjs", StringComparison.Ordinal)
                || f.EndsWith(".ts", StringComparison.Ordinal) || f.EndsWith(".html", StringComparison.Ordinal))
            .ToDictionary(f => Path.GetRelativePath(src, f), File.ReadAllText);
        Assert.NotEmpty(files);
        Assert.Contains(files, f => f.Value.Contains("vocabulary.json", StringComparison.Ordinal));

        var lists = new Dictionary<string, IReadOnlyList<string>>
        {
            ["incident categories"] = Vocabulary.IncidentCategories,
            ["unit statuses"] = Vocabulary.UnitStatuses.Where(s => s is not ("available" or "dispatched" or "on_scene")).ToList(),
            ["roles"] = Vocabulary.Roles,
        };
        var copies = (from f in files
                      from l in lists
                      let quoted = l.Value.Where(code => f.Value.Contains($"\"{code}\"") || f.Value.Contains($"'{code}'")).ToList()
                      where quoted.Count >= 3
                      select $"{f.Key} quotes {l.Key} {string.Join(", ", quoted)}").ToList();
        Assert.True(copies.Count == 0, "copied from vocabulary.json instead of imported:\n" + string.Join("\n", copies));
    }
}
