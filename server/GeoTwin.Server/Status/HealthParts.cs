namespace GeoTwin.Server.Status;

/// <summary>
/// One background part users depend on (the live feed, the incident pull, the visibility worker, the text sender...)
/// reporting itself in /readyz under <paramref name="Name"/>. A part that is not configured reports null and is left
/// out. Reporting never makes the server "not ready": a part that is failing still lets the rest serve, and says so.
/// </summary>
public sealed record HealthPart(string Name, Func<DateTime, object?> Report);

public static class HealthParts
{
    /// <summary>Adds a part whose report is read from the singleton <typeparamref name="T"/> at every /readyz.</summary>
    public static IServiceCollection AddHealthPart<T>(this IServiceCollection services, string name, Func<T, DateTime, object?> report)
        where T : notnull =>
        services.AddSingleton(sp => { var part = sp.GetRequiredService<T>(); return new HealthPart(name, now => report(part, now)); });

    /// <summary>Every registered part's report by name, nulls left out.</summary>
    public static Dictionary<string, object> Collect(IEnumerable<HealthPart> parts, DateTime now)
    {
        var reports = new Dictionary<string, object>();
        foreach (var part in parts)
            if (part.Report(now) is { } report) reports[part.Name] = report;
        return reports;
    }
}
