using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace GeoTwin.Server.Live.Jt808;

/// <summary>
/// A vehicle terminal's side of JT/T 808 (2013): connect, register, authenticate, report locations and wait for each
/// reply. The demo's simulator drives its cars and boats through it, and the benchmark its thousands of terminals.
/// </summary>
public sealed class Jt808Client : IAsyncDisposable
{
    readonly TcpClient _tcp;
    readonly NetworkStream _stream;
    readonly Jt808Framer _framer = new();
    readonly Queue<Jt808Message> _received = new();
    readonly byte[] _buffer = new byte[1024];
    ushort _serial = 1;

    Jt808Client(TcpClient tcp, string phone)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        Phone = phone;
    }

    public string Phone { get; }

    /// <summary>Connects, registers and authenticates; throws <see cref="Jt808Exception"/> when the platform refuses.</summary>
    public static async Task<Jt808Client> ConnectAsync(IPEndPoint gateway, string phone, CancellationToken ct)
    {
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(gateway, ct);
            var client = new Jt808Client(tcp, phone);
            byte[] registration = [0x00, 0x00, 0x00, 0x00, .. "GTWIN"u8, .. new byte[20], .. Encoding.ASCII.GetBytes(phone[^Math.Min(7, phone.Length)..].PadLeft(7, '0')), 0x00];
            var reply = await client.RequestAsync(Jt808Ids.Register, registration, ct);
            if (reply.Header.MessageId != Jt808Ids.RegisterReply || reply.Body.Length < 3 || reply.Body[2] != (byte)Jt808RegisterResult.Success)
                throw new Jt808Exception($"terminal {phone}: registration refused ({(reply.Body.Length >= 3 ? (Jt808RegisterResult)reply.Body[2] : "no result")})");
            var code = reply.Body[3..];
            var result = await client.GeneralAsync(Jt808Ids.Authenticate, code, ct);
            if (result != Jt808Result.Success) throw new Jt808Exception($"terminal {phone}: authentication refused ({result})");
            return client;
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>Reports one position (0x0200) and returns the platform's result: success means stored.</summary>
    public Task<Jt808Result> ReportAsync(DateTime utc, double lon, double lat, double speedKmh, double headingDeg, CancellationToken ct) =>
        GeneralAsync(Jt808Ids.Location, Location(utc, lon, lat, speedKmh, headingDeg), ct);

    /// <summary>A 0x0200 body: status "fixed" (and south/west bits), degrees x 1e6, 0.1 km/h, Beijing-time BCD.</summary>
    public static byte[] Location(DateTime utc, double lon, double lat, double speedKmh, double headingDeg)
    {
        var body = new byte[28];
        var status = 0x2u | (lat < 0 ? 0x4u : 0) | (lon < 0 ? 0x8u : 0);
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(4), status);
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(8), (uint)Math.Round(Math.Abs(lat) * 1e6));
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(12), (uint)Math.Round(Math.Abs(lon) * 1e6));
        BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(18), (ushort)Math.Round(Math.Clamp(speedKmh, 0, 6553) * 10));
        BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(20), (ushort)(Math.Round(headingDeg) % 360));
        Convert.FromHexString(utc.AddHours(8).ToString("yyMMddHHmmss")).CopyTo(body, 22);
        return body;
    }

    async Task<Jt808Message> RequestAsync(ushort id, byte[] body, CancellationToken ct)
    {
        await _stream.WriteAsync(Jt808Codec.Encode(id, Phone, _serial++, body), ct);
        return await ReceiveAsync(ct);
    }

    /// <summary>
    /// Sends a message the platform answers with a general reply, and checks the reply names this message (its serial
    /// and id): a reply to another message taken for this one would count a position as stored that was not.
    /// </summary>
    async Task<Jt808Result> GeneralAsync(ushort id, byte[] body, CancellationToken ct)
    {
        var serial = _serial;
        var reply = await RequestAsync(id, body, ct);
        if (reply.Header.MessageId != Jt808Ids.PlatformReply || reply.Body.Length != 5)
            throw new Jt808Exception($"expected a general reply, got 0x{reply.Header.MessageId:X4}");
        var answered = BinaryPrimitives.ReadUInt16BigEndian(reply.Body);
        var answeredId = BinaryPrimitives.ReadUInt16BigEndian(reply.Body.AsSpan(2));
        if (answered != serial || answeredId != id)
            throw new Jt808Exception($"a general reply to 0x{answeredId:X4} serial {answered}, expected 0x{id:X4} serial {serial}");
        return (Jt808Result)reply.Body[4];
    }

    async Task<Jt808Message> ReceiveAsync(CancellationToken ct)
    {
        var frames = new List<byte[]>();
        while (_received.Count == 0)
        {
            var read = await _stream.ReadAsync(_buffer, ct);
            if (read == 0) throw new IOException("the gateway closed the connection");
            frames.Clear();
            _framer.Feed(_buffer.AsSpan(0, read), frames);
            foreach (var f in frames) _received.Enqueue(Jt808Codec.Decode(f));
        }
        return _received.Dequeue();
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
