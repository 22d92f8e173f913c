using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace GeoTwin.Server.Tests.Infrastructure.Errors;

/// <summary>
/// Every endpoint the running app maps (read from its EndpointDataSource, so an endpoint added later is covered
/// without editing this file), every parameter it binds, given garbage as an admin: each answer must be a 4xx
/// problem+json whose detail or field names the parameter. No empty bodies, no 5xx, no 2xx for unknown values.
/// </summary>
[Collection("postgis")]
public sealed class GarbageParametersTests(PostgisFixture pg) : IAsyncLifetime
{
    GeoTwinServer _server = null!;
    HttpClient _admin = null!;

    /// <summary>
    /// String query parameters whose garbage is a legal value: search text, and the audit filters on who (a token's
    /// name is free text) and which record (an address code or an id), which match nothing rather than mean nothing.
    /// </summary>
    static readonly HashSet<string> FreeText = ["q", "user", "recordId"];

    /// <summary>Values for unconstrained route parameters, so the request reaches the parameter under test.</summary>
    static readonly Dictionary<string, string> RouteSamples = new()
    {
        ["code"] = TwoStations.Incident1,
        ["name"] = "houses",
        ["layers"] = "houses",
        ["y"] = "1.mvt",
    };

    public async Task InitializeAsync()
    {
        _server = await pg.StartServerAsync();
        await TwoStations.SeedAsync(_server.Database.DataSource);
        _admin = await Browser.SignedInAsync(_server, "garbage-admin", "admin", TwoStations.City);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _server.DisposeAsync();
    }

    sealed record Probe(string Method, string Url, HttpContent? Body, string Names, string Why);

    [Fact]
    public async Task Every_parameter_given_garbage_is_refused_with_a_problem_naming_it()
    {
        var probes = Probes().ToList();
        Assert.True(probes.Count > 40, $"only {probes.Count} probes: the endpoint enumeration found too little");
        var wrong = new List<string>();
        foreach (var p in probes)
        {
            using var request = new HttpRequestMessage(new HttpMethod(p.Method), p.Url) { Content = p.Body };
            using var response = await _admin.SendAsync(request);
            var status = (int)response.StatusCode;
            var type = response.Content.Headers.ContentType?.MediaType;
            var text = await response.Content.ReadAsStringAsync();
            var problem = $"{p.Method} {p.Url} ({p.Why}): {status} {type} {text[..Math.Min(text.Length, 300)]}";
            if (status is < 400 or >= 500 || type != "application/problem+json") { wrong.Add(problem); continue; }
            using var doc = JsonDocument.Parse(text);
            var said = (doc.RootElement.TryGetProperty("detail", out var d) ? d.GetString() : "") + " " +
                       (doc.RootElement.TryGetProperty("field", out var f) ? f.GetString() : "") + " " +
                       (doc.RootElement.TryGetProperty("errors", out var e) ? e.ToString() : "");
            if (!said.Contains(p.Names, StringComparison.OrdinalIgnoreCase)) wrong.Add($"does not name '{p.Names}': {problem}");
        }
        Assert.Contains(probes, p => p.Why == "malformed JSON");
        Assert.Contains(probes, p => p.Url.Contains("capability=", StringComparison.Ordinal));
        Assert.True(wrong.Count == 0, $"{wrong.Count} of {probes.Count} answers were not a 4xx problem naming the parameter:\n{string.Join("\n", wrong)}");
    }

