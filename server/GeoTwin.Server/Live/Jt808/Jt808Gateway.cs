using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using GeoTwin.Server.Infrastructure.Db;
using Npgsql;

namespace GeoTwin.Server.Live.Jt808;

/// <param name="Port">the TCP port; absent: no gateway. 0 takes any free port (tests).</param>
/// <param name="IdleSeconds">no complete frame for this long closes a connection (terminals heartbeat every 60 s by default)</param>
/// <param name="FirstFrameSeconds">a new connection must send a whole frame within this, or it is closed (slow-loris)</param>
/// <param name="MaxConnections">connections beyond this are closed as they come, with a log line</param>
/// <param name="MaxBadFrames">broken frames in a row before the connection is dropped</param>
public sealed record Jt808Options
{
    public int? Port { get; init; }
    public string Address { get; init; } = "0.0.0.0";
    public double IdleSeconds { get; init; } = 180;
    public double FirstFrameSeconds { get; init; } = 30;
    public int MaxConnections { get; init; } = 20_000;
    public int MaxBadFrames { get; init; } = 16;
    /// <summary>Base64 key for the authentication codes; else the database's jt808_key row, so every node agrees.</summary>
    public string? Key { get; init; }

    public static Jt808Options From(IConfiguration config) => config.GetSection("GeoTwin:Jt808").Get<Jt808Options>() ?? new();
}

/// <summary>
/// The authentication code a registered terminal is given and must present: an HMAC of its phone number, so nothing is
/// stored per terminal, every node gives the same code, and a terminal that reconnects after a restart still holds a
/// valid one.
/// </summary>
public sealed class Jt808Codes(NpgsqlDataSource db, Jt808Options options)
{
    byte[]? _key;

    public async ValueTask<string> ForAsync(string phone, CancellationToken ct)
    {
        _key ??= options.Key is { Length: > 0 } configured ? Convert.FromBase64String(configured)
            : (byte[])(await db.Sql("Live/Jt808/jt808_key.sql").ExecuteScalarAsync(ct))!;
        return Convert.ToHexString(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes($"geotwin-jt808\n{phone}"))[..8]);
    }
}

/// <summary>What /readyz says of the gateway.</summary>
public sealed class Jt808Health
{
    volatile string? _state;
    int _connections;
    public int Connections => Volatile.Read(ref _connections);
    public void Set(string state) => _state = state;
    public void Opened() => Interlocked.Increment(ref _connections);
    public void Closed() => Interlocked.Decrement(ref _connections);
    public string? Describe() => _state is null ? null : _state.StartsWith("listening", StringComparison.Ordinal) ? $"{_state}, {Connections} connected" : _state;
}

