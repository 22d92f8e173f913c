using System.Security.Cryptography;
using System.Text;

namespace GeoTwin.DataImport.Domain;

/// <summary>
/// Name-based UUIDs (RFC 9562 version 5, SHA-1): the same name always gives the same 36-character code,
/// so a standard address made from an OSM element keeps its code (and its printed QR plate) across rebuilds.
/// </summary>
public static class DeterministicUuid
{
    /// <summary>GeoTwin's namespace for address codes (a fixed random UUID).</summary>
    public static readonly Guid AddressNamespace = new("6c1f2f0e-5d0b-4f55-9a3e-2b8f7d9c4a10");

    public static string Make(Guid ns, string name)
    {
        Span<byte> bytes = stackalloc byte[16 + Encoding.UTF8.GetByteCount(name)];
        ns.TryWriteBytes(bytes, bigEndian: true, out _);
        Encoding.UTF8.GetBytes(name, bytes[16..]);
        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(bytes, hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50); // version 5
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // RFC variant
        return new Guid(hash[..16], bigEndian: true).ToString("D");
    }
}
