using System.Globalization;
using System.Security;
using System.Text;
using QRCoder;

namespace GeoTwin.Server.Addresses.Plates;

/// <summary>
/// A door plate in the look of GB 17733-2008: a blue plate with a white rim, the address in white and the door number
/// large, the QR (the scan page's URL) on a white square at its right. The QR's side is the plate size asked for
/// (120, 75 or 40 mm); the rest of the plate scales with it. SVG in millimetres for print, PNG of the QR for screens.
/// </summary>
public static class PlateDrawing
{
    public static readonly int[] Sizes = [120, 75, 40];
    public const string Blue = "#0b4ea2";

    /// <summary>M suits a plate: it survives the wear and dirt of a door better than L, and stays small at 40 mm.</summary>
    static QRCodeData Qr(string url) => new QRCodeGenerator().CreateQrCode(url, QRCodeGenerator.ECCLevel.M);

    public static (double Width, double Height) PlateSize(int qrMm) => (qrMm * 2.6, qrMm * 1.2);

    /// <summary>One plate as an SVG group at (x, y), in millimetres.</summary>
    public static void AppendPlate(StringBuilder svg, PlateText plate, string url, int qrMm, double x, double y)
    {
        var (w, h) = PlateSize(qrMm);
        var pad = qrMm * 0.1;
        var f = CultureInfo.InvariantCulture;
        svg.Append(f, $"<g transform=\"translate({x:0.###} {y:0.###})\" data-code=\"{Xml(plate.Code)}\">");
        svg.Append(f, $"<rect width=\"{w:0.###}\" height=\"{h:0.###}\" rx=\"{pad * 0.6:0.###}\" fill=\"{Blue}\"/>");
        svg.Append(f, $"<rect x=\"{pad * 0.3:0.###}\" y=\"{pad * 0.3:0.###}\" width=\"{w - pad * 0.6:0.###}\" height=\"{h - pad * 0.6:0.###}\" rx=\"{pad * 0.4:0.###}\" fill=\"none\" stroke=\"#fff\" stroke-width=\"{qrMm * 0.012:0.###}\"/>");
        var textWidth = w - qrMm - pad * 3;
        var door = plate.DoorNumber ?? "";
        // the door number is the plate's big line, the full address the small one above it; both shrink to fit
        var doorSize = Math.Min(qrMm * 0.42, textWidth / Math.Max(1, Ems(door)));
        var lineSize = Math.Min(qrMm * 0.11, textWidth / Math.Max(1, Ems(plate.FullText)));
        const string font = "font-family=\"'Noto Sans CJK SC','WenQuanYi Micro Hei','Microsoft YaHei',sans-serif\" fill=\"#fff\"";
        svg.Append(f, $"<text x=\"{pad * 1.5:0.###}\" y=\"{pad * 1.5 + lineSize:0.###}\" font-size=\"{lineSize:0.###}\" {font}>{Xml(plate.FullText)}</text>");
        svg.Append(f, $"<text x=\"{pad * 1.5 + textWidth / 2:0.###}\" y=\"{h / 2 + doorSize * 0.45 + lineSize * 0.5:0.###}\" font-size=\"{doorSize:0.###}\" font-weight=\"bold\" text-anchor=\"middle\" {font}>{Xml(door)}</text>");
        // the QR on white, with its own quiet zone of four modules inside the square
        var qrX = w - pad - qrMm;
        var qrY = (h - qrMm) / 2;
        var matrix = Qr(url).ModuleMatrix;
        var n = matrix.Count;
        var m = qrMm / (double)n;
        svg.Append(f, $"<rect x=\"{qrX:0.###}\" y=\"{qrY:0.###}\" width=\"{qrMm}\" height=\"{qrMm}\" fill=\"#fff\"/>");
        svg.Append(f, $"<path fill=\"{Blue}\" transform=\"translate({qrX:0.###} {qrY:0.###}) scale({m:0.######})\" shape-rendering=\"crispEdges\" d=\"");
        for (var row = 0; row < n; row++)
            for (var col = 0; col < n; col++)
                if (matrix[row][col]) svg.Append(f, $"M{col} {row}h1v1h-1z");
        svg.Append("\"/></g>");
    }

    public static string Svg(IReadOnlyList<(PlateText Plate, string Url)> plates, int qrMm)
    {
        // A4 width (210 mm) with 10 mm margins: as many plates a row as fit, at least one
        var (w, h) = PlateSize(qrMm);
        const double gap = 6, margin = 10;
        var perRow = Math.Max(1, (int)((210 - 2 * margin + gap) / (w + gap)));
        if (plates.Count == 1) perRow = 1;
        var rows = (plates.Count + perRow - 1) / perRow;
        var width = plates.Count == 1 ? w : Math.Max(210, 2 * margin + perRow * (w + gap) - gap);
        var height = plates.Count == 1 ? h : 2 * margin + rows * (h + gap) - gap;
        var origin = plates.Count == 1 ? 0 : margin;
        var f = CultureInfo.InvariantCulture;
        var svg = new StringBuilder();
        svg.Append(f, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:0.###}mm\" height=\"{height:0.###}mm\" viewBox=\"0 0 {width:0.###} {height:0.###}\">");
        for (var i = 0; i < plates.Count; i++)
            AppendPlate(svg, plates[i].Plate, plates[i].Url, qrMm, origin + i % perRow * (w + gap), origin + i / perRow * (h + gap));
        return svg.Append("</svg>").ToString();
    }

    /// <summary>The QR alone for a screen: plate-blue modules on white, pixels a module by plate size.</summary>
    public static byte[] Png(string url, int qrMm) =>
        new PngByteQRCode(Qr(url)).GetGraphic(qrMm switch { 120 => 12, 75 => 8, _ => 5 }, [0x0b, 0x4e, 0xa2, 0xff], [0xff, 0xff, 0xff, 0xff]);

    /// <summary>Width of a line in ems: CJK characters are a full em, the rest about half.</summary>
    static double Ems(string text) => text.Sum(c => c > 0x2E80 ? 1.0 : 0.58);

    static string Xml(string text) => SecurityElement.Escape(text) ?? "";
}

public sealed record PlateText(string Code, int ElementType, string FullText, string? DoorNumber, string Status, int Version, DateTimeOffset? ReissuedAt);
