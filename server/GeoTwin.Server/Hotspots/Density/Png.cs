using System.Buffers.Binary;
using System.IO.Compression;

namespace GeoTwin.Server.Hotspots.Density;

/// <summary>
/// The smallest PNG writer a raster tile needs: 8-bit RGBA, no interlace, each row filtered with "Sub" (a smooth
/// ramp then deflates to a few kilobytes), zlib from System.IO.Compression. No image library for one format.
/// </summary>
public static class Png
{
    static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    static readonly uint[] CrcTable = MakeCrcTable();

    /// <param name="rgba">width × height × 4 bytes, rows top to bottom.</param>
    public static byte[] Encode(ReadOnlySpan<byte> rgba, int width, int height)
    {
        if (rgba.Length != width * height * 4) throw new ArgumentException("rgba is not width × height × 4 bytes");
        using var png = new MemoryStream();
        png.Write(Signature);
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8;   // bits per channel
        header[9] = 6;   // colour type: RGBA
        header[10] = 0;  // deflate
        header[11] = 0;  // adaptive filtering
        header[12] = 0;  // no interlace
        Chunk(png, "IHDR"u8, header);

        var stride = width * 4;
        var filtered = new byte[(stride + 1) * height];
        for (var r = 0; r < height; r++)
        {
            var row = rgba.Slice(r * stride, stride);
            var o = r * (stride + 1);
            filtered[o] = 1; // Sub: each byte minus the same channel of the pixel to its left
            for (var i = 0; i < stride; i++) filtered[o + 1 + i] = (byte)(row[i] - (i >= 4 ? row[i - 4] : 0));
        }
        using var deflated = new MemoryStream();
        using (var z = new ZLibStream(deflated, CompressionLevel.Fastest, leaveOpen: true)) z.Write(filtered);
        Chunk(png, "IDAT"u8, deflated.GetBuffer().AsSpan(0, (int)deflated.Length));
        Chunk(png, "IEND"u8, []);
        return png.ToArray();
    }

    static void Chunk(Stream png, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> four = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(four, data.Length);
        png.Write(four);
        png.Write(type);
        png.Write(data);
        var crc = Crc(Crc(0xFFFFFFFFu, type), data) ^ 0xFFFFFFFFu;
        BinaryPrimitives.WriteUInt32BigEndian(four, crc);
        png.Write(four);
    }

    static uint Crc(uint crc, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    static uint[] MakeCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
