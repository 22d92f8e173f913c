using System.Security.Claims;
using System.Text.Json;
using GeoTwin.DataImport.Crs;
using GeoTwin.DataImport.Import;
using GeoTwin.DataImport.Import.Layers;
using GeoTwin.Server.Infrastructure.Auth;
using Hangfire;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GeoTwin.Server.Import;

public sealed record ImportJobCreated(long Id, string Status);

/// <summary>Uploads imported as jobs: POST a file, then poll its status, percentage and bad-row report.</summary>
public static class ImportEndpoints
{
    const string Uploaders = "import-uploaders";
    static readonly string[] Extensions = [".geojson", ".json", ".ndjson", ".geojsonl", ".geojsons", ".jsonl", ".csv", ".tsv", ".txt", ".gpkg", ".pbf", ".zip"];

    public static WebApplicationBuilder AddImports(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ImportStore>();
        builder.Services.AddTransient<ImportJob>();
        // Admins from the viewer, integrations with an import token.
        builder.Services.AddAuthorizationBuilder().AddPolicy(Uploaders, p => p.RequireAuthenticatedUser()
            .AddRequirements(new RoleOrPurpose([Roles.Admin], "import")));
        return builder;
    }

    public static WebApplication MapImportsEndpoints(this WebApplication app)
    {
        var group = app.MapGroup("/api/imports").WithTags("Import").RequireAuthorization(Uploaders);
        group.MapPost("", UploadAsync).WithName("UploadImport").DisableAntiforgery()
            .WithSummary("Upload a file (multipart: file, layer, srid?, datum?, skipInvalid?, noRepair?, mapping?) to import as a job; 413 beyond GeoTwin:Import:MaxUploadBytes.");
        group.MapGet("/{id:long}", GetAsync).WithName("GetImport")
            .WithSummary("An import job: status, percentage, counts and the bad-row report.");
        return app;
    }

    static long MaxUploadBytes(IConfiguration config) => config.GetValue("GeoTwin:Import:MaxUploadBytes", 512L << 20);

    static async Task<Results<Accepted<ImportJobCreated>, ProblemHttpResult>> UploadAsync(HttpContext http, ClaimsPrincipal user, ImportStore store,
        IBackgroundJobClient jobs, IConfiguration config, CancellationToken ct)
    {
        var limit = MaxUploadBytes(config);
        if (http.Request.ContentLength > limit) return TooLarge(limit);
        if (!http.Request.HasFormContentType) return Problems.BadRequest("file", "send multipart/form-data with the file in the field 'file'");
        var (form, refused) = await Uploads.ReadFormAsync(http, limit, () => TooLarge(limit), ct);
        if (refused is not null) return refused;

        if (form!.Files["file"] is not { Length: > 0 } file) return Problems.BadRequest("file", "is required (a non-empty file)");
        if (Problems.CheckText(file.FileName, 255) is { } nameProblem) return Problems.BadRequest("file", $"name {nameProblem}");
        if (!Extensions.Contains(Path.GetExtension(file.FileName).ToLowerInvariant()))
            return Problems.BadRequest("file", $"must be one of {string.Join(" ", Extensions)} (a Shapefile goes zipped)");
        string layer = form["layer"].ToString();
        if (!LayerCatalog.All.Any(l => l.Name == layer)) return Problems.BadRequest("layer", $"must be one of {string.Join(", ", LayerCatalog.All.Select(l => l.Name))}");
        int? srid = null;
        if (form["srid"] is { Count: > 0 } s)
            if (int.TryParse(s.ToString(), out var n) && n > 0) srid = n; else return Problems.BadRequest("srid", "must be an EPSG code");
        var datum = form["datum"].ToString() is { Length: > 0 } d ? d : null;
        try { WebDatums.Parse(datum); }
        catch (ImportRefusedException) { return Problems.BadRequest("datum", "must be gcj02 or bd09"); }
        var skip = form["skipInvalid"].ToString() is "true" or "on" or "1";
        var noRepair = form["noRepair"].ToString() is "true" or "on" or "1";
        ImportMapping? mapping = null;
        if (form["mapping"].ToString() is { Length: > 0 } json)
        {
            try { mapping = JsonSerializer.Deserialize<ImportMapping>(json, new JsonSerializerOptions { PropertyNameCaseInsensitive = true }); }
            catch (JsonException e) { return Problems.BadRequest("mapping", $"is not a mapping JSON object: {e.Message}"); }
        }

        var caller = CurrentUser.From(user);
        // A token or a station's user writes inside its own subtree only (checked per row by the importer).
        var scope = caller.Scope == "*" ? null : caller.Scope;
        await using var content = file.OpenReadStream();
        var id = await store.CreateAsync(layer, Path.GetFileName(file.FileName), content, new UploadOptions(srid, datum, skip, mapping, noRepair), caller.Name, scope, ct);
        jobs.Enqueue<ImportJob>(j => j.RunAsync(id, CancellationToken.None));
        return TypedResults.Accepted($"/api/imports/{id}", new ImportJobCreated(id, "queued"));
    }

    /// <summary>A job created outside the caller's subtree is answered as if there were none (its report names rows of another station).</summary>
    static async Task<Results<Ok<ImportJobStatus>, ProblemHttpResult>> GetAsync(long id, ClaimsPrincipal user, ImportStore store, CancellationToken ct) =>
        await store.GetAsync(id, CurrentUser.From(user).Scope, ct) is { } job ? TypedResults.Ok(job) : Problems.NotFound($"no import job {id}");

    static ProblemHttpResult TooLarge(long limit) => TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Upload too large",
        detail: $"the upload is larger than the {limit:N0}-byte limit (GeoTwin:Import:MaxUploadBytes)");
}
