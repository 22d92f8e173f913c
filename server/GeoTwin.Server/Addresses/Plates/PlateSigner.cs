using System.Security.Cryptography;
using System.Text;
using GeoTwin.Server.Infrastructure.Db;
using Npgsql;

namespace GeoTwin.Server.Addresses.Plates;

/// <summary>
/// The one place a plate's signature is made and checked: HMAC-SHA256 over the address code and plate version under
/// the plate key (GeoTwin:Plates:Key, base64, else the database's plate_key row, so every node agrees), cut to 16 bytes
/// (128 bits is far beyond guessing and keeps the QR small enough for a 40 mm plate).
/// </summary>
public sealed class PlateSigner(NpgsqlDataSource db, IConfiguration config)
{
    byte[]? _key;

    async ValueTask<byte[]> KeyAsync(CancellationToken ct)
    {
        if (_key is { } known) return known;
        if (config["GeoTwin:Plates:Key"] is { Length: > 0 } configured)
            return _key = Convert.FromBase64String(configured);
        await using var cmd = db.Sql("Addresses/Plates/plate_key.sql");
        return _key = (byte[])(await cmd.ExecuteScalarAsync(ct))!;
    }

    public async ValueTask<string> SignAsync(string code, int version, CancellationToken ct) =>
        Base64Url(Mac(await KeyAsync(ct), code, version));

    public async ValueTask<bool> VerifyAsync(string code, int version, string signature, CancellationToken ct)
    {
        var expected = Mac(await KeyAsync(ct), code, version);
        var given = FromBase64Url(signature);
        return given is not null && CryptographicOperations.FixedTimeEquals(expected, given);
    }

    /// <summary>The scan page's address, as printed in the QR: {base}/qr/{code}?v={version}&amp;s={signature}.</summary>
    public async ValueTask<string> UrlAsync(string baseUrl, string code, int version, CancellationToken ct) =>
        $"{baseUrl.TrimEnd('/')}/qr/{Uri.EscapeDataString(code)}?v={version}&s={await SignAsync(code, version, ct)}";

    static byte[] Mac(byte[] key, string code, int version) =>
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"geotwin-plate\n{code}\n{version}"))[..16];

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    static byte[]? FromBase64Url(string text)
    {
        if (text.Length != 22) return null;
        try { return Convert.FromBase64String(text.Replace('-', '+').Replace('_', '/') + "=="); }
        catch (FormatException) { return null; }
    }
}
