using System.Buffers.Binary;

namespace GeoTwin.Server.Live.Jt808;

/// <summary>A frame or body that breaks JT/T 808; the message says what, for the log line.</summary>
public sealed class Jt808Exception(string message) : Exception(message);

/// <param name="Version2019">the 2019 header (a protocol version byte and a 20-digit phone)</param>
/// <param name="Phone">the terminal's phone (SIM) number, leading zeros dropped: it is the unit's device id</param>
/// <param name="PackageCount">0 unless the message is split; then the number of packets</param>
/// <param name="PackageIndex">1-based index of this packet when split</param>
public sealed record Jt808Header(ushort MessageId, int BodyLength, int Encryption, bool Split, bool Version2019, byte ProtocolVersion,
    string Phone, ushort Serial, ushort PackageCount = 0, ushort PackageIndex = 0);

public sealed record Jt808Message(Jt808Header Header, byte[] Body);

/// <summary>
/// JT/T 808 framing (2011, 2013, 2019): <c>0x7E | header | body | checksum | 0x7E</c>, the checksum the XOR of header
/// and body, then 0x7E and 0x7D escaped as 0x7D 0x02 and 0x7D 0x01. Integers are big-endian; the phone is BCD.
/// </summary>
public static class Jt808Codec
{
    public const byte Flag = 0x7E, Escape = 0x7D;
    public const int MaxBodyLength = 0x3FF; // the body length is 10 bits of the attribute word
    /// <summary>The longest unescaped frame between the flags: a 2019 header with packet info, the longest body, the checksum.</summary>
    public const int MaxFrameLength = 21 + MaxBodyLength + 1;
    /// <summary>Escaping can at most double a frame: beyond this without a closing flag it is not JT/T 808.</summary>
    public const int MaxEscapedLength = 2 * MaxFrameLength;

    /// <summary>Decodes what lies between two flags: unescape, checksum, header, body.</summary>
    public static Jt808Message Decode(ReadOnlySpan<byte> escaped)
    {
        if (escaped.Length > MaxEscapedLength) throw new Jt808Exception($"frame of {escaped.Length} bytes, longer than any JT/T 808 frame ({MaxEscapedLength})");
        var raw = Unescape(escaped);
        if (raw.Length < 13) throw new Jt808Exception($"truncated frame: {raw.Length} bytes, a header alone is 12");
        var content = raw.AsSpan(0, raw.Length - 1);
        var check = Checksum(content);
        if (check != raw[^1]) throw new Jt808Exception($"bad checksum: 0x{raw[^1]:X2}, the frame's XOR is 0x{check:X2}");

        var id = BinaryPrimitives.ReadUInt16BigEndian(content);
        var attributes = BinaryPrimitives.ReadUInt16BigEndian(content[2..]);
        var bodyLength = attributes & MaxBodyLength;
        var encryption = (attributes >> 10) & 0x7;
        var split = (attributes & 0x2000) != 0;
        var v2019 = (attributes & 0x4000) != 0;
        int HeaderLength(bool v) => (v ? 17 : 12) + (split ? 4 : 0);
        if (HeaderLength(v2019) + bodyLength != content.Length)
        {
            // The length tells which header the device really sent: some 2019 terminals leave bit 14 clear, some
            // older ones set it. Only when neither layout fits is the frame broken.
            if (HeaderLength(!v2019) + bodyLength == content.Length) v2019 = !v2019;
            else throw new Jt808Exception($"length: the header announces a body of {bodyLength} bytes, the frame holds {content.Length - HeaderLength(v2019)}");
        }
        var at = 4;
        byte version = 0;
        if (v2019) version = content[at++];
        var phoneBytes = v2019 ? 10 : 6;
        var phone = ReadBcd(content.Slice(at, phoneBytes), "phone");
        at += phoneBytes;
        phone = phone.TrimStart('0') is { Length: > 0 } trimmed ? trimmed : "0";
        var serial = BinaryPrimitives.ReadUInt16BigEndian(content[at..]);
        at += 2;
        ushort count = 0, index = 0;
        if (split)
        {
            count = BinaryPrimitives.ReadUInt16BigEndian(content[at..]);
            index = BinaryPrimitives.ReadUInt16BigEndian(content[(at + 2)..]);
            at += 4;
            if (count == 0 || index == 0 || index > count) throw new Jt808Exception($"packet {index} of {count}: packets count from 1 to their total");
        }
        return new Jt808Message(new Jt808Header(id, bodyLength, encryption, split, v2019, version, phone, serial, count, index), content[at..].ToArray());
    }

