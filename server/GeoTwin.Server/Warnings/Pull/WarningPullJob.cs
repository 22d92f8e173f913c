using GeoTwin.Server.Infrastructure.Db;
using Hangfire;

namespace GeoTwin.Server.Warnings.Pull;

/// <summary>How the pull has been going, for /readyz: a stalled feed is said there (the server itself stays ready).</summary>
public sealed class PullHealth
{
    readonly Lock _gate = new();
    DateTimeOffset? _lastOk, _failingSince;
    int _failures;
    string? _error;

    public bool Configured { get; init; }

    public void Record(PullRun run)
    {
        lock (_gate)
        {
            if (run.Ok) { _lastOk = DateTimeOffset.UtcNow; _failures = 0; _failingSince = null; _error = null; }
            else { _failures++; _failingSince ??= run.StartedAt; _error = run.Error; }
        }
    }

    /// <summary>null when no connector is configured.</summary>
    public string? Describe()
    {
        if (!Configured) return null;
        lock (_gate)
        {
            if (_failures > 0) return $"failing since {_failingSince:u} ({_failures} runs in a row): {_error}";
            return _lastOk is { } ok ? $"ok (last run {ok:u})" : "waiting for its first run";
        }
    }
}

/// <summary>The recurring Hangfire job: each configured connector once a run. One run at a time across the nodes.</summary>
/// <summary>The configured pull, or none (Settings null): a DI service whatever the configuration says.</summary>
public sealed record PullConfiguration(PullSettings? Settings);

public sealed class WarningPullJob(IncidentPull pull, PullConfiguration configuration, PullHealth health, IHttpClientFactory clients,
    Texts.WarningTextsJob texts)
{
    public const string RecurringId = "warnings-pull";

    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    [AutomaticRetry(Attempts = 0)] // its own retries with back-off inside a run; the next run is minutes away
    public async Task RunAsync(CancellationToken ct)
    {
        if (configuration.Settings is not { } settings) return;
        if (settings.Url is not null) health.Record(await pull.RunHttpAsync(settings, clients.CreateClient(nameof(WarningPullJob)), ct));
        if (settings.DropFolder is not null) health.Record(await pull.RunDropFolderAsync(settings, ct));
        // The texts this pull raised go now, not at the next minute.
        await texts.RunAsync(ct);
    }

    /// <summary>GeoTwin:Warnings:Pull:* (Url, CursorParameter, AuthHeader, DropFolder, MappingFile, Attempts, TimeoutSeconds); null when neither source is set.</summary>
    public static PullSettings? SettingsFrom(IConfiguration config)
    {
        const string Key = "GeoTwin:Warnings:Pull";
        var url = config[$"{Key}:Url"];
        var drop = config[$"{Key}:DropFolder"];
        if (string.IsNullOrEmpty(url) && string.IsNullOrEmpty(drop)) return null;
        var mapping = config[$"{Key}:MappingFile"] ?? throw new StartupException($"{Key}:MappingFile: the pull needs a mapping file (field names and category codes)");
        try
        {
            Uri? uri = null;
            if (!string.IsNullOrEmpty(url) && (!Uri.TryCreate(url, UriKind.Absolute, out uri) || uri.Scheme is not ("http" or "https")))
                throw new ArgumentException($"Url: '{url}' is not an http(s) address");
            if (!string.IsNullOrEmpty(drop) && !Directory.Exists(drop)) throw new ArgumentException($"DropFolder: '{drop}' is not a folder");
            var attempts = config.GetValue($"{Key}:Attempts", 4);
            var timeout = config.GetValue($"{Key}:TimeoutSeconds", 30);
            if (attempts is < 1 or > 20) throw new ArgumentException($"Attempts: must be 1..20, got {attempts}");
            if (timeout is < 1 or > 600) throw new ArgumentException($"TimeoutSeconds: must be 1..600, got {timeout}");
            return new PullSettings
            {
                Url = uri, DropFolder = string.IsNullOrEmpty(drop) ? null : drop, Mapping = PullMapping.Load(mapping),
                CursorParameter = config[$"{Key}:CursorParameter"] ?? "since", AuthHeader = config[$"{Key}:AuthHeader"],
                Attempts = attempts, Timeout = TimeSpan.FromSeconds(timeout),
            };
        }
        catch (Exception e) when (e is ArgumentException or IOException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new StartupException($"{Key}:{e.Message}");
        }
    }

    /// <summary>Every EveryMinutes (default 10) as a Hangfire recurring job; removed when no source is configured.</summary>
    public sealed class Schedule(IRecurringJobManager jobs, PullConfiguration configuration, IConfiguration config) : IHostedService
    {
        public Task StartAsync(CancellationToken ct)
        {
            var minutes = config.GetValue("GeoTwin:Warnings:Pull:EveryMinutes", 10);
            if (minutes is < 1 or > 59) throw new StartupException($"GeoTwin:Warnings:Pull:EveryMinutes: must be 1..59, got {minutes}");
            if (configuration.Settings is null) jobs.RemoveIfExists(RecurringId);
            else jobs.AddOrUpdate<WarningPullJob>(RecurringId, j => j.RunAsync(CancellationToken.None), $"*/{minutes} * * * *");
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
    }
}
