using System.Net;
using GeoTwin.Server.Infrastructure.Db;


namespace GeoTwin.Server;

/// <summary>Where GeoTwin listens and where the built client lives.</summary>
public static class Hosting
{
    public const int DefaultPort = 8080;

    /// <summary>Loopback by default: a deployment opens it on purpose with --bind (GEOTWIN_BIND).</summary>
    public static WebApplicationBuilder AddListenAddress(this WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var bindText = config["GeoTwin:Bind"] ?? "127.0.0.1";
        if (!IPAddress.TryParse(bindText, out var bind))
            throw new StartupException($"bind address '{bindText}' is not an IP address: use e.g. --bind 127.0.0.1 or --bind 0.0.0.0");
        var portText = config["GeoTwin:Port"] ?? DefaultPort.ToString();
        if (!int.TryParse(portText, out var port) || port is < 0 or > 65535)
            throw new StartupException($"port '{portText}' is not a port number (0-65535): use --port N or GEOTWIN_PORT");
        if (port != 0 && !PrivateCluster.IsPortFree(port, bind))
            throw new StartupException($"port {port} on {bind} is in use: stop what uses it or choose another with --port N (or GEOTWIN_PORT)");
        var host = bind.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{bind}]" : bind.ToString();
        builder.WebHost.UseUrls($"http://{host}:{port}");
        // JSON APIs take small bodies; an upload endpoint raises its own limit.
        var maxBody = config.GetValue<long>("GeoTwin:MaxRequestBytes", 1 << 20);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = maxBody);
        return builder;
    }

    /// <summary>The client built by Vite: beside the binary when published, in the project folder when built from source.</summary>
    public static string Find()
    {
        var published = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        // an empty wwwroot (left by a build before the client existed) must not hide the real one
        if (File.Exists(Path.Combine(published, "index.html"))) return published;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var source = Path.Combine(dir.FullName, "server", "GeoTwin.Server", "wwwroot");
            if (Directory.Exists(source)) return source;
        }
        return published;
    }

    /// <summary>
    /// Kestrel folds dot segments ("/3dtiles/x/../../etc/passwd", "/imagery/%2E%2E/...") before routing, so such a
    /// request would land on another route, usually the viewer's fallback, and get a 200. A path that needed folding
    /// is a traversal attempt or a broken link: answer 404 and say why, whatever it would have reached.
    /// </summary>
    public static WebApplication UseDotSegmentRefusal(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var raw = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget ?? "";
            var path = raw.Split('?', 2)[0].Replace("%2e", ".", StringComparison.OrdinalIgnoreCase);
            if (!path.Split('/').Any(segment => segment is "." or ".."))
                return next(context);
            return GeoTwin.Server.Infrastructure.Errors.ProblemWriter.WriteAsync(context, StatusCodes.Status404NotFound,
                "path: not found, the path has '.' or '..' segments", "path");
        });
        return app;
    }

    /// <summary>Client-side routes get index.html; a missing client build says so instead of a blank 404.</summary>
    public static WebApplication MapClientFallback(this WebApplication app)
    {
        var index = Path.Combine(app.Environment.WebRootPath ?? "", "index.html");
        if (File.Exists(index))
        {
            // API-like paths keep their 404s; everything else is a viewer route.
            app.MapFallbackToFile("{*path:nonfile:regex(^(?!(api|tiles|3dtiles|imagery|hubs|jobs|openapi)(/|$)).*$)}", "index.html").AllowAnonymous();
        }
        else
        {
            app.MapGet("/", () => TypedResults.Text(
                "GeoTwin is running, but the viewer has not been built: run ./geotwin up (or npm run build in client/).",
                "text/plain; charset=utf-8", statusCode: 503)).ExcludeFromDescription().AllowAnonymous();
        }
        return app;
    }
}
