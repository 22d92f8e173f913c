using System.Collections.Concurrent;
using System.IO.Compression;

namespace GeoTwin.Server.Tiles;

/// <summary>A tile as served: raw MVT bytes, and their gzip form once a client asks for it (its ETag comes from its cache key).</summary>
public sealed class CachedTile(byte[] mvt, CompressionLevel gzipLevel = CompressionLevel.Optimal)
{
    byte[]? _gzip;

    public byte[] Mvt => mvt;

    /// <summary>Compressed on the first request that accepts gzip (two racing requests compress twice, harmlessly).</summary>
    public byte[] Gzip => _gzip ??= Compress(mvt, gzipLevel);

    /// <summary>Counted as if compressed already (gzip output is at most its input plus a few bytes a 64 KiB block), plus the object.</summary>
    public long Size => 2L * mvt.Length + 128;

    /// <summary>
    /// Optimal (zlib's default level 6, as a peer's server sends): on the demo's 43 non-empty houses+roads tiles at
    /// z14-z16 it sends 61.6 % of the raw bytes where Fastest sent 71.1 % (Fastest is 15 % larger), for about twice
    /// Fastest's CPU; paid once a tile and data version while the cache holds it, and every request with the cache off.
    /// The default; GeoTwin:Tiles:GzipLevel chooses another (Fastest where CPU, not bandwidth, is short).
    /// </summary>
    static byte[] Compress(byte[] mvt, CompressionLevel level)
    {
        using var gz = new MemoryStream(mvt.Length / 2 + 64);
        using (var zip = new GZipStream(gz, level)) zip.Write(mvt);
        return gz.ToArray();
    }
}

/// <summary>
/// Least-recently-used tiles, bounded in bytes. Keys carry the data versions of the tables a tile was
/// built from, so a change makes old entries unreachable at once; they age out of the LRU.
/// </summary>
public sealed class TileCache(long capacityBytes, CompressionLevel gzipLevel = CompressionLevel.Optimal)
{
    /// <summary>The gzip level of the tiles built for this cache (GeoTwin:Tiles:GzipLevel).</summary>
    public CompressionLevel GzipLevel => gzipLevel;

    readonly ConcurrentDictionary<string, Task<CachedTile>> _building = new(StringComparer.Ordinal);
    long _builds;
    readonly Dictionary<string, LinkedListNode<(string Key, CachedTile Tile)>> _index = new();
    readonly LinkedList<(string Key, CachedTile Tile)> _order = new();
    readonly Lock _lock = new();
    long _bytes;

    public long Bytes { get { lock (_lock) return _bytes; } }
    public int Count { get { lock (_lock) return _index.Count; } }

    /// <summary>Tiles built since start (each a database query): how a test sees that concurrent misses were built once.</summary>
    public long Builds => Interlocked.Read(ref _builds);

    /// <summary>
    /// The cached tile, or one built now. Concurrent misses of one key share one build (single flight): a
    /// browser's retries and several viewers of the same place cost one query, with the cache on or off. A
    /// waiter whose leader was cancelled (its client went away) while it was not builds again itself.
    /// </summary>
    public async Task<CachedTile> GetOrBuildAsync(string key, Func<CancellationToken, Task<CachedTile>> build, CancellationToken ct)
    {
        while (true)
        {
            if (TryGet(key, out var cached)) return cached;
            var mine = new TaskCompletionSource<CachedTile>(TaskCreationOptions.RunContinuationsAsynchronously);
            var flight = _building.GetOrAdd(key, mine.Task);
            if (flight != mine.Task)
            {
                try { return await flight.WaitAsync(ct); }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested) { continue; } // the leader's cancellation, not ours
            }
            try
            {
                // Built and put by the flight before this one left, between our TryGet and GetOrAdd.
                if (TryGet(key, out cached)) { mine.SetResult(cached); return cached; }
                Interlocked.Increment(ref _builds);
                var tile = await build(ct);
                Put(key, tile);
                mine.SetResult(tile);
                return tile;
            }
            catch (Exception e)
            {
                if (e is OperationCanceledException) mine.SetCanceled(ct);
                else
                {
                    mine.SetException(e);
                    _ = mine.Task.Exception; // observed: with no waiter it would be reported as unobserved later
                }
                throw;
            }
            finally
            {
                _building.TryRemove(new KeyValuePair<string, Task<CachedTile>>(key, mine.Task));
            }
        }
    }

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
