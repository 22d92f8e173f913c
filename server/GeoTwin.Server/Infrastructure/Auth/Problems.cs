using Microsoft.AspNetCore.Http.HttpResults;

namespace GeoTwin.Server.Infrastructure.Auth;

/// <summary>Clear 4xx answers that name what is wrong (RFC 9457 problem details).</summary>
public static class Problems
{
    public static ProblemHttpResult BadRequest(string field, string reason) =>
        TypedResults.Problem(statusCode: 400, title: "Bad request", detail: $"{field}: {reason}",
            extensions: new Dictionary<string, object?> { ["field"] = field });

    public static ProblemHttpResult NotFound(string what) => TypedResults.Problem(statusCode: 404, title: "Not found", detail: what);

    public static ProblemHttpResult Conflict(string what) => TypedResults.Problem(statusCode: 409, title: "Conflict", detail: what);

    /// <returns>the first reason a text field is not acceptable, or null</returns>
    /// <summary>A record's code as the database's CHECKs allow it (ASCII letters, digits, '-' and '_'); or why not.</summary>
    public static string? CheckCode(string? value, int maxLength)
    {
        if (CheckText(value, maxLength) is { } reason) return reason;
        return value!.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? null : "is not a code: ASCII letters, digits, '-' and '_' only";
    }

    public static string? CheckText(string? value, int maxLength, bool required = true)
    {
        if (string.IsNullOrWhiteSpace(value)) return required ? "is required" : null;
        if (value.Length > maxLength) return $"is longer than {maxLength} characters";
        if (value.Any(c => char.IsControl(c) && c is not '\t')) return "contains control characters";
        return null;
    }
}
