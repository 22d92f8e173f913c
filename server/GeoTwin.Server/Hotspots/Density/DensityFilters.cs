using System.Globalization;

namespace GeoTwin.Server.Hotspots.Density;

/// <summary>
/// A density request: the shared hotspot filters, parsed and checked by the one rule every hotspot endpoint uses
/// (<see cref="HotspotFilters"/>: category, group, from, to, hours, weekdays, jurisdiction, on the bureau's clock),
/// and the density's own bandwidth.
/// </summary>
public sealed record DensityFilters(HotspotFilters Incidents, double? Bandwidth)
{
    /// <summary>Everything the incidents read and the surface depend on, in a canonical order.</summary>
    public string Key => $"{Incidents.Key}|{Bandwidth?.ToString("R", CultureInfo.InvariantCulture)}";

    /// <summary>Largest bandwidth taken (metres): wider than a city the surface is a blur, and tiles read every point.</summary>
    public const double MaxBandwidth = 50_000;

    /// <summary>The filters and the bandwidth; a bad one is refused (a <c>Refusal</c>, problem+json naming it).</summary>
    public static DensityFilters Parse(IQueryCollection query, string timeZone)
    {
        var incidents = HotspotFilters.Parse(query, timeZone);
        var bandwidth = HotspotFilters.Metres(query, "bandwidth");
        if (bandwidth > MaxBandwidth)
            throw HotspotRefusal.Bad("bandwidth", $"{bandwidth} m is more than the largest taken, {MaxBandwidth} m");
        return new DensityFilters(incidents, bandwidth);
    }
}
