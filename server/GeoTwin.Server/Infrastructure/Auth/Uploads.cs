using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GeoTwin.Server.Infrastructure.Auth;

/// <summary>
/// Reading a multipart upload (imports, tilesets) under the endpoint's own size limit, with every way the body
/// can go wrong answered as the client's fault, never as a 500: too large (413), cut short (400 "the upload
/// ended early"), not a multipart form (400).
/// </summary>
public static class Uploads
{
    public const string EndedEarly = "the upload ended early: the body stopped before the form's closing boundary; send the whole file again";

    /// <param name="limit">the endpoint's own limit; the server-wide 1 MiB body limit is for everything else</param>
    /// <param name="tooLarge">the endpoint's 413, which names its setting</param>
    public static async Task<(IFormCollection? Form, ProblemHttpResult? Problem)> ReadFormAsync(HttpContext http, long limit, Func<ProblemHttpResult> tooLarge, CancellationToken ct)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = limit + (1 << 20);
        http.Features.Set<IFormFeature>(new FormFeature(http.Request, new FormOptions { MultipartBodyLengthLimit = limit }));
        try
        {
            return (await http.Request.ReadFormAsync(ct), null);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge) { return (null, tooLarge()); }
        // The multipart reader's own limit, the only one of its refusals that is about size.
        catch (InvalidDataException e) when (e.Message.Contains("body length limit", StringComparison.OrdinalIgnoreCase)) { return (null, tooLarge()); }
        catch (InvalidDataException e) { return (null, Problems.BadRequest("file", $"the upload is not a well-formed multipart form: {e.Message}")); }
        // The reader: the body ended without the form's closing boundary (the case a client hears). Kestrel: the connection
        // closed before Content-Length bytes came (nobody left to answer, but no 500 in the log either).
        catch (BadHttpRequestException) { return (null, EndedEarlyProblem()); }
        catch (IOException) { return (null, EndedEarlyProblem()); }
    }

    static ProblemHttpResult EndedEarlyProblem() => Problems.BadRequest("file", EndedEarly);
}
