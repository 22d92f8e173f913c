using System.Diagnostics;
using System.Globalization;
using System.Net;
using GeoTwin.Server.Live.Jt808;

/// <summary>
/// The JT/T 808 load generator (the "send-jt808" child): every terminal of the terminals file opens its own TCP
/// connection, registers and authenticates as a real device does, then reports one 0x0200 a second and waits for its
/// 0x8001. JT/T 808 times are whole seconds, so each report carries its second and is sent at that second plus the
/// terminal's offset from the file (spread: terminals evenly over the second; burst: all at once); the viewers take
/// the same offset off their receive time, so latency runs from the moment the frame is sent.
/// </summary>
static class Jt808Load
{
    const int WarmUpSeconds = 3;
    const int ConnectingAtOnce = 64; // below the gateway's listen backlog, as a fleet coming online is

    /// <param name="terminalsFile">lines of "unit_id phone offset_ms"</param>
    public static async Task<int> SendAsync(string endpoint, string terminalsFile, int seconds, bool burst)
    {
        var gateway = IPEndPoint.Parse(endpoint);
        var terminals = (await File.ReadAllLinesAsync(terminalsFile)).Select(l => l.Split(' '))
            .Select(f => (Phone: f[1], OffsetMs: burst ? 0 : int.Parse(f[2], CultureInfo.InvariantCulture))).ToArray();
        var clients = new Jt808Client?[terminals.Length];

        // Connect the fleet, with a progress line on the terminal (stderr: stdout talks to the parent).
        var connected = 0;
        var refused = 0;
        string? firstError = null;
        var connectClock = Stopwatch.StartNew();
        using (var gate = new SemaphoreSlim(ConnectingAtOnce))
        using (var done = new CancellationTokenSource())
        {
            var progress = Task.Run(async () =>
            {
                while (!done.IsCancellationRequested)
                {
                    Console.Error.Write($"\r  jt808: {Volatile.Read(ref connected)}/{terminals.Length} terminals connected and authenticated, {Volatile.Read(ref refused)} refused ");
                    await Task.Delay(500, done.Token).ContinueWith(_ => { });
                }
            });
            await Task.WhenAll(terminals.Select(async (t, i) =>
            {
                await gate.WaitAsync();
                try
                {
                    clients[i] = await Jt808Client.ConnectAsync(gateway, t.Phone, CancellationToken.None);
                    Interlocked.Increment(ref connected);
                }
                catch (Exception e)
                {
                    Interlocked.Increment(ref refused);
                    Interlocked.CompareExchange(ref firstError, $"{t.Phone}: {e.Message}", null);
                }
                finally { gate.Release(); }
            }));
            done.Cancel();
            await progress;
            Console.Error.WriteLine($"\r  jt808: {connected}/{terminals.Length} terminals connected and authenticated in {connectClock.Elapsed.TotalSeconds:0.0} s, {refused} refused ");
        }
        if (firstError is not null) Console.Error.WriteLine($"  jt808: first refusal: {firstError}");
        Console.WriteLine($"connected connected={connected} refused={refused} connect_s={connectClock.Elapsed.TotalSeconds:0.0}");
        while (Console.ReadLine() is { } line && line != "start") { }

        long sent = 0, acked = 0, failed = 0, dropped = 0, ackedMeasured = 0, late = 0;
        var self = Process.GetCurrentProcess();
        var cpu0 = self.TotalProcessorTime;
        // The first report's second: the next whole second after a second's margin for every loop to be waiting.
        var now = DateTime.UtcNow;
        var t0 = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc).AddSeconds(2);
        var goAt = t0.AddSeconds(WarmUpSeconds);
        var go = Task.Run(async () =>
        {
            if (goAt - DateTime.UtcNow is { Ticks: > 0 } wait) await Task.Delay(wait);
            cpu0 = self.TotalProcessorTime;
            Console.WriteLine("go");
        });
        var random = new Random(1);
        var start = terminals.Select(_ => (Lon: 7.05 + random.NextDouble() * 0.9, Lat: 43.55 + random.NextDouble() * 0.4)).ToArray();

        async Task Run(int i)
        {
            if (clients[i] is not { } client) return;
            var (lon, lat) = start[i];
            for (var s = -WarmUpSeconds; s < seconds; s++)
            {
                var second = goAt.AddSeconds(s);
                var wait = second.AddMilliseconds(terminals[i].OffsetMs) - DateTime.UtcNow;
                if (wait > TimeSpan.Zero) await Task.Delay(wait);
                else if (wait < TimeSpan.FromSeconds(-1)) Interlocked.Increment(ref late); // the previous reply came after this one was due
                lon += 0.0001;
                Interlocked.Increment(ref sent);
                try
                {
                    var result = await client.ReportAsync(second, lon, lat, 36, 90, CancellationToken.None);
                    if (result != Jt808Result.Success) { Interlocked.Increment(ref failed); continue; }
                    Interlocked.Increment(ref acked);
                    if (s >= 0) Interlocked.Increment(ref ackedMeasured);
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or Jt808Exception)
                {
                    // Not answered: counted as failed, and this terminal stops (its connection is gone).
                    Interlocked.Increment(ref failed);
                    Interlocked.Increment(ref dropped);
                    return;
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, clients.Length).Select(i => Task.Run(() => Run(i))));
        await go;
        var measured = (DateTime.UtcNow - goAt).TotalSeconds;
        foreach (var c in clients) if (c is not null) await c.DisposeAsync();
        Console.WriteLine($"sent sent={sent} accepted={acked} failed={failed} dropped={dropped} lagging={late} cpu_s={(self.TotalProcessorTime - cpu0).TotalSeconds:0.00} " +
                          $"accepted_measured={ackedMeasured} measured_s={measured:0.000}");
        return 0;
    }
}
