using System.Globalization;
using System.Text.Json;
using GeoTwin.Server.Hotspots.Statistics;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Errors;
using Hangfire;
using Hangfire.Server;
using Microsoft.AspNetCore.WebUtilities;

namespace GeoTwin.Server.Hotspots;

/// <summary>An emerging hot spot request: the Gi* request whose cells and band it uses, the step and the time neighbourhood.</summary>
public sealed record EmergingRequest(GiRequest Gi, string Step, int TimeSteps)
{
    public string Key => $"{Gi.Key}|{Step}|{TimeSteps}";

    public static EmergingRequest Of(IQueryCollection q, string timeZone) => For(HotspotsEndpoints.GiRequestOf(q, timeZone), q);

    /// <summary>The emerging request of a Gi* request and the query's step (month|week) and timeSteps (defaults month, 1).</summary>
    public static EmergingRequest For(GiRequest gi, IQueryCollection q)
    {
        var step = HotspotFilters.Single(q, "step") ?? "month";
        if (step is not ("month" or "week")) throw HotspotRefusal.Bad("step", $"'{step}' is not month or week");
        return new EmergingRequest(gi, step, HotspotsEndpoints.IntParam(q, "timeSteps", 1, 0, 52));
    }
}

/// <summary>
/// The space-time cube of an analysis: its cells × months or ISO weeks (Monday first, the bureau's clock), counts
/// cell-major. The period is the filters' from..to when given, else the first to the last incident's step.
/// </summary>
public sealed record Cube(int Cells, int Steps, int First, string Step, double[] Values)
{
    public string Label(int step) => Step == "month"
        ? FormattableString.Invariant($"{(First + step) / 12:0000}-{(First + step) % 12 + 1:00}")
        : DateOnly.FromDayNumber(DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber + First + 7 * step).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static Cube Of(GiAnalysis a, EmergingRequest r, HotspotLimits limits)
    {
        var inc = a.Incidents;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(r.Gi.Filters.TimeZone);
        var month = r.Step == "month";
        int StepOf(int i) => month ? inc.Month[i] : inc.Day[i] - (inc.Weekday[i] - 1); // a month index, or the day number of the week's Monday
        int? Local(DateTimeOffset? t)
        {
            if (t is not { } v) return null;
            var local = TimeZoneInfo.ConvertTime(v, zone);
            if (month) return local.Year * 12 + local.Month - 1;
            var day = DateOnly.FromDateTime(local.DateTime).DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;
            return day - ((int)local.DayOfWeek + 6) % 7;
        }
        var first = Local(r.Gi.Filters.From) ?? Enumerable.Range(0, inc.Count).Min(StepOf);
        var last = Local(r.Gi.Filters.To?.AddTicks(-1)) ?? Enumerable.Range(0, inc.Count).Max(StepOf);
        var unit = month ? 1 : 7;
        var steps = (last - first) / unit + 1;
        if (steps > limits.MaxSteps)
            throw HotspotRefusal.Of(422, "step", $"the period makes {steps} {r.Step}s, more than the maximum of {limits.MaxSteps}: narrow from/to or use step=month",
                new Dictionary<string, object?> { ["count"] = steps, ["maximum"] = limits.MaxSteps });
        var cells = a.Result.Cells.Cells;
        var values = new double[(long)cells * steps];
        for (var i = 0; i < inc.Count; i++)
        {
            var t = (StepOf(i) - first) / unit;
            if (t >= 0 && t < steps) values[(long)a.Result.Cells.CellOfPoint[i] * steps + t]++;
        }
        return new Cube(cells, steps, first, r.Step, values);
    }
}

/// <summary>
/// Emerging hot spots: answered at once when the cube is small, else run here as a Hangfire job whose parameters
/// carry the owner, a percentage, the phase and the result (or the refusal), so any node can answer a poll.
/// </summary>
public sealed class HotspotJobs(HotspotsStore store)
{
    public const string OwnerParameter = "geotwin.owner", PercentParameter = "geotwin.percent", PhaseParameter = "geotwin.phase",
        ResultParameter = "geotwin.result", ErrorParameter = "geotwin.error";

    /// <summary>A job's result is its owner's: same account (or token) and same scope.</summary>
    public static string OwnerOf(CurrentUser u) => $"{u.UserId}|{u.TokenId}|{u.Scope}";

    [AutomaticRetry(Attempts = 0)]
    public async Task EmergingAsync(CurrentUser user, string query, PerformContext? context, CancellationToken ct)
    {
        void Report(double percent, string phase)
        {
            if (context is null) return;
            context.Connection.SetJobParameter(context.BackgroundJob.Id, PercentParameter, percent.ToString(CultureInfo.InvariantCulture));
            context.Connection.SetJobParameter(context.BackgroundJob.Id, PhaseParameter, phase);
        }
        try
        {
            var q = new QueryCollection(QueryHelpers.ParseQuery(query));
            Report(5, "reading incidents");
            var version = await store.VersionAsync(ct);
            var request = EmergingRequest.Of(q, await HotspotsEndpoints.ZoneAsync(store, user, q, version, ct));
            var (a, _) = await HotspotsEndpoints.AnalysisAsync(store, user, request.Gi, version, ct);
            Report(40, "building the space-time cube");
            var cube = Cube.Of(a, request, store.Limits);
            Report(50, "Gi* of every bin and Mann-Kendall trends");
            var (json, _) = await EmergingAsync(store, user, request, a, cube, version);
            context?.Connection.SetJobParameter(context.BackgroundJob.Id, ResultParameter, json);
            Report(100, "done");
        }
        catch (Exception e) when (e is Refusal or HotspotInputException && context is not null)
        {
            var (status, field, detail) = e is Refusal r ? (r.Status, r.Field, r.Message) : Describe((HotspotInputException)e);
            context!.Connection.SetJobParameter(context.BackgroundJob.Id, ErrorParameter,
                JsonSerializer.Serialize(new { status, field, detail }));
            throw;
        }
    }

