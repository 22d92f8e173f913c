using GeoTwin.Server.Infrastructure.Db;
using Hangfire;

namespace GeoTwin.Server.Warnings.Texts;

/// <summary>The configured gateway, or none: a DI service whatever the configuration says.</summary>
public sealed record TextsConfiguration(SmsGateway? Gateway);

/// <summary>Delivers the outbox every minute (Hangfire recurring job), one sender at a time across the nodes.</summary>
public sealed class WarningTextsJob(WarningTexts texts, TextsConfiguration configuration, IHttpClientFactory clients)
{
    public const string RecurringId = "warnings-texts";

    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    [AutomaticRetry(Attempts = 0)] // each text keeps its own attempts and back-off in the outbox
    public async Task RunAsync(CancellationToken ct)
    {
        if (configuration.Gateway is { } gateway) await texts.DeliverDueAsync(gateway, clients.CreateClient(nameof(WarningTextsJob)), ct);
    }

    /// <summary>GeoTwin:Warnings:Texts:* (Url, Method, BodyTemplate, ContentType, AuthHeader, TimeoutSeconds, MaxAttempts, FirstBackoffSeconds).</summary>
    public static SmsGateway? GatewayFrom(IConfiguration config)
    {
        const string Key = "GeoTwin:Warnings:Texts";
        if (config[$"{Key}:Url"] is not { Length: > 0 } url) return null;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new StartupException($"{Key}:Url: '{url}' is not an http(s) address");
        var method = (config[$"{Key}:Method"] ?? "POST").ToUpperInvariant();
        if (method is not ("POST" or "PUT" or "GET")) throw new StartupException($"{Key}:Method: must be POST, PUT or GET, got {method}");
        var timeout = config.GetValue($"{Key}:TimeoutSeconds", 15);
        var attempts = config.GetValue($"{Key}:MaxAttempts", 12);
        var backoff = config.GetValue($"{Key}:FirstBackoffSeconds", 5.0);
        if (timeout is < 1 or > 300) throw new StartupException($"{Key}:TimeoutSeconds: must be 1..300, got {timeout}");
        if (attempts is < 1 or > 100) throw new StartupException($"{Key}:MaxAttempts: must be 1..100, got {attempts}");
        if (!double.IsFinite(backoff) || backoff is < 0 or > 3600) throw new StartupException($"{Key}:FirstBackoffSeconds: must be 0..3600, got {backoff}");
        var gateway = new SmsGateway
        {
            Url = uri, Method = method, AuthHeader = config[$"{Key}:AuthHeader"], Timeout = TimeSpan.FromSeconds(timeout),
            MaxAttempts = attempts, FirstBackoff = TimeSpan.FromSeconds(backoff),
        };
        if (config[$"{Key}:BodyTemplate"] is { Length: > 0 } template) gateway = gateway with { BodyTemplate = template };
        if (config[$"{Key}:ContentType"] is { Length: > 0 } type) gateway = gateway with { ContentType = type };
        return gateway;
    }

    public sealed class Schedule(IRecurringJobManager jobs, TextsConfiguration configuration) : IHostedService
    {
        public Task StartAsync(CancellationToken ct)
        {
            if (configuration.Gateway is null) jobs.RemoveIfExists(RecurringId);
            else jobs.AddOrUpdate<WarningTextsJob>(RecurringId, j => j.RunAsync(CancellationToken.None), Cron.Minutely());
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
    }
}
