using System.Security.Claims;
using GeoTwin.Server.Addresses.Plates;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Errors;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace GeoTwin.Server.Addresses.Registration;

/// <summary>
/// 人来登记、人走注销 at the door plate: residents declare at their plate, landlords confirm, community officers approve
/// or send back; residents sign up at their plate or are created by the officer.
/// </summary>
public static class RegistrationEndpoints
{
    public static WebApplicationBuilder AddRegistration(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<RegistrationStore>();
        builder.Services.AddSingleton<ResidentAccounts>();
        builder.Services.AddSingleton<RegistrationRatesStore>();
        return builder;
    }

    public static WebApplication MapRegistrationEndpoints(this WebApplication app)
    {
        app.MapPost("/api/plates/{code}/residents", SignUpAsync).WithTags("Registration").AllowAnonymous().RequireRateLimiting(AuthSetup.PublicLimit)
            .WithName("ResidentSignUp").WithSummary("A resident signs up at their plate (name, phone, username, password); the officer then links them.")
            .Refuses(400, 403, 404, 409, 410);

        var signedIn = app.MapGroup("/api").WithTags("Registration").RequireAuthorization(Policies.SignedIn).RefusesStrangers();
        signedIn.MapPost("/plates/{code}/declarations", DeclareAsync).WithName("Declare")
            .WithSummary("A resident declares their own or a tenant's arrival or departure at the plate they scanned (v, s).")
            .Refuses(400, 403, 404, 409, 410, 422);
        signedIn.MapGet("/declarations", ListAsync).WithName("ListDeclarations")
            .WithSummary("Declarations the caller may see (an officer: the station's; a resident: their own and their houses' tenants), audited.")
            .Refuses(400);
        signedIn.MapPost("/declarations/{id:long}/confirm", (long id, ClaimsPrincipal u, HttpContext h, RegistrationStore s, DecisionInput? d, CancellationToken ct) =>
                Landlord(id, true, u, h, s, d, ct)).WithName("ConfirmDeclaration").WithSummary("The landlord confirms a tenant.").Refuses(400, 403, 404, 409);
        signedIn.MapPost("/declarations/{id:long}/reject", (long id, ClaimsPrincipal u, HttpContext h, RegistrationStore s, DecisionInput? d, CancellationToken ct) =>
                Landlord(id, false, u, h, s, d, ct)).WithName("RejectDeclaration").WithSummary("The landlord rejects a declaration (reason required).").Refuses(400, 403, 404, 409);
        signedIn.MapPost("/declarations/{id:long}/approve", (long id, ClaimsPrincipal u, HttpContext h, RegistrationStore s, DecisionInput? d, CancellationToken ct) =>
                Officer(id, true, u, h, s, d, ct)).WithName("ApproveDeclaration")
            .WithSummary("The community officer approves: the person is registered (or the registration ends) and the house's counts change.").Refuses(400, 403, 404, 409);
        signedIn.MapPost("/declarations/{id:long}/send-back", (long id, ClaimsPrincipal u, HttpContext h, RegistrationStore s, DecisionInput? d, CancellationToken ct) =>
                Officer(id, false, u, h, s, d, ct)).WithName("SendBackDeclaration").WithSummary("The officer sends a declaration back with a reason.").Refuses(400, 403, 404, 409);

        app.MapGet("/api/registration/rates", RatesAsync).WithTags("Registration").RequireAuthorization(Policies.Registration).RefusesStrangers()
            .WithName("RegistrationRates")
            .WithSummary("Registration rate (registered floating / floating residents) and timeliness per community, area or station (by=), against the target.")
            .Refuses(400);

        var officers = app.MapGroup("/api/residents").WithTags("Registration").RequireAuthorization(Policies.PersonalData).RefusesStrangers();
        officers.MapGet("", ResidentsAsync).WithName("ListResidents").WithSummary("Resident accounts of the jurisdiction (unlinked=true: waiting to be linked), audited.");
        officers.MapPost("", CreateResidentAsync).WithName("CreateResident").WithSummary("The officer creates a resident account linked to an address.")
            .Refuses(400, 403, 404, 409);
        officers.MapPost("/{id:long}/link", LinkAsync).WithName("LinkResident").WithSummary("The officer links a resident to an address (as landlord of its house: landlord=true).")
            .Refuses(400, 403, 404);
        return app;
    }

    /// <summary>Who approves registrations: the community officer of the address (admins too).</summary>
    static void RequireOfficer(CurrentUser user)
    {
        if (!Vocabulary.RegistrationApprovers.Contains(user.Role))
            throw new Refusal(403, $"role: your role ({user.Role}) may not approve registrations or manage residents: community officers do", "role");
    }

    static string? Reason(DecisionInput? d, bool required)
    {
        var reason = d?.Reason;
        if (Problems.CheckText(reason, 500, required) is { } problem) throw Refusal.BadRequest("reason", problem);
        return string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
    }