    static (int, string, string) Describe(HotspotInputException e)
    {
        var (status, (detail, ext)) = HotspotsEndpoints.Problem(e);
        return (status, (string)ext["field"]!, detail);
    }

    /// <summary>The emerging answer as JSON, cached per request, scope and data version like the Gi* cells it is built on.</summary>
    public static async Task<(string Json, bool Hit)> EmergingAsync(HotspotsStore store, CurrentUser user, EmergingRequest r, GiAnalysis a, Cube cube, string version)
    {
        var (answer, hit) = await store.CachedAsync(CacheKey(user, r, version), () => Task.FromResult(Compute(store, r, a, cube)),
            s => 2L * s.Json.Length + 64L * s.Patterns.Length + 256);
        return (answer.Json, hit);
    }

    static string CacheKey(CurrentUser user, EmergingRequest r, string version) => $"emerging|{user.Scope}|{r.Key}|{version}";

    /// <summary>
    /// Each cell's emerging pattern (new_hot …), by the Gi* cell index, when an emerging run of these parameters (filters,
    /// cell size, band, step, timeSteps) is in this process's cache at this data version; null when none ran (it is not
    /// computed for this: a cube can take a job). The cells, the trend of the /gi answers and the hotspots tiles use it.
    /// </summary>
    public static string[]? CachedPatterns(HotspotsStore store, CurrentUser user, EmergingRequest r, string version) =>
        store.TryCached<EmergingAnswer>(CacheKey(user, r, version))?.Patterns;

    /// <summary>An emerging run as cached: the answer's JSON and each cell's pattern code.</summary>
    sealed record EmergingAnswer(string Json, string[] Patterns);

    static EmergingAnswer Compute(HotspotsStore store, EmergingRequest r, GiAnalysis a, Cube cube)
    {
        var options = new EmergingOptions { DistanceBand = a.Result.Parameters.DistanceBand.Value, TimeSteps = r.TimeSteps, FdrCorrection = r.Gi.Fdr };
        var result = EmergingHotSpots.Analyse(a.Result.Cells.X, a.Result.Cells.Y, cube.Values, cube.Steps, options);
        var cells = a.Result.Cells;
        var patterns = Enumerable.Range(0, cube.Cells).Select(c => PatternCode(result.Pattern[c])).ToArray();
        return new EmergingAnswer(JsonSerializer.Serialize(new
        {
            parameters = new
            {
                gi = HotspotsEndpoints.Parameters(a, r.Gi, store.Limits),
                step = r.Step, steps = cube.Steps, first = cube.Label(0), last = cube.Label(cube.Steps - 1),
                timeSteps = r.TimeSteps, alpha = options.Alpha, trendAlpha = options.TrendAlpha,
                why = "the Gi* cells and distance band of /gi for the same filters; a bin's neighbourhood is the cells within the band over its own step and the timeSteps before it; patterns as Esri's Emerging Hot Spot Analysis (docs/ARCHITECTURE.md, Hotspots)",
            },
            cells = Enumerable.Range(0, cube.Cells).Select(c => new Dictionary<string, object?>
            {
                ["id"] = a.IdOf(c), ["q"] = cells.Q[c], ["r"] = cells.R[c],
                ["lon"] = Math.Round(a.CellLon[c], 7), ["lat"] = Math.Round(a.CellLat[c], 7), ["count"] = cells.Count[c],
                ["pattern"] = patterns[c],
                ["trend"] = Direction(result.CountTrend[c].Direction(options.TrendAlpha)),
                ["countTrend"] = TrendOf(result.CountTrend[c]),
                ["zTrend"] = TrendOf(result.ZTrend[c]),
                ["hotSteps"] = Enumerable.Range(0, cube.Steps).Count(t => result.State[c * cube.Steps + t] > 0),
                ["coldSteps"] = Enumerable.Range(0, cube.Steps).Count(t => result.State[c * cube.Steps + t] < 0),
            }),
        }, JsonSerializerOptions.Web), patterns);
    }

    static object TrendOf(Trend t) => new { tau = t.Tau, z = t.Z, p = t.P };
    static string Direction(int d) => d > 0 ? "up" : d < 0 ? "down" : "none";

    /// <summary>NewHot → new_hot: the codes of the API contract and the tiles.</summary>
    public static string PatternCode(EmergingPattern p) =>
        string.Concat(p.ToString().Select((ch, i) => char.IsUpper(ch) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(ch) : ch.ToString()));
}
