using System.Diagnostics;
using OsmSharp.Streams;

// Usage: OsmRead <file.osm.pbf> [passes]. Enumerates every element, as many times as the demo reads
// the file (one pass per layer), and prints the milliseconds taken.
var passes = args.Length > 1 ? int.Parse(args[1]) : 1;
var clock = Stopwatch.StartNew();
long elements = 0;
for (var i = 0; i < passes; i++)
{
    using var file = File.OpenRead(args[0]);
    foreach (var _ in new PBFOsmStreamSource(file)) elements++;
}
Console.WriteLine($"{clock.ElapsedMilliseconds} {elements}");
