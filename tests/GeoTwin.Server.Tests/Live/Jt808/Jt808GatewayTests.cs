using System.Buffers.Binary;
using System.Net.Sockets;
using GeoTwin.Server.Live;
using GeoTwin.Server.Live.Jt808;
using Microsoft.Extensions.DependencyInjection;

namespace GeoTwin.Server.Tests.Live.Jt808;

/// <summary>The gateway over real TCP against the real database: terminal -> unit -> stored -> in memory, and bad input.</summary>
[Collection("postgis")]
public sealed class Jt808GatewayTests(PostgisFixture pg) : IAsyncLifetime
{
    const string Phone1 = "13800138001", Phone2 = "13800138002";
    GeoTwinServer _server = null!;
    int _port;
    long _unit1, _unit2;

    public async Task InitializeAsync()
    {
        _server = await pg.StartServerAsync(new()
        {
            ["GeoTwin:Jt808:Port"] = "0", ["GeoTwin:Jt808:FirstFrameSeconds"] = "3", ["GeoTwin:Jt808:MaxConnections"] = "6",
            ["GeoTwin:Jt808:MaxBadFrames"] = "3",
        });
        (_unit1, _unit2) = await LiveSeed.SeedAsync(_server.Database.DataSource);
        await _server.Database.DataSource.ExecAsync($"UPDATE police_units SET device_id = CASE device_id WHEN 'D1' THEN '{Phone1}' ELSE '{Phone2}' END");
        await _server.App.Services.GetRequiredService<LiveSync>().RefreshAsync(default);
        _port = await _server.App.Services.GetRequiredService<Jt808Gateway>().BoundPort.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>A terminal over a real socket; replies are read as frames.</summary>
    sealed class Terminal(TcpClient tcp, string phone) : IDisposable
    {
        readonly Jt808Framer _framer = new();
        readonly Queue<Jt808Message> _received = new();
        ushort _serial = 1;
        public string Phone { get; } = phone;
        public NetworkStream Stream => tcp.GetStream();

        public static async Task<Terminal> ConnectAsync(int port, string phone)
        {
            var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", port);
            return new Terminal(tcp, phone);
        }

        public async Task<ushort> SendAsync(ushort id, byte[] body, bool v2019 = false)
        {
            var serial = _serial++;
            await Stream.WriteAsync(Jt808Codec.Encode(id, Phone, serial, body, v2019));
            return serial;
        }

        public Task SendRawAsync(byte[] bytes) => Stream.WriteAsync(bytes).AsTask();

        /// <summary>The next reply, or null when the server closed the connection.</summary>
        public async Task<Jt808Message?> ReceiveAsync()
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var buffer = new byte[2048];
            while (_received.Count == 0)
            {
                int read;
                try { read = await Stream.ReadAsync(buffer, deadline.Token); }
                catch (IOException) { return null; }
                if (read == 0) return null;
                var frames = new List<byte[]>();
                _framer.Feed(buffer.AsSpan(0, read), frames);
                foreach (var f in frames) _received.Enqueue(Jt808Codec.Decode(f));
            }
            return _received.Dequeue();
        }

        /// <summary>The result of the general reply to <paramref name="serial"/>.</summary>
        public async Task<Jt808Result> ResultOfAsync(ushort serial, ushort id)
        {
            var reply = await ReceiveAsync() ?? throw new Xunit.Sdk.XunitException("connection closed instead of a reply");
            Assert.Equal(Jt808Ids.PlatformReply, reply.Header.MessageId);
            Assert.Equal(serial, BinaryPrimitives.ReadUInt16BigEndian(reply.Body));
            Assert.Equal(id, BinaryPrimitives.ReadUInt16BigEndian(reply.Body.AsSpan(2)));
            return (Jt808Result)reply.Body[4];
        }

        public async Task<string> RegisterAndAuthenticateAsync()
        {
            var serial = await SendAsync(Jt808Ids.Register, Registration());
            var reply = await ReceiveAsync();
            Assert.NotNull(reply);
            Assert.Equal(Jt808Ids.RegisterReply, reply.Header.MessageId);
            Assert.Equal(serial, BinaryPrimitives.ReadUInt16BigEndian(reply.Body));
            Assert.Equal((byte)Jt808RegisterResult.Success, reply.Body[2]);
            var code = System.Text.Encoding.ASCII.GetString(reply.Body, 3, reply.Body.Length - 3);
            var auth = await SendAsync(Jt808Ids.Authenticate, System.Text.Encoding.ASCII.GetBytes(code));
            Assert.Equal(Jt808Result.Success, await ResultOfAsync(auth, Jt808Ids.Authenticate));
            return code;
        }

        public void Dispose() => tcp.Dispose();
    }

