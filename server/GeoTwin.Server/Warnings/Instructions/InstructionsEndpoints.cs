using System.Security.Claims;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Infrastructure.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GeoTwin.Server.Warnings.Instructions;

public sealed record ActionRequest(string? Text);

public sealed record WarnedPlace(long Id, string Name, string Kind, string Level, int Count, bool NearNext, DateOnly Month);

/// <summary>The daily list and what is on it today, on the bureau's clock.</summary>
public sealed record DailyList(DateOnly Today, string TimeZone, List<InstructionView> Items);

public static class InstructionsEndpoints
{
    public static WebApplication MapInstructionsEndpoints(this WebApplication app)
    {
        var staff = app.MapGroup("/api/warnings/instructions").WithTags("Warnings").RequireAuthorization(Policies.Staff).RefusesStrangers();
        staff.MapGet("", BoardAsync).WithName("WarningInstructions")
            .WithSummary("The instruction board: instructions in your jurisdiction, filtered by status, person (assignee id) or place.").Refuses(400);
        staff.MapGet("/mine", MineAsync).WithName("WarningInstructionsMine")
            .WithSummary("Your daily list (一日清单): what you hold and is not finished (overdue ones flagged), and what you finished today.");
        staff.MapGet("/stats", StatsAsync).WithName("WarningInstructionStats")
            .WithSummary("Per station and month (month=YYYY-MM, default this month): instructions issued, done on time, 核查率, feedback rate; black and red places against the same month last year.")
            .Refuses(400);
        staff.MapGet("/places", async Task<Ok<List<WarnedPlace>>> (ClaimsPrincipal user, ScopedDb db, WarningLevels levels, CancellationToken ct) =>
                TypedResults.Ok(await db.RunAsync(CurrentUser.From(user), s => s.Sql("Warnings/Instructions/warned_places.sql", levels.CurrentMonth())
                    .ListAsync(r => new WarnedPlace(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(4), r.GetBoolean(5), r.GetFieldValue<DateOnly>(6)), ct), ct)))
            .WithName("WarningInstructionPlaces").WithSummary("The places in your jurisdiction with a warning this month or last (the latest of the two), most severe first: what leaders raise instructions for.");
        staff.MapGet("/{id:long}", async Task<Ok<InstructionView>> (long id, ClaimsPrincipal user, InstructionStore store, CancellationToken ct) =>
                TypedResults.Ok(await store.GetAsync(CurrentUser.From(user), id, ct)))
            .WithName("WarningInstruction").WithSummary("One instruction with its history (who and when, every transition).").Refuses(404);
        staff.MapPost("", async Task<Created<InstructionView>> (InstructionStore.RaiseRequest? body, ClaimsPrincipal user, InstructionStore store, CancellationToken ct) =>
            {
                var view = await store.RaiseAsync(CurrentUser.From(user), body ?? throw Refusal.BadRequest("body", "is required"), ct);
                return TypedResults.Created($"/api/warnings/instructions/{view.Id}", view);
            })
            .WithName("WarningInstructionRaise").WithSummary("Raise an instruction by hand (leaders): place, task, deadline, person or level.")
            .Refuses(400, 403, 404, 422);
        staff.MapPost("/{id:long}/{action}", async Task<Ok<InstructionView>> (long id, string action, ActionRequest? body, ClaimsPrincipal user,
                InstructionStore store, CancellationToken ct) => TypedResults.Ok(await store.ActAsync(CurrentUser.From(user), id, action, body?.Text, ct)))
            .WithName("WarningInstructionAct")
            .WithSummary("accept / report (text: feedback) by the holder; verify / send_back (text: reason) by a leader.").Refuses(400, 403, 404, 409);
        return app;
    }

    static async Task<Results<Ok<List<InstructionView>>, ProblemHttpResult>> BoardAsync(ClaimsPrincipal user, InstructionStore store, CancellationToken ct,
        string? status = null, long? assignee = null, long? place = null, bool? open = null, int? limit = null)
    {
        if (status is not null && !InstructionVocabulary.Statuses.Contains(status))
            return Problems.BadRequest("status", $"'{status}' is not one of {string.Join(", ", InstructionVocabulary.Statuses)}");
        if (limit is < 1 or > 1000) return Problems.BadRequest("limit", $"must be 1..1000, got {limit}");
        return TypedResults.Ok(await store.ListAsync(CurrentUser.From(user),
            new InstructionQuery(status, assignee, open ?? false, null, limit ?? 500, null, place), ct));
    }

    static async Task<Ok<DailyList>> MineAsync(ClaimsPrincipal user, InstructionStore store, WarningOptions options, CancellationToken ct)
    {
        var caller = CurrentUser.From(user);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(options.TimeZone);
        var local = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, zone);
        var today = DateOnly.FromDateTime(local.DateTime);
        var startOfDay = TimeZoneInfo.ConvertTimeToUtc(local.Date, zone);
        var items = await store.ListAsync(caller, new InstructionQuery(AssigneeId: caller.UserId ?? -1, OpenOnly: true, DoneSince: startOfDay, Limit: 500), ct);
        return TypedResults.Ok(new DailyList(today, options.TimeZone, items));
    }

    static async Task<Results<Ok<InstructionStats>, ProblemHttpResult>> StatsAsync(ClaimsPrincipal user, InstructionStore store, WarningLevels levels,
        WarningOptions options, CancellationToken ct, string? month = null)
    {
        var start = levels.CurrentMonth();
        if (month is not null)
        {
            if (!DateOnly.TryParseExact(month + "-01", "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out start)
                || start.Year is < 2000 or > 2100)
                return Problems.BadRequest("month", $"'{month}' is not a month like 2026-03");
        }
        return TypedResults.Ok(await store.StatsAsync(CurrentUser.From(user), start, options.TimeZone, ct));
    }
}
