namespace GeoTwin.Server.Live.Jt808;

/// <summary>
/// Splits a terminal's TCP byte stream into frames (the escaped bytes between two 0x7E flags). Bytes before the first
/// flag are skipped; "7E 7E" between frames is an empty frame and ignored, and a closing flag may open the next frame
/// (terminals that share one flag between frames). A frame longer than any JT/T 808 frame throws: the connection is
/// sending something else and is dropped.
/// </summary>
public sealed class Jt808Framer
{
    readonly byte[] _buffer = new byte[Jt808Codec.MaxEscapedLength];
    int _length;
    bool _inFrame;

    /// <summary>Bytes seen before any flag (garbage), for the log line.</summary>
    public long SkippedBytes { get; private set; }

    /// <summary>True while a frame has begun and not ended: what an idle timeout interrupts.</summary>
    public bool Partial => _length > 0;

    public void Feed(ReadOnlySpan<byte> data, List<byte[]> frames)
    {
        foreach (var b in data)
        {
            if (b == Jt808Codec.Flag)
            {
                if (_length > 0) frames.Add(_buffer[.._length]);
                _length = 0;
                _inFrame = true;
                continue;
            }
            if (!_inFrame) { SkippedBytes++; continue; }
            if (_length == _buffer.Length)
                throw new Jt808Exception($"no closing 0x7E within {Jt808Codec.MaxEscapedLength} bytes: not a JT/T 808 frame");
            _buffer[_length++] = b;
        }
    }
}

/// <summary>
/// Joins a split message (attribute bit 13: packet count and index in the header) once every packet has come. The
/// packets of one message have consecutive serials, so the first packet's serial names the message. A terminal may
/// leave at most <see cref="MaxPending"/> messages half-sent; the oldest is dropped for a new one.
/// </summary>
public sealed class Jt808Reassembler
{
    public const int MaxPackets = 64, MaxPending = 4;
    readonly Dictionary<(ushort Id, ushort Count, ushort First), byte[]?[]> _pending = [];
    readonly Queue<(ushort, ushort, ushort)> _order = new();

    /// <returns>the whole message when <paramref name="part"/> completes it (or is not split); null while packets are missing</returns>
    public Jt808Message? Add(Jt808Message part)
    {
        var h = part.Header;
        if (!h.Split) return part;
        if (h.PackageCount > MaxPackets) throw new Jt808Exception($"split into {h.PackageCount} packets, at most {MaxPackets}");
        var first = (ushort)(h.Serial - (h.PackageIndex - 1));
        var key = (h.MessageId, h.PackageCount, first);
        if (!_pending.TryGetValue(key, out var parts))
        {
            while (_pending.Count >= MaxPending) _pending.Remove(_order.Dequeue());
            _pending[key] = parts = new byte[]?[h.PackageCount];
            _order.Enqueue(key);
        }
        parts[h.PackageIndex - 1] = part.Body;
        if (Array.Exists(parts, p => p is null)) return null;
        _pending.Remove(key);
        var body = parts.SelectMany(p => p!).ToArray();
        return new Jt808Message(h with { Split = false, BodyLength = body.Length, Serial = first, PackageCount = 0, PackageIndex = 0 }, body);
    }
}