    IEnumerable<Probe> Probes()
    {
        var endpoints = _server.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
        foreach (var endpoint in endpoints)
        {
            if (endpoint.Metadata.GetMetadata<MethodInfo>() is not { } handler) continue;
            var pattern = endpoint.RoutePattern;
            if (pattern.RawText is null || pattern.RawText.StartsWith("{*", StringComparison.Ordinal)) continue; // the viewer's fallback
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            var method = methods.FirstOrDefault(m => m != "HEAD" && m != "OPTIONS");
            if (method is null) continue;

            // Route parameters with a constraint: garbage in the path must be named, not a bare 404.
            foreach (var p in pattern.Parameters.Where(p => p.ParameterPolicies.Count > 0 && !p.IsCatchAll))
                yield return new Probe(method, Path(pattern, p.Name, "abc"), null, p.Name, "route value not of its kind");

            var query = handler.GetParameters().Where(p => IsQuery(p, pattern)).ToList();
            foreach (var p in query)
            {
                var type = Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType;
                foreach (var garbage in GarbageFor(type, p.Name!))
                    yield return new Probe(method, $"{Path(pattern, null, null)}?{p.Name}={Uri.EscapeDataString(garbage)}", null, p.Name!, $"{type.Name} '{garbage}'");
            }

            // A JSON body the framework binds (its accepts metadata says so): malformed, not JSON, and each property mistyped.
            if (endpoint.Metadata.GetMetadata<IAcceptsMetadata>() is { RequestType: { } bodyType } accepts && accepts.ContentTypes.Contains("application/json"))
            {
                var url = Path(pattern, null, null);
                yield return new Probe(method, url, new StringContent("{\"", Encoding.UTF8, "application/json"), "body", "malformed JSON");
                yield return new Probe(method, url, new StringContent("{}", Encoding.UTF8, "text/plain"), "Content-Type", "not JSON");
                foreach (var prop in bodyType.GetProperties())
                {
                    var name = JsonNamingPolicy.CamelCase.ConvertName(prop.Name);
                    var wrongValue = WrongJsonFor(prop.PropertyType);
                    yield return new Probe(method, url, new StringContent($"{{\"{name}\": {wrongValue}}}", Encoding.UTF8, "application/json"),
                        name, $"{prop.PropertyType.Name} given {wrongValue}");
                }
            }
        }
    }

    static string Path(RoutePattern pattern, string? garbled, string? garbage)
    {
        var segments = pattern.PathSegments.Select(s => string.Concat(s.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart l => l.Content,
            RoutePatternParameterPart p when p.Name == garbled => garbage!,
            RoutePatternParameterPart p when p.ParameterPolicies.Any(c => c.Content is "long" or "int") => "1",
            RoutePatternParameterPart p => RouteSamples.GetValueOrDefault(p.Name, "x"),
            _ => "",
        })));
        return "/" + string.Join('/', segments);
    }

    static readonly Type[] Simple = [typeof(int), typeof(long), typeof(short), typeof(double), typeof(float), typeof(bool), typeof(string),
        typeof(DateTimeOffset), typeof(DateTime)];

    static bool IsQuery(ParameterInfo p, RoutePattern pattern)
    {
        var type = Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType;
        return Simple.Contains(type) && pattern.GetParameter(p.Name!) is null &&
               p.GetCustomAttributes().All(a => a is not Microsoft.AspNetCore.Mvc.FromServicesAttribute and not Microsoft.AspNetCore.Mvc.FromHeaderAttribute);
    }

    static IEnumerable<string> GarbageFor(Type type, string name)
    {
        if (type == typeof(int) || type == typeof(long) || type == typeof(short)) return ["abc", "99999999999999999999", "1.5"];
        if (type == typeof(double) || type == typeof(float)) return ["abc", "NaN", "Infinity", "-Infinity"];
        if (type == typeof(bool)) return ["maybe"];
        if (type == typeof(DateTimeOffset) || type == typeof(DateTime)) return ["garbage"];
        if (type == typeof(string)) return FreeText.Contains(name) ? [] : ["' OR 1=1", "\u0001"];
        return [];
    }

    static string WrongJsonFor(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(string)) return "{\"x\": 1}";
        if (t == typeof(bool)) return "\"yes\"";
        if (t.IsPrimitive || t == typeof(double)) return "\"abc\"";
        if (t == typeof(DateTimeOffset) || t == typeof(DateTime)) return "\"garbage\"";
        return "\"not an object\"";
    }
}