    /// <summary>A whole frame, flags included, for a message to a terminal in the terminal's own header version.</summary>
    public static byte[] Encode(ushort messageId, string phone, ushort serial, ReadOnlySpan<byte> body, bool version2019 = false, byte protocolVersion = 1)
    {
        if (body.Length > MaxBodyLength) throw new ArgumentException($"body of {body.Length} bytes; split it", nameof(body));
        var headerLength = version2019 ? 17 : 12;
        var content = new byte[headerLength + body.Length + 1];
        BinaryPrimitives.WriteUInt16BigEndian(content, messageId);
        BinaryPrimitives.WriteUInt16BigEndian(content.AsSpan(2), (ushort)(body.Length | (version2019 ? 0x4000 : 0)));
        var at = 4;
        if (version2019) content[at++] = protocolVersion;
        var phoneBytes = version2019 ? 10 : 6;
        WriteBcd(content.AsSpan(at, phoneBytes), phone);
        at += phoneBytes;
        BinaryPrimitives.WriteUInt16BigEndian(content.AsSpan(at), serial);
        body.CopyTo(content.AsSpan(headerLength));
        content[^1] = Checksum(content.AsSpan(0, content.Length - 1));
        return EscapeFrame(content);
    }

    public static byte Checksum(ReadOnlySpan<byte> content)
    {
        byte x = 0;
        foreach (var b in content) x ^= b;
        return x;
    }

    static byte[] Unescape(ReadOnlySpan<byte> escaped)
    {
        var output = new byte[escaped.Length];
        var n = 0;
        for (var i = 0; i < escaped.Length; i++)
        {
            var b = escaped[i];
            if (b == Flag) throw new Jt808Exception("bad frame: 0x7E inside a frame");
            if (b != Escape) { output[n++] = b; continue; }
            if (i + 1 == escaped.Length) throw new Jt808Exception("bad escape: 0x7D ends the frame");
            var next = escaped[++i];
            output[n++] = next switch
            {
                0x02 => Flag,
                0x01 => Escape,
                _ => throw new Jt808Exception($"bad escape: 0x7D 0x{next:X2} (only 0x7D 0x01 and 0x7D 0x02 exist)"),
            };
        }
        return output[..n];
    }

    static byte[] EscapeFrame(ReadOnlySpan<byte> content)
    {
        var output = new List<byte>(content.Length + 8) { Flag };
        foreach (var b in content)
        {
            if (b == Flag) { output.Add(Escape); output.Add(0x02); }
            else if (b == Escape) { output.Add(Escape); output.Add(0x01); }
            else output.Add(b);
        }
        output.Add(Flag);
        return [.. output];
    }

    public static string ReadBcd(ReadOnlySpan<byte> bytes, string field)
    {
        Span<char> digits = stackalloc char[bytes.Length * 2];
        for (var i = 0; i < bytes.Length; i++)
        {
            int high = bytes[i] >> 4, low = bytes[i] & 0xF;
            if (high > 9 || low > 9) throw new Jt808Exception($"{field}: 0x{bytes[i]:X2} is not BCD");
            digits[2 * i] = (char)('0' + high);
            digits[2 * i + 1] = (char)('0' + low);
        }
        return new string(digits);
    }

    /// <summary>Right-aligned, zero-padded on the left (the phone 12345678900 is 01 23 45 67 89 00).</summary>
    static void WriteBcd(Span<byte> target, string digits)
    {
        if (digits.Length > target.Length * 2 || !digits.All(char.IsAsciiDigit)) throw new ArgumentException($"'{digits}' does not fit {target.Length} BCD bytes");
        var padded = digits.PadLeft(target.Length * 2, '0');
        for (var i = 0; i < target.Length; i++) target[i] = (byte)(((padded[2 * i] - '0') << 4) | (padded[2 * i + 1] - '0'));
    }
}
