using System.Security.Claims;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;

namespace GeoTwin.Server.Live;

public sealed record UnitSummary(long Id, string CallSign, string Kind, string Station, string Status, DateTime? LastFixAt,
    double? Lon, double? Lat, double? FixAgeSeconds);

/// <summary>Police units. Position ingest, pushes and tracks come with the live-units feature.</summary>
public static class LiveEndpoints
{
    public static WebApplication MapLiveEndpoints(this WebApplication app)
    {
        var staff = app.MapGroup("/api/units").WithTags("Units").RequireAuthorization(Policies.Staff);
        staff.MapGet("/", (ClaimsPrincipal user, ScopedDb db, CancellationToken ct) =>
                db.RunAsync(CurrentUser.From(user), s => s.Sql("Live/list_units.sql").ListAsync(r => new UnitSummary(
                    r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.Nullable<DateTime?>(5),
                    r.Nullable<double?>(6), r.Nullable<double?>(7), r.Nullable<double?>(8)), ct), ct))
            .WithName("ListUnits").WithSummary("Every unit the caller may see, with its latest fix and its age.");
        return app;
    }
}