/// <summary>
/// The JT/T 808 TCP gateway: vehicle terminals register (0x0100, answered 0x8100 with a code), authenticate (0x0102),
/// heartbeat (0x0002) and report positions (0x0200, 0x0704 batches). A terminal's phone number is its unit's device id;
/// its fixes go through the same checks and the same group-committed writer as POST /api/positions, and a location is
/// acknowledged (0x8001 success) only once stored. Every frame is answered with its serial as the standard says.
/// Broken input costs only its own connection: a bad frame is logged and skipped, a connection that keeps sending
/// them, never finishes a frame, or goes idle is closed; the listener itself is supervised and rebinds after a failure.
/// </summary>
public sealed class Jt808Gateway(Jt808Options options, Jt808Health health, Jt808Codes codes, LiveUnits units, LiveSync sync,
    PositionWriter writer, ILogger<Jt808Gateway> log) : BackgroundService
{
    readonly TaskCompletionSource<int> _bound = new(TaskCreationOptions.RunContinuationsAsynchronously);
    long _refused;
    // What each connection's handler uses.
    ILogger Log => log;
    LiveUnits Units => units;
    LiveSync Sync => sync;
    PositionWriter Writer => writer;
    Jt808Codes Codes => codes;

    /// <summary>Connections closed at once because <see cref="Jt808Options.MaxConnections"/> were open.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>The port listened on once bound (the configured one, or the one the system chose for 0).</summary>
    public Task<int> BoundPort => _bound.Task;

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        if (options.Port is not { } port) return;
        var delay = TimeSpan.FromSeconds(1);
        while (!stop.IsCancellationRequested)
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                listener.Bind(new IPEndPoint(IPAddress.Parse(options.Address), port));
                listener.Listen(1024);
                var bound = ((IPEndPoint)listener.LocalEndPoint!).Port;
                port = bound; // a rebind after a failure keeps the port terminals know
                health.Set($"listening on port {bound}");
                log.LogInformation("JT/T 808 gateway listening on {Address}:{Port}", options.Address, bound);
                _bound.TrySetResult(bound);
                delay = TimeSpan.FromSeconds(1);
                while (!stop.IsCancellationRequested)
                {
                    var socket = await listener.AcceptAsync(stop);
                    if (health.Connections >= options.MaxConnections)
                    {
                        if (Interlocked.Increment(ref _refused) % 1000 == 1)
                            log.LogWarning("JT/T 808: refused a connection from {Remote}: {Max} connections already open ({Count} refused so far)",
                                socket.RemoteEndPoint, options.MaxConnections, Interlocked.Read(ref _refused));
                        socket.Close(0);
                        continue;
                    }
                    health.Opened();
                    _ = Task.Run(() => ServeAsync(socket, stop), CancellationToken.None);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                health.Set($"retrying in {delay.TotalSeconds:0} s: {e.Message}");
                log.LogError(e, "JT/T 808 gateway failed; listening again in {Delay} s", delay.TotalSeconds);
                await Task.Delay(delay, stop).ContinueWith(_ => { }, CancellationToken.None);
                delay = TimeSpan.FromSeconds(Math.Min(60, delay.TotalSeconds * 2));
            }
        }
    }

    async Task ServeAsync(Socket socket, CancellationToken stop)
    {
        var remote = socket.RemoteEndPoint?.ToString() ?? "?";
        var terminal = new Jt808Terminal(this, remote);
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(stop);
        idle.CancelAfter(TimeSpan.FromSeconds(options.FirstFrameSeconds));
        try
        {
            socket.NoDelay = true;
            await using var stream = new NetworkStream(socket, ownsSocket: true);
            var framer = new Jt808Framer();
            var frames = new List<byte[]>();
            var buffer = new byte[4096];
            var badInARow = 0;
            while (true)
            {
                var read = await stream.ReadAsync(buffer, idle.Token);
                if (read == 0) break;
                frames.Clear();
                framer.Feed(buffer.AsSpan(0, read), frames);
                foreach (var frame in frames)
                {
                    // Only a whole frame keeps the connection open: bytes trickling in (slow-loris) do not.
                    idle.CancelAfter(TimeSpan.FromSeconds(options.IdleSeconds));
                    Jt808Message message;
                    try { message = Jt808Codec.Decode(frame); }
                    catch (Jt808Exception e)
                    {
                        log.LogWarning("JT/T 808 {Remote} ({Phone}): frame skipped: {Reason}", remote, terminal.Phone ?? "unknown terminal", e.Message);
                        if (++badInARow >= options.MaxBadFrames) throw new Jt808Exception($"{badInARow} broken frames in a row");
                        continue;
                    }
                    badInARow = 0;
                    foreach (var reply in await terminal.HandleAsync(message, stop))
                        await stream.WriteAsync(reply, stop);
                }
            }
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            log.LogInformation("JT/T 808 {Remote} ({Phone}): closed after {Seconds} s without a whole frame", remote, terminal.Phone ?? "unknown terminal",
                terminal.Phone is null ? options.FirstFrameSeconds : options.IdleSeconds);
        }
        catch (OperationCanceledException) { }
        catch (Jt808Exception e) { log.LogWarning("JT/T 808 {Remote} ({Phone}): connection dropped: {Reason}", remote, terminal.Phone ?? "unknown terminal", e.Message); }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException) { }
        catch (Exception e) { log.LogError(e, "JT/T 808 {Remote}: connection failed", remote); }
        finally
        {
            health.Closed();
            socket.Dispose();
        }
    }

    /// <summary>One connection's state: who it is, whether it authenticated, the platform's serial counter.</summary>
    sealed class Jt808Terminal(Jt808Gateway gateway, string remote)
    {
        readonly Jt808Reassembler _joiner = new();
        ushort _serial;
        bool _authenticated;
        bool _warnedUnauthenticated;

        public string? Phone { get; private set; }

        byte[] Reply(Jt808Message to, ushort id, byte[] body) =>
            Jt808Codec.Encode(id, to.Header.Phone, _serial++, body, to.Header.Version2019, to.Header.ProtocolVersion);

        byte[] General(Jt808Message to, Jt808Result result) =>
            Reply(to, Jt808Ids.PlatformReply, Jt808Messages.PlatformReply(to.Header.Serial, to.Header.MessageId, result));

        public async Task<IReadOnlyList<byte[]>> HandleAsync(Jt808Message packet, CancellationToken ct)
        {
            Phone ??= packet.Header.Phone;
            Jt808Message? message;
            try { message = _joiner.Add(packet); }
            catch (Jt808Exception e)
            {
                gateway.Log.LogWarning("JT/T 808 {Remote} ({Phone}): {Reason}", remote, Phone, e.Message);
                return [General(packet, Jt808Result.MessageError)];
            }
            // Each packet of a split message is acknowledged as received; the last one answers for the whole.
            if (message is null) return [General(packet, Jt808Result.Success)];
            try
            {
                return message.Header.MessageId switch
                {
                    Jt808Ids.Register => [await RegisterAsync(message, ct)],
                    Jt808Ids.Authenticate => [General(packet, await AuthenticateAsync(message, ct))],
                    Jt808Ids.Heartbeat => [General(packet, Jt808Result.Success)],
                    Jt808Ids.TerminalReply => [],
                    Jt808Ids.Location => [General(packet, await StoreAsync(message, [Jt808Messages.ReadLocation(message.Body)], ct))],
                    Jt808Ids.BatchLocation => [General(packet, await StoreAsync(message, Jt808Messages.ReadBatch(message.Body), ct))],
                    _ => [General(packet, Jt808Result.NotSupported)],
                };
            }
            catch (Jt808Exception e)
            {
                gateway.Log.LogWarning("JT/T 808 {Remote} ({Phone}): message 0x{Id:X4} refused: {Reason}", remote, Phone, message.Header.MessageId, e.Message);
                return [General(packet, Jt808Result.MessageError)];
            }
        }

        async Task<LiveUnit?> UnitAsync(string phone, CancellationToken ct)
        {
            if (gateway.Units.FindByDevice(phone) is { } unit) return unit;
            await gateway.Sync.RefreshAsync(ct); // a unit bound a moment ago
            return gateway.Units.FindByDevice(phone);
        }

        async Task<byte[]> RegisterAsync(Jt808Message message, CancellationToken ct)
        {
            var registration = Jt808Messages.ReadRegistration(message.Body, message.Header.Version2019);
            if (await UnitAsync(message.Header.Phone, ct) is null)
            {
                gateway.Log.LogWarning("JT/T 808 {Remote}: terminal {Phone} ({Maker} {Model} {Id}, plate {Plate}) is bound to no unit: registration refused",
                    remote, message.Header.Phone, registration.Maker, registration.Model, registration.TerminalId, registration.Plate);
                return Reply(message, Jt808Ids.RegisterReply, Jt808Messages.RegisterReply(message.Header.Serial, Jt808RegisterResult.NoSuchTerminal, null));
            }
            var code = await gateway.Codes.ForAsync(message.Header.Phone, ct);
            return Reply(message, Jt808Ids.RegisterReply, Jt808Messages.RegisterReply(message.Header.Serial, Jt808RegisterResult.Success, code));
        }

        async Task<Jt808Result> AuthenticateAsync(Jt808Message message, CancellationToken ct)
        {
            var given = Jt808Messages.ReadAuthCode(message.Body, message.Header.Version2019);
            var expected = await gateway.Codes.ForAsync(message.Header.Phone, ct);
            _authenticated = await UnitAsync(message.Header.Phone, ct) is not null &&
                CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(given), Encoding.ASCII.GetBytes(expected));
            if (!_authenticated) gateway.Log.LogWarning("JT/T 808 {Remote}: terminal {Phone} failed to authenticate", remote, message.Header.Phone);
            else Phone = message.Header.Phone;
            return _authenticated ? Jt808Result.Success : Jt808Result.Failure;
        }

        async Task<Jt808Result> StoreAsync(Jt808Message message, List<Jt808Location> locations, CancellationToken ct)
        {
            // One connection speaks for the one terminal it authenticated as.
            if (!_authenticated || message.Header.Phone != Phone)
            {
                if (!_warnedUnauthenticated)
                    gateway.Log.LogWarning("JT/T 808 {Remote}: positions from terminal {Phone} refused: not authenticated on this connection", remote, message.Header.Phone);
                _warnedUnauthenticated = true;
                return Jt808Result.Failure;
            }
            if (await UnitAsync(message.Header.Phone, ct) is not { } unit) return Jt808Result.Failure; // unbound since
            var now = DateTime.UtcNow;
            var fixes = new List<GoodFix>(locations.Count);
            foreach (var l in locations)
            {
                if (PositionIngest.Refuse(l.Time, l.Lon, l.Lat, gateway.Units.Options, now) is { } reason)
                {
                    gateway.Log.LogWarning("JT/T 808 {Phone}: fix of {Time:u} skipped: {Reason}", Phone, l.Time, reason);
                    continue;
                }
                fixes.Add(new GoodFix(unit.Id, l.Time, l.Lon, l.Lat, (float)l.SpeedKmh, l.HeadingDeg, null));
            }
            if (fixes.Count == 0) return locations.Count == 0 ? Jt808Result.Success : Jt808Result.MessageError;
            try
            {
                await gateway.Writer.WriteAsync(fixes);
                return Jt808Result.Success;
            }
            catch (Exception e) when (DatabaseUnavailable.Is(e))
            {
                // Not stored, not acknowledged: the terminal keeps the position and sends it again.
                gateway.Log.LogWarning("JT/T 808 {Phone}: {Count} fixes not stored, the database is unreachable; answered failure so the terminal resends", Phone, fixes.Count);
                return Jt808Result.Failure;
            }
        }
    }
}
