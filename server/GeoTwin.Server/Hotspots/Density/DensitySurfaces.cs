using System.Collections.Concurrent;
using GeoTwin.Server.Hotspots.Statistics;
using GeoTwin.Server.Infrastructure.Auth;
using GeoTwin.Server.Infrastructure.Db;

namespace GeoTwin.Server.Hotspots.Density;

/// <summary>
/// One query's density surface: its incidents in Web Mercator (indexed by a grid), the bandwidth used and why,
/// and the ramp's maximum. Tiles of one query all draw from it, so they share one bandwidth, one maximum
/// (colours agree across tiles) and one lattice spacing per zoom (tiles meet without a seam).
/// </summary>
public sealed class DensitySurface
{
    const double EarthRadius = 6378137;
    /// <summary>Incidents sampled, evenly in id order, for the ramp's maximum: the 99th percentile of 4,096
    /// densities has a sampling error far below one colour step, and costs ~5 ms instead of ~0.5 s for all.</summary>
    public const int MaxSample = 4096;
    public const double Percentile = 0.99;

    readonly KernelDensity? _kernel;
    readonly double _referenceScale;

    public int Count { get; }
    public Choice? Bandwidth { get; }
    /// <summary>Ramp maximum, incidents per km²: the 99th percentile of the density at the incidents' own places.</summary>
    public double Max { get; }

    public static readonly DensitySurface Empty = new();

    DensitySurface() { }

    public DensitySurface(double[] longitudes, double[] latitudes, double? bandwidth)
    {
        Count = longitudes.Length;
        // The rule works in true metres (a local Transverse Mercator), never in Web Mercator's stretched ones.
        if (bandwidth is { } given) Bandwidth = new Choice(given, Chosen.Given, "given");
        else
        {
            var local = LocalProjection.For(longitudes, latitudes);
            var (x, y) = local.Forward(longitudes, latitudes);
            Bandwidth = KernelDensity.DefaultBandwidth(x, y, []);
        }
        var mx = new double[Count];
        var my = new double[Count];
        var scale = new double[Count];
        double minLat = double.MaxValue, maxLat = double.MinValue;
        for (var i = 0; i < Count; i++)
        {
            var phi = latitudes[i] * Math.PI / 180;
            mx[i] = EarthRadius * longitudes[i] * Math.PI / 180;
            my[i] = EarthRadius * Math.Log(Math.Tan(Math.PI / 4 + phi / 2));
            scale[i] = 1 / Math.Cos(phi);
            minLat = Math.Min(minLat, latitudes[i]);
            maxLat = Math.Max(maxLat, latitudes[i]);
        }
        _kernel = new KernelDensity(mx, my, bandwidth: Bandwidth.Value);
        _referenceScale = 1 / Math.Cos((minLat + maxLat) / 2 * Math.PI / 180);

        var m = Math.Min(Count, MaxSample);
        var sample = new double[m];
        for (var k = 0; k < m; k++)
        {
            var i = (int)((long)k * Count / m);
            sample[k] = _kernel.At(mx[i], my[i], scale[i]) * 1e6;
        }
        Array.Sort(sample);
        Max = sample[Math.Clamp((int)Math.Ceiling(Percentile * m) - 1, 0, m - 1)]; // nearest rank
    }

    /// <summary>Densities (incidents per km²) of the 256 × 256 pixels of tile z/x/y, rows north to south; null when no incidents.</summary>
    public double[]? Tile(int z, int x, int y)
    {
        if (_kernel is null) return null;
        var world = 2 * Math.PI * EarthRadius;
        var pixel = world / (256.0 * (1L << z));
        double x0 = -world / 2 + (x * 256L + 0.5) * pixel, y0 = world / 2 - (y * 256L + 0.5) * pixel;
        // Distances in Web Mercator are 1/cos φ too long; within one tile at z ≥ 10 φ changes too little to matter.
        var centreLat = Math.Atan(Math.Sinh(Math.PI * (1 - 2 * (y + 0.5) / (1L << z))));
        var scale = 1 / Math.Cos(centreLat);
        // One lattice spacing (in pixels) for every tile of this zoom, from the data's middle latitude.
        var spacing = Bandwidth!.Value * _referenceScale / (KernelDensity.NodesPerBandwidth * pixel);
        var density = _kernel.EvaluateFast(x0, y0, pixel, -pixel, 256, 256, scale, x * 256L, y * 256L, spacing >= 1 ? spacing : null);
        for (var i = 0; i < density.Length; i++) density[i] *= 1e6;
        return density;
    }
}

/// <summary>
/// Surfaces by query (caller's scope, filters, incident data version): the first tile or legend of a query reads
/// its incidents once and every later tile of it draws from memory. A new incident moves the data version, so
/// the next request builds a new surface. A few recent queries are kept (a city's is ~10 MB).
/// </summary>
public sealed class DensitySurfaces(ScopedDb db, IConfiguration config)
{
    public static readonly string[] Tables = ["incidents", "jurisdictions"];
    readonly int _keep = config.GetValue("GeoTwin:Hotspots:DensitySurfaces", 8);
    readonly ConcurrentDictionary<string, (Lazy<Task<DensitySurface>> Surface, long Used)> _surfaces = new();
    long _clock;

    public Task<DensitySurface> GetAsync(string key, CurrentUser user, DensityFilters filters)
    {
        var now = Interlocked.Increment(ref _clock);
        var entry = _surfaces.AddOrUpdate(key,
            _ => (new Lazy<Task<DensitySurface>>(() => BuildAsync(user, filters)), now),
            (_, old) => (old.Surface, now));
        var task = entry.Surface.Value;
        // A failed build is not kept: the next request tries again.
        _ = task.ContinueWith(_ =>
        {
            if (_surfaces.TryGetValue(key, out var current) && current.Surface == entry.Surface) _surfaces.TryRemove(KeyValuePair.Create(key, current));
        }, TaskContinuationOptions.NotOnRanToCompletion);
        if (_surfaces.Count > _keep)
            foreach (var old in _surfaces.OrderBy(e => e.Value.Used).Take(_surfaces.Count - _keep).ToList())
                _surfaces.TryRemove(old);
        return task;
    }

    /// <summary>Built apart from any one request's cancellation: other tiles of the query wait on it too.</summary>
    async Task<DensitySurface> BuildAsync(CurrentUser user, DensityFilters filters)
    {
        var f = filters.Incidents;
        var (lon, lat) = await db.RunAsync(user, async session =>
        {
            if (f.Jurisdiction is { } code)
            {
                await using var check = session.Command(EmbeddedSql.Get("Hotspots/Density/jurisdiction_visible.sql"), code);
                if (await check.ExecuteScalarAsync(CancellationToken.None) is not true)
                    throw new HotspotInputException("jurisdiction", $"'{code}' is not a jurisdiction within yours");
            }
            var lons = new List<double>();
            var lats = new List<double>();
            await using var cmd = session.Command(EmbeddedSql.Get("Hotspots/Density/density_points.sql"),
                f.Categories?.ToArray(), f.From, f.To, f.Hours?.ToArray(), f.Weekdays?.ToArray(), f.Jurisdiction, f.TimeZone);
            await using var reader = await cmd.ExecuteReaderAsync(CancellationToken.None);
            while (await reader.ReadAsync(CancellationToken.None))
            {
                lons.Add(reader.GetDouble(0));
                lats.Add(reader.GetDouble(1));
            }
            return (lons.ToArray(), lats.ToArray());
        }, CancellationToken.None);
        return lon.Length == 0 ? DensitySurface.Empty : await Task.Run(() => new DensitySurface(lon, lat, filters.Bandwidth));
    }
}
