using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

namespace GeoTwin.Server.Infrastructure.Errors;

/// <summary>
/// Turns every refusal into a problem+json answer: a <see cref="Refusal"/> thrown by GeoTwin's own code, a
/// GT404/GT409/GT422 raised by a SQL step function, a reader's ImportRefusedException reaching a request, and the framework's binding failures (minimal APIs throw
/// <see cref="BadHttpRequestException"/> because <c>ThrowOnBadRequest</c> is on), whose message names the parameter
/// but reads like a log line: it is reworded here as "limit: 'abc' is not a whole number".
/// </summary>
public sealed partial class RefusalHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var refusal = exception switch
        {
            Refusal r => r,
            PostgresException pg when Refusal.StatusOf(pg) is { } status => new Refusal(status, pg.MessageText),
            // the middleware has cleared the endpoint by now; its feature keeps it
            BadHttpRequestException bad => FromBadRequest(bad, http.Features.Get<IExceptionHandlerFeature>()?.Endpoint?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>()?.RequestType),
            // the readers' refusal of an uploaded file (a bad archive, a reader's guard) names no field: the file is it
            GeoTwin.DataImport.Import.ImportRefusedException import => Refusal.BadRequest("file", import.Message),
            _ => null,
        };
        if (refusal is null || http.Response.HasStarted) return false;
        http.Response.Clear();
        await ProblemWriter.WriteAsync(http, refusal.Status, refusal.Message, refusal.Field, refusal.Extensions, ct);
        return true;
    }

    /// <summary>The framework's wording ("Failed to bind parameter "int limit" from "abc".") put as "limit: 'abc' is not a whole number".</summary>
    public static Refusal FromBadRequest(BadHttpRequestException e, Type? bodyType = null)
    {
        var message = e.Message;
        if (BindFailed().Match(message) is { Success: true } bind)
        {
            var (type, name, value) = (bind.Groups["type"].Value, bind.Groups["name"].Value, bind.Groups["value"].Value);
            return Refusal.BadRequest(name, $"'{Shorten(value)}' is not {Expected(type)}");
        }
        if (Required().Match(message) is { Success: true } required)
            return Refusal.BadRequest(required.Groups["name"].Value, $"is required ({Expected(required.Groups["type"].Value)})");
        if (JsonBody().Match(message) is { Success: true } json)
            return FromJson(e.InnerException as JsonException, bodyType);
        if (ImplicitBody().IsMatch(message))
            return Refusal.BadRequest("body", "is required: send a JSON object with Content-Type: application/json");
        if (MediaType().Match(message) is { Success: true } media)
        {
            var sent = media.Groups["sent"].Value is { Length: > 0 } s ? $"'{Shorten(s)}'" : "nothing";
            return new Refusal(415, $"Content-Type: {sent} is not {(media.Groups["kind"].Value == "JSON" ? "application/json" : "multipart/form-data or application/x-www-form-urlencoded")}", "Content-Type");
        }
        return e.StatusCode switch
        {
            413 => new Refusal(413, "body: the request body is larger than this server accepts (GeoTwin:MaxRequestBytes)", "body"),
            414 => new Refusal(414, "url: the address is too long", "url"),
            415 => new Refusal(415, $"Content-Type: {message}", "Content-Type"),
            _ when message.StartsWith("Unexpected end of request content", StringComparison.Ordinal) =>
                new Refusal(400, "body: the request ended early (the connection closed before the whole body arrived)", "body"),
            _ => new Refusal(e.StatusCode is >= 400 and < 500 ? e.StatusCode : 400, $"request: {message}", "request"),
        };
    }

    /// <summary>A malformed or mistyped JSON body, named by the JSON path of the value that did not fit ("location.lon").</summary>
    static Refusal FromJson(JsonException? json, Type? bodyType)
    {
        if (json is null) return Refusal.BadRequest("body", "could not be read as JSON");
        var path = (json.Path ?? "$").TrimStart('$').TrimStart('.');
        var field = path.Length == 0 ? "body" : path;
        var where = json.LineNumber is { } line ? $" (line {line + 1}, byte {json.BytePositionInLine + 1})" : "";
        // The message names the type being built, not always the value's (a record's constructor): the path finds the property.
        if (Converted().IsMatch(json.Message))
            return Refusal.BadRequest(field, $"is not {(TypeAt(bodyType, path) is { } t ? Expected(t.Name) : "the right kind of value")}{where}");
        var reason = json.Message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0].TrimEnd('.', ' ');
        return Refusal.BadRequest(field, $"is not valid JSON: {reason}{where}");
    }

    /// <summary>The type of the property at a JSON path ("location.lon", "units[0].unitId") of a body type, if found.</summary>
    static Type? TypeAt(Type? type, string path)
    {
        foreach (var part in path.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = part.Split('[')[0];
            var property = type?.GetProperties().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
            if (property is null) return null;
            type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (part.Contains('[')) type = type.IsArray ? type.GetElementType() : type.GetGenericArguments().FirstOrDefault();
        }
        return type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
    }

    /// <summary>What a value of a .NET type looks like, in words a caller of the API understands.</summary>
    public static string Expected(string type)
    {
        var t = type.TrimEnd('?');
        if (t.StartsWith("System.Nullable`1[", StringComparison.Ordinal)) t = t["System.Nullable`1[".Length..].TrimEnd(']');
        if (t.StartsWith("Nullable<", StringComparison.Ordinal)) t = t["Nullable<".Length..].TrimEnd('>');
        t = t[(t.LastIndexOf('.') + 1)..];
        return t switch
        {
            "int" or "Int32" => "a whole number between -2147483648 and 2147483647",
            "long" or "Int64" => "a whole number between -9223372036854775808 and 9223372036854775807",
            "short" or "Int16" => "a whole number between -32768 and 32767",
            "double" or "Double" or "float" or "Single" or "decimal" or "Decimal" => "a number",
            "bool" or "Boolean" => "true or false",
            "DateTimeOffset" or "DateTime" => "a date and time (ISO 8601, e.g. 2025-01-31T08:00:00Z)",
            "DateOnly" => "a date (e.g. 2025-01-31)",
            "Guid" => "a GUID",
            "string" or "String" => "a string",
            _ when t.Contains("List`1") || t.StartsWith("List<", StringComparison.Ordinal) || t.EndsWith("[]", StringComparison.Ordinal) => "an array",
            _ => $"a {t} object",
        };
    }

    static string Shorten(string value) => value.Length <= 60 ? value : value[..60] + "…";

    [GeneratedRegex("^Failed to bind parameter \"(?<type>[^ \"]+) (?<name>[^\"]+)\" from \"(?<value>.*)\"\\.$", RegexOptions.Singleline)]
    private static partial Regex BindFailed();

    [GeneratedRegex("^Required parameter \"(?<type>[^ \"]+) (?<name>[^\"]+)\" was not provided")]
    private static partial Regex Required();

    [GeneratedRegex("^Failed to read parameter \"(?<type>[^ \"]+) (?<name>[^\"]+)\" from the request body as JSON")]
    private static partial Regex JsonBody();

    [GeneratedRegex("^Implicit body inferred for parameter")]
    private static partial Regex ImplicitBody();

    [GeneratedRegex("^Expected a supported (?<kind>JSON|form) media type but got \"(?<sent>.*)\"\\.$", RegexOptions.Singleline)]
    private static partial Regex MediaType();

    [GeneratedRegex("could not be converted to (?<type>\\S+?)\\.? Path:")]
    private static partial Regex Converted();
}

/// <summary>The one writer of problem+json bodies for answers that are not an endpoint's own result.</summary>
public static class ProblemWriter
{
    public static Task WriteAsync(HttpContext http, int status, string detail, string? field = null,
        IDictionary<string, object?>? extensions = null, CancellationToken ct = default)
    {
        http.Response.StatusCode = status;
        var body = new Dictionary<string, object?>
        {
            ["title"] = Refusal.TitleOf(status),
            ["status"] = status,
            ["detail"] = detail,
        };
        if (field is not null) body["field"] = field;
        if (extensions is not null) foreach (var (k, v) in extensions) body[k] = v;
        return http.Response.WriteAsJsonAsync(body, options: null, contentType: "application/problem+json", cancellationToken: ct);
    }
}
