using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Routing.Patterns;

namespace GeoTwin.Server.Infrastructure.Errors;

/// <summary>
/// Where the rule "every 4xx is problem+json naming the parameter and what was wrong" lives: the refusal handler,
/// binding failures thrown instead of answered with an empty 400, non-finite numbers refused before an endpoint runs,
/// over-long addresses refused with a body, and a problem body for every 4xx that would otherwise leave empty
/// (a route whose constraint did not match, a method the path does not take).
/// </summary>
public static class RefusalSetup
{
    /// <summary>Longest request target GeoTwin answers; Kestrel's own line limit sits above it, so the refusal has a body.</summary>
    public const int MaxTargetLength = 8 * 1024;

    public static WebApplicationBuilder AddRefusals(this WebApplicationBuilder builder)
    {
        builder.Services.AddExceptionHandler<RefusalHandler>();
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        // Kestrel answers a request line over its limit itself, with an empty 414; a larger limit leaves the answer to us.
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestLineSize = Math.Max(k.Limits.MaxRequestLineSize, 4 * MaxTargetLength));
        return builder;
    }

    /// <summary>Early in the pipeline: bodies for empty 4xx answers, over-long addresses refused.</summary>
    public static WebApplication UseRefusals(this WebApplication app)
    {
        app.UseStatusCodePages(EmptyAnswerAsync);
        app.Use(async (http, next) =>
        {
            var target = http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget ?? "";
            if (target.Length > MaxTargetLength)
            {
                await ProblemWriter.WriteAsync(http, 414, $"url: the address is {target.Length:N0} characters long, at most {MaxTargetLength:N0}: send large inputs in a body", "url");
                return;
            }
            await next(http);
        });
        return app;
    }

    /// <summary>After sign-in (a stranger learns nothing of the parameters): non-finite numbers refused.</summary>
    public static WebApplication UseNumberChecks(this WebApplication app)
    {
        app.Use((http, next) =>
            http.GetEndpoint() is { } endpoint && NonFinite(http, endpoint) is { } refusal ? throw refusal : next(http));
        return app;
    }

    static readonly ConcurrentDictionary<Endpoint, string[]> FloatParameters = new();

    /// <summary>
    /// "NaN" and "Infinity" parse as doubles, so binding lets them through and a handler comparing ranges
    /// (x &lt; 0 || x &gt; 10000) passes them; refused here once for every endpoint's number parameters.
    /// </summary>
    static Refusal? NonFinite(HttpContext http, Endpoint endpoint)
    {
        var names = FloatParameters.GetOrAdd(endpoint, e => e.Metadata.GetMetadata<MethodInfo>()?.GetParameters()
            .Where(p => (Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType) is var t && (t == typeof(double) || t == typeof(float)))
            .Select(p => p.Name!).ToArray() ?? []);
        foreach (var name in names)
        {
            var text = http.Request.Query[name].ToString() is { Length: > 0 } q ? q : http.Request.RouteValues[name] as string;
            if (text is not null && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && !double.IsFinite(v))
                return Refusal.BadRequest(name, $"'{text}' is not a finite number");
        }
        return null;
    }

    /// <summary>A 4xx with no body yet (routing's 404 and 405, a bare StatusCode result) gets one that says why.</summary>
    static Task EmptyAnswerAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        var status = http.Response.StatusCode;
        if (status is < 400 or >= 500) return Task.CompletedTask;
        var (detail, field) = status switch
        {
            404 => RouteMisses.Explain(http),
            405 => ($"method: {http.Request.Method} is not allowed on {http.Request.Path}; allowed: {http.Response.Headers.Allow}", "method"),
            401 => ("sign in first: POST /api/auth/login, or send Authorization: Bearer <token>", null),
            403 => ("you may not use this", null),
            413 => ("body: the request body is larger than this endpoint accepts", "body"),
            415 => ($"Content-Type: '{http.Request.ContentType}' is not accepted here", "Content-Type"),
            _ => (Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status), ((string?)null)),
        };
        return ProblemWriter.WriteAsync(http, status, detail, field, ct: http.RequestAborted);
    }
}

/// <summary>Why no endpoint took a path: a parameter that failed its route constraint is named, with its value.</summary>
static class RouteMisses
{
    public static (string Detail, string? Field) Explain(HttpContext http)
    {
        if (http.GetEndpoint() is not null) return ($"not found: {http.Request.Path}", null); // an endpoint answered 404 with no body
        var segments = (http.Request.Path.Value ?? "/").Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        var sources = http.RequestServices.GetRequiredService<EndpointDataSource>();
        var resolver = http.RequestServices.GetRequiredService<IInlineConstraintResolver>();
        foreach (var endpoint in sources.Endpoints.OfType<RouteEndpoint>())
        {
            if (Misfit(endpoint.RoutePattern, segments, resolver, http) is { } miss) return miss;
        }
        return ($"not found: nothing at {http.Request.Path} (the API is described at /openapi/v1.json)", null);
    }

    /// <returns>the parameter that failed, when every literal segment matched; null when the pattern is another path</returns>
    static (string, string?)? Misfit(RoutePattern pattern, string[] segments, IInlineConstraintResolver resolver, HttpContext http)
    {
        var parts = pattern.PathSegments;
        for (var i = 0; i < parts.Count; i++)
        {
            if (parts[i].Parts is not [var part]) return null;
            if (part is RoutePatternParameterPart { IsCatchAll: true } catchAll)
                return Constraint(catchAll, string.Join('/', segments.Skip(i)), resolver, http);
            if (i >= segments.Length) return null;
            if (part is RoutePatternLiteralPart literal && !string.Equals(literal.Content, segments[i], StringComparison.OrdinalIgnoreCase)) return null;
        }
        if (parts.Count != segments.Length) return null;
        for (var i = 0; i < parts.Count; i++)
            if (parts[i].Parts[0] is RoutePatternParameterPart p && Constraint(p, Uri.UnescapeDataString(segments[i]), resolver, http) is { } miss)
                return miss;
        return null;
    }

    static (string, string?)? Constraint(RoutePatternParameterPart p, string value, IInlineConstraintResolver resolver, HttpContext http)
    {
        foreach (var policy in p.ParameterPolicies)
        {
            if (policy.Content is not { } content || resolver.ResolveConstraint(content) is not { } constraint) continue;
            var values = new RouteValueDictionary { [p.Name] = value };
            if (constraint.Match(http, null, p.Name, values, RouteDirection.IncomingRequest)) continue;
            var expected = content switch
            {
                "long" => "a whole number",
                "int" => "a whole number between -2147483648 and 2147483647",
                "double" or "float" or "decimal" => "a number",
                "bool" => "true or false",
                "guid" => "a GUID",
                _ => $"of the form {content}",
            };
            return ($"{p.Name}: '{(value.Length > 60 ? value[..60] + "…" : value)}' is not {expected}", p.Name);
        }
        return null;
    }
}
