using System.Reflection;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Infrastructure.Errors;
using GeoTwin.Server.Live;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace GeoTwin.Server.Status;

public sealed record Health(string Status);
/// <param name="Database">"up", "restarting (attempt 2, postmaster exited with signal 9)", "unreachable (...)"</param>
/// <param name="Reason">why not ready</param>
public sealed record Readiness(string Status, int MigrationsApplied, int MigrationsExpected, string Database, string? Reason = null)
{
    /// <summary>Each <see cref="HealthPart"/>'s report as a property of its own (liveFeed, warningPull, coverage...).</summary>
    [System.Text.Json.Serialization.JsonExtensionData]
    public Dictionary<string, object>? Parts { get; init; }
}
/// <param name="Outline">the boundary's outer rings, simplified to about 5 m: [[[lon, lat], ...], ...]</param>
public sealed record JurisdictionSummary(string Name, string? NameEn, double[] Bbox, double[][][]? Outline = null);
public sealed record ServerInfo(string Name, string NameEn, string Version, JurisdictionSummary? Jurisdiction);

/// <summary>Liveness and readiness (open to all, rate-limited) and what the viewer needs to open.</summary>
public static class StatusEndpoints
{
    static readonly string Version =
        typeof(StatusEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static WebApplication MapStatusEndpoints(this WebApplication app)
    {
        var open = app.MapGroup("").WithTags("Status").AllowAnonymous().RequireRateLimiting(AuthSetup.PublicLimit)
            .Refuses(429);
        open.MapGet("/healthz", () => TypedResults.Ok(new Health("alive")))
            .WithName("Health").WithSummary("The process is alive.");
        open.MapGet("/readyz", ReadyAsync)
            .WithName("Ready").WithSummary("The database answers and every migration is applied.");
        app.MapGet("/api/info", InfoAsync).WithTags("Status").RequireAuthorization(Policies.SignedIn)
            .WithName("Info").WithSummary("Server name, version and the jurisdiction's extent.").RefusesStrangers();
        return app;
    }

    static async Task<Results<Ok<Readiness>, JsonHttpResult<Readiness>>> ReadyAsync(NpgsqlDataSource db, ClusterSupervisor supervisor,
        IEnumerable<HealthPart> parts, HttpContext http, CancellationToken ct)
    {
        var expected = Migrations.Embedded.Count;
        var reports = HealthParts.Collect(parts, DateTime.UtcNow);
        JsonHttpResult<Readiness> NotReady(int applied, string database, string reason)
        {
            // A load balancer or a device asks again soon instead of taking the answer as final.
            http.Response.Headers.RetryAfter = "1";
            return TypedResults.Json(new Readiness("not_ready", applied, expected, database, reason) { Parts = reports }, statusCode: 503);
        }

        if (supervisor.Restarting is { } restarting) return NotReady(0, restarting, "database restarting");
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            var applied = await Migrations.CountAppliedAsync(db, timeout.Token);
            if (applied == expected) return TypedResults.Ok(new Readiness("ready", applied, expected, supervisor.Up) { Parts = reports });
            return NotReady(Math.Max(applied, 0), supervisor.Up, "migrations not applied");
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException or System.Net.Sockets.SocketException)
        {
            // The postmaster may have died a moment ago, before the supervisor noticed.
            return NotReady(0, supervisor.Restarting ?? supervisor.Unreachable, "database unreachable");
        }
    }

    static async Task<Ok<ServerInfo>> InfoAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(EmbeddedSql.Get("Status/root_jurisdiction.sql"));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        JurisdictionSummary? root = null;
        if (await reader.ReadAsync(ct))
        {
            root = new JurisdictionSummary(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.IsDBNull(2) ? [] : [reader.GetDouble(2), reader.GetDouble(3), reader.GetDouble(4), reader.GetDouble(5)],
                reader.IsDBNull(6) ? null : System.Text.Json.JsonSerializer.Deserialize<double[][][]>(reader.GetString(6)));
        }
        return TypedResults.Ok(new ServerInfo("GeoTwin 一张图", "GeoTwin One Map", Version, root));
    }
}
