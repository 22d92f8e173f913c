namespace GeoTwin.Server.Tiles;

/// <summary>A tile as served: raw MVT bytes, their gzip form, and an ETag over the content.</summary>
public sealed record CachedTile(byte[] Mvt, byte[] Gzip, string ETag)
{
    public long Size => Mvt.Length + Gzip.Length + ETag.Length * 2 + 64;
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
