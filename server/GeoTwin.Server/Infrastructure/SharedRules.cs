namespace GeoTwin.Server.Infrastructure;

/// <summary>
/// Where a deployment may change a shared rule's numbers: read here and nowhere else, so Live's colours and
/// Dispatch's eligibility can never disagree. The rules themselves live in GeoTwin.Domain (vocabulary.json).
/// </summary>
public static class SharedRules
{
    /// <summary>The vocabulary's freshness rule with GeoTwin:Freshness:StaleSeconds / OfflineSeconds applied if set.</summary>
    public static PositionFreshness Freshness(IConfiguration config) => Vocabulary.Freshness.With(
        config.GetValue<int?>("GeoTwin:Freshness:StaleSeconds"), config.GetValue<int?>("GeoTwin:Freshness:OfflineSeconds"));
}
