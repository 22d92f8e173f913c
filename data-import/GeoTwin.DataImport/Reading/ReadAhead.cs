using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace GeoTwin.DataImport.Reading;

/// <summary>Any reader's records, parsed on a thread of their own while the caller works on the ones before.</summary>
public static class ReadAhead
{
    const int Batch = 512;

    /// <summary>
    /// The file's records, parsed on a thread of their own a batch ahead, so parsing overlaps checking, placing and
    /// sending the rows (each record is a fresh object, handed over whole). A reader's failure (a malformed file)
    /// surfaces here after the records before it; leaving early stops the reader before the file is closed.
    /// </summary>
    public static async IAsyncEnumerable<SourceRecord> ReadAheadAsync(this ISourceReader reader, [EnumeratorCancellation] CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var batches = Channel.CreateBounded<List<SourceRecord>>(new BoundedChannelOptions(8) { SingleReader = true, SingleWriter = true });
        var parsing = Task.Run(async () =>
        {
            try
            {
                var batch = new List<SourceRecord>(Batch);
                foreach (var record in reader.Read(stop.Token))
                {
                    batch.Add(record);
                    if (batch.Count < Batch) continue;
                    await batches.Writer.WriteAsync(batch, stop.Token);
                    batch = new List<SourceRecord>(Batch);
                }
                if (batch.Count > 0) await batches.Writer.WriteAsync(batch, stop.Token);
            }
            finally
            {
                batches.Writer.TryComplete();
            }
        }, stop.Token);
        var drained = false;
        try
        {
            await foreach (var batch in batches.Reader.ReadAllAsync(stop.Token))
                foreach (var record in batch) yield return record;
            drained = true;
        }
        finally
        {
            if (!drained) stop.Cancel();
            await Task.WhenAny(parsing); // the reader lets go of the file before it is disposed
        }
        await parsing;
    }
}
