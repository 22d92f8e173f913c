using System.Text.Json;

namespace GeoTwin.Server.Tests.Infrastructure.Errors;

/// <summary>
/// The OpenAPI document is what an integrator reads instead of the source: each operation must say what it answers
/// when it works and how it refuses. Read from the running server (GET /openapi/v1.json), so an endpoint added later
/// without its answers fails here.
/// </summary>
[Collection("postgis")]
public sealed class OpenApiAnswersTests(PostgisFixture pg)
{
    static readonly HashSet<string> Methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

    static bool IsProblemJson(JsonElement response) =>
        response.TryGetProperty("content", out var content) && content.TryGetProperty("application/problem+json", out _);

    [Fact]
    public async Task Every_api_operation_lists_a_success_and_a_problem_json_refusal()
    {
        await using var server = await pg.StartServerAsync();
        await TwoStations.SeedAsync(server.Database.DataSource);
        using var http = await Browser.SignedInAsync(server, "openapi-reader", "planner", TwoStations.City);

        var doc = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json")).RootElement;

        var operations = (from path in doc.GetProperty("paths").EnumerateObject()
                          where path.Name.StartsWith("/api/", StringComparison.Ordinal) || path.Name is "/api"
                          from op in path.Value.EnumerateObject()
                          where Methods.Contains(op.Name)
                          select (Name: $"{op.Name.ToUpperInvariant()} {path.Name}",
                              Responses: op.Value.GetProperty("responses").EnumerateObject().ToDictionary(r => r.Name, r => r.Value))).ToList();
        Assert.True(operations.Count > 40, $"only {operations.Count} /api operations in the document");
        var wrong = new List<string>();
        foreach (var (name, responses) in operations)
        {
            if (!responses.Keys.Any(code => code.StartsWith('2'))) wrong.Add($"{name}: no 2xx answer");
            if (!responses.Any(r => r.Key.StartsWith('4') && IsProblemJson(r.Value))) wrong.Add($"{name}: no 4xx answer as application/problem+json");
            // every 4xx has a body (house rule): a refusal listed with no content would be an empty answer
            foreach (var (code, response) in responses.Where(r => r.Key.StartsWith('4') && !r.Value.TryGetProperty("content", out _)))
                wrong.Add($"{name}: {code} listed without a body");
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));

        // The handlers' own refusals are listed, not only the pipeline's sign-in answers.
        string[] Codes(string name) => [.. operations.Single(o => o.Name == name).Responses.Keys.Order()];
        Assert.Equal(["200", "400", "401", "403", "404"], Codes("GET /api/addresses/{code}"));
        Assert.Equal(["200", "400", "401", "403"], Codes("GET /api/houses/counts"));
        Assert.Contains("413", Codes("POST /api/imports"));
        Assert.Contains("409", Codes("POST /api/users"));
    }
}
