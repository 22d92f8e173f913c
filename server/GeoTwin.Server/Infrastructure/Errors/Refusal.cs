using Npgsql;

namespace GeoTwin.Server.Infrastructure.Errors;

/// <summary>
/// The one way GeoTwin refuses a request: thrown anywhere below an endpoint (store, SQL step, reader), turned into
/// an RFC 9457 problem+json answer by <see cref="RefusalHandler"/>. The detail names the field or parameter and
/// what was wrong ("limit: 'abc' is not a whole number"); <see cref="Field"/> repeats the name for clients.
/// </summary>
public sealed class Refusal(int status, string detail, string? field = null, IDictionary<string, object?>? extensions = null, Exception? inner = null)
    : Exception(detail, inner)
{
    public int Status { get; } = status;
    public string? Field { get; } = field;
    public IDictionary<string, object?>? Extensions { get; } = extensions;

    /// <summary>400: the value of <paramref name="field"/> is not acceptable; the detail reads "field: reason".</summary>
    public static Refusal BadRequest(string field, string reason, IDictionary<string, object?>? extensions = null) =>
        new(400, $"{field}: {reason}", field, extensions);

    public static Refusal NotFound(string what) => new(404, what);

    public static Refusal Conflict(string what) => new(409, what);

    /// <summary>422: understood, but the rules do not allow it (a transition, a place outside the jurisdiction).</summary>
    public static Refusal Unprocessable(string what, string? field = null, IDictionary<string, object?>? extensions = null) =>
        new(422, what, field, extensions);

    /// <summary>
    /// The SQL step functions raise GT404/GT409/GT422 (RAISE ... USING ERRCODE = 'GT404'); the status is the last
    /// three digits. Other codes are not refusals (a unique violation a store did not expect is a bug, not an answer).
    /// </summary>
    public static int? StatusOf(PostgresException e) => e.SqlState switch
    {
        "GT404" => 404,
        "GT409" => 409,
        "GT422" => 422,
        _ => null,
    };

    public static string TitleOf(int status) => status switch
    {
        400 => "Bad request",
        404 => "Not found",
        409 => "Conflict",
        422 => "Cannot be done",
        _ => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status),
    };
}
