using System.Net.Http.Headers;
using System.Text.Json;
using GeoTwin.Server.Infrastructure.Db;
using GeoTwin.Server.Infrastructure.Errors;

namespace GeoTwin.Server.Coverage.Video;

/// <summary>
/// The bureau's GB/T 28181 video platform, <c>GeoTwin:Video:*</c>: where to ask for a camera's stream and how its
/// answers are spelled. The defaults are WVP-GB28181-pro's: <c>GET /api/play/start/{deviceId}/{channelId}</c> answers
/// <c>{code, msg, data: {flv, ws_flv, hls, rtc, ...}}</c> with code 0 for success, and the token goes in <c>access-token</c>.
/// Other platforms of the same shape differ only in paths and names, so those are settings, not code.
/// </summary>
public sealed record VideoPlatformSettings
{
    public required Uri BaseUrl { get; init; }
    /// <summary>"Name: value", e.g. "access-token: eyJ..." (WVP's JWT header); none when the platform is open to GeoTwin's address.</summary>
    public string? AuthHeader { get; init; }
    public string PlayPath { get; init; } = "/api/play/start/{deviceId}/{channelId}";
    public string StopPath { get; init; } = "/api/play/stop/{deviceId}/{channelId}";
    /// <summary>A GB/T 28181 INVITE may take seconds; past this the panel says the platform did not answer.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
    public string CodeField { get; init; } = "code";
    public string MessageField { get; init; } = "msg";
    public string DataField { get; init; } = "data";
    public string SuccessCode { get; init; } = "0";
    /// <summary>
    /// Where the page fetches the streams from (the media server: ZLMediaKit beside WVP, often another host or port
    /// than the API), e.g. "http://10.1.2.3:18081"; the page's Content-Security-Policy lets the player reach only these.
    /// Default: the platform's own origin.
    /// </summary>
    public IReadOnlyList<string> MediaOrigins { get; init; } = [];
    /// <summary>GeoTwin's name of each URL -> the platform's field in data.</summary>
    public IReadOnlyDictionary<string, string> UrlFields { get; init; } = new Dictionary<string, string>
    {
        ["hls"] = "hls", ["flv"] = "flv", ["wsFlv"] = "ws_flv", ["rtc"] = "rtc",
    };

    /// <summary>The settings, or null when no platform is configured (the panel then says so); a bad value ends the start naming its key.</summary>
    public static VideoPlatformSettings? From(IConfiguration config)
    {
        const string Key = "GeoTwin:Video";
        var s = config.GetSection(Key);
        if (string.IsNullOrWhiteSpace(s["BaseUrl"])) return null;
        if (!Uri.TryCreate(s["BaseUrl"], UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            throw new StartupException($"{Key}:BaseUrl: '{s["BaseUrl"]}' is not an http(s) URL");
        if (s["AuthHeader"] is { Length: > 0 } auth && !auth.Contains(':'))
            throw new StartupException($"{Key}:AuthHeader: needs the form 'Name: value'");
        var seconds = s.GetValue("TimeoutSeconds", 10.0);
        if (seconds is <= 0 or > 120) throw new StartupException($"{Key}:TimeoutSeconds: must be above 0 and at most 120, got {seconds}");
        var d = new VideoPlatformSettings { BaseUrl = url };
        var origins = new List<string>();
        foreach (var o in (s["MediaOrigins"] ?? url.GetLeftPart(UriPartial.Authority)).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Uri.TryCreate(o, UriKind.Absolute, out var origin) || origin.Scheme is not ("http" or "https") || origin.PathAndQuery != "/")
                throw new StartupException($"{Key}:MediaOrigins: '{o}' is not an origin such as http://10.1.2.3:18081");
            origins.Add(origin.GetLeftPart(UriPartial.Authority));
        }
        var fields = new Dictionary<string, string>(d.UrlFields);
        foreach (var child in s.GetSection("UrlFields").GetChildren())
        {
            if (!fields.ContainsKey(child.Key)) throw new StartupException($"{Key}:UrlFields:{child.Key}: not one of {string.Join(", ", d.UrlFields.Keys)}");
            fields[child.Key] = child.Value ?? "";
        }
        return d with
        {
            AuthHeader = s["AuthHeader"] is { Length: > 0 } a ? a : null,
            PlayPath = s["PlayPath"] ?? d.PlayPath,
            StopPath = s["StopPath"] ?? d.StopPath,
            Timeout = TimeSpan.FromSeconds(seconds),
            CodeField = s["CodeField"] ?? d.CodeField,
            MessageField = s["MessageField"] ?? d.MessageField,
            DataField = s["DataField"] ?? d.DataField,
            SuccessCode = s["SuccessCode"] ?? d.SuccessCode,
            UrlFields = fields,
            MediaOrigins = origins,
        };
    }
}

/// <summary>The URLs a player may open (only those the platform gave).</summary>
public sealed record StreamUrls(string CameraId, string? Name, string? Hls, string? Flv, string? WsFlv, string? Rtc);

/// <summary>
/// Asks the platform to play or stop a camera's channel. Every way it can fail is a problem+json the panel can say in
/// words: <c>reason</c> is one of not_configured (503), refused (502: the platform said no, its message kept),
/// unreachable (502), timeout (504), no_stream (502: it answered success with no URL GeoTwin can play).
/// </summary>
public sealed class VideoPlatform(VideoPlatformSettings? settings, IHttpClientFactory clients)
{
    public bool Configured => settings is not null;

