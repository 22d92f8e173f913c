namespace GeoTwin.Server.Infrastructure.Errors;

/// <summary>
/// The refusals an endpoint lists in the OpenAPI document, each as application/problem+json (the body
/// <see cref="RefusalHandler"/> or <see cref="RefusalSetup"/> writes). A handler's typed results describe its
/// successes; the refusals it throws or the pipeline answers have no result type, so they are listed here.
/// </summary>
public static class Answers
{
    /// <summary>
    /// 401 (not signed in) and 403 (the role or token purpose does not fit) come from the authorization middleware,
    /// not the handler: every endpoint behind RequireAuthorization can answer them.
    /// </summary>
    public static RouteGroupBuilder RefusesStrangers(this RouteGroupBuilder builder) => builder.ProducesProblem(401).ProducesProblem(403);

    /// <inheritdoc cref="RefusesStrangers(RouteGroupBuilder)"/>
    public static RouteHandlerBuilder RefusesStrangers(this RouteHandlerBuilder builder) => builder.ProducesProblem(401).ProducesProblem(403);

    /// <summary>The statuses this endpoint's own refusals use (400 for a bad parameter, 404, 409, 413, 422, ...).</summary>
    public static RouteHandlerBuilder Refuses(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses) builder.ProducesProblem(status);
        return builder;
    }

    /// <inheritdoc cref="Refuses(RouteHandlerBuilder, int[])"/>
    public static RouteGroupBuilder Refuses(this RouteGroupBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses) builder.ProducesProblem(status);
        return builder;
    }
}
