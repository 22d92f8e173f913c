using GeoTwin.Server.Live.Jt808;

namespace GeoTwin.Server.Tests.Live.Jt808;

/// <summary>The vectors (from the public .NET JT808 library's README and tests), byte for byte.</summary>
public sealed class Jt808CodecTests
{
    static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));
    static byte[] Inner(byte[] frame) => frame[1..^1]; // without the flags

    const string Location = "7E 02 00 00 26 12 34 56 78 90 12 00 7D 02 00 00 00 01 00 00 00 02 00 BA 7F 0E 07 E4 F1 1C 00 28 00 3C 00 00 18 10 15 10 10 10 01 04 00 00 00 64 02 02 00 7D 01 13 7E";

    [Fact]
    public void Location_0x0200_vector()
    {
        var message = Jt808Codec.Decode(Inner(Hex(Location)));
        Assert.Equal(Jt808Ids.Location, message.Header.MessageId);
        Assert.Equal(126, message.Header.Serial);
        Assert.Equal("123456789012", message.Header.Phone);
        Assert.False(message.Header.Version2019);
        var location = Jt808Messages.ReadLocation(message.Body);
        Assert.Equal(1u, location.Alarm);
        Assert.Equal(2u, location.Status);
        Assert.Equal(12.222222, location.Lat, 6);
        Assert.Equal(132.444444, location.Lon, 6);
        Assert.Equal(40, location.AltitudeM);
        Assert.Equal(6.0, location.SpeedKmh);
        Assert.Equal(0, location.HeadingDeg);
        // 2018-10-15 10:10:10 Beijing time is 02:10:10 UTC.
        Assert.Equal(new DateTime(2018, 10, 15, 2, 10, 10, DateTimeKind.Utc), location.Time);
        Assert.Equal(100u, location.MileageTenthKm);
        Assert.Equal((ushort)125, location.FuelTenthL);
    }

    [Fact]
    public void Heartbeat_0x0002_vector()
    {
        var message = Jt808Codec.Decode(Inner(Hex("7E 00 02 00 00 01 23 45 67 89 00 00 0A 81 7E")));
        Assert.Equal(Jt808Ids.Heartbeat, message.Header.MessageId);
        Assert.Equal("12345678900", message.Header.Phone);
        Assert.Equal(10, message.Header.Serial);
        Assert.Empty(message.Body);
    }

    [Fact]
    public void Authentication_0x0102_vector()
    {
        var message = Jt808Codec.Decode(Inner(Hex("7E010200090123456789003039343536313231313131BE7E")));
        Assert.Equal(Jt808Ids.Authenticate, message.Header.MessageId);
        Assert.Equal(12345, message.Header.Serial);
        Assert.Equal("456121111", Jt808Messages.ReadAuthCode(message.Body, message.Header.Version2019));
    }

    [Fact]
    public void Replies_0x8001_and_0x8100_vectors()
    {
        Assert.Equal(Hex("7E80010005012345678900000A0064020000617E"),
            Jt808Codec.Encode(Jt808Ids.PlatformReply, "12345678900", 10, Jt808Messages.PlatformReply(100, Jt808Ids.Location, Jt808Result.Success)));
        Assert.Equal(Hex("7E81000009012345678900000A006400313233343536687E"),
            Jt808Codec.Encode(Jt808Ids.RegisterReply, "12345678900", 10, Jt808Messages.RegisterReply(100, Jt808RegisterResult.Success, "123456")));
    }

    [Fact]
    public void Encoding_escapes_and_decoding_round_trips()
    {
        // A body full of both special bytes: each must be escaped on the wire and come back.
        byte[] body = [0x7E, 0x7D, 0x01, 0x02, 0x7E];
        var frame = Jt808Codec.Encode(0x0900, "13800138000", 0x7E7D, body);
        Assert.DoesNotContain((byte)0x7E, frame[1..^1]);
        var back = Jt808Codec.Decode(Inner(frame));
        Assert.Equal(body, back.Body);
        Assert.Equal(0x7E7D, back.Header.Serial);
        Assert.Equal("13800138000", back.Header.Phone);
    }

    [Fact]
    public void A_2019_header_is_read_with_or_without_its_flag()
    {
        var frame = Jt808Codec.Encode(Jt808Ids.Heartbeat, "13800138000", 7, [], version2019: true);
        var message = Jt808Codec.Decode(Inner(frame));
        Assert.True(message.Header.Version2019);
        Assert.Equal("13800138000", message.Header.Phone);
        Assert.Equal(7, message.Header.Serial);

        // A 2019 terminal that leaves bit 14 clear: the 17-byte header is recognised by the length.
        var raw = Jt808CodecTestsHelpers.Unframe(frame);
        raw[2] &= 0xBF;
        var wrong = Jt808CodecTestsHelpers.Reframe(raw);
        var read = Jt808Codec.Decode(Inner(wrong));
        Assert.True(read.Header.Version2019);
        Assert.Equal("13800138000", read.Header.Phone);
    }

    [Theory]
    [InlineData("7E 00 02 00 00 01 23 45 67 89 00 00 0A 80 7E", "bad checksum")]
    [InlineData("7E 00 02 00 00 01 23 45 7D 03 00 00 0A 81 7E", "bad escape")]
    [InlineData("7E 00 02 00 00 01 23 45 7E", "truncated")]
    [InlineData("7E 00 02 00 05 01 23 45 67 89 00 00 0A 84 7E", "length")]
    [InlineData("7E 00 02 00 00 0A 23 45 67 89 00 00 0A 8A 7E", "not BCD")]
    public void Broken_frames_say_what_is_wrong(string hex, string expected)
    {
        var e = Assert.Throws<Jt808Exception>(() => Jt808Codec.Decode(Inner(Hex(hex))));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Truncated_extras_and_impossible_values_are_refused()
    {
        var body = Jt808Codec.Decode(Inner(Hex(Location))).Body;
        Assert.Contains("extra 0x02", Assert.Throws<Jt808Exception>(() => Jt808Messages.ReadLocation(body[..^1])).Message);
        Assert.Contains("at least 28", Assert.Throws<Jt808Exception>(() => Jt808Messages.ReadLocation(body[..20])).Message);
        var badTime = (byte[])body.Clone();
        badTime[23] = 0x13; // month 13
        Assert.Contains("time", Assert.Throws<Jt808Exception>(() => Jt808Messages.ReadLocation(badTime)).Message);
    }

    [Fact]
    public void The_framer_skips_garbage_and_shared_flags_and_refuses_endless_frames()
    {
        var framer = new Jt808Framer();
        var frames = new List<byte[]>();
        var one = Hex("7E 00 02 00 00 01 23 45 67 89 00 00 0A 81 7E");
        // garbage, a frame, a doubled flag, a frame split across two reads sharing its opening flag with the previous close
        framer.Feed([0x01, 0x02, .. one, 0x7E], frames);
        framer.Feed(one[1..7], frames);
        Assert.True(framer.Partial);
        framer.Feed(one[7..], frames);
        Assert.Equal(2, frames.Count);
        Assert.All(frames, f => Assert.Equal(one[1..^1], f));
        Assert.Equal(2, framer.SkippedBytes);
        Assert.Throws<Jt808Exception>(() => framer.Feed([0x7E, .. new byte[Jt808Codec.MaxEscapedLength + 1]], frames));
    }

    [Fact]
    public void Split_packets_are_joined_in_order_whatever_order_they_come_in()
    {
        var body = Jt808Codec.Decode(Inner(Hex(Location))).Body;
        var a = new Jt808Message(new Jt808Header(Jt808Ids.Location, 10, 0, true, false, 0, "1", 41, 3, 1), body[..10]);
        var b = new Jt808Message(new Jt808Header(Jt808Ids.Location, 10, 0, true, false, 0, "1", 42, 3, 2), body[10..20]);
        var c = new Jt808Message(new Jt808Header(Jt808Ids.Location, body.Length - 20, 0, true, false, 0, "1", 43, 3, 3), body[20..]);
        var joiner = new Jt808Reassembler();
        Assert.Null(joiner.Add(c));
        Assert.Null(joiner.Add(a));
        var whole = joiner.Add(b);
        Assert.NotNull(whole);
        Assert.Equal(body, whole.Body);
        Assert.Equal(41, whole.Header.Serial);
        Assert.Equal(12.222222, Jt808Messages.ReadLocation(whole.Body).Lat, 6);
    }

    [Fact]
    public void A_batch_of_locations_is_read_item_by_item()
    {
        var item = Jt808Codec.Decode(Inner(Hex(Location))).Body;
        byte[] batch = [0x00, 0x02, 0x01, (byte)(item.Length >> 8), (byte)item.Length, .. item, (byte)(item.Length >> 8), (byte)item.Length, .. item];
        var read = Jt808Messages.ReadBatch(batch);
        Assert.Equal(2, read.Count);
        Assert.Contains("item 2", Assert.Throws<Jt808Exception>(() => Jt808Messages.ReadBatch(batch[..^5])).Message);
    }
}

static class Jt808CodecTestsHelpers
{
    /// <summary>The unescaped header and body of a frame, checksum dropped.</summary>
    public static byte[] Unframe(byte[] frame)
    {
        var output = new List<byte>();
        for (var i = 1; i < frame.Length - 1; i++)
            output.Add(frame[i] == 0x7D ? (frame[++i] == 0x02 ? (byte)0x7E : (byte)0x7D) : frame[i]);
        return [.. output[..^1]];
    }

    public static byte[] Reframe(byte[] content)
    {
        var output = new List<byte> { 0x7E };
        foreach (var b in (byte[])[.. content, Jt808Codec.Checksum(content)])
            if (b == 0x7E) output.AddRange([0x7D, 0x02]); else if (b == 0x7D) output.AddRange([0x7D, 0x01]); else output.Add(b);
        output.Add(0x7E);
        return [.. output];
    }
}
