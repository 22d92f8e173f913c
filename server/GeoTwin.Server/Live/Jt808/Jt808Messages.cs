using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace GeoTwin.Server.Live.Jt808;

/// <summary>The message ids GeoTwin speaks.</summary>
public static class Jt808Ids
{
    public const ushort TerminalReply = 0x0001, Heartbeat = 0x0002, Register = 0x0100, Authenticate = 0x0102,
        Location = 0x0200, BatchLocation = 0x0704, PlatformReply = 0x8001, RegisterReply = 0x8100;
}

/// <summary>The result byte of a platform general reply (0x8001).</summary>
public enum Jt808Result : byte { Success = 0, Failure = 1, MessageError = 2, NotSupported = 3 }

/// <summary>The result byte of a registration reply (0x8100).</summary>
public enum Jt808RegisterResult : byte { Success = 0, VehicleRegistered = 1, NoSuchVehicle = 2, TerminalRegistered = 3, NoSuchTerminal = 4 }

/// <param name="Time">UTC (terminals send UTC+8 local time)</param>
/// <param name="MileageTenthKm">extra 0x01, in 1/10 km; null when not sent</param>
/// <param name="FuelTenthL">extra 0x02, in 1/10 L</param>
/// <param name="RecorderSpeedTenthKmh">extra 0x03, the tachograph's speed in 1/10 km/h</param>
public sealed record Jt808Location(uint Alarm, uint Status, double Lat, double Lon, int AltitudeM, double SpeedKmh, int HeadingDeg,
    DateTime Time, uint? MileageTenthKm, ushort? FuelTenthL, ushort? RecorderSpeedTenthKmh)
{
    /// <summary>Status bit 1: the position is a real fix (not the last known one repeated).</summary>
    public bool Fixed => (Status & 0x2) != 0;
}

public sealed record Jt808Registration(ushort Province, ushort City, string Maker, string Model, string TerminalId, byte PlateColour, string Plate);

public static class Jt808Messages
{
    static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    static Jt808Messages() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>Strings in JT/T 808 are GBK.</summary>
    public static Encoding Gbk => Encoding.GetEncoding("GBK");

    /// <summary>0x0200 (and each item of 0x0704): 28 fixed bytes, then extras as id, length, value.</summary>
    public static Jt808Location ReadLocation(ReadOnlySpan<byte> body)
    {
        if (body.Length < 28) throw new Jt808Exception($"location: {body.Length} bytes, at least 28");
        var alarm = BinaryPrimitives.ReadUInt32BigEndian(body);
        var status = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
        var lat = BinaryPrimitives.ReadUInt32BigEndian(body[8..]) / 1e6;
        var lon = BinaryPrimitives.ReadUInt32BigEndian(body[12..]) / 1e6;
        if ((status & 0x4) != 0) lat = -lat; // south
        if ((status & 0x8) != 0) lon = -lon; // west
        if (lat > 90) throw new Jt808Exception($"location: latitude {lat} is out of range");
        if (lon > 180) throw new Jt808Exception($"location: longitude {lon} is out of range");
        var altitude = BinaryPrimitives.ReadInt16BigEndian(body[16..]);
        var speed = BinaryPrimitives.ReadUInt16BigEndian(body[18..]) / 10.0;
        var heading = BinaryPrimitives.ReadUInt16BigEndian(body[20..]);
        // Some terminals send 360 for north; anything beyond is broken.
        if (heading > 360) throw new Jt808Exception($"location: heading {heading} is out of range (0-359)");
        heading %= 360;
        var time = ReadTime(body.Slice(22, 6));

        uint? mileage = null; ushort? fuel = null, recorderSpeed = null;
        for (var at = 28; at < body.Length;)
        {
            if (at + 2 > body.Length) throw new Jt808Exception($"location: extra at byte {at} is truncated");
            int extra = body[at], length = body[at + 1];
            if (at + 2 + length > body.Length) throw new Jt808Exception($"location: extra 0x{extra:X2} claims {length} bytes, {body.Length - at - 2} remain");
            var value = body.Slice(at + 2, length);
            switch (extra)
            {
                case 0x01 when length == 4: mileage = BinaryPrimitives.ReadUInt32BigEndian(value); break;
                case 0x02 when length == 2: fuel = BinaryPrimitives.ReadUInt16BigEndian(value); break;
                case 0x03 when length == 2: recorderSpeed = BinaryPrimitives.ReadUInt16BigEndian(value); break;
            }
            at += 2 + length;
        }
        return new Jt808Location(alarm, status, lat, lon, altitude, speed, heading, time, mileage, fuel, recorderSpeed);
    }

