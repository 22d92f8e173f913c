using System.Buffers.Binary;

namespace GeoTwin.Testing;

/// <summary>
/// Small files that lie about their own sizes, written byte by byte, as an attacker with an import token would.
/// Shared by the reader tests (in process, once guarded) and the CLI test (a child process under a heap limit).
/// </summary>
public static class HostileFiles
{
    /// <summary>
    /// A Shapefile (.shp, .shx, .dbf: about 400 bytes in all) of one polygon record of 112 bytes (one ring of four
    /// points, honestly there) whose point count claims <paramref name="claimedPoints"/>; its one attribute is code H-1.
    /// </summary>
    public static string Shapefile(string directory, string name = "hostile", int claimedPoints = 1 << 30)
    {
        var shp = Path.Combine(directory, name + ".shp");
        double[] box = [7.41, 43.73, 7.42, 43.74];
        var content = new byte[112];
        BinaryPrimitives.WriteInt32LittleEndian(content, 5); // polygon
        for (var i = 0; i < 4; i++) BinaryPrimitives.WriteDoubleLittleEndian(content.AsSpan(4 + 8 * i), box[i]);
        BinaryPrimitives.WriteInt32LittleEndian(content.AsSpan(36), 1); // parts
        BinaryPrimitives.WriteInt32LittleEndian(content.AsSpan(40), claimedPoints);
        BinaryPrimitives.WriteInt32LittleEndian(content.AsSpan(44), 0); // the part starts at point 0
        double[] ring = [7.41, 43.73, 7.42, 43.73, 7.42, 43.74, 7.41, 43.73];
        for (var i = 0; i < ring.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(content.AsSpan(48 + 8 * i), ring[i]);

        byte[] Header(int fileBytes)
        {
            var h = new byte[100];
            BinaryPrimitives.WriteInt32BigEndian(h, 9994);
            BinaryPrimitives.WriteInt32BigEndian(h.AsSpan(24), fileBytes / 2);
            BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(28), 1000);
            BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(32), 5);
            for (var i = 0; i < 4; i++) BinaryPrimitives.WriteDoubleLittleEndian(h.AsSpan(36 + 8 * i), box[i]);
            return h;
        }
        var record = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(record, 1);
        BinaryPrimitives.WriteInt32BigEndian(record.AsSpan(4), content.Length / 2);
        File.WriteAllBytes(shp, [.. Header(100 + 8 + content.Length), .. record, .. content]);

        var index = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(index, 50); // offset in 16-bit words
        BinaryPrimitives.WriteInt32BigEndian(index.AsSpan(4), content.Length / 2);
        File.WriteAllBytes(Path.ChangeExtension(shp, ".shx"), [.. Header(108), .. index]);

        // dBASE III: one record, one 10-character field "code".
        var dbf = new byte[32];
        dbf[0] = 3; dbf[1] = 125; dbf[2] = 1; dbf[3] = 1;
        BinaryPrimitives.WriteInt32LittleEndian(dbf.AsSpan(4), 1);
        BinaryPrimitives.WriteInt16LittleEndian(dbf.AsSpan(8), 32 + 32 + 1);
        BinaryPrimitives.WriteInt16LittleEndian(dbf.AsSpan(10), 1 + 10);
        var field = new byte[32];
        "code"u8.CopyTo(field);
        field[11] = (byte)'C';
        field[16] = 10;
        File.WriteAllBytes(Path.ChangeExtension(shp, ".dbf"), [.. dbf, .. field, 0x0D, (byte)' ', .. "H-1       "u8, 0x1A]);
        return shp;
    }
}
