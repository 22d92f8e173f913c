using System.Security.Claims;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GeoTwin.Server.Addresses.Plates;

/// <summary>
/// Door plates: SVG for print and PNG for screens (staff of the address's jurisdiction), the open check a scan page
/// makes of a plate's URL, and reissuing a plate (community officers and admins) which revokes the older ones.
/// </summary>
public static class PlatesEndpoints
{
    public static WebApplicationBuilder AddPlates(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PlateSigner>();
        builder.Services.AddSingleton<PlatesStore>();
        return builder;
    }

    public static WebApplication MapPlatesEndpoints(this WebApplication app)
    {
        // the scan page asks this before anyone has signed in: the plate's signature is what lets it answer
        app.MapGet("/api/plates/{code}/scan", ScanAsync).WithTags("Door plates").AllowAnonymous().RequireRateLimiting(AuthSetup.PublicLimit)
            .WithName("ScanPlate").WithSummary("Check a scanned plate's URL (code, v, s) and answer the address written on it.").Refuses(400, 403, 404, 410);

        var staff = app.MapGroup("/api/plates").WithTags("Door plates").RequireAuthorization(Policies.Staff).RefusesStrangers();
        staff.MapGet("/sheet.svg", SheetAsync).WithName("PlateSheet")
            .WithSummary("Printable plates of a building, compound or street (within=code) and every address below it with a door number.")
            .Produces(200, contentType: "image/svg+xml").Refuses(400, 404, 422);
        staff.MapGet("/{code}.svg", SvgAsync).WithName("PlateSvg").WithSummary("One address's door plate for print (size 120, 75 or 40 mm).")
            .Produces(200, contentType: "image/svg+xml").Refuses(400, 404, 422);
        staff.MapGet("/{code}.png", PngAsync).WithName("PlatePng").WithSummary("One address's plate QR for screens (size 120, 75 or 40 mm).")
            .Produces(200, contentType: "image/png").Refuses(400, 404, 422);
        staff.MapGet("/{code}", UrlAsync).WithName("PlateUrl").WithSummary("The URL one address's current plate carries.").Refuses(400, 404, 422);
        staff.MapPost("/{code}/reissue", ReissueAsync).WithName("ReissuePlate")
            .WithSummary("Print a new plate version: every older plate of the address is revoked (community officers and admins).").Refuses(400, 403, 404, 422);
        return app;
    }

    /// <summary>The scan page's base URL (GeoTwin:Plates:BaseUrl): a deployment sets its public name; else this request's.</summary>
    static string BaseUrl(HttpContext http, IConfiguration config) =>
        config["GeoTwin:Plates:BaseUrl"] is { Length: > 0 } configured ? configured : $"{http.Request.Scheme}://{http.Request.Host}";

    static string CheckCode(string? code, string field = "code") =>
        Problems.CheckText(code, 64) is { } reason ? throw Refusal.BadRequest(field, reason) : code!;

    static int CheckSize(int? size) => size is null ? 75
        : PlateDrawing.Sizes.Contains(size.Value) ? size.Value
        : throw Refusal.BadRequest("size", $"{size} mm is not a plate size: 120, 75 or 40 (GB 17733-2008)");

    static async Task<Ok<PlateScan>> ScanAsync(string code, PlatesStore store, CancellationToken ct, string? v = null, string? s = null) =>
        TypedResults.Ok(await CheckPlateAsync(code, v, s, store, ct));

    /// <summary>
    /// A scanned plate's URL parameters checked by name, then the plate itself (signature, version, address): what a
    /// scan and everything done at a plate (declarations, sign-up) start with. 400/403/404/410 as refusals.
    /// </summary>
    public static async Task<PlateScan> CheckPlateAsync(string code, string? v, string? s, PlatesStore store, CancellationToken ct)
    {
        CheckCode(code);
        if (string.IsNullOrEmpty(v)) throw Refusal.BadRequest("v", "is required: the plate version printed in the QR's URL");
        if (!int.TryParse(v, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version) || version < 1)
            throw Refusal.BadRequest("v", $"'{(v.Length > 20 ? v[..20] + "…" : v)}' is not a plate version (a whole number from 1)");
        if (string.IsNullOrEmpty(s)) throw Refusal.BadRequest("s", "is required: the plate's signature printed in the QR's URL");
        if (s.Length != 22 || !s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw Refusal.BadRequest("s", "is not a plate signature (22 characters of base64url, as printed in the QR's URL)");
        return await store.ScanAsync(code, version, s, ct);
    }

    static async Task<ContentHttpResult> SvgAsync(string code, ClaimsPrincipal user, HttpContext http, IConfiguration config, PlatesStore store, CancellationToken ct, int? size = null)
    {
        var mm = CheckSize(size);
        var plate = await store.PlateAsync(CurrentUser.From(user), BaseUrl(http, config), CheckCode(code), ct);
        return TypedResults.Text(PlateDrawing.Svg([plate], mm), "image/svg+xml; charset=utf-8");
    }

    static async Task<FileContentHttpResult> PngAsync(string code, ClaimsPrincipal user, HttpContext http, IConfiguration config, PlatesStore store, CancellationToken ct, int? size = null)
    {
        var mm = CheckSize(size);
        var (_, url) = await store.PlateAsync(CurrentUser.From(user), BaseUrl(http, config), CheckCode(code), ct);
        return TypedResults.File(PlateDrawing.Png(url, mm), "image/png");
    }

    static async Task<Ok<PlateLink>> UrlAsync(string code, ClaimsPrincipal user, HttpContext http, IConfiguration config, PlatesStore store, CancellationToken ct)
    {
        var (plate, url) = await store.PlateAsync(CurrentUser.From(user), BaseUrl(http, config), CheckCode(code), ct);
        return TypedResults.Ok(new PlateLink(plate.Code, plate.FullText, plate.DoorNumber, plate.Version, url));
    }

    static async Task<ContentHttpResult> SheetAsync(ClaimsPrincipal user, HttpContext http, IConfiguration config, PlatesStore store, CancellationToken ct,
        string? within = null, int? size = null)
    {
        var mm = CheckSize(size);
        var plates = await store.SheetAsync(CurrentUser.From(user), BaseUrl(http, config), CheckCode(within, "within"), ct);
        return TypedResults.Text(PlateDrawing.Svg(plates, mm), "image/svg+xml; charset=utf-8");
    }

    static async Task<Ok<PlateIssued>> ReissueAsync(string code, ClaimsPrincipal user, HttpContext http, IConfiguration config, PlatesStore store, CancellationToken ct)
    {
        var caller = CurrentUser.From(user);
        if (caller.Role is not (Roles.CommunityOfficer or Roles.Admin))
            throw new Refusal(403, $"role: your role ({caller.Role}) may not reissue plates: community officers and admins do", "role");
        return TypedResults.Ok(await store.ReissueAsync(caller, BaseUrl(http, config), CheckCode(code), ct));
    }
}

public sealed record PlateLink(string Code, string FullText, string? DoorNumber, int Version, string Url);
