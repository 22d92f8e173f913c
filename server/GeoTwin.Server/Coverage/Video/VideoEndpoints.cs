using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Infrastructure.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GeoTwin.Server.Coverage.Video;

public sealed record IncidentCamera(string Id, string? Name, double Lon, double Lat, string Status, string Kind, string Owner,
    double DistanceM, bool Sees);

public sealed record IncidentCameras(string Incident, double RadiusM, List<IncidentCamera> Cameras);

/// <summary>
/// Live video at a click: GeoTwin asks the video platform for a camera's stream (scoped: only a camera the caller may
/// see; audited: watching a place is a read of what happens there), stops it when the panel closes, and lists the
/// cameras that can show an incident's place.
/// </summary>
public static class VideoEndpoints
{
    public static WebApplicationBuilder AddVideo(this WebApplicationBuilder builder)
    {
        var settings = VideoPlatformSettings.From(builder.Configuration);
        builder.Services.AddHttpClient(nameof(VideoPlatform));
        builder.Services.AddSingleton(sp => new VideoPlatform(settings, sp.GetRequiredService<IHttpClientFactory>()));
        return builder;
    }

    public static WebApplication MapVideoEndpoints(this WebApplication app)
    {
        var stream = app.MapGroup("/api/cameras/{id}/stream").WithTags("Cameras").RequireAuthorization(Policies.Staff).RefusesStrangers();
        stream.MapGet("/", PlayAsync).WithName("PlayCamera")
            .WithSummary("Asks the video platform (GB/T 28181, WVP's play API) to play the camera: the HLS / HTTP-FLV / WebRTC URLs to open. Audited.")
            .Refuses(400, 404, 409, 502, 503, 504);
        stream.MapDelete("/", StopAsync).WithName("StopCamera")
            .WithSummary("Tells the video platform the camera's stream is no longer watched (the panel closed).")
            .Refuses(400, 404, 502, 503, 504);
        app.MapGet("/api/incidents/{code}/cameras", IncidentCamerasAsync).WithTags("Incidents").WithName("IncidentCameras")
            .RequireAuthorization(Policies.Staff).RefusesStrangers()
            .WithSummary("Cameras whose visibility covers the incident's place, and those within radiusM of it, nearest first.")
            .Refuses(400, 404);
        return app;
    }

    sealed record Target(string Id, string? Name, string Status, string DeviceId, string ChannelId);

    /// <summary>The camera if the caller may see it; the asking is audited in the same transaction (an unaudited ask gets nothing).</summary>
    static async Task<Target> TargetAsync(string id, string action, HttpContext http, ScopedDb db, CancellationToken ct)
    {
        if (Problems.CheckText(id, 20) is { } reason) throw Refusal.BadRequest("id", reason);
        var target = await db.RunAsync(CurrentUser.From(http.User), async s =>
        {
            var t = await s.Sql("Coverage/Video/camera_stream.sql", id)
                .FirstOrDefaultAsync(r => new Target(r.GetString(0), r.Nullable<string>(1), r.GetString(2), r.GetString(3), r.GetString(4)), ct);
            if (t is not null) await Audit.RecordReadAsync(s, http, "camera_video", [t.Id], new { stream = action }, ct);
            return t;
        }, ct);
        return target ?? throw Refusal.NotFound($"no camera has id '{id}'");
    }

    static async Task<Ok<StreamUrls>> PlayAsync(string id, HttpContext http, ScopedDb db, VideoPlatform platform, CancellationToken ct)
    {
        var c = await TargetAsync(id, "play", http, db, ct);
        // GeoTwin's own record says the camera cannot send: the platform is not bothered, the panel says why.
        if (c.Status is "offline" or "fault" or "planned")
            throw new Refusal(409, $"video: camera {c.Id} is {c.Status}", "video", new Dictionary<string, object?> { ["reason"] = c.Status });
        return TypedResults.Ok(await platform.PlayAsync(c.Id, c.Name, c.DeviceId, c.ChannelId, ct));
    }

    static async Task<NoContent> StopAsync(string id, HttpContext http, ScopedDb db, VideoPlatform platform, CancellationToken ct)
    {
        var c = await TargetAsync(id, "stop", http, db, ct);
        await platform.StopAsync(c.DeviceId, c.ChannelId, ct);
        return TypedResults.NoContent();
    }

    static async Task<Ok<IncidentCameras>> IncidentCamerasAsync(string code, HttpContext http, ScopedDb db, CancellationToken ct,
        double radiusM = 150, int limit = 20)
    {
        if (Problems.CheckText(code, 40) is { } reason) throw Refusal.BadRequest("code", reason);
        if (!double.IsFinite(radiusM) || radiusM is < 0 or > 2000) throw Refusal.BadRequest("radiusM", "must be between 0 and 2000 metres");
        if (limit is < 1 or > 200) throw Refusal.BadRequest("limit", "must be between 1 and 200");
        var cameras = await db.RunAsync(CurrentUser.From(http.User), async s =>
        {
            // the incident under the caller's scope: another station's incident is as unknown as a made-up code
            if (await s.Sql("Coverage/Video/incident_exists.sql", code).ListAsync(r => r.GetInt64(0), ct) is [0]) return null;
            return await s.Sql("Coverage/Video/incident_cameras.sql", code, radiusM, limit).ListAsync(r => new IncidentCamera(r.GetString(0),
                r.Nullable<string>(1), r.GetDouble(2), r.GetDouble(3), r.GetString(4), r.GetString(5), r.GetString(6), r.GetDouble(7), r.GetBoolean(8)), ct);
        }, ct);
        return cameras is null ? throw Refusal.NotFound($"no incident has code '{code}'") : TypedResults.Ok(new IncidentCameras(code, radiusM, cameras));
    }
}
