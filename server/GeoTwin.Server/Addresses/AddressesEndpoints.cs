using System.Security.Claims;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GeoTwin.Server.Addresses;

/// <summary>Standard addresses, houses, the people in them, and the door-plate QR page.</summary>
public static class AddressesEndpoints
{
    public static WebApplicationBuilder AddAddresses(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AddressesStore>();
        return builder;
    }

    public static WebApplication MapAddressesEndpoints(this WebApplication app)
    {
        var staff = app.MapGroup("/api").WithTags("Addresses").RequireAuthorization(Policies.Staff).RefusesStrangers();
        staff.MapGet("/search", SearchEverythingAsync).WithName("Search")
            .WithSummary("Addresses by text or code, cameras by id, units by call sign: for the viewer's search box.").Refuses(400);
        staff.MapGet("/addresses", SearchAsync).WithName("SearchAddresses").WithSummary("Find addresses by code or text.").Refuses(400);
        staff.MapGet("/addresses/{code}", FindAsync).WithName("GetAddress").Refuses(400, 404);
        staff.MapGet("/houses/counts", CountsAsync).WithName("GetHouseCounts")
            .WithSummary("Resident counts of up to 500 houses by id (ids=1,2,3): only houses in the caller's jurisdiction are answered.").Refuses(400);
        staff.MapGet("/houses/{id:long}", HouseAsync).WithName("GetHouse").WithSummary("A house with its resident counts (no personal data).").Refuses(404);

        var personal = app.MapGroup("/api").WithTags("People").RequireAuthorization(Policies.PersonalData).RefusesStrangers();
        personal.MapGet("/houses/{id:long}/people", PeopleAsync).WithName("GetHousePeople")
            .WithSummary("The people registered in a house: personal data, audited.").Refuses(404);

        var plate = app.MapGroup("/api/qr").WithTags("Door plates").RequireAuthorization(Policies.SignedIn).RefusesStrangers();
        plate.MapGet("/{code}", QrPageAsync).WithName("QrPage").WithSummary("What a door-plate scan shows to the signed-in person.").Refuses(400, 404);
        return app;
    }

    static async Task<Results<Ok<List<AddressSummary>>, ProblemHttpResult>> SearchAsync(ClaimsPrincipal user, AddressesStore store, CancellationToken ct,
        string? q = null, int limit = 20)
    {
        if (Problems.CheckText(q, 200) is { } reason) return Problems.BadRequest("q", reason);
        if (limit is < 1 or > 100) return Problems.BadRequest("limit", "must be between 1 and 100");
        return TypedResults.Ok(await store.SearchAsync(CurrentUser.From(user), q!.Trim(), limit, ct));
    }

    static async Task<Results<Ok<List<SearchHit>>, ProblemHttpResult>> SearchEverythingAsync(ClaimsPrincipal user, AddressesStore store, CancellationToken ct,
        string? q = null, int limit = 10)
    {
        if (Problems.CheckText(q, 200) is { } reason) return Problems.BadRequest("q", reason);
        if (limit is < 1 or > 50) return Problems.BadRequest("limit", "must be between 1 and 50");
        return TypedResults.Ok(await store.SearchEverythingAsync(CurrentUser.From(user), q!.Trim(), limit, ct));
    }

    static async Task<Results<Ok<AddressDetail>, ProblemHttpResult>> FindAsync(string code, ClaimsPrincipal user, AddressesStore store, CancellationToken ct)
    {
        if (Problems.CheckText(code, 64) is { } reason) return Problems.BadRequest("code", reason);
        return await store.FindAsync(CurrentUser.From(user), code, ct) is { } found ? TypedResults.Ok(found) : Problems.NotFound($"no address has code '{code}'");
    }

    static async Task<Results<Ok<HouseDetail>, ProblemHttpResult>> HouseAsync(long id, ClaimsPrincipal user, AddressesStore store, CancellationToken ct) =>
        await store.HouseAsync(CurrentUser.From(user), id, ct) is { } house ? TypedResults.Ok(house) : Problems.NotFound($"no house has id {id}");

    public const int MaxCountIds = 500;

    /// <summary>
    /// The 3D houses' colours by floating share take their counts from here, not from the tileset, which every
    /// station's staff loads: a house of another station is simply not in the answer (as /api/houses/{id} is 404).
    /// </summary>
    static async Task<Results<Ok<List<HouseCounts>>, ProblemHttpResult>> CountsAsync(ClaimsPrincipal user, AddressesStore store, CancellationToken ct,
        string? ids = null)
    {
        if (string.IsNullOrWhiteSpace(ids)) return Problems.BadRequest("ids", "is required: house ids separated by commas, e.g. ids=12,13");
        var parts = ids.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length > MaxCountIds) return Problems.BadRequest("ids", $"has {parts.Length} ids; at most {MaxCountIds} at a time");
        var parsed = new long[parts.Length];
        for (var i = 0; i < parts.Length; i++)
            if (!long.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out parsed[i]))
                return Problems.BadRequest("ids", $"'{(parts[i].Length > 30 ? parts[i][..30] + "…" : parts[i])}' is not a house id (a whole number)");
        return TypedResults.Ok(await store.CountsAsync(CurrentUser.From(user), parsed.Distinct().ToArray(), ct));
    }

    static async Task<Results<Ok<List<PersonRecord>>, ProblemHttpResult>> PeopleAsync(long id, ClaimsPrincipal user, HttpContext http, AddressesStore store, CancellationToken ct) =>
        await store.PeopleAsync(CurrentUser.From(user), id, http, ct) is { } people ? TypedResults.Ok(people) : Problems.NotFound($"no house has id {id}");

    static async Task<Results<Ok<QrPage>, ProblemHttpResult>> QrPageAsync(string code, ClaimsPrincipal user, AddressesStore store, CancellationToken ct)
    {
        if (Problems.CheckText(code, 64) is { } reason) return Problems.BadRequest("code", reason);
        return await store.QrPageAsync(CurrentUser.From(user), code, ct) is { } page ? TypedResults.Ok(page) : Problems.NotFound($"no address you may see has code '{code}'");
    }
}
