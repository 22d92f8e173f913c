using System.Text.Json;
using GeoTwin.Tiling.Geodesy;

namespace GeoTwin.Server.Twin3d;

/// <summary>A root bounding volume that is not on the Earth: the tileset has no (or a broken) georeference.</summary>
public sealed class NotGeoreferencedException(string message) : Exception(message);

/// <summary>Where a tileset's root bounding volume lies, in degrees and metres above the ellipsoid.</summary>
public sealed record GeoBounds(double West, double South, double East, double North, double MinHeight, double MaxHeight, string From)
{
    public bool Intersects((double W, double S, double E, double N) b) => West <= b.E && East >= b.W && South <= b.N && North >= b.S;

    public override string ToString() =>
        FormattableString.Invariant($"lon {West:0.#####} to {East:0.#####}, lat {South:0.#####} to {North:0.#####} (from the root {From})");
}

/// <summary>
/// The root bounding volume of a tileset.json (3D Tiles 1.0 or 1.1) as lon/lat: a region as given (radians, not
/// affected by transforms); a box's eight corners and a sphere's centre through the root transform to ECEF, then
/// to WGS84. A box or sphere that ends up far from the Earth's surface is a tileset with no georeference.
/// </summary>
public static class RootBounds
{
    /// <summary>Nearer the Earth's centre than this (the polar radius is 6,356 km, the Dead Sea shore about 430 m below it) is not on the Earth.</summary>
    const double MinRadius = 6_300_000, MaxRadius = 6_500_000;

    /// <exception cref="InvalidDataException">not a 3D Tiles tileset.json, or a root volume that is not on the Earth, saying which.</exception>
    public static GeoBounds Read(JsonElement tileset)
    {
        if (tileset.ValueKind != JsonValueKind.Object) throw new InvalidDataException("tileset.json is not a JSON object");
        if (!tileset.TryGetProperty("asset", out var asset) || !asset.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.String)
            throw new InvalidDataException("tileset.json has no asset.version: is it 3D Tiles?");
        if (version.GetString() is not ("1.0" or "1.1" or "0.0"))
            throw new InvalidDataException($"tileset.json is 3D Tiles version '{version.GetString()}'; 1.0 and 1.1 are supported");
        if (!tileset.TryGetProperty("root", out var root) || !root.TryGetProperty("boundingVolume", out var volume))
            throw new InvalidDataException("tileset.json has no root.boundingVolume");
        var transform = root.TryGetProperty("transform", out var t) ? Numbers(t, 16, "root.transform") : ColumnMajor.Identity();

        if (volume.TryGetProperty("region", out var r))
        {
            var v = Numbers(r, 6, "region");
            const double deg = 180 / Math.PI;
            if (v[0] < -Math.PI || v[2] > Math.PI || v[1] < -Math.PI / 2 || v[3] > Math.PI / 2)
                throw new InvalidDataException("the root region is not in radians of longitude and latitude");
            return new GeoBounds(v[0] * deg, v[1] * deg, v[2] * deg, v[3] * deg, v[4], v[5], "region");
        }
        if (volume.TryGetProperty("box", out var b))
        {
            var v = Numbers(b, 12, "box");
            var corners = new List<(double, double, double)>();
            foreach (var sx in (int[])[-1, 1]) foreach (var sy in (int[])[-1, 1]) foreach (var sz in (int[])[-1, 1])
                corners.Add(Apply(transform,
                    v[0] + sx * v[3] + sy * v[6] + sz * v[9],
                    v[1] + sx * v[4] + sy * v[7] + sz * v[10],
                    v[2] + sx * v[5] + sy * v[8] + sz * v[11]));
            return FromEcef(corners, "box");
        }
        if (volume.TryGetProperty("sphere", out var s))
        {
            var v = Numbers(s, 4, "sphere");
            var c = Apply(transform, v[0], v[1], v[2]);
            var r2 = v[3];
            return FromEcef([(c.X - r2, c.Y - r2, c.Z - r2), (c.X + r2, c.Y + r2, c.Z + r2), c], "sphere");
        }
        throw new InvalidDataException("the root boundingVolume is none of region, box or sphere");
    }

    static GeoBounds FromEcef(List<(double X, double Y, double Z)> points, string from)
    {
        var centre = (X: points.Average(p => p.X), Y: points.Average(p => p.Y), Z: points.Average(p => p.Z));
        var radius = Math.Sqrt(centre.X * centre.X + centre.Y * centre.Y + centre.Z * centre.Z);
        if (radius is < MinRadius or > MaxRadius)
            throw new NotGeoreferencedException(FormattableString.Invariant(
                $"the root {from} is centred {radius / 1000:N0} km from the Earth's centre, not on its surface: the tileset has no georeference (a root transform to ECEF is missing)"));
        var geo = points.Select(p => Wgs84.ToGeodetic(p.X, p.Y, p.Z)).ToList();
        return new GeoBounds(geo.Min(g => g.Lon), geo.Min(g => g.Lat), geo.Max(g => g.Lon), geo.Max(g => g.Lat),
            geo.Min(g => g.Height), geo.Max(g => g.Height), from);
    }

    static (double X, double Y, double Z) Apply(double[] m, double x, double y, double z) =>
        (m[0] * x + m[4] * y + m[8] * z + m[12], m[1] * x + m[5] * y + m[9] * z + m[13], m[2] * x + m[6] * y + m[10] * z + m[14]);

    static double[] Numbers(JsonElement e, int count, string what)
    {
        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() != count || e.EnumerateArray().Any(n => n.ValueKind != JsonValueKind.Number))
            throw new InvalidDataException($"{what} must be an array of {count} numbers");
        var v = e.EnumerateArray().Select(n => n.GetDouble()).ToArray();
        if (v.Any(d => !double.IsFinite(d))) throw new InvalidDataException($"{what} holds a number that is not finite");
        return v;
    }
}
