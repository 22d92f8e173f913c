using System.Security.Claims;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GeoTwin.Server.Dispatch;

public sealed record IncidentSummary(string Code, string Category, int Priority, string Status, DateTime ReceivedAt, double Lon, double Lat);

/// <summary>Incidents. Intake, recommendation and dispatch come with the dispatch feature.</summary>
public static class DispatchEndpoints
{
    static readonly string[] Statuses = ["new", "dispatched", "on_scene", "closed", "cancelled", "merged"];

    public static WebApplication MapDispatchEndpoints(this WebApplication app)
    {
        var staff = app.MapGroup("/api/incidents").WithTags("Incidents").RequireAuthorization(Policies.Staff);
        staff.MapGet("/", ListAsync).WithName("ListIncidents").WithSummary("Newest incidents in the caller's jurisdiction.");
        staff.MapGet("/{code}", FindAsync).WithName("GetIncident");
        return app;
    }

    static async Task<Results<Ok<IncidentSummary>, ProblemHttpResult>> FindAsync(string code, ClaimsPrincipal user, ScopedDb db, CancellationToken ct)
    {
        if (Problems.CheckText(code, 40) is { } reason) return Problems.BadRequest("code", reason);
        var incident = await db.RunAsync(CurrentUser.From(user), s => s.Sql("Dispatch/incident_by_code.sql", code).FirstOrDefaultAsync(Read, ct), ct);
        return incident is null ? Problems.NotFound($"no incident has code '{code}'") : TypedResults.Ok(incident);
    }

    static IncidentSummary Read(Npgsql.NpgsqlDataReader r) => new(r.GetString(0), r.GetString(1), r.GetInt16(2), r.GetString(3),
        r.GetDateTime(4), r.GetDouble(5), r.GetDouble(6));

    static async Task<Results<Ok<List<IncidentSummary>>, ProblemHttpResult>> ListAsync(ClaimsPrincipal user, ScopedDb db, CancellationToken ct,
        string? status = null, int limit = 200)
    {
        if (status is not null && !Statuses.Contains(status)) return Problems.BadRequest("status", $"must be one of {string.Join(", ", Statuses)}");
        if (limit is < 1 or > 5000) return Problems.BadRequest("limit", "must be between 1 and 5000");
        return TypedResults.Ok(await db.RunAsync(CurrentUser.From(user), s => s.Sql("Dispatch/list_incidents.sql", status, limit)
            .ListAsync(Read, ct), ct));
    }
}