    static byte[] Registration() =>
        [0x00, 0x2C, 0x01, 0x2C, .. "GTWIN"u8, .. "GT-808-TEST\0\0\0\0\0\0\0\0\0"u8, .. "T000001"u8, 0x01, .. Jt808Messages.Gbk.GetBytes("琼B12345")];

    /// <summary>A 0x0200 body: Beijing-time BCD timestamp, degrees x 1e6, speed in 0.1 km/h, mileage extra.</summary>
    static byte[] Location(DateTime utc, double lon, double lat, double speedKmh = 36, int heading = 90)
    {
        var body = new byte[28 + 6];
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(4), 0x2); // fixed
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(8), (uint)Math.Round(lat * 1e6));
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(12), (uint)Math.Round(lon * 1e6));
        BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(16), 12);
        BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(18), (ushort)Math.Round(speedKmh * 10));
        BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(20), (ushort)heading);
        Convert.FromHexString(utc.AddHours(8).ToString("yyMMddHHmmss")).CopyTo(body, 22);
        body[28] = 0x01; body[29] = 4;
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(30), 1234);
        return body;
    }

    static DateTime Second(DateTime t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc);

    [Fact]
    public async Task A_terminal_registers_authenticates_heartbeats_and_its_positions_are_stored_before_they_are_acknowledged()
    {
        using var t = await Terminal.ConnectAsync(_port, Phone1);
        await t.RegisterAndAuthenticateAsync();
        var beat = await t.SendAsync(Jt808Ids.Heartbeat, []);
        Assert.Equal(Jt808Result.Success, await t.ResultOfAsync(beat, Jt808Ids.Heartbeat));

        var at = Second(DateTime.UtcNow.AddSeconds(-5));
        var serial = await t.SendAsync(Jt808Ids.Location, Location(at, 7.4215, 43.7375));
        Assert.Equal(Jt808Result.Success, await t.ResultOfAsync(serial, Jt808Ids.Location));
        // Acknowledged means stored: the row is there the moment the reply is.
        var db = _server.Database.DataSource;
        Assert.Equal(1, await db.ScalarAsync<long>(
            "SELECT count(*) FROM unit_positions WHERE unit_id = $1 AND fix_time = $2 AND abs(ST_X(position) - 7.4215) < 1e-6 AND abs(ST_Y(position) - 43.7375) < 1e-6 AND abs(speed_kmh - 36) < 0.01",
            _unit1, at));
        var unit = _server.App.Services.GetRequiredService<LiveUnits>().Find(_unit1)!;
        Assert.Equal(at, unit.FixAt);
        Assert.Equal(7.4215, unit.Lon, 6);

        // A 2019 terminal (version flag, 20-digit phone) on its own connection: the reply comes back in its header.
        using var t2 = await Terminal.ConnectAsync(_port, Phone2);
        var reg = await t2.SendAsync(Jt808Ids.Register, Registration(), v2019: false);
        var registered = await t2.ReceiveAsync();
        var code = System.Text.Encoding.ASCII.GetString(registered!.Body, 3, registered.Body.Length - 3);
        var auth = await t2.SendAsync(Jt808Ids.Authenticate, [(byte)code.Length, .. System.Text.Encoding.ASCII.GetBytes(code), .. new byte[35]], v2019: true);
        var reply = await t2.ReceiveAsync();
        Assert.True(reply!.Header.Version2019);
        Assert.Equal((byte)Jt808Result.Success, reply.Body[4]);
        Assert.Equal(auth, BinaryPrimitives.ReadUInt16BigEndian(reply.Body));
        Assert.NotEqual(0, reg);
    }

    [Fact]
    public async Task Batches_and_split_packets_are_stored_whole()
    {
        using var t = await Terminal.ConnectAsync(_port, Phone1);
        await t.RegisterAndAuthenticateAsync();
        var start = Second(DateTime.UtcNow.AddSeconds(-60));
        var items = Enumerable.Range(0, 3).Select(i => Location(start.AddSeconds(i), 7.42 + i * 0.001, 43.73)).ToList();
        var batch = new List<byte> { 0x00, 0x03, 0x01 };
        foreach (var item in items) { batch.Add((byte)(item.Length >> 8)); batch.Add((byte)item.Length); batch.AddRange(item); }
        var serial = await t.SendAsync(Jt808Ids.BatchLocation, [.. batch]);
        Assert.Equal(Jt808Result.Success, await t.ResultOfAsync(serial, Jt808Ids.BatchLocation));
        Assert.Equal(3, await _server.Database.DataSource.ScalarAsync<long>("SELECT count(*) FROM unit_positions WHERE unit_id = $1", _unit1));

        // One location in two packets (bit 13 with count and index), serials 500 and 501.
        var body = Location(start.AddSeconds(10), 7.43, 43.731);
        byte[] Packet(ushort serial, ushort index, byte[] part)
        {
            var content = new byte[16 + part.Length];
            BinaryPrimitives.WriteUInt16BigEndian(content, Jt808Ids.Location);
            BinaryPrimitives.WriteUInt16BigEndian(content.AsSpan(2), (ushort)(part.Length | 0x2000));
            Convert.FromHexString(Phone1.PadLeft(12, '0')).CopyTo(content, 4);
            BinaryPrimitives.WriteUInt16BigEndian(content.AsSpan(10), serial);
            BinaryPrimitives.WriteUInt16BigEndian(content.AsSpan(12), 2);
            BinaryPrimitives.WriteUInt16BigEndian(content.AsSpan(14), index);
            part.CopyTo(content, 16);
            return Jt808CodecTestsHelpers.Reframe(content);
        }
        await t.SendRawAsync(Packet(500, 1, body[..20]));
        Assert.Equal(Jt808Result.Success, await t.ResultOfAsync(500, Jt808Ids.Location));
        await t.SendRawAsync(Packet(501, 2, body[20..]));
        Assert.Equal(Jt808Result.Success, await t.ResultOfAsync(501, Jt808Ids.Location));
        Assert.Equal(1, await _server.Database.DataSource.ScalarAsync<long>(
            "SELECT count(*) FROM unit_positions WHERE unit_id = $1 AND fix_time = $2 AND abs(ST_X(position) - 7.43) < 1e-6", _unit1, start.AddSeconds(10)));
    }

    [Fact]
    public async Task Unknown_and_unauthenticated_terminals_are_answered_as_the_standard_says_and_nothing_is_stored()
    {
        using var stranger = await Terminal.ConnectAsync(_port, "19900000000");
        var reg = await stranger.SendAsync(Jt808Ids.Register, Registration());
        var reply = await stranger.ReceiveAsync();
        Assert.Equal(Jt808Ids.RegisterReply, reply!.Header.MessageId);
        Assert.Equal(reg, BinaryPrimitives.ReadUInt16BigEndian(reply.Body));
        Assert.Equal((byte)Jt808RegisterResult.NoSuchTerminal, reply.Body[2]);
        Assert.Equal(3, reply.Body.Length); // no code

        using var t = await Terminal.ConnectAsync(_port, Phone1);
        var loc = await t.SendAsync(Jt808Ids.Location, Location(DateTime.UtcNow.AddSeconds(-1), 7.42, 43.73));
        Assert.Equal(Jt808Result.Failure, await t.ResultOfAsync(loc, Jt808Ids.Location));
        var wrong = await t.SendAsync(Jt808Ids.Authenticate, "0000000000000000"u8.ToArray());
        Assert.Equal(Jt808Result.Failure, await t.ResultOfAsync(wrong, Jt808Ids.Authenticate));
        var unknownMessage = await t.SendAsync(0x0900, [1, 2, 3]);
        Assert.Equal(Jt808Result.NotSupported, await t.ResultOfAsync(unknownMessage, 0x0900));
        Assert.Equal(0, await _server.Database.DataSource.ScalarAsync<long>("SELECT count(*) FROM unit_positions"));
    }

    [Fact]
    public async Task Bad_frames_slow_loris_and_floods_cost_only_their_own_connection()
    {
        using var good = await Terminal.ConnectAsync(_port, Phone1);
        await good.RegisterAndAuthenticateAsync();

        // A bad checksum and a bad escape are skipped; the connection still answers the next frame.
        using var sloppy = await Terminal.ConnectAsync(_port, Phone2);
        await sloppy.SendRawAsync(Convert.FromHexString("7E00020000012345678900000A807E")); // checksum 0x80, should be 0x81
        await sloppy.SendRawAsync(Convert.FromHexString("7E000200000123457D030000 0A817E".Replace(" ", ""))); // 0x7D 0x03 is no escape
        var beat = await sloppy.SendAsync(Jt808Ids.Heartbeat, []);
        Assert.Equal(Jt808Result.Success, await sloppy.ResultOfAsync(beat, Jt808Ids.Heartbeat));
        // A truncated location body is a message error, answered as such.
        await sloppy.RegisterAndAuthenticateAsync();
        var cut = await sloppy.SendAsync(Jt808Ids.Location, Location(DateTime.UtcNow, 7.42, 43.73)[..20]);
        Assert.Equal(Jt808Result.MessageError, await sloppy.ResultOfAsync(cut, Jt808Ids.Location));

        // Garbage frames in a row (MaxBadFrames = 3) and a frame that never ends: dropped.
        using var garbage = await Terminal.ConnectAsync(_port, Phone2);
        await garbage.SendRawAsync([0x7E, 1, 2, 3, 0x7E, 4, 5, 6, 0x7E, 7, 8, 9, 0x7E]);
        Assert.Null(await garbage.ReceiveAsync());
        using var endless = await Terminal.ConnectAsync(_port, Phone2);
        await endless.SendRawAsync([0x7E, .. new byte[Jt808Codec.MaxEscapedLength + 10]]);
        Assert.Null(await endless.ReceiveAsync());

        // Slow-loris: bytes trickle in but no whole frame within FirstFrameSeconds (3 s): closed.
        using var slow = await Terminal.ConnectAsync(_port, Phone2);
        await slow.SendRawAsync([0x7E, 0x00]);
        Assert.Null(await slow.ReceiveAsync());

        // A flood: MaxConnections = 6; beyond it new connections are closed as they come (and counted).
        var gateway = _server.App.Services.GetRequiredService<Jt808Gateway>();
        var refusedBefore = gateway.Refused;
        var flood = new List<Terminal>();
        try
        {
            for (var i = 0; i < 8; i++)
            {
                try { flood.Add(await Terminal.ConnectAsync(_port, Phone2)); }
                catch (SocketException) { } // reset at once: what a refused connection looks like from here
            }
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (gateway.Refused - refusedBefore < 4) await Task.Delay(20, deadline.Token);
        }
        finally { foreach (var f in flood) f.Dispose(); }

        // Through all of it the first terminal was served.
        var at = Second(DateTime.UtcNow.AddSeconds(-2));
        var serial = await good.SendAsync(Jt808Ids.Location, Location(at, 7.425, 43.735));
        Assert.Equal(Jt808Result.Success, await good.ResultOfAsync(serial, Jt808Ids.Location));
        Assert.Equal(1, await _server.Database.DataSource.ScalarAsync<long>("SELECT count(*) FROM unit_positions WHERE unit_id = $1 AND fix_time = $2", _unit1, at));
    }
}
