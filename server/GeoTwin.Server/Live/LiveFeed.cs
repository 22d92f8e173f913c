using Microsoft.AspNetCore.SignalR;

namespace GeoTwin.Server.Live;

/// <param name="State">"live" (fixes arriving), "stalled" (none stored for StallSeconds while they should be), "idle" (no feed expected yet)</param>
/// <param name="SecondsSinceLastFix">since the last committed fix (or since start, when none came yet); null when idle</param>
/// <param name="Simulator">the demo simulator's state: "running", "restarting in 4 s (attempt 2): ...", "idle: ..."; null when it is off</param>
public sealed record LiveFeedState(string State, double? SecondsSinceLastFix, double StallSeconds, string? Simulator);

/// <summary>
/// Whether positions are still arriving. The feed is expected once the simulator runs or once any device has reported;
/// from then on, no committed fix for <see cref="LiveOptions.StallSeconds"/> is a stall: /readyz reports it (the server
/// still serves, so readiness stays "ready") and <see cref="LiveFeedWatch"/> pushes it to every screen.
/// </summary>
public sealed class LiveFeed
{
    readonly DateTime _startedAt = DateTime.UtcNow;
    long _lastFixTicks; // DateTime ticks (UTC) of the last committed group, 0 before the first
    volatile string? _simulator;

    public LiveFeed(LiveUnits units, LiveOptions options)
    {
        StallSeconds = options.StallSeconds;
        units.FixesApplied += () => Interlocked.Exchange(ref _lastFixTicks, DateTime.UtcNow.Ticks);
    }

    public double StallSeconds { get; }

    /// <summary>Set by the simulator's supervisor; null while no simulator runs in this process.</summary>
    public string? Simulator { get => _simulator; set => _simulator = value; }

    public LiveFeedState Now(DateTime now)
    {
        var ticks = Interlocked.Read(ref _lastFixTicks);
        var simulator = _simulator;
        var expected = ticks > 0 || (simulator is not null && !simulator.StartsWith("idle", StringComparison.Ordinal));
        if (!expected) return new LiveFeedState("idle", null, StallSeconds, simulator);
        var since = (now - (ticks > 0 ? new DateTime(ticks, DateTimeKind.Utc) : _startedAt)).TotalSeconds;
        return new LiveFeedState(since > StallSeconds ? "stalled" : "live", Math.Round(Math.Max(0, since), 1), StallSeconds, simulator);
    }
}

/// <summary>Checks the feed every second and tells every connected screen (hub message "feed") when it stalls or recovers.</summary>
/// <remarks>
/// Through the backplane Clients.All reaches every node's viewers: only the leader (NodeLeader) tells them, once. Its
/// LiveFeed hears every node's fixes (LiveRelay raises FixesApplied for other nodes' fixes too).
/// </remarks>
public sealed class LiveFeedWatch(LiveFeed feed, IHubContext<LiveHub> hub, GeoTwin.Server.Infrastructure.Db.NodeLeader leader, ILogger<LiveFeedWatch> log) : BackgroundService
{
    public const string FeedMessage = "feed";

    protected override Task ExecuteAsync(CancellationToken stop) => leader.RunAsync(WatchAsync, stop);

    async Task WatchAsync(CancellationToken stop)
    {
        string? last = null;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync(stop))
        {
            var state = feed.Now(DateTime.UtcNow);
            if (state.State == last) continue;
            if (state.State == "stalled")
                log.LogWarning("live feed stalled: no position stored for {Seconds} s (simulator: {Simulator})", state.SecondsSinceLastFix, state.Simulator ?? "off");
            else if (last == "stalled") log.LogInformation("live feed recovered");
            try
            {
                await hub.Clients.All.SendAsync(FeedMessage, state, stop);
                last = state.State;
            }
            catch (Exception e) when (!stop.IsCancellationRequested) { log.LogWarning("pushing the feed state failed (next second retries): {Error}", e.Message); }
        }
    }
}

/// <summary>Back-off of a supervised loop: doubles from Initial up to Max; a run that lasted HealthyAfter starts afresh.</summary>
public sealed record Backoff(TimeSpan Initial, TimeSpan Max, TimeSpan HealthyAfter)
{
    public static readonly Backoff Default = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(2));

    public TimeSpan After(int attempt) =>
        TimeSpan.FromTicks(Math.Min(Max.Ticks, Initial.Ticks * (1L << Math.Min(Math.Max(attempt - 1, 0), 20))));
}

/// <summary>
/// Runs a loop that should run for the server's life: any exception (a timeout, a database error, a bug) is logged with
/// its reason and the loop is started again after a back-off; only the server stopping ends it. A body that returns
/// normally has finished its work and is not restarted.
/// </summary>
public static class Supervised
{
    /// <param name="state">told "running", "restarting in N s (attempt k): reason" as it goes</param>
    public static async Task RunAsync(string name, Func<CancellationToken, Task> body, Backoff backoff, ILogger log,
        Action<string> state, CancellationToken stop)
    {
        var attempt = 0;
        while (!stop.IsCancellationRequested)
        {
            var started = DateTime.UtcNow;
            try
            {
                state("running");
                await body(stop);
                return;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                if (DateTime.UtcNow - started >= backoff.HealthyAfter) attempt = 0;
                attempt++;
                var wait = backoff.After(attempt);
                var reason = $"{e.GetType().Name}: {e.Message}";
                log.LogError(e, "{Name} failed ({Reason}); restarting in {Seconds} s (attempt {Attempt})", name, reason, wait.TotalSeconds, attempt);
                state($"restarting in {wait.TotalSeconds:0.#} s (attempt {attempt}): {reason}");
                try { await Task.Delay(wait, stop); }
                catch (OperationCanceledException) { return; }
            }
        }
    }
}
