using System.Globalization;

namespace GeoTwin.Server.Hotspots.Density;

/// <summary>One colour of the ramp at a fraction of the query's maximum density; #RRGGBBAA.</summary>
public sealed record RampStop(double Fraction, byte R, byte G, byte B, byte A, Label Label)
{
    public string Color => $"#{R:X2}{G:X2}{B:X2}{A:X2}";
}

/// <summary>
/// The density colour ramp: transparent at zero, then yellow → orange → red → dark red, opaque enough to read
/// over imagery yet never hiding it. Colours are interpolated linearly (alpha too) between stops placed at
/// fractions of the query's maximum; densities above the maximum take the last colour. Zero stays fully
/// transparent, so tiles far from every incident are empty.
/// </summary>
public static class DensityRamp
{
    public static readonly IReadOnlyList<RampStop> Stops =
    [
        new(0.00, 0xFF, 0xE6, 0x00, 0x00, new("无", "none")),
        new(0.10, 0xFF, 0xE6, 0x00, 0xA0, new("低", "low")),
        new(0.40, 0xFF, 0x8C, 0x00, 0xC0, new("中", "medium")),
        new(0.70, 0xE3, 0x1A, 0x1C, 0xD8, new("高", "high")),
        new(1.00, 0x80, 0x00, 0x26, 0xE6, new("很高", "very high")),
    ];

    /// <summary>Densities (any unit) to RGBA bytes against <paramref name="max"/> in the same unit; false when every pixel is transparent.</summary>
    public static bool Paint(ReadOnlySpan<double> density, double max, Span<byte> rgba)
    {
        var any = false;
        for (var i = 0; i < density.Length; i++)
        {
            var v = density[i];
            var o = i * 4;
            if (!(v > 0)) { rgba.Slice(o, 4).Clear(); continue; }
            var t = Math.Min(v / max, 1);
            var k = 1;
            while (k < Stops.Count - 1 && Stops[k].Fraction < t) k++;
            RampStop a = Stops[k - 1], b = Stops[k];
            var f = (t - a.Fraction) / (b.Fraction - a.Fraction);
            rgba[o] = Lerp(a.R, b.R, f);
            rgba[o + 1] = Lerp(a.G, b.G, f);
            rgba[o + 2] = Lerp(a.B, b.B, f);
            rgba[o + 3] = Lerp(a.A, b.A, f);
            any |= rgba[o + 3] != 0;
        }
        return any;
    }

    static byte Lerp(byte a, byte b, double f) => (byte)Math.Round(a + (b - a) * Math.Clamp(f, 0, 1));

    public static string Format(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
}
