using System.Text;

namespace GeoTwin.DataImport.Reading;

/// <summary>
/// Chinese exports come as UTF-8 or as GBK with no marker saying which. GB18030 decodes every GBK file
/// (it is a superset), so it stands for GBK here.
/// </summary>
public static class TextEncodings
{
    // Static initializers run in text order: the code pages are registered before GB18030 is looked up.
    static readonly bool CodePagesRegistered = RegisterCodePages();

    public static Encoding Gbk { get; } = Encoding.GetEncoding("GB18030");
    public static Encoding Utf8 { get; } = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    static bool RegisterCodePages()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return true;
    }

    /// <summary>
    /// UTF-8 when the whole file decodes as strict UTF-8 (or has a UTF-8 BOM), else GBK. The whole file is scanned,
    /// because a GBK export often starts with pure-ASCII rows and shows its first Chinese character megabytes in.
    /// </summary>
    public static Encoding Detect(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var decoder = new UTF8Encoding(false, throwOnInvalidBytes: true).GetDecoder();
        var buffer = new byte[1 << 16];
        int read;
        try
        {
            while ((read = stream.Read(buffer)) > 0) decoder.GetCharCount(buffer, 0, read, flush: false);
            decoder.GetCharCount([], 0, 0, flush: true);
            return Utf8;
        }
        catch (DecoderFallbackException)
        {
            return Gbk;
        }
    }

    /// <summary>The encoding a Shapefile's .cpg names ("UTF-8", "GBK", "936", "CP936"...); null if it names none we know.</summary>
    public static Encoding? FromName(string? name)
    {
        var n = name?.Trim().ToUpperInvariant().Replace("-", "").Replace("_", "");
        return n switch
        {
            null or "" => null,
            "UTF8" or "65001" => Utf8,
            "GBK" or "GB2312" or "GB18030" or "936" or "CP936" or "54936" or "ANSI936" => Gbk,
            _ => TryGet(n.StartsWith("CP") ? n[2..] : n),
        };
    }

    static Encoding? TryGet(string name)
    {
        _ = CodePagesRegistered;
        try { return int.TryParse(name, out var cp) ? Encoding.GetEncoding(cp) : Encoding.GetEncoding(name); }
        catch (ArgumentException) { return null; }
    }
}
