using System.Net.Sockets;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

namespace GeoTwin.Server.Infrastructure.Db;

/// <summary>
/// A database that is down or restarting is the server's trouble, not the client's and not a bug: 503 with
/// Retry-After, so devices and viewers retry instead of taking a 500 for a final answer.
/// </summary>
public sealed class DatabaseUnavailable : IExceptionHandler
{
    public static bool Is(Exception e) => e switch
    {
        PostgresException pg => pg.SqlState.StartsWith("57P", StringComparison.Ordinal) || pg.SqlState.StartsWith("08", StringComparison.Ordinal),
        NpgsqlException n => n.IsTransient || n.InnerException is SocketException or IOException or TimeoutException,
        SocketException or TimeoutException => true,
        _ => e.InnerException is { } inner && Is(inner),
    };

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (!Is(exception)) return false;
        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        http.Response.Headers.RetryAfter = "1";
        await http.Response.WriteAsJsonAsync(new { status = 503, title = "Service unavailable", detail = "the database is not reachable at the moment: retry shortly" },
            options: null, contentType: "application/problem+json", cancellationToken: ct);
        return true;
    }
}