    static async Task<Created<object>> SignUpAsync(string code, ResidentInput? input, ResidentAccounts accounts, PlatesStore plates, CancellationToken ct,
        string? v = null, string? s = null)
    {
        // The plate's parameters first: a bad link is named as such whatever the body holds.
        await PlatesEndpoints.CheckPlateAsync(code, v, s, plates, ct);
        var id = await accounts.SignUpAsync(code, input ?? throw Refusal.BadRequest("body", "is required: your name, phone, user name and password as JSON"), ct);
        return TypedResults.Created($"/api/residents/{id}", (object)new { id, linked = false });
    }

    static async Task<Created<Declaration>> DeclareAsync(string code, DeclarationInput? input, ClaimsPrincipal user, HttpContext http, RegistrationStore store,
        PlatesStore plates, CancellationToken ct, string? v = null, string? s = null)
    {
        await PlatesEndpoints.CheckPlateAsync(code, v, s, plates, ct);
        var declared = await store.DeclareAsync(CurrentUser.From(user), code, input ?? throw Refusal.BadRequest("body", "is required: the declaration as JSON"), http, ct);
        return TypedResults.Created($"/api/declarations?address={Uri.EscapeDataString(code)}", declared);
    }

    static async Task<Ok<List<Declaration>>> ListAsync(ClaimsPrincipal user, HttpContext http, RegistrationStore store, CancellationToken ct,
        string? address = null, string? status = null, bool mine = false)
    {
        if (address is not null && Problems.CheckCode(address, 64) is { } a) throw Refusal.BadRequest("address", a);
        string[]? statuses = null;
        if (!string.IsNullOrEmpty(status))
        {
            statuses = status.Split(',', StringSplitOptions.TrimEntries);
            if (statuses.Length > 5 || statuses.Any(x => !Vocabulary.DeclarationStatuses.Contains(x)))
                throw Refusal.BadRequest("status", $"must be statuses separated by commas, of: {string.Join(", ", Vocabulary.DeclarationStatuses)}");
        }
        var caller = CurrentUser.From(user);
        return TypedResults.Ok(await store.ListAsync(caller, address, mine ? caller.UserId : null, statuses, http, ct));
    }

    static async Task<Ok<Declaration>> Landlord(long id, bool confirm, ClaimsPrincipal user, HttpContext http, RegistrationStore store, DecisionInput? d, CancellationToken ct)
    {
        var caller = CurrentUser.From(user);
        if (caller.Role != Roles.Resident)
            throw new Refusal(403, $"role: landlords (residents) confirm their tenants; your role ({caller.Role}) approves with /approve", "role");
        return TypedResults.Ok(await store.LandlordDecideAsync(caller, id, confirm, Reason(d, required: !confirm), http, ct));
    }

    static async Task<Ok<Declaration>> Officer(long id, bool approve, ClaimsPrincipal user, HttpContext http, RegistrationStore store, DecisionInput? d, CancellationToken ct)
    {
        var caller = CurrentUser.From(user);
        RequireOfficer(caller);
        return TypedResults.Ok(await store.OfficerDecideAsync(caller, id, approve, Reason(d, required: !approve), http, ct));
    }

    static async Task<Ok<RegistrationRates>> RatesAsync(ClaimsPrincipal user, RegistrationRatesStore rates, RegistrationStore registration, CancellationToken ct,
        string? by = null, bool outlines = false)
    {
        by ??= "community";
        if (!RegistrationRatesStore.Groupings.Contains(by))
            throw Refusal.BadRequest("by", $"must be one of {string.Join(", ", RegistrationRatesStore.Groupings)}");
        return TypedResults.Ok(await rates.RatesAsync(CurrentUser.From(user), by, outlines, registration.DueWorkingDays, ct));
    }

    static async Task<Ok<List<ResidentAccount>>> ResidentsAsync(ClaimsPrincipal user, HttpContext http, ResidentAccounts accounts, CancellationToken ct, bool unlinked = false)
    {
        var caller = CurrentUser.From(user);
        RequireOfficer(caller);
        return TypedResults.Ok(await accounts.ListAsync(caller, unlinked, http, ct));
    }

    static async Task<Created<object>> CreateResidentAsync(ResidentInput input, ClaimsPrincipal user, HttpContext http, ResidentAccounts accounts,
        NpgsqlDataSource db, CancellationToken ct)
    {
        var caller = CurrentUser.From(user);
        RequireOfficer(caller);
        var id = await accounts.CreateByOfficerAsync(caller, input, ct);
        await Audit.RecordAsync(db, http, "resident.create", "user", id.ToString(), System.Text.Json.JsonSerializer.Serialize(new { input.Username, input.AddressCode, input.Landlord }), ct);
        return TypedResults.Created($"/api/residents/{id}", (object)new { id, linked = true });
    }

    static async Task<NoContent> LinkAsync(long id, LinkInput input, ClaimsPrincipal user, HttpContext http, ResidentAccounts accounts, NpgsqlDataSource db, CancellationToken ct)
    {
        var caller = CurrentUser.From(user);
        RequireOfficer(caller);
        await accounts.LinkAsync(caller, id, input, ct);
        await Audit.RecordAsync(db, http, "resident.link", "user", id.ToString(), System.Text.Json.JsonSerializer.Serialize(new { input.AddressCode, input.Landlord }), ct);
        return TypedResults.NoContent();
    }
}
