using System.Text.Json;
using System.Text.RegularExpressions;
using GeoTwin.Domain;

namespace GeoTwin.Server.Tests.Coverage;

/// <summary>The camera statuses, owners and jurisdiction kinds the viewer translates are exactly what the database allows.</summary>
[Collection("postgis")]
public sealed partial class CoverageVocabularyTests(PostgisFixture pg)
{
    [Theory]
    [InlineData("cameraStatuses", "cameras", "status")]
    [InlineData("cameraOwners", "cameras", "owner")]
    [InlineData("jurisdictionKinds", "jurisdictions", "kind")]
    public async Task The_vocabulary_lists_the_codes_the_sql_checks_allow(string list, string table, string column)
    {
        using var doc = JsonDocument.Parse(Vocabulary.Json);
        var codes = doc.RootElement.GetProperty(list).EnumerateObject().Where(p => !p.Name.StartsWith('_')).ToList();
        Assert.All(codes, p => Assert.Equal(2, p.Value.GetProperty("label").GetArrayLength())); // zh-CN and English
        await using var db = await pg.CreateDataSourceAsync();
        await using var cmd = db.CreateCommand("""
            SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
            WHERE t.relname = $1 AND t.relnamespace = 'public'::regnamespace AND c.contype = 'c'
            """);
        cmd.Parameters.Add(new() { Value = table });
        var definitions = new List<string>();
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) definitions.Add(r.GetString(0));
        var check = Assert.Single(definitions, d => d.Contains($"({column} = ANY (ARRAY["));
        Assert.Equal(Quoted().Matches(check).Select(m => m.Groups[1].Value).Order(), codes.Select(p => p.Name).Order());
    }

    [GeneratedRegex(@"'([^']*)'::text")]
    private static partial Regex Quoted();
}
