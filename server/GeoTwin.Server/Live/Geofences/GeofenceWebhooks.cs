using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using GeoTwin.Server.Status;

namespace GeoTwin.Server.Live.Geofences;

/// <summary>
/// One receiver of fence events: <c>GeoTwin:Geofences:Webhooks:N:Url</c> and, optionally, <c>:Secret</c> (then every
/// body is signed: header <c>X-GeoTwin-Signature: sha256=</c>HMAC-SHA256 of the body in hex, as GitHub signs its hooks).
/// </summary>
public sealed record WebhookTarget(string Url, string? Secret);

/// <summary>
/// Posts stored fence events to the configured receivers as JSON <c>{"events": [GeofenceEventView...]}</c>, in order,
/// each receiver on its own loop so a slow one holds back no other. Delivery is at least once while GeoTwin runs: a
/// failed post (no answer in 10 s, or not 2xx) is logged and retried with back-off up to 30 s, keeping up to 10,000
/// events per receiver in memory (beyond that the oldest are dropped, counted); every event carries its stored id,
/// so a receiver drops repeats. Events raised while GeoTwin is down are not sent afterwards: /api/geofences/events has them.
/// </summary>
public sealed class GeofenceWebhooks(IReadOnlyList<WebhookTarget> targets, IHttpClientFactory clients, ILogger<GeofenceWebhooks> log)
    : BackgroundService
{
    public const int MaxQueued = 10_000;
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    sealed class Receiver(WebhookTarget target)
    {
        public WebhookTarget Target { get; } = target;
        public Channel<GeofenceEventView> Queue { get; } = Channel.CreateBounded<GeofenceEventView>(
            new BoundedChannelOptions(MaxQueued) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest });
        public long Sent, Dropped;
        public volatile string Status = "ok";
        public DateTime? LastFailure;
    }

    readonly Receiver[] _receivers = [.. targets.Select(t => new Receiver(t))];

    public bool Configured => _receivers.Length > 0;

    /// <summary>For /readyz: each receiver's state (no URL: it may carry a token), or null when none is configured.</summary>
    public object? Health() => Configured
        ? _receivers.Select((r, i) => new { receiver = i, status = r.Status, queued = r.Queue.Reader.Count, sent = Interlocked.Read(ref r.Sent),
            dropped = Interlocked.Read(ref r.Dropped), lastFailure = r.LastFailure }).ToList()
        : null;

    public void Offer(IReadOnlyList<GeofenceEventView> events)
    {
        foreach (var r in _receivers)
            foreach (var e in events)
                if (!r.Queue.Writer.TryWrite(e)) Interlocked.Increment(ref r.Dropped);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_receivers.Select(r => DeliverAsync(r, stoppingToken)));

    async Task DeliverAsync(Receiver r, CancellationToken ct)
    {
        var http = clients.CreateClient(nameof(GeofenceWebhooks));
        var batch = new List<GeofenceEventView>();
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            if (batch.Count == 0)
            {
                await r.Queue.Reader.WaitToReadAsync(ct);
                while (batch.Count < 500 && r.Queue.Reader.TryRead(out var e)) batch.Add(e);
            }
            try
            {
                var body = JsonSerializer.SerializeToUtf8Bytes(new { events = batch }, Json);
                using var request = new HttpRequestMessage(HttpMethod.Post, r.Target.Url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                if (r.Target.Secret is { Length: > 0 } secret)
                    request.Headers.Add("X-GeoTwin-Signature", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body)));
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(10));
                using var response = await http.SendAsync(request, timeout.Token);
                if (!response.IsSuccessStatusCode) throw new HttpRequestException($"the receiver answered {(int)response.StatusCode} {response.ReasonPhrase}");
                Interlocked.Add(ref r.Sent, batch.Count);
                batch.Clear();
                failures = 0;
                r.Status = "ok";
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // HttpClient's own timeout and ours both surface as cancellations: neither is a shutdown, so both retry.
                r.Status = "failing";
                r.LastFailure = DateTime.UtcNow;
                var wait = TimeSpan.FromMilliseconds(Math.Min(30_000, 500 * Math.Pow(2, Math.Min(failures++, 6))));
                log.LogWarning("geofence webhook {Receiver}: posting {Count} events failed, retrying in {Wait} s: {Error}",
                    Array.IndexOf(_receivers, r), batch.Count, wait.TotalSeconds, e.Message);
                await Task.Delay(wait, ct);
            }
        }
    }
}

public static class GeofenceWebhookSetup
{
    /// <summary>Reads GeoTwin:Geofences:Webhooks (refusing a URL that is not absolute http(s) at start-up, not at the first event).</summary>
    public static IServiceCollection AddGeofenceWebhooks(this IServiceCollection services, IConfiguration config)
    {
        var targets = config.GetSection("GeoTwin:Geofences:Webhooks").GetChildren().Select(c =>
        {
            var url = c["Url"];
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                throw new InvalidOperationException($"GeoTwin:Geofences:Webhooks:{c.Key}:Url must be an absolute http(s) URL, not '{url}'");
            return new WebhookTarget(url!, c["Secret"]);
        }).ToList();
        services.AddHttpClient(nameof(GeofenceWebhooks));
        services.AddSingleton(sp => new GeofenceWebhooks(targets, sp.GetRequiredService<IHttpClientFactory>(), sp.GetRequiredService<ILogger<GeofenceWebhooks>>()));
        services.AddHostedService(sp => sp.GetRequiredService<GeofenceWebhooks>());
        services.AddHealthPart<GeofenceWebhooks>("geofenceWebhooks", (w, _) => w.Health());
        return services;
    }
}
