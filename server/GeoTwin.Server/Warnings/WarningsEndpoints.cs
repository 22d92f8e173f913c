using System.Security.Claims;
using System.Text.Json;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Infrastructure.Errors;
using GeoTwin.Server.Warnings.Viewer;
using GeoTwin.Server.Warnings.Pull;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace GeoTwin.Server.Warnings;

public sealed record PullRunView(long Id, string Connector, DateTime StartedAt, DateTime FinishedAt, bool Ok, int Pages, int Fetched, int New,
    int Duplicates, int Skipped, JsonElement SkippedReasons, int LevelChanges, string? Error, int DurationMs);

public sealed record PullSourceView(string? Url, string? DropFolder, int EveryMinutes, string? DemoPlatform);

public static class WarningsEndpoints
{
    public static WebApplication MapWarningsEndpoints(this WebApplication app)
    {
        var admin = app.MapGroup("/api/warnings").WithTags("Warnings").RequireAuthorization(Policies.Admin).RefusesStrangers();
        admin.MapGet("/pull/runs", RunsAsync).WithName("WarningPullRuns")
            .WithSummary("The latest incident pull runs: fetched, new, duplicates, skipped with reasons, duration, error.").Refuses(400);
        admin.MapGet("/pull/source", (PullConfiguration pull, IConfiguration config, Demo.DemoPlatformState demo) => TypedResults.Ok(new PullSourceView(
                pull.Settings?.Url?.ToString(), pull.Settings?.DropFolder, config.GetValue("GeoTwin:Warnings:Pull:EveryMinutes", 10), demo.Url)))
            .WithName("WarningPullSource").WithSummary("Where the pull takes incidents from (the auth header is not shown), how often, and the demo's platform.");
        admin.MapPost("/pull/run", RunNowAsync).WithName("WarningPullNow")
            .WithSummary("Pulls now (as the scheduled job does, texts included) and answers the latest runs.");

        var staff = app.MapGroup("/api/warnings").WithTags("Warnings").RequireAuthorization(Policies.Staff).RefusesStrangers();
        staff.MapGet("/alerts", AlertsAsync).WithName("WarningAlerts")
            .WithSummary("The newest warnings in the caller's jurisdiction (entered red or black, one short of the next colour), after `since`.").Refuses(400);
        app.MapHub<Alerts.WarningsHub>(Alerts.WarningsHub.Path).RequireAuthorization(Policies.Staff);
        app.MapWarningsViewer();
        return app;
    }

    static async Task<Ok<List<PullRunView>>> RunNowAsync(NpgsqlDataSource db, Pull.WarningPullJob job, CancellationToken ct)
    {
        await job.RunAsync(ct);
        return (Ok<List<PullRunView>>)(await RunsAsync(db, 2, ct)).Result;
    }

    static async Task<Results<Ok<List<Alerts.AlertView>>, ProblemHttpResult>> AlertsAsync(ScopedDb scoped, ClaimsPrincipal user,
        DateTimeOffset? since, int? limit, CancellationToken ct)
    {
        if (limit is < 1 or > 500) return Problems.BadRequest("limit", $"must be 1..500, got {limit}");
        var rows = await scoped.RunAsync(CurrentUser.From(user), s => s.Sql("Warnings/Alerts/list_alerts.sql", since?.UtcDateTime, limit ?? 100)
            .ListAsync(r => Alerts.AlertView.Read(r).View, ct), ct);
        return TypedResults.Ok(rows);
    }

    static async Task<Results<Ok<List<PullRunView>>, ProblemHttpResult>> RunsAsync(NpgsqlDataSource db, int? limit, CancellationToken ct)
    {
        if (limit is < 1 or > 500) return Problems.BadRequest("limit", $"must be 1..500, got {limit}");
        var rows = await db.Sql("Warnings/Pull/runs.sql", limit ?? 50).ListAsync(r => new PullRunView(r.GetInt64(0), r.GetString(1),
            r.GetDateTime(2), r.GetDateTime(3), r.GetBoolean(4), r.GetInt32(5), r.GetInt32(6), r.GetInt32(7), r.GetInt32(8), r.GetInt32(9),
            JsonDocument.Parse(r.GetString(10)).RootElement.Clone(), r.GetInt32(11), r.Nullable<string>(12), r.GetInt32(13)), ct);
        return TypedResults.Ok(rows);
    }
}