    /// <summary>BCD YYMMDDhhmmss in UTC+8 (Beijing time), returned in UTC.</summary>
    static DateTime ReadTime(ReadOnlySpan<byte> bcd)
    {
        var text = Jt808Codec.ReadBcd(bcd, "time");
        if (!DateTime.TryParseExact(text, "yyMMddHHmmss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            throw new Jt808Exception($"time: {text} is not a date and time (YYMMDDhhmmss)");
        return DateTime.SpecifyKind(local - ChinaOffset, DateTimeKind.Utc);
    }

    /// <summary>0x0704: count, type (0 regular, 1 blind-area backlog), then each location with its length.</summary>
    public static List<Jt808Location> ReadBatch(ReadOnlySpan<byte> body)
    {
        if (body.Length < 3) throw new Jt808Exception($"batch: {body.Length} bytes, at least 3");
        var count = BinaryPrimitives.ReadUInt16BigEndian(body);
        var items = new List<Jt808Location>(Math.Min((int)count, body.Length / 30));
        var at = 3;
        for (var i = 0; i < count; i++)
        {
            if (at + 2 > body.Length) throw new Jt808Exception($"batch: item {i + 1} of {count} is missing");
            int length = BinaryPrimitives.ReadUInt16BigEndian(body[at..]);
            if (at + 2 + length > body.Length) throw new Jt808Exception($"batch: item {i + 1} claims {length} bytes, {body.Length - at - 2} remain");
            items.Add(ReadLocation(body.Slice(at + 2, length)));
            at += 2 + length;
        }
        return items;
    }

    /// <summary>0x0102: 2011/2013 the whole body is the code; 2019 a length byte, the code, IMEI[15], software version[20].</summary>
    public static string ReadAuthCode(ReadOnlySpan<byte> body, bool version2019)
    {
        if (!version2019) return Gbk.GetString(body).TrimEnd('\0');
        if (body.Length < 1 || body[0] + 1 > body.Length) throw new Jt808Exception("authentication: the code's length byte exceeds the body");
        return Gbk.GetString(body.Slice(1, body[0]));
    }

    /// <summary>0x0100: province, city, maker, model, terminal id, plate colour, plate; field widths differ by version.</summary>
    public static Jt808Registration ReadRegistration(ReadOnlySpan<byte> body, bool version2019)
    {
        // 2019: maker 11, model 30, id 30; 2013: 5, 20, 7; 2011: 5, 8, 7 (told apart by length: 2013's fixed part is 37 bytes).
        var (maker, model, id) = version2019 ? (11, 30, 30) : body.Length >= 37 ? (5, 20, 7) : (5, 8, 7);
        var fixedPart = 4 + maker + model + id + 1;
        if (body.Length < fixedPart) throw new Jt808Exception($"registration: {body.Length} bytes, at least {fixedPart}");
        string Text(ReadOnlySpan<byte> b) => Encoding.ASCII.GetString(b).TrimEnd('\0', ' ');
        return new Jt808Registration(BinaryPrimitives.ReadUInt16BigEndian(body), BinaryPrimitives.ReadUInt16BigEndian(body[2..]),
            Text(body.Slice(4, maker)), Text(body.Slice(4 + maker, model)), Text(body.Slice(4 + maker + model, id)),
            body[fixedPart - 1], Gbk.GetString(body[fixedPart..]));
    }

    /// <summary>0x8001 body: the serial and id of the message answered, and the result.</summary>
    public static byte[] PlatformReply(ushort serial, ushort messageId, Jt808Result result)
    {
        var body = new byte[5];
        BinaryPrimitives.WriteUInt16BigEndian(body, serial);
        BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(2), messageId);
        body[4] = (byte)result;
        return body;
    }

    /// <summary>0x8100 body: the registration's serial, the result and, on success, the authentication code.</summary>
    public static byte[] RegisterReply(ushort serial, Jt808RegisterResult result, string? code)
    {
        var codeBytes = result == Jt808RegisterResult.Success ? Gbk.GetBytes(code ?? "") : [];
        var body = new byte[3 + codeBytes.Length];
        BinaryPrimitives.WriteUInt16BigEndian(body, serial);
        body[2] = (byte)result;
        codeBytes.CopyTo(body, 3);
        return body;
    }
}
