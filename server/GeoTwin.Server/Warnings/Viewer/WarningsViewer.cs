using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using System.Text.RegularExpressions;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Infrastructure.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GeoTwin.Server.Warnings.Viewer;

/// <summary>A place on the map and in the list: its level this month, and its counts a month and a year before.</summary>
public sealed record PlaceLevel(long Id, string Code, string Kind, string Name, string? NameEn, int Count, string Level, bool NearNext,
    int PreviousMonthCount, int LastYearCount, DateTime? ChangedAt, JsonElement Boundary, double Lon, double Lat);

public sealed record PlacesView(DateOnly Month, IReadOnlyDictionary<string, string> Colors, IReadOnlyDictionary<string, int[]> Thresholds,
    List<PlaceLevel> Places);

public sealed record PlaceIncident(string Code, string Category, string Status, DateTime ReceivedAt, double Lon, double Lat);
public sealed record PlaceChange(DateOnly Month, string From, string To, int Count, bool NearNext, DateTime At);
public sealed record PlaceDetail(long Id, string Code, string Kind, string Name, string? NameEn, DateOnly Month, int Count, string Level,
    bool NearNext, List<PlaceIncident> Incidents, List<PlaceChange> History);
public sealed record PlacePerson(long Id, string Role, string Name, string Phone);

/// <summary>What the warnings viewer reads: places coloured by level for a month, one place's incidents and history, and (for
/// the roles that read personal data, audited) its responsible people. Everything through the caller's scope.</summary>
public static partial class WarningsViewer
{
    [GeneratedRegex(@"^\d{4}-(0[1-9]|1[0-2])$")]
    private static partial Regex MonthText();

    /// <summary>"2026-03" (the bureau's calendar month); null: this month.</summary>
    static (DateOnly Month, ProblemHttpResult? Error) MonthOf(string? text, WarningLevels levels)
    {
        if (string.IsNullOrEmpty(text)) return (levels.CurrentMonth(), null);
        if (!MonthText().IsMatch(text) || !DateOnly.TryParseExact(text + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var m))
            return (default, Problems.BadRequest("month", "must be a month as yyyy-MM, e.g. 2026-03"));
        return (m, null);
    }

    public static WebApplication MapWarningsViewer(this WebApplication app)
    {
        var staff = app.MapGroup("/api/warnings").WithTags("Warnings").RequireAuthorization(Policies.Staff).RefusesStrangers();
        staff.MapGet("/places", PlacesAsync).WithName("WarningPlaces")
            .WithSummary("Every place in the caller's jurisdiction with its count and level in `month` (yyyy-MM), its counts a month and a year before, and its outline.").Refuses(400);
        staff.MapGet("/places/{id:long}", PlaceAsync).WithName("WarningPlace")
            .WithSummary("One place in `month`: its counted incidents and its history of levels.").Refuses(400, 404);
        app.MapGet("/api/warnings/places/{id:long}/people", PeopleAsync).WithTags("Warnings").RequireAuthorization(Policies.PersonalData)
            .RefusesStrangers().WithName("WarningPlacePeople").WithSummary("The place's responsible people and their phones (personal data, audited).").Refuses(404);
        return app;
    }

    static async Task<Results<Ok<PlacesView>, ProblemHttpResult>> PlacesAsync(ScopedDb scoped, ClaimsPrincipal user, WarningLevels levels,
        string? month, CancellationToken ct)
    {
        var (m, error) = MonthOf(month, levels);
        if (error is not null) return error;
        var places = await scoped.RunAsync(CurrentUser.From(user), s => s.Sql("Warnings/Viewer/places.sql", m).ListAsync(r => new PlaceLevel(
            r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.Nullable<string>(4), r.GetInt32(5), r.GetString(6), r.GetBoolean(7),
            r.GetInt32(8), r.GetInt32(9), r.Nullable<DateTime?>(10), JsonDocument.Parse(r.GetString(11)).RootElement.Clone(),
            r.GetDouble(12), r.GetDouble(13)), ct), ct);
        // The rule's thresholds per kind travel with the answer: the legend shows the deployment's, not a copy in the client.
        var thresholds = Vocabulary.Warnings.PlaceKinds.ToDictionary(k => k, k => levels.Options.ThresholdsOf(k).From.ToArray());
        return TypedResults.Ok(new PlacesView(m, Vocabulary.Warnings.LevelColors, thresholds, places));
    }

    static async Task<Results<Ok<PlaceDetail>, ProblemHttpResult>> PlaceAsync(long id, ScopedDb scoped, ClaimsPrincipal user, WarningLevels levels,
        string? month, CancellationToken ct)
    {
        var (m, error) = MonthOf(month, levels);
        if (error is not null) return error;
        var detail = await scoped.RunAsync(CurrentUser.From(user), async s =>
        {
            var head = await s.Sql("Warnings/Viewer/place.sql", id, m).ListAsync(r => (r.GetInt64(0), r.GetString(1), r.GetString(2),
                r.GetString(3), r.Nullable<string>(4), r.GetInt32(5), r.GetString(6), r.GetBoolean(7)), ct);
            if (head.Count == 0) return null;
            var (pid, code, kind, name, nameEn, count, level, near) = head[0];
            var incidents = await s.Sql("Warnings/Viewer/place_incidents.sql", id, m, Vocabulary.Warnings.Counted.Categories.ToArray())
                .ListAsync(r => new PlaceIncident(r.GetString(0), r.GetString(1), r.GetString(2), r.GetDateTime(3), r.GetDouble(4), r.GetDouble(5)), ct);
            var history = await s.Sql("Warnings/Viewer/place_history.sql", id).ListAsync(r => new PlaceChange(r.GetFieldValue<DateOnly>(0),
                r.GetString(1), r.GetString(2), r.GetInt32(3), r.GetBoolean(4), r.GetDateTime(5)), ct);
            return new PlaceDetail(pid, code, kind, name, nameEn, m, count, level, near, incidents, history);
        }, ct);
        return detail is null ? Problems.NotFound($"no warning place {id} in your jurisdiction") : TypedResults.Ok(detail);
    }

    static async Task<Results<Ok<List<PlacePerson>>, ProblemHttpResult>> PeopleAsync(long id, ScopedDb scoped, ClaimsPrincipal user,
        HttpContext http, WarningLevels levels, CancellationToken ct)
    {
        var people = await scoped.RunAsync(CurrentUser.From(user), async s =>
        {
            var visible = (await s.Sql("Warnings/Viewer/place.sql", id, levels.CurrentMonth()).ListAsync(r => r.GetInt64(0), ct)).Count > 0;
            var rows = visible
                ? await s.Sql("Warnings/Viewer/place_people.sql", id).ListAsync(r => new PlacePerson(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3)), ct)
                : [];
            // Written in the read's transaction: a read whose audit row fails is not returned.
            await Audit.RecordReadAsync(s, http, "warning_place_person", rows.Select(p => p.Id.ToString(CultureInfo.InvariantCulture)).ToList(),
                new { placeId = id, placeVisible = visible }, ct);
            return visible ? rows : null;
        }, ct);
        return people is null ? Problems.NotFound($"no warning place {id} in your jurisdiction") : TypedResults.Ok(people);
    }
}