    /// <summary>
    /// The page's policy with the media server let in: the players fetch the stream (connect-src) and play it through
    /// Media Source Extensions (a blob: URL) or straight from the server (media-src). Unchanged when no platform is set.
    /// </summary>
    public string ContentSecurityPolicy(string policy)
    {
        if (settings is null || settings.MediaOrigins.Count == 0) return policy;
        var origins = string.Join(' ', settings.MediaOrigins);
        return policy.Replace("connect-src 'self';", $"connect-src 'self' {origins};") + $"; media-src 'self' blob: {origins}";
    }

    public async Task<StreamUrls> PlayAsync(string cameraId, string? name, string deviceId, string channelId, CancellationToken ct)
    {
        using var doc = await AskAsync(settings?.PlayPath, deviceId, channelId, ct);
        var s = settings!;
        if (!doc.RootElement.TryGetProperty(s.DataField, out var data) || data.ValueKind != JsonValueKind.Object)
            throw Fail(502, "no_stream", "the video platform answered without stream URLs");
        string? Url(string key) => s.UrlFields.TryGetValue(key, out var f) && data.TryGetProperty(f, out var v)
            && v.ValueKind == JsonValueKind.String && Uri.TryCreate(v.GetString(), UriKind.Absolute, out var u)
            && u.Scheme is "http" or "https" or "ws" or "wss" ? u.ToString() : null;
        var urls = new StreamUrls(cameraId, name, Url("hls"), Url("flv"), Url("wsFlv"), Url("rtc"));
        if (urls.Hls is null && urls.Flv is null)
            throw Fail(502, "no_stream", "the video platform gave neither an HLS nor an HTTP-FLV URL");
        return urls;
    }

    public async Task StopAsync(string deviceId, string channelId, CancellationToken ct)
    {
        using var _ = await AskAsync(settings?.StopPath, deviceId, channelId, ct, stopping: true);
    }

    async Task<JsonDocument> AskAsync(string? path, string deviceId, string channelId, CancellationToken ct, bool stopping = false)
    {
        if (settings is null || path is null)
            throw Fail(503, "not_configured", "no video platform is configured (GeoTwin:Video:BaseUrl)");
        // Both ids are 20 digits (the schema checks them), so they are safe in a path.
        var relative = path.Replace("{deviceId}", Uri.EscapeDataString(deviceId)).Replace("{channelId}", Uri.EscapeDataString(channelId));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(settings.BaseUrl, relative));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (settings.AuthHeader is { } auth)
        {
            var colon = auth.IndexOf(':');
            request.Headers.TryAddWithoutValidation(auth[..colon].Trim(), auth[(colon + 1)..].Trim());
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(settings.Timeout);
        HttpResponseMessage response;
        try
        {
            response = await clients.CreateClient(nameof(VideoPlatform)).SendAsync(request, timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw Fail(504, "timeout", $"the video platform did not answer within {settings.Timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException e)
        {
            throw Fail(502, "unreachable", $"the video platform could not be reached ({e.Message})");
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
                throw Fail(502, "refused", $"the video platform refused with HTTP {(int)response.StatusCode}", $"HTTP {(int)response.StatusCode}");
            JsonDocument doc;
            try
            {
                doc = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(timeout.Token), default, timeout.Token);
            }
            catch (JsonException)
            {
                throw Fail(502, "refused", "the video platform's answer is not JSON");
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw Fail(504, "timeout", $"the video platform did not finish its answer within {settings.Timeout.TotalSeconds:0.#} s");
            }
            // WVP's stop answers a bare {deviceId, channelId}: no code means it went through.
            var root = doc.RootElement;
            var hasCode = root.ValueKind == JsonValueKind.Object && root.TryGetProperty(settings.CodeField, out var code);
            if (hasCode && root.GetProperty(settings.CodeField).ToString() != settings.SuccessCode || !hasCode && !stopping)
            {
                var message = root.ValueKind == JsonValueKind.Object && root.TryGetProperty(settings.MessageField, out var m) ? m.ToString() : null;
                doc.Dispose();
                throw Fail(502, "refused", $"the video platform refused: {message ?? "no reason given"}", message);
            }
            return doc;
        }
    }

    static Refusal Fail(int status, string reason, string detail, string? platformMessage = null) =>
        new(status, $"video: {detail}", "video", new Dictionary<string, object?>
        {
            ["reason"] = reason,
            // A platform's own words, cut short: shown to the user beside GeoTwin's sentence, never trusted as markup.
            ["platformMessage"] = platformMessage is null ? null : platformMessage.Length > 200 ? platformMessage[..200] : platformMessage,
        });
}
