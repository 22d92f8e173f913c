using System.Security.Claims;
using System.Text.RegularExpressions;
using GeoTwin.DataImport.Crs;
using GeoTwin.Server.Addresses;
using GeoTwin.Server.Dispatch.Routing;
using GeoTwin.Server.Infrastructure;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Infrastructure.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GeoTwin.Server.Dispatch;

public sealed record IncidentSummary(string Code, string Category, int Priority, string Status, DateTime ReceivedAt, double Lon, double Lat,
    DateTime? FirstDispatchAt = null, DateTime? FirstArrivalAt = null);

/// <summary>Incidents: intake, recommendation by road travel time, dispatch, arrival, the end of an incident, its trail.</summary>
public static partial class DispatchEndpoints
{
    // The vocabulary's statuses, and "open" for any of its open ones (list_incidents.sql).
    static readonly string[] Statuses = [.. Vocabulary.IncidentStatuses, "open"];
    static CodeList Categories => Vocabulary.IncidentCategories;
    static CodeList UnitStatuses => Vocabulary.UnitStatuses;
    const string Intake = "dispatch-or-intake-token";
    // A call entered late is one of this shift's: older than a day it is a report, not an alarm to dispatch on.
    static readonly TimeSpan LateCallLimit = TimeSpan.FromHours(24);
    // A call platform's clock may run a little ahead of ours; more than this is a wrong time, not skew.
    static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(1);

    public static WebApplicationBuilder AddDispatch(this WebApplicationBuilder builder)
    {
        // Stale/offline is the one shared rule (GeoTwin:Freshness, read in SharedRules), not a setting of Dispatch.
        var options = (builder.Configuration.GetSection("GeoTwin:Dispatch").Get<DispatchOptions>() ?? new DispatchOptions())
            with { Freshness = SharedRules.Freshness(builder.Configuration) };
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<RoadGraphCache>();
        builder.Services.AddSingleton<DispatchNotifier>();
        builder.Services.AddSingleton<DispatchStore>();
        builder.Services.AddSignalR();
        if (options.ArrivalCheckSeconds > 0) builder.Services.AddHostedService<ArrivalWatcher>();
        // A dispatcher at the screen, or a call platform's incident-intake token.
        builder.Services.AddAuthorizationBuilder().AddPolicy(Intake, p => p.RequireAuthenticatedUser()
            .AddRequirements(new RoleOrPurpose(Policies.RolesOf[Policies.Dispatch], "incident_intake")));
        return builder;
    }

