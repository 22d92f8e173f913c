using GeoTwin.DataImport;
using System.Collections.Concurrent;
using System.IO.Compression;
using System.Security.Claims;
using GeoTwin.DataImport.Reading;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Errors;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace GeoTwin.Server.Twin3d;

/// <summary>
/// 3D Tiles served from the tileset folder, and the admin side: upload a .zip/.3tz, convert OSGB, rebuild houses.
/// <para/>
/// Who sees tiles: staff (every role but resident), not scoped by jurisdiction. So the houses tileset carries only
/// each house's use, floors and heights: resident counts are scoped and come from GET /api/houses/counts, and a click
/// opens the house record through the scoped API, which answers only for houses in the caller's jurisdiction.
/// </summary>
public static class Twin3dEndpoints
{
    const string Immutable = "private, max-age=31536000, immutable";

    public static WebApplicationBuilder AddTwin3d(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TilesetFiles.From(builder.Configuration));
        builder.Services.AddSingleton<Twin3dStore>();
        builder.Services.AddSingleton<HousesTileset>();
        builder.Services.AddSingleton<TilesetSources>();
        builder.Services.AddTransient<Twin3dJobs>();
        return builder;
    }

    public static WebApplication MapTwin3dEndpoints(this WebApplication app)
    {
        var origins = (app.Configuration["GeoTwin:Twin3d:CorsOrigins"] ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        var tiles = app.MapGroup("/3dtiles/{name}").WithTags("Twin3d").RequireAuthorization(Policies.Staff)
            .AddEndpointFilter(async (ctx, next) => { Cors(ctx.HttpContext, origins); return await next(ctx); });
        tiles.MapMethods("/tileset.json", ["GET", "HEAD"], EntryAsync).WithName("GetTileset")
            .WithSummary("A tileset's entry point: its current version's tileset.json with content linked at versioned, immutable URLs.");
        tiles.MapMethods("/v/{version}/{**path}", ["GET", "HEAD"], Content).WithName("GetTilesetContent")
            .WithSummary("A file of one version of a tileset: gzip when accepted, ETag/304, byte ranges, cached for a year.");
        // The preflight carries no credentials, so it is answered before sign-in; only configured origins get an answer.
        app.MapMethods("/3dtiles/{**rest}", ["OPTIONS"], (HttpContext http) =>
        {
            if (!Cors(http, origins)) return Results.StatusCode(StatusCodes.Status403Forbidden);
            http.Response.Headers.AccessControlAllowMethods = "GET, HEAD";
            http.Response.Headers.AccessControlAllowHeaders = "Range, If-None-Match, Authorization";
            http.Response.Headers.AccessControlMaxAge = "600";
            return Results.NoContent();
        }).AllowAnonymous().ExcludeFromDescription();

        var api = app.MapGroup("/api/tilesets").WithTags("Twin3d");
        api.MapGet("", async (Twin3dStore store, CancellationToken ct) => TypedResults.Ok(await store.ListAsync(ct)))
            .RequireAuthorization(Policies.Staff).WithName("ListTilesets").WithSummary("Every 3D tileset (houses, photogrammetry, hosted) with its URL and bounds.");
        api.MapPost("", UploadAsync).RequireAuthorization(Policies.Admin).DisableAntiforgery().WithName("UploadTileset")
            .WithSummary("Host a .zip or .3tz of 3D Tiles 1.0/1.1 (multipart: file, name, title?, outsideOk?); refused when its root volume is outside the jurisdiction unless outsideOk.");
        api.MapPost("/osgb", UploadOsgbAsync).RequireAuthorization(Policies.Admin).DisableAntiforgery().WithName("ConvertOsgb")
            .WithSummary("A .zip of a ContextCapture OSGB export (metadata.xml + Data/) converted to 3D Tiles as a job (multipart: file, name, title?, outsideOk?).");
        api.MapPost("/houses/rebuild", async (Twin3dJobs jobs, ClaimsPrincipal user, CancellationToken ct) =>
        {
            var id = await jobs.EnqueueHousesAsync(CurrentUser.From(user).Name, ct);
            return TypedResults.Accepted($"/api/tilesets/jobs/{id}", new { id, status = "queued" });
        }).RequireAuthorization(Policies.Admin).WithName("RebuildHouses").WithSummary("Rebuild the houses tileset from the database as a job.");
        api.MapGet("/jobs/{id:long}", async Task<Results<Ok<TilesetJobStatus>, ProblemHttpResult>> (long id, Twin3dStore store, CancellationToken ct) =>
            await store.GetJobAsync(id, ct) is { } job ? TypedResults.Ok(job) : Problems.NotFound($"no tileset job {id}"))
            .RequireAuthorization(Policies.Staff).WithName("GetTilesetJob").WithSummary("A tileset job: status, percentage, message.");
        return app;
    }

    /// <returns>whether the request's origin is allowed (its headers are then set).</returns>
    static bool Cors(HttpContext http, HashSet<string> origins)
    {
        var origin = http.Request.Headers.Origin.ToString();
        if (origin.Length == 0 || origins.Count == 0 || !(origins.Contains(origin) || origins.Contains("*"))) return false;
        var h = http.Response.Headers;
        h.AccessControlAllowOrigin = origin;
        h.AccessControlAllowCredentials = "true";
        h.AccessControlExposeHeaders = "ETag, Content-Range, Content-Encoding, Content-Length, Accept-Ranges";
        h.Append(HeaderNames.Vary, "Origin");
        return true;
    }

    static bool AcceptsGzip(HttpRequest request) =>
        request.GetTypedHeaders().AcceptEncoding.Any(e => e.Value.Equals("gzip", StringComparison.OrdinalIgnoreCase) && (e.Quality ?? 1) > 0);

    /// <summary>The rewritten entry, plain and gzipped, per published version: built once, served from memory.</summary>
    static readonly ConcurrentDictionary<string, (byte[] Plain, byte[] Gzip)> Entries = new();

    static async Task<IResult> EntryAsync(string name, HttpContext http, Twin3dStore store, CancellationToken ct)
    {
        if (!TilesetFiles.NamePattern().IsMatch(name) || await store.GetAsync(name, ct) is not { } row) return Problems.NotFound($"no tileset '{name}'");
        var entry = await EntryBytesAsync(store.Files, row, ct);
        if (entry is null) return Problems.NotFound($"tileset '{name}' has no files for version {row.Version}");
        var gzip = AcceptsGzip(http.Request);
        http.Response.Headers.CacheControl = "private, no-cache";
        http.Response.Headers.Append(HeaderNames.Vary, "Accept-Encoding");
        if (gzip) http.Response.Headers.ContentEncoding = "gzip";
        return TypedResults.Bytes(gzip ? entry.Value.Gzip : entry.Value.Plain, "application/json",
            entityTag: new EntityTagHeaderValue($"\"{row.Version}{(gzip ? "-gz" : "")}\""));
    }

    static async Task<(byte[] Plain, byte[] Gzip)?> EntryBytesAsync(TilesetFiles files, TilesetRow row, CancellationToken ct)
    {
        var key = $"{row.Name}/{row.Version}";
        if (Entries.TryGetValue(key, out var cached)) return cached;
        var path = Path.Combine(files.VersionFolder(row.Name, row.Version), "tileset.json");
        if (!File.Exists(path)) return null;
        var plain = TilesetFiles.VersionedEntry(await File.ReadAllBytesAsync(path, ct), row.Version);
        using var buffer = new MemoryStream();
        using (var zip = new GZipStream(buffer, CompressionLevel.SmallestSize)) zip.Write(plain);
        return Entries[key] = (plain, buffer.ToArray());
    }

    static IResult Content(string name, string version, string path, HttpContext http, TilesetFiles files)
    {
        if (files.Resolve(name, version, path) is not { } file) return Problems.NotFound($"no file '{path}' in version '{version}' of tileset '{name}'");
        var h = http.Response.Headers;
        h.Append(HeaderNames.Vary, "Accept-Encoding");
        h.CacheControl = Immutable;
        // A range is of the bytes as stored, so ranges are answered from the plain file.
        var gz = file + ".gz";
        var serveGzip = !http.Request.Headers.ContainsKey(HeaderNames.Range) && AcceptsGzip(http.Request) && File.Exists(gz);
        var info = new FileInfo(serveGzip ? gz : file);
        if (serveGzip) h.ContentEncoding = "gzip";
        var tag = new EntityTagHeaderValue($"\"{info.Length:x}-{info.LastWriteTimeUtc.Ticks:x}{(serveGzip ? "-gz" : "")}\"");
        return TypedResults.PhysicalFile(info.FullName, TilesetFiles.ContentType(file), lastModified: info.LastWriteTimeUtc, entityTag: tag, enableRangeProcessing: !serveGzip);
    }

    static long MaxUploadBytes(IConfiguration config) => config.GetValue("GeoTwin:Twin3d:MaxUploadBytes", 2L << 30);

    /// <summary>The multipart form with the upload saved to a temporary file, or the problem to answer.</summary>
    static async Task<(IFormCollection? Form, string? File, IResult? Problem)> ReceiveAsync(HttpContext http, IConfiguration config, string[] extensions, CancellationToken ct)
    {
        var limit = MaxUploadBytes(config);
        if (http.Request.ContentLength > limit) return (null, null, TooLarge(limit));
        if (!http.Request.HasFormContentType) return (null, null, Problems.BadRequest("file", "send multipart/form-data with the archive in the field 'file'"));
        var (form, refused) = await Uploads.ReadFormAsync(http, limit, () => TooLarge(limit), ct);
        if (refused is not null) return (null, null, refused);
        if (form!.Files["file"] is not { Length: > 0 } upload) return (null, null, Problems.BadRequest("file", "is required (a non-empty .zip or .3tz)"));
        if (Problems.CheckText(upload.FileName, 255) is { } bad) return (null, null, Problems.BadRequest("file", $"name {bad}"));
        if (!extensions.Contains(Path.GetExtension(upload.FileName).ToLowerInvariant()))
            return (null, null, Problems.BadRequest("file", $"must be one of {string.Join(" ", extensions)}"));
        if (Problems.CheckText(form["title"].ToString(), 200, required: false) is { } badTitle) return (null, null, Problems.BadRequest("title", badTitle));
        TilesetSources.CheckName(form["name"].ToString()); // a Refusal naming "name", answered by RefusalHandler
        var path = Path.Combine(OwnedFolders.CreateTemp("tileset").FullName, "upload.zip");
        await using (var output = File.Create(path)) await upload.CopyToAsync(output, ct);
        return (form, path, null);
    }

    static async Task<IResult> UploadAsync(HttpContext http, TilesetSources sources, IConfiguration config, CancellationToken ct)
    {
        var (form, file, problem) = await ReceiveAsync(http, config, [".zip", ".3tz"], ct);
        if (problem is not null) return problem;
        try
        {
            var title = form!["title"].ToString() is { Length: > 0 } t ? t : null;
            var published = await sources.RegisterArchiveAsync(file!, form["name"].ToString(), title, IsTrue(form["outsideOk"]), Limits(config), ct);
            return TypedResults.Created($"/3dtiles/{published.Name}/tileset.json", published);
        }
        finally { Directory.Delete(Path.GetDirectoryName(file!)!, recursive: true); }
    }

    static async Task<IResult> UploadOsgbAsync(HttpContext http, Twin3dJobs jobs, TilesetFiles files, IConfiguration config, ClaimsPrincipal user, CancellationToken ct)
    {
        var (form, file, problem) = await ReceiveAsync(http, config, [".zip"], ct);
        if (problem is not null) return problem;
        // Unpacked beside the tilesets, where every node that serves them can read it.
        var folder = Path.Combine(files.Root, ".incoming", Guid.NewGuid().ToString("N"));
        try
        {
            SafeZip.ExtractTo(file!, folder, Limits(config));
            // A zipped export folder: its content moves up, so the job owns (and deletes) one folder.
            if (!File.Exists(Path.Combine(folder, "metadata.xml")) && Directory.GetDirectories(folder) is [var only] && File.Exists(Path.Combine(only, "metadata.xml")))
            {
                Directory.Move(only, folder + ".inner");
                Directory.Delete(folder, recursive: true);
                Directory.Move(folder + ".inner", folder);
            }
            if (!File.Exists(Path.Combine(folder, "metadata.xml")) || !Directory.Exists(Path.Combine(folder, "Data")))
                throw Refusal.BadRequest("file", "the archive holds no ContextCapture export: metadata.xml and Data/ must be at its top");
            var title = form!["title"].ToString() is { Length: > 0 } t ? t : null;
            var id = await jobs.EnqueueOsgbAsync(form["name"].ToString(), title, IsTrue(form["outsideOk"]), folder, CurrentUser.From(user).Name, ct);
            return TypedResults.Accepted($"/api/tilesets/jobs/{id}", new { id, status = "queued" });
        }
        catch (Exception e) when (e is Refusal or GeoTwin.DataImport.Import.ImportRefusedException)
        {
            // the refusal itself is answered by RefusalHandler; the unpacked folder is ours to remove
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
            throw;
        }
        finally { Directory.Delete(Path.GetDirectoryName(file!)!, recursive: true); }
    }

    static ZipLimits Limits(IConfiguration config) => new(MaxTotalBytes: config.GetValue("GeoTwin:Twin3d:MaxUnpackedBytes", 8L << 30), MaxEntries: 200_000);

    static bool IsTrue(Microsoft.Extensions.Primitives.StringValues v) => v.ToString() is "true" or "on" or "1";

    static ProblemHttpResult TooLarge(long limit) => TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Upload too large",
        detail: $"the upload is larger than the {limit:N0}-byte limit (GeoTwin:Twin3d:MaxUploadBytes)");
}
