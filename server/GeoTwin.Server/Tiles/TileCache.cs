using System.IO.Compression;

namespace GeoTwin.Server.Tiles;

/// <summary>A tile as served: raw MVT bytes, and their gzip form once a client asks for it (its ETag comes from its cache key).</summary>
public sealed class CachedTile(byte[] mvt)
{
    byte[]? _gzip;

    public byte[] Mvt => mvt;

    /// <summary>Compressed on the first request that accepts gzip (two racing requests compress twice, harmlessly).</summary>
    public byte[] Gzip => _gzip ??= Compress(mvt);

    /// <summary>Counted as if compressed already (gzip output is at most its input plus a few bytes a 64 KiB block), plus the object.</summary>
    public long Size => 2L * mvt.Length + 128;

    static byte[] Compress(byte[] mvt)
    {
        using var gz = new MemoryStream(mvt.Length / 2 + 64);
        using (var zip = new GZipStream(gz, CompressionLevel.Fastest)) zip.Write(mvt);
        return gz.ToArray();
    }
}

/// <summary>
/// Least-recently-used tiles, bounded in bytes. Keys carry the data versions of the tables a tile was
/// built from, so a change makes old entries unreachable at once; they age out of the LRU.
/// </summary>
public sealed class TileCache(long capacityBytes)
{
    readonly Dictionary<string, LinkedListNode<(string Key, CachedTile Tile)>> _index = new();
    readonly LinkedList<(string Key, CachedTile Tile)> _order = new();
    readonly Lock _lock = new();
    long _bytes;

    public long Bytes { get { lock (_lock) return _bytes; } }
    public int Count { get { lock (_lock) return _index.Count; } }

    public bool TryGet(string key, out CachedTile tile)
    {
        lock (_lock)
        {
            if (_index.TryGetValue(key, out var node))
            {
                _order.Remove(node);
                _order.AddFirst(node);
                tile = node.Value.Tile;
                return true;
            }
        }
        tile = null!;
        return false;
    }

    public void Put(string key, CachedTile tile)
    {
        if (tile.Size > capacityBytes) return;
        lock (_lock)
        {
            if (_index.Remove(key, out var old))
            {
                _order.Remove(old);
                _bytes -= old.Value.Tile.Size;
            }
            _index[key] = _order.AddFirst((key, tile));
            _bytes += tile.Size;
            while (_bytes > capacityBytes && _order.Last is { } last)
            {
                _order.RemoveLast();
                _index.Remove(last.Value.Key);
                _bytes -= last.Value.Tile.Size;
            }
        }
    }
}
