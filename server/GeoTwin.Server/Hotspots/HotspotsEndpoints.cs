using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using GeoTwin.Server.Hotspots.Statistics;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Errors;
using GeoTwin.Server.Tiles;
using Hangfire;

namespace GeoTwin.Server.Hotspots;

/// <summary>
/// Hot spots for analysts (issue #16): Gi* cells of stored incidents (JSON, GeoJSON, CSV), one cell with its
/// incidents, when incidents happen (hour × weekday, months against a year earlier), an analyst's own weighted
/// points, emerging hot spots. Every answer states the parameters used and why; refusals are problem+json naming
/// the parameter. Policy "analysis"; every read through ScopedDb.
/// </summary>
/// <summary>What decides an incident analysis: the filters and the overrides.</summary>
public sealed record GiRequest(HotspotFilters Filters, double? CellSize, double? Band, bool Fdr)
{
    public string Key => FormattableString.Invariant($"{Filters.Key}|{CellSize}|{Band}|{Fdr}");
}

public static partial class HotspotsEndpoints
{
    public static WebApplicationBuilder AddHotspots(this WebApplicationBuilder builder)
    {
        var c = builder.Configuration;
        // The clock used where no jurisdiction names one (jurisdictions.time_zone): configured, else UTC, never the
        // server's own zone (a server in Beijing analysing Chicago would read Chicago's nights as days).
        var zone = c["GeoTwin:Hotspots:TimeZone"] ?? "UTC";
        // Must be a zone PostgreSQL and .NET both know; "Local" (no TZ database entry) falls back to UTC.
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _) || zone == "Local") zone = "UTC";
        builder.Services.AddSingleton(new HotspotLimits(
            MaxCells: c.GetValue("GeoTwin:Hotspots:MaxCells", 100_000),
            MinIncidents: c.GetValue("GeoTwin:Hotspots:MinIncidents", 30),
            TimeZone: zone,
            SyncBins: c.GetValue("GeoTwin:Hotspots:SyncBins", 2_000_000L),
            MaxSteps: c.GetValue("GeoTwin:Hotspots:MaxSteps", 1_000),
            MaxPostedPoints: c.GetValue("GeoTwin:Hotspots:MaxPostedPoints", 200_000)));
        builder.Services.AddSingleton(new HotspotsCache(c.GetValue("GeoTwin:Hotspots:CacheBytes", 256L << 20)));
        builder.Services.AddSingleton<HotspotsStore>();
        builder.Services.AddTransient<HotspotJobs>();
        // the Gi* cells as the tile catalog's "hotspots" layer (Tiles/IComputedTileLayer)
        builder.Services.AddSingleton<IComputedTileLayer, HotspotCellsLayer>();
        return builder;
    }

    public static WebApplication MapHotspotsEndpoints(this WebApplication app)
    {
        // handlers answer IResult (JSON, GeoJSON or CSV by format), so their success answers are declared here; every hotspot answer can refuse a bad filter (400), an unknown cell, job or jurisdiction (404) and too few incidents or too many cells (422)
        var g = app.MapGroup("/api/hotspots").WithTags("Hotspots").RequireAuthorization(Policies.Analysis).RefusesStrangers().Refuses(400, 404, 422);
        g.MapGet("/gi", GiAsync).WithName("HotspotsGi").Produces(200, typeof(object), "application/json", "application/geo+json", "text/csv")
            .WithSummary("Getis-Ord Gi* hexagon cells of the filtered incidents with FDR bins and the parameters used (format=json|geojson|csv).");
        g.MapGet("/cells/{id}", CellAsync).WithName("HotspotsCell").Produces(200, typeof(object), "application/json").WithSummary("One cell: count, z, p, bin and its incidents (same parameters as /gi).");
        g.MapGet("/when", WhenAsync).WithName("HotspotsWhen").Produces(200, typeof(object), "application/json")
            .WithSummary("Hour × weekday (7 × 24) and monthly counts with the same months a year earlier, for the filtered set, a cell, a community or a polygon.");
        g.MapPost("/points", PointsAsync).WithName("HotspotsPoints").Produces(200, typeof(object), "application/json")
            .WithSummary("Gi* of an analyst's weighted points (GeoJSON FeatureCollection, weight or value per point, band required).");
        g.MapGet("/emerging", EmergingAsync).WithName("HotspotsEmerging").Produces(200, typeof(object), "application/json").Produces(202, typeof(object), "application/json")
            .WithSummary("Emerging hot spot patterns per cell over months or weeks; a long run answers 202 with a job to poll.");
        g.MapGet("/jobs/{id}", JobAsync).WithName("HotspotsJob").Produces(200, typeof(object), "application/json").WithSummary("A hot spot job: status, percentage and, when done, its result.");
        return app;
    }

    // ---------------------------------------------------------------- Gi*

    static Task<IResult> GiAsync(HttpContext http, ClaimsPrincipal principal, HotspotsStore store, CancellationToken ct) => Guard(async () =>
    {
        var q = http.Request.Query;
        var format = HotspotFilters.Single(q, "format") ?? "json";
        if (format is not ("json" or "geojson" or "csv")) throw HotspotRefusal.Bad("format", $"'{format}' is not json, geojson or csv");
        var (a, request, trend) = await AnalysisAsync(http, principal, store, ct);
        var parameters = Parameters(a, request, store.Limits, trend);
        var polygons = HotspotFilters.Single(q, "polygons") == "true";
        return format switch
        {
            "geojson" => TypedResults.Json(new
            {
                type = "FeatureCollection",
                parameters,
                features = Enumerable.Range(0, a.Result.Cells.Cells).Select(c => new
                {
                    type = "Feature", id = a.IdOf(c),
                    geometry = new { type = "Polygon", coordinates = new[] { a.Polygon(c) } },
                    properties = Cell(a, c, false, trend),
                }),
            }, contentType: "application/geo+json"),
            "csv" => Csv(http, a, trend),
            _ => TypedResults.Ok(new { parameters, cells = Enumerable.Range(0, a.Result.Cells.Cells).Select(c => Cell(a, c, polygons, trend)) }),
        };
    });

    /// <summary>
    /// The cached analysis for this request's filters, overrides, scope and incident data version, and each cell's
    /// emerging pattern when an emerging run of the same parameters (and step, timeSteps) is cached, else null.
    /// </summary>
    internal static async Task<(GiAnalysis, GiRequest, CellTrends)> AnalysisAsync(HttpContext http, ClaimsPrincipal principal, HotspotsStore store, CancellationToken ct)
    {
        var user = CurrentUser.From(principal);
        // The version is read before the incidents: an incident committed in between is then in a result filed
        // under the older version (recomputed needlessly once), never missing from one filed under the newer.
        var version = await store.VersionAsync(http, ct);
        var request = GiRequestOf(http.Request.Query, await ZoneAsync(store, user, http.Request.Query, version, ct));
        var (a, hit) = await AnalysisAsync(store, user, request, version, ct);
        http.Response.Headers["X-GeoTwin-Cache"] = hit ? "hit" : "miss";
        return (a, request, TrendsOf(store, user, request, http.Request.Query, version));
    }

    /// <summary>The emerging patterns of the cells where an emerging run of the same parameters is cached.</summary>
    internal sealed record CellTrends(string[]? Patterns, EmergingRequest Request);

    internal static CellTrends TrendsOf(HotspotsStore store, CurrentUser user, GiRequest request, IQueryCollection q, string version)
    {
        var emerging = EmergingRequest.For(request, q);
        return new CellTrends(HotspotJobs.CachedPatterns(store, user, emerging, version), emerging);
    }

    internal static Task<(GiAnalysis, bool)> AnalysisAsync(HotspotsStore store, CurrentUser user, GiRequest r, string version, CancellationToken ct) =>
        store.CachedAsync($"gi|{user.Scope}|{r.Key}|{version}",
            async () => store.Analyse(await store.LoadAsync(user, r.Filters, null, ct, atVersions: version), r.CellSize, r.Band, r.Fdr, version),
            a => 64L * a.Incidents.Count + 160L * a.Result.Cells.Cells + 1024);

    /// <summary>The bureau's clock for this query: its jurisdiction's time zone, else the caller's (HotspotsStore.TimeZoneAsync).</summary>
    internal static Task<string> ZoneAsync(HotspotsStore store, CurrentUser user, IQueryCollection q, string version, CancellationToken ct) =>
        store.TimeZoneAsync(user, HotspotFilters.Single(q, "jurisdiction"), version, ct);

    internal static GiRequest GiRequestOf(IQueryCollection q, string timeZone) => new(
        HotspotFilters.Parse(q, timeZone), HotspotFilters.Metres(q, "cellSize"), HotspotFilters.Metres(q, "band"),
        HotspotFilters.Single(q, "fdr") switch
        {
            null or "true" => true,
            "false" => false,
            var v => throw HotspotRefusal.Bad("fdr", $"'{v}' is not true or false"),
        });

    internal static object Parameters(GiAnalysis a, GiRequest request, HotspotLimits limits, CellTrends? trend = null)
    {
        var p = a.Result.Parameters;
        return new
        {
            cellSize = ChoiceOf(p.CellSize, "cellSize"),
            band = ChoiceOf(p.DistanceBand, "band"),
            count = p.Points,
            cells = p.Cells,
            fdrCorrected = p.FdrCorrected,
            meanNeighbours = Math.Round(p.MeanNeighbours, 3),
            autocorrelation = p.AutocorrelationSteps.Select(s => new { distance = s.Distance, i = s.I, z = s.Z, p = s.P, meanNeighbours = s.MeanNeighbours }),
            limits = new { maxCells = limits.MaxCells, minIncidents = limits.MinIncidents },
            projection = new
            {
                kind = "transverse_mercator", centreLon = a.Projection.CentreLongitude, centreLat = a.Projection.CentreLatitude,
                why = "distances in metres true to ~3e-5 within 50 km; centred on the incidents' centre rounded to 0.1° so cell ids (q_r) stay put across filters",
            },
            bins = "Gi_Bin ±3/±2/±1: 99/95/90 % confidence" + (p.FdrCorrected ? ", Benjamini-Hochberg FDR-corrected (q_fdr)" : " from raw p (fdr=false)"),
            filters = request.Filters.Described,
            dataVersion = a.DataVersion,
            trend = trend is null ? null : new
            {
                computed = trend.Patterns is not null, step = trend.Request.Step, timeSteps = trend.Request.TimeSteps,
                why = trend.Patterns is not null
                    ? "each cell's trend is its emerging hot spot pattern (GET /api/hotspots/emerging) of the same filters, cell size, band, step and timeSteps"
                    : "no emerging hot spot run of these parameters yet (GET /api/hotspots/emerging with the same query): cells carry no trend",
            },
        };
    }

    internal static object ChoiceOf(Choice c, string parameter) => new
    {
        value = Math.Round(c.Value, 3),
        rule = JsonNamingPolicy.CamelCase.ConvertName(c.How.ToString()),
        why = c.How == Chosen.Given ? $"given ({parameter}={c.Value.ToString(CultureInfo.InvariantCulture)} m)" : c.Why,
        // the same sentence in both languages, for the viewer to show in the page's
        whyLabel = c.How == Chosen.Given
            ? new Label($"指定（{parameter}={c.Value.ToString(CultureInfo.InvariantCulture)} 米）", $"given ({parameter}={c.Value.ToString(CultureInfo.InvariantCulture)} m)")
            : new Label(c.WhyZh ?? c.Why, c.Why),
    };

    static Dictionary<string, object?> Cell(GiAnalysis a, int c, bool polygon, CellTrends? trend = null)
    {
        var cells = a.Result.Cells;
        var gi = a.Result.Gi;
        var d = new Dictionary<string, object?>
        {
            ["id"] = a.IdOf(c), ["q"] = cells.Q[c], ["r"] = cells.R[c],
            ["lon"] = Math.Round(a.CellLon[c], 7), ["lat"] = Math.Round(a.CellLat[c], 7),
            ["count"] = cells.Count[c], ["z"] = gi.Z[c], ["p"] = gi.P[c], ["q_fdr"] = gi.Q[c], ["bin"] = (int)gi.Bin[c],
            ["neighbours"] = gi.Neighbours[c],
        };
        if (cells.Value[c] != cells.Count[c]) d["value"] = cells.Value[c];
        if (trend?.Patterns is { } patterns) d["trend"] = patterns[c];
        if (polygon) d["polygon"] = new[] { a.Polygon(c) };
        return d;
    }

    static IResult Csv(HttpContext http, GiAnalysis a, CellTrends trend)
    {
        var sb = new StringBuilder();
        HotspotFilters.Line(sb, "id", "q", "r", "lon", "lat", "count", "value", "z", "p", "q_fdr", "bin", "neighbours", "trend");
        var cells = a.Result.Cells;
        var gi = a.Result.Gi;
        for (var c = 0; c < cells.Cells; c++)
            HotspotFilters.Line(sb, a.IdOf(c), cells.Q[c], cells.R[c], Math.Round(a.CellLon[c], 7), Math.Round(a.CellLat[c], 7), cells.Count[c],
                cells.Value[c], gi.Z[c], gi.P[c], gi.Q[c], (int)gi.Bin[c], gi.Neighbours[c], trend.Patterns?[c]);
        http.Response.Headers.ContentDisposition = "attachment; filename=\"hotspots-gi.csv\"";
        return TypedResults.Text(sb.ToString(), "text/csv; charset=utf-8");
    }

    // ---------------------------------------------------------------- one cell

    [GeneratedRegex("^-?[0-9]{1,9}_-?[0-9]{1,9}$")]
    private static partial Regex CellIdPattern();

    static Task<IResult> CellAsync(string id, HttpContext http, ClaimsPrincipal principal, HotspotsStore store, CancellationToken ct) => Guard(async () =>
    {
        if (!CellIdPattern().IsMatch(id)) throw HotspotRefusal.Bad("id", $"'{id}' is not a cell id (q_r, as /api/hotspots/gi answers)");
        var limit = IntParam(http.Request.Query, "limit", 500, 1, 5_000);
        var (a, request, trend) = await AnalysisAsync(http, principal, store, ct);
        if (!a.CellById.TryGetValue(id, out var c))
            throw HotspotRefusal.Of(404, "id", $"no cell {id} holds incidents for these filters, cell size and band");
        var members = a.IncidentsOf(c);
        var incidents = await store.IncidentDetailsAsync(CurrentUser.From(principal), members.Select(i => a.Incidents.Ids[i]).ToArray(), limit, ct);
        var cell = Cell(a, c, true, trend);
        cell["incidents"] = incidents;
        cell["incidentsShown"] = incidents.Count;
        cell["parameters"] = Parameters(a, request, store.Limits, trend);
        return TypedResults.Ok(cell);
    });

    // ---------------------------------------------------------------- when

    static Task<IResult> WhenAsync(HttpContext http, ClaimsPrincipal principal, HotspotsStore store, CancellationToken ct) => Guard(async () =>
    {
        var q = http.Request.Query;
        var user = CurrentUser.From(principal);
        var version = await store.VersionAsync(http, ct);
        var zoneName = await ZoneAsync(store, user, q, version, ct);
        var filters = HotspotFilters.Parse(q, zoneName);
        var given = new[] { "cell", "community", "polygon" }.Where(k => HotspotFilters.Single(q, k) is not null).ToList();
        if (given.Count > 1) throw HotspotRefusal.Bad(given[1], $"give one of cell, community or polygon, not {given[0]} and {given[1]}");

        string? region = null;
        object? regionInfo = null;
        LoadedIncidents current;
        switch (given.FirstOrDefault())
        {
            case "cell":
            {
                var id = HotspotFilters.Single(q, "cell")!;
                if (!CellIdPattern().IsMatch(id)) throw HotspotRefusal.Bad("cell", $"'{id}' is not a cell id (q_r)");
                var request = GiRequestOf(q, zoneName);
                var (a, _) = await AnalysisAsync(store, user, request, version, ct);
                if (!a.CellById.TryGetValue(id, out var c)) throw HotspotRefusal.Of(404, "cell", $"no cell {id} holds incidents for these filters");
                // This period: exactly the cell's incidents as binned; a year earlier: those inside its hexagon.
                var members = a.IncidentsOf(c);
                var all = a.Incidents;
                current = new LoadedIncidents(Pick(all.Ids, members), Pick(all.Lon, members), Pick(all.Lat, members), Pick(all.Weekday, members),
                    Pick(all.Hour, members), Pick(all.Month, members), Pick(all.Day, members));
                var ring = a.Polygon(c);
                region = "POLYGON((" + string.Join(",", ring.Select(p => Invariant($"{p[0]} {p[1]}"))) + "))";
                regionInfo = new { kind = "cell", id, cellSize = a.Result.Parameters.CellSize.Value };
                break;
            }
            case "community":
            {
                var code = HotspotFilters.Single(q, "community")!;
                region = await store.CommunityBoundaryAsync(user, code, ct);
                regionInfo = new { kind = "community", code };
                current = await store.LoadAsync(user, filters, region, ct);
                break;
            }
            case "polygon":
                region = HotspotsStore.PolygonWkt(HotspotFilters.Single(q, "polygon")!);
                regionInfo = new { kind = "polygon", wkt = region };
                current = await store.LoadAsync(user, filters, region, ct);
                break;
            default:
                regionInfo = new { kind = "filtered" };
                current = await store.LoadAsync(user, filters, null, ct);
                break;
        }

        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneName);
        int? MonthOf(DateTimeOffset? t) => t is { } v ? MonthIndex(TimeZoneInfo.ConvertTime(v, zone)) : null;
        // The same period a year earlier: its own read when the period starts somewhere; with no start the
        // incidents read already reach back as far as any exist.
        LoadedIncidents earlier = filters.From is { } from
            ? await store.LoadAsync(user, filters, region, ct, (from.AddYears(-1), (filters.To ?? DateTimeOffset.UtcNow).AddYears(-1)))
            : current;

        var matrix = new int[7][];
        for (var d = 0; d < 7; d++) matrix[d] = new int[24];
        for (var i = 0; i < current.Count; i++) matrix[current.Weekday[i] - 1][current.Hour[i]]++;
        var byMonth = current.Month.GroupBy(m => m).ToDictionary(g => g.Key, g => g.Count());
        var lastYear = earlier.Month.GroupBy(m => m).ToDictionary(g => g.Key, g => g.Count());
        var first = MonthOf(filters.From) ?? (current.Count > 0 ? current.Month.Min() : (int?)null);
        var last = filters.To is { } to ? MonthOf(to.AddTicks(-1)) : current.Count > 0 ? current.Month.Max() : first;
        if (first is not null && last is not null && last - first > 1200)
            throw HotspotRefusal.Of(422, "from", $"the period spans {last - first + 1} months, more than 1200: narrow it");
        var months = first is null || last is null ? [] : Enumerable.Range(first.Value, last.Value - first.Value + 1).Select(m => new
        {
            month = Invariant($"{m / 12:0000}-{m % 12 + 1:00}"),
            count = byMonth.GetValueOrDefault(m),
            lastYear = lastYear.GetValueOrDefault(m - 12),
        }).ToList();
        return TypedResults.Ok(new
        {
            region = regionInfo,
            total = current.Count,
            hourWeekday = matrix,
            months,
            parameters = new
            {
                filters = filters.Described,
                hourWeekday = "rows are ISO weekdays 1 (Monday) to 7 (Sunday), columns hours 0-23, on the bureau's clock",
                lastYear = "each month's count twelve months earlier, same filters and region",
                dataVersion = version,
            },
        });
    });

    static int MonthIndex(DateTimeOffset local) => local.Year * 12 + local.Month - 1;

    static T[] Pick<T>(T[] all, int[] index) => index.Select(i => all[i]).ToArray();

    // ---------------------------------------------------------------- posted points

    static Task<IResult> PointsAsync(HttpContext http, ClaimsPrincipal principal, HotspotsStore store, CancellationToken ct) => Guard(async () =>
    {
        JsonDocument doc;
        try { doc = await JsonDocument.ParseAsync(http.Request.Body, default, ct); }
        catch (JsonException e) { throw HotspotRefusal.Bad("body", $"is not JSON (NaN and Infinity are not JSON numbers either): {e.Message}"); }
        using var _ = doc;
        var posted = PostedPoints.Read(doc.RootElement, http.Request.Query, store.Limits);
        try
        {
            return Posted(posted, store.Limits);
        }
        catch (HotspotInputException e) when (e.Parameter is "points")
        {
            // the statistics' "points" are the posted features
            throw HotspotRefusal.Of(422, "features", e.Message, new Dictionary<string, object?> { ["count"] = e.Actual, ["minimum"] = e.Limit });
        }
    });

    static IResult Posted(PostedPoints posted, HotspotLimits limits)
    {
        var projection = HotspotsStore.ProjectionFor(posted.Lon, posted.Lat);
        var (x, y) = projection.Forward(posted.Lon, posted.Lat);
        if (posted.CellSize is { } size)
        {
            // Binned: the weights summed per hexagon, then Gi* of the cells (as /gi, on the analyst's values).
            var result = OptimizedHotSpots.Analyse(x, y, posted.Weight, new HotSpotOptions
            {
                CellSize = size, DistanceBand = posted.Band, MaxCells = limits.MaxCells, MinPoints = 3, FdrCorrection = posted.Fdr,
            });
            var empty = new LoadedIncidents(new long[posted.Count], posted.Lon, posted.Lat, new int[posted.Count], new int[posted.Count], new int[posted.Count], new int[posted.Count]);
            var a = HotspotsStore.Wrap(empty, projection, result, "posted");
            return TypedResults.Ok(new
            {
                parameters = PostedParameters(posted, projection, ChoiceOf(result.Parameters.CellSize, "cellSize"), result.Parameters.Cells),
                cells = Enumerable.Range(0, result.Cells.Cells).Select(c => Cell(a, c, true)),
            });
        }
        var gi = GiStar.Compute(x, y, posted.Weight, posted.Band, posted.Fdr);
        return TypedResults.Ok(new
        {
            parameters = PostedParameters(posted, projection, null, posted.Count),
            cells = Enumerable.Range(0, posted.Count).Select(i => new Dictionary<string, object?>
            {
                ["id"] = posted.Ids[i], ["lon"] = posted.Lon[i], ["lat"] = posted.Lat[i], ["count"] = 1, ["value"] = posted.Weight[i],
                ["z"] = gi.Z[i], ["p"] = gi.P[i], ["q_fdr"] = gi.Q[i], ["bin"] = (int)gi.Bin[i], ["neighbours"] = gi.Neighbours[i],
            }),
        });
    }

    static object PostedParameters(PostedPoints posted, LocalProjection projection, object? cellSize, int cells) => new
    {
        band = new { value = posted.Band, rule = "given", why = $"given (band={posted.Band.ToString(CultureInfo.InvariantCulture)} m): posted points always name their band" },
        cellSize = cellSize ?? new { value = (double?)null, rule = "none", why = "no cellSize given: each point is a feature of its own, as esda and spdep analyse them" },
        count = posted.Count,
        cells,
        fdrCorrected = posted.Fdr,
        weight = $"the '{posted.WeightProperty}' property of each feature",
        projection = new { kind = "transverse_mercator", centreLon = projection.CentreLongitude, centreLat = projection.CentreLatitude },
    };

    // ---------------------------------------------------------------- emerging

    static Task<IResult> EmergingAsync(HttpContext http, ClaimsPrincipal principal, HotspotsStore store, IBackgroundJobClient hangfire,
        JobStorage storage, CancellationToken ct) => Guard(async () =>
    {
        var user = CurrentUser.From(principal);
        var q = http.Request.Query;
        var version = await store.VersionAsync(http, ct);
        var request = EmergingRequest.Of(q, await ZoneAsync(store, user, q, version, ct));
        var (a, _) = await AnalysisAsync(store, user, request.Gi, version, ct);
        var cube = Cube.Of(a, request, store.Limits);
        if ((long)cube.Cells * cube.Steps > store.Limits.SyncBins)
        {
            var job = hangfire.Enqueue<HotspotJobs>(j => j.EmergingAsync(user, http.Request.QueryString.Value ?? "", null, CancellationToken.None));
            using (var conn = storage.GetConnection()) conn.SetJobParameter(job, HotspotJobs.OwnerParameter, HotspotJobs.OwnerOf(user));
            return TypedResults.Json(new
            {
                job, status = $"/api/hotspots/jobs/{job}",
                why = $"{cube.Cells} cells × {cube.Steps} steps = {(long)cube.Cells * cube.Steps} bins, more than {store.Limits.SyncBins} answered at once",
            }, statusCode: 202);
        }
        var (result, hit) = await HotspotJobs.EmergingAsync(store, user, request, a, cube, version);
        http.Response.Headers["X-GeoTwin-Cache"] = hit ? "hit" : "miss";
        return TypedResults.Text(result, "application/json; charset=utf-8");
    });

    static Task<IResult> JobAsync(string id, ClaimsPrincipal principal, JobStorage storage) => Guard(() =>
    {
        using var conn = storage.GetConnection();
        var data = long.TryParse(id, out _) ? conn.GetJobData(id) : null;
        var user = CurrentUser.From(principal);
        // Another caller's job reads as missing: its result is that caller's scope.
        if (data is null || data.Job?.Type != typeof(HotspotJobs) || conn.GetJobParameter(id, HotspotJobs.OwnerParameter) is not { } owner
            || owner != HotspotJobs.OwnerOf(user))
            return Task.FromResult<IResult>(TypedResults.Problem(statusCode: 404, title: "Not found", detail: $"id: no hot spot job {id} of yours",
                extensions: new Dictionary<string, object?> { ["field"] = "id" }));
        var percent = double.TryParse(conn.GetJobParameter(id, HotspotJobs.PercentParameter), NumberStyles.Float, CultureInfo.InvariantCulture, out var p) ? p : 0;
        var result = conn.GetJobParameter(id, HotspotJobs.ResultParameter);
        var error = conn.GetJobParameter(id, HotspotJobs.ErrorParameter);
        var state = data.State?.ToLowerInvariant() ?? "enqueued";
        return Task.FromResult<IResult>(TypedResults.Ok(new
        {
            id, status = state, percent, phase = conn.GetJobParameter(id, HotspotJobs.PhaseParameter),
            error = error is null ? (JsonElement?)null : JsonDocument.Parse(error).RootElement,
            result = result is null ? (JsonElement?)null : JsonDocument.Parse(result).RootElement,
        }));
    });

    // ---------------------------------------------------------------- shared

    internal static int IntParam(IQueryCollection q, string name, int fallback, int min, int max)
    {
        var text = HotspotFilters.Single(q, name);
        if (text is null) return fallback;
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
            throw HotspotRefusal.Bad(name, $"'{text}' is not a whole number within {min}..{max}");
        return v;
    }

    static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The statistics' refusals (<see cref="HotspotInputException"/>, which knows no HTTP) as the one Refusal, naming
    /// the parameter with the count and the limit; the filters' own refusals pass through to the RefusalHandler.
    /// </summary>
    static async Task<IResult> Guard(Func<Task<IResult>> work)
    {
        try
        {
            return await work();
        }
        catch (HotspotInputException e)
        {
            throw RefusalOf(e);
        }
    }

    /// <summary>The statistics' refusal as the one Refusal (problem+json naming the parameter, with the count and the limit).</summary>
    internal static Refusal RefusalOf(HotspotInputException e)
    {
        var (status, (detail, ext)) = Problem(e);
        return new Refusal(status, detail, (string)ext["field"]!, ext, e);
    }

    /// <summary>The statistics' refusal as the parameter the caller knows it by, with the count and the limit.</summary>
    internal static (int Status, (string Detail, Dictionary<string, object?> Extensions) Problem) Problem(HotspotInputException e)
    {
        // "points" is the statistics' word for what the filters selected: the caller's parameter is the filter set.
        var field = e.Parameter switch { "points" => "incidents", "distanceBand" => "band", var p => p };
        var ext = new Dictionary<string, object?> { ["field"] = field };
        if (e.Actual is { } actual) ext["count"] = actual;
        if (e.Limit is { } limit) ext[e.Actual > limit ? "maximum" : "minimum"] = limit;
        return (422, ($"{field}: {e.Message}", ext));
    }
}
