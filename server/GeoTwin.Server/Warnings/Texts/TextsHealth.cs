namespace GeoTwin.Server.Warnings.Texts;

/// <summary>
/// How the text sender has been going, for /readyz (<c>warningTexts</c>): "failing" while the gateway refuses or does
/// not answer (or texts were given up after their attempts), "pending" while texts wait for their next attempt, "ok"
/// otherwise. Null when no gateway is configured. The server stays ready either way: texts are one part of it.
/// </summary>
public sealed class TextsHealth
{
    readonly Lock _gate = new();
    DateTimeOffset? _lastRun, _lastSent, _failingSince;
    int _failures;
    long _pending, _givenUp;
    string? _error;

    public bool Configured { get; init; }

    /// <summary>One delivery attempt: error null when the gateway took the text.</summary>
    public void Attempted(string? error)
    {
        lock (_gate)
        {
            if (error is null) { _lastSent = DateTimeOffset.UtcNow; _failures = 0; _failingSince = null; _error = null; }
            else { _failures++; _failingSince ??= DateTimeOffset.UtcNow; _error = error; }
        }
    }

    /// <summary>The end of a run: what is left in the outbox.</summary>
    public void Finished(long pending, long givenUp)
    {
        lock (_gate) { _lastRun = DateTimeOffset.UtcNow; _pending = pending; _givenUp = givenUp; }
    }

    public string? Describe()
    {
        if (!Configured) return null;
        lock (_gate)
        {
            if (_failures > 0)
                return $"failing since {_failingSince:u} ({_failures} attempts in a row, {_pending} texts waiting): {_error}";
            if (_givenUp > 0) return $"failing: {_givenUp} texts given up after their attempts ({_pending} waiting)";
            if (_pending > 0) return $"pending: {_pending} texts waiting for their next attempt";
            if (_lastRun is not { } run) return "waiting for its first run";
            return _lastSent is { } sent ? $"ok (last run {run:u}, last text sent {sent:u})" : $"ok (last run {run:u})";
        }
    }
}