    public static WebApplication MapDispatchEndpoints(this WebApplication app)
    {
        var staff = app.MapGroup("/api/incidents").WithTags("Incidents").RequireAuthorization(Policies.Staff).RefusesStrangers();
        staff.MapGet("/", ListAsync).WithName("ListIncidents").WithSummary("Newest incidents in the caller's jurisdiction (status=open: not yet ended).").Refuses(400);
        staff.MapGet("/replay", ReplayAsync).WithName("ReplayIncidents")
            .WithSummary("Incidents of a window (at most 7 days) with their status changes: intake, first dispatch, first arrival, end.").Refuses(400);
        staff.MapGet("/{code}", FindAsync).WithName("GetIncident").Refuses(400, 404);
        staff.MapGet("/{code}/detail", async Task<Ok<IncidentDetail>> (string code, ClaimsPrincipal user, DispatchStore store, CancellationToken ct) =>
            TypedResults.Ok(await store.DetailAsync(CurrentUser.From(user), code, ct))).WithName("IncidentDetail").WithSummary("An incident with its units.")
            .ProducesProblem(404);
        staff.MapGet("/{code}/trail", async Task<Ok<List<TrailEntry>>> (string code, ClaimsPrincipal user, DispatchStore store, CancellationToken ct) =>
            TypedResults.Ok(await store.TrailAsync(CurrentUser.From(user), code, ct))).WithName("IncidentTrail").WithSummary("Every step from intake on: who, when, what.")
            .ProducesProblem(404);

        app.MapPost("/api/incidents", CreateAsync).WithTags("Incidents").RequireAuthorization(Intake).WithName("CreateIncident")
            .WithSummary("Alarm intake: category, priority, caller, and a location by address code, door-plate QR URL, address text, or coordinates (WGS84/GCJ-02).")
            .RefusesStrangers().Refuses(400, 422);

        // Refusals from the store (no such incident, a transition the rules forbid) are answered by RefusalHandler.
        var dispatch = app.MapGroup("/api/incidents/{code}").WithTags("Incidents").RequireAuthorization(Policies.Dispatch).RefusesStrangers()
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);
        dispatch.MapGet("/recommendations", RecommendAsync).WithName("RecommendUnits")
            .WithSummary("Units ranked by road travel time, with routes; ineligible ones with reasons; diversion candidates marked.");
        dispatch.MapPost("/dispatch", DispatchAsync).WithName("DispatchUnits");
        dispatch.MapPost("/arrive", async Task<Results<Ok<IncidentDetail>, ProblemHttpResult>> (string code, UnitRequest? body, ClaimsPrincipal user, DispatchStore store, CancellationToken ct) =>
            body?.UnitId is not { } unit ? Problems.BadRequest("unitId", "is required")
                : TypedResults.Ok(await store.ArriveAsync(CurrentUser.From(user), code, unit, ct))).WithName("UnitArrived");
        dispatch.MapPost("/reassign", ReassignAsync).WithName("ReassignUnit");
        dispatch.MapPost("/close", async Task<Results<Ok<IncidentDetail>, ProblemHttpResult>> (string code, FinishRequest? body, ClaimsPrincipal user, DispatchStore store, CancellationToken ct) =>
            Problems.CheckText(body?.Disposition, 2000) is { } reason ? Problems.BadRequest("disposition", reason)
                : TypedResults.Ok(await store.FinishAsync(CurrentUser.From(user), code, "closed", body!.Disposition, null, ct))).WithName("CloseIncident");
        dispatch.MapPost("/cancel", async Task<Results<Ok<IncidentDetail>, ProblemHttpResult>> (string code, FinishRequest? body, ClaimsPrincipal user, DispatchStore store, CancellationToken ct) =>
            Problems.CheckText(body?.Reason, 2000, required: false) is { } reason ? Problems.BadRequest("reason", reason)
                : TypedResults.Ok(await store.FinishAsync(CurrentUser.From(user), code, "cancelled", body?.Reason, null, ct))).WithName("CancelIncident");
        dispatch.MapPost("/merge", async Task<Results<Ok<IncidentDetail>, ProblemHttpResult>> (string code, MergeRequest? body, ClaimsPrincipal user, DispatchStore store, CancellationToken ct) =>
            Problems.CheckText(body?.Into, 40) is { } reason ? Problems.BadRequest("into", reason)
                : TypedResults.Ok(await store.FinishAsync(CurrentUser.From(user), code, "merged", null, body!.Into, ct))).WithName("MergeIncident")
            .WithSummary("Merges this incident into another open one (the intake's merge candidates); its units are released.");

