using System.Buffers.Binary;

namespace GeoTwin.Server.Live;

/// <summary>A unit's new position as a "moves" frame carries it: no call sign, kind or status (the viewer has them).</summary>
public readonly record struct UnitMove(long Id, DateTime Time, double Lon, double Lat, float? SpeedKmh, float? HeadingDeg);

/// <summary>
/// The packed form of position-only changes: 28 bytes a unit, little-endian — id (int64), fix time (int64 Unix ms),
/// lon and lat (int32, 1e-7 degrees, about 1 cm), speed (uint16, 0.01 km/h) and heading (uint16, 0.01 degree), 0xFFFF
/// for none. A frame is a run of these; over the JSON hub protocol it travels as one base64 string. Parsing one is
/// a few integer reads a unit, where a JSON UnitView costs its property names and strings (the push of 10,000
/// units a second to 50 viewers was spent there).
/// </summary>
public static class LiveFrame
{
    public const int RecordBytes = 28;
    const ushort None = 0xFFFF;

    public static void Write(Span<byte> to, LiveUnit unit)
    {
        BinaryPrimitives.WriteInt64LittleEndian(to, unit.Id);
        BinaryPrimitives.WriteInt64LittleEndian(to[8..], new DateTimeOffset(DateTime.SpecifyKind(unit.FixAt!.Value, DateTimeKind.Utc)).ToUnixTimeMilliseconds());
        BinaryPrimitives.WriteInt32LittleEndian(to[16..], (int)Math.Round(unit.Lon * 1e7));
        BinaryPrimitives.WriteInt32LittleEndian(to[20..], (int)Math.Round(unit.Lat * 1e7));
        BinaryPrimitives.WriteUInt16LittleEndian(to[24..], Hundredths(unit.SpeedKmh));
        BinaryPrimitives.WriteUInt16LittleEndian(to[26..], Hundredths(unit.HeadingDeg));
    }

    /// <summary>Every unit of a frame (the .NET reading of what client/src/live/liveSlice.js decodes).</summary>
    public static List<UnitMove> Read(ReadOnlySpan<byte> frame)
    {
        if (frame.Length % RecordBytes != 0) throw new FormatException($"a moves frame is a multiple of {RecordBytes} bytes, not {frame.Length}");
        var moves = new List<UnitMove>(frame.Length / RecordBytes);
        for (var at = 0; at < frame.Length; at += RecordBytes)
        {
            var r = frame.Slice(at, RecordBytes);
            moves.Add(new UnitMove(BinaryPrimitives.ReadInt64LittleEndian(r),
                DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(r[8..])).UtcDateTime,
                BinaryPrimitives.ReadInt32LittleEndian(r[16..]) / 1e7, BinaryPrimitives.ReadInt32LittleEndian(r[20..]) / 1e7,
                FromHundredths(BinaryPrimitives.ReadUInt16LittleEndian(r[24..])), FromHundredths(BinaryPrimitives.ReadUInt16LittleEndian(r[26..]))));
        }
        return moves;
    }

    // Speed (≤ 500 km/h) and heading (< 360) are checked at ingest, so both fit below 0xFFFF.
    static ushort Hundredths(float? v) => v is { } x ? (ushort)Math.Clamp(Math.Round(x * 100), 0, None - 1) : None;

    static float? FromHundredths(ushort v) => v == None ? null : v / 100f;
}