        app.MapHub<DispatchHub>("/hubs/dispatch").RequireAuthorization(Policies.Staff);
        return app;
    }

    static async Task<Results<Ok<IncidentSummary>, ProblemHttpResult>> FindAsync(string code, ClaimsPrincipal user, ScopedDb db, CancellationToken ct)
    {
        if (Problems.CheckText(code, 40) is { } reason) return Problems.BadRequest("code", reason);
        var incident = await db.RunAsync(CurrentUser.From(user), s => s.Sql("Dispatch/incident_by_code.sql", code).FirstOrDefaultAsync(Read, ct), ct);
        return incident is null ? Problems.NotFound($"no incident has code '{code}'") : TypedResults.Ok(incident);
    }

    static IncidentSummary Read(Npgsql.NpgsqlDataReader r) => new(r.GetString(0), r.GetString(1), r.GetInt16(2), r.GetString(3),
        r.GetDateTime(4), r.GetDouble(5), r.GetDouble(6), r.Nullable<DateTime?>(7), r.Nullable<DateTime?>(8));

    static async Task<Results<Ok<List<IncidentSummary>>, ProblemHttpResult>> ListAsync(ClaimsPrincipal user, ScopedDb db, CancellationToken ct,
        string? status = null, int limit = 200)
    {
        if (status is not null && !Statuses.Contains(status)) return Problems.BadRequest("status", $"must be one of {string.Join(", ", Statuses)}");
        if (limit is < 1 or > 5000) return Problems.BadRequest("limit", "must be between 1 and 5000");
        return TypedResults.Ok(await db.RunAsync(CurrentUser.From(user), s => s.Sql("Dispatch/list_incidents.sql",
            status is null ? null : status == "open" ? Vocabulary.OpenIncidentStatuses.ToArray() : new[] { status }, limit)
            .ListAsync(Read, ct), ct));
    }

    [GeneratedRegex(@"^\+?[0-9 -]{3,20}$")]
    private static partial Regex Phone();

    [GeneratedRegex(@"/api/qr/([A-Za-z0-9_-]{1,64})/?$")]
    private static partial Regex QrPath();

    static async Task<Results<Created<IncidentCreated>, ProblemHttpResult>> CreateAsync(NewIncident? body, ClaimsPrincipal principal, DispatchStore store, AddressesStore addresses, CancellationToken ct)
    {
        if (body is null) return Problems.BadRequest("body", "is required");
        if (body.Category is null || !Categories.Contains(body.Category))
            return Problems.BadRequest("category", $"must be one of {string.Join(", ", Categories)}");
        var priority = body.Priority ?? 3;
        if (priority < Vocabulary.HighestPriority || priority > Vocabulary.LowestPriority)
            return Problems.BadRequest("priority", $"must be {Vocabulary.HighestPriority} (most urgent) to {Vocabulary.LowestPriority}");
        if (Problems.CheckText(body.Description, 4000, required: false) is { } d) return Problems.BadRequest("description", d);
        if (body.CallerPhone is not null && !Phone().IsMatch(body.CallerPhone)) return Problems.BadRequest("callerPhone", "must be 3-20 digits, spaces or dashes, with an optional leading +");
        if (Problems.CheckText(body.CallerName, 100, required: false) is { } n) return Problems.BadRequest("callerName", n);
        if (body.ReceivedAt is { } received)
        {
            if (received > DateTimeOffset.UtcNow + ClockSkew) return Problems.BadRequest("receivedAt", "is in the future");
            if (received < DateTimeOffset.UtcNow - LateCallLimit) return Problems.BadRequest("receivedAt", $"must be within the last {LateCallLimit.TotalHours:0} hours");
        }
        if (body.Location is not { } loc) return Problems.BadRequest("location", "is required");
        var given = new[] { loc.AddressCode is not null, loc.QrUrl is not null, loc.AddressText is not null, loc.Lon is not null || loc.Lat is not null }.Count(x => x);
        if (given != 1) return Problems.BadRequest("location", "give exactly one of addressCode, qrUrl, addressText, or lon and lat");

        var user = CurrentUser.From(principal);
        string? addressCode = null;
        double lon, lat;
        if (loc.Lon is not null || loc.Lat is not null)
        {
            if (loc.Lon is not { } x || loc.Lat is not { } y) return Problems.BadRequest("location", "give both lon and lat");
            if (!double.IsFinite(x) || x is < -180 or > 180) return Problems.BadRequest("location.lon", "must be a longitude between -180 and 180");
            if (!double.IsFinite(y) || y is < -90 or > 90) return Problems.BadRequest("location.lat", "must be a latitude between -90 and 90");
            switch (loc.Datum ?? "wgs84")
            {
                case "wgs84": (lon, lat) = (x, y); break;
                case "gcj02": (lon, lat) = ChineseWebDatums.Gcj02ToWgs84(x, y); break;
                default: return Problems.BadRequest("location.datum", "must be wgs84 or gcj02");
            }
        }
        else
        {
            string? code = null;
            NamedPlace? named = null;
            if (loc.QrUrl is not null)
            {
                if (Problems.CheckText(loc.QrUrl, 500) is { } q) return Problems.BadRequest("location.qrUrl", q);
                if (!Uri.TryCreate(loc.QrUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || QrPath().Match(uri.AbsolutePath) is not { Success: true } m)
                    return Problems.BadRequest("location.qrUrl", "is not a door-plate URL (https://.../api/qr/ADDRESS-CODE)");
                code = m.Groups[1].Value;
            }
            else if (loc.AddressCode is not null)
            {
                if (Problems.CheckText(loc.AddressCode, 64) is { } c) return Problems.BadRequest("location.addressCode", c);
                code = loc.AddressCode;
            }
            else
            {
                if (Problems.CheckText(loc.AddressText, 200) is { } t) return Problems.BadRequest("location.addressText", t);
                var hits = await addresses.SearchAsync(user, loc.AddressText!.Trim(), 6, ct);
                var exact = hits.Where(h => string.Equals(h.FullText, loc.AddressText.Trim(), StringComparison.OrdinalIgnoreCase)).ToList();
                if (exact.Count == 1) hits = exact;
                // "Plage du Larvotto": a place said by its name, where no address is (a beach has no door)
                else if (await addresses.PlacesNamedAsync(user, loc.AddressText.Trim(), ct) is [var place])
                    named = place;
                if (named is null)
                {
                    if (hits.Count == 0)
                        return TypedResults.Problem(statusCode: 422, title: "Cannot be done", detail: $"location.addressText: no address you may see matches '{loc.AddressText}', nor does a place's name",
                            extensions: new Dictionary<string, object?> { ["field"] = "location.addressText", ["suggestions"] = Array.Empty<AddressSuggestion>() });
                    if (hits.Count > 1)
                        return TypedResults.Problem(statusCode: 422, title: "Cannot be done",
                            detail: $"location.addressText: '{loc.AddressText}' matches several addresses; pick one by its code",
                            extensions: new Dictionary<string, object?>
                            {
                                ["field"] = "location.addressText",
                                ["suggestions"] = hits.Take(5).Select(h => new AddressSuggestion(h.Code, h.FullText, h.Lon, h.Lat)).ToList(),
                            });
                    code = hits[0].Code;
                }
            }
            if (named is not null) (lon, lat) = (named.Lon, named.Lat);
            else
            {
                var address = await addresses.FindAsync(user, code!, ct);
                if (address is null)
                    return TypedResults.Problem(statusCode: 422, title: "Cannot be done", detail: $"location: no address you may see has code '{code}'",
                        extensions: new Dictionary<string, object?> { ["field"] = "location" });
                (lon, lat, addressCode) = (address.Address.Lon, address.Address.Lat, address.Address.Code);
            }
        }

        // a time a little ahead (within the skew) is now: an incident is never received after it was entered
        var receivedAt = body.ReceivedAt is { } r && r < DateTimeOffset.UtcNow ? r.UtcDateTime : (DateTime?)null;
        var created = await store.CreateAsync(user, body.Category, priority, body.Description, body.CallerPhone, body.CallerName, lon, lat, addressCode, receivedAt, ct);
        return TypedResults.Created($"/api/incidents/{created.Code}", created);
    }

    static async Task<Results<Ok<Recommendations>, ProblemHttpResult>> RecommendAsync(string code, ClaimsPrincipal user, DispatchStore store, CancellationToken ct,
        int k = 5, string? capability = null)
    {
        if (k is < 1 or > 50) return Problems.BadRequest("k", "must be between 1 and 50");
        if (capability is not null && Problems.CheckText(capability, 40) is { } c) return Problems.BadRequest("capability", c);
        return TypedResults.Ok(await store.RecommendAsync(CurrentUser.From(user), code, k, capability, ct));
    }

    static async Task<Results<Ok<IncidentDetail>, ProblemHttpResult>> DispatchAsync(string code, DispatchRequest? body, ClaimsPrincipal user, DispatchStore store, CancellationToken ct)
    {
        if (body?.Units is not { Count: > 0 } units) return Problems.BadRequest("units", "name at least one unit: [{ unitId, seenStatus }]");
        if (units.Count > 20) return Problems.BadRequest("units", "at most 20 units at once");
        if (CheckChoice(units, "units") is { } bad) return bad;
        if (units.Select(u => u.UnitId).Distinct().Count() != units.Count) return Problems.BadRequest("units", "name each unit once");
        return TypedResults.Ok(await store.DispatchAsync(CurrentUser.From(user), code, units, ct));
    }

    static async Task<Results<Ok<IncidentDetail>, ProblemHttpResult>> ReassignAsync(string code, ReassignRequest? body, ClaimsPrincipal user, DispatchStore store, CancellationToken ct)
    {
        if (body?.UnitId is not { } unit) return Problems.BadRequest("unitId", "is required: the unit taken off the incident");
        if (body.To is not null && CheckChoice([body.To], "to") is { } bad) return bad;
        if (body.To?.UnitId == unit) return Problems.BadRequest("to", "must be another unit");
        return TypedResults.Ok(await store.ReassignAsync(CurrentUser.From(user), code, unit, body.To, ct));
    }

    static ProblemHttpResult? CheckChoice(IEnumerable<UnitChoice> choices, string field)
    {
        foreach (var c in choices)
        {
            if (c?.UnitId is not > 0) return Problems.BadRequest(field, "each unit needs a unitId");
            if (c.SeenStatus is not null && !UnitStatuses.Contains(c.SeenStatus))
                return Problems.BadRequest(field, $"seenStatus must be one of {string.Join(", ", UnitStatuses)}");
        }
        return null;
    }
}
