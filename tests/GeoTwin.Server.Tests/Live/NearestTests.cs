using GeoTwin.Server.Live;
using GeoTwin.Tiling.Geodesy;

namespace GeoTwin.Server.Tests.Live;

/// <summary>The grid index's k-nearest against a brute-force scan of the same units, on random data.</summary>
public sealed class NearestTests
{
    static LiveUnit Unit(long id, double lon, double lat, string status) =>
        new(id, $"U{id}", "car", null, "S", "1.2", status, DateTime.UtcNow, lon, lat, null, null, null);

    [Theory]
    [InlineData(1, 0.05, 43.7)]     // a city: dense
    [InlineData(2, 2.0, 43.7)]      // a region: sparse, so the search walks many empty rings
    [InlineData(3, 0.01, 59.9)]     // far north: cells are narrow in metres
    public void K_nearest_matches_a_brute_force_scan(int seed, double spread, double lat0)
    {
        var random = new Random(seed);
        var live = new LiveUnits(new LiveOptions());
        var all = new List<LiveUnit>();
        for (var i = 1; i <= 3000; i++)
        {
            var u = Unit(i, 7.4 + (random.NextDouble() - 0.5) * spread, lat0 + (random.NextDouble() - 0.5) * spread,
                random.NextDouble() < 0.6 ? "available" : "busy");
            live.Load(u with { FixAt = null });
            live.ApplyFix(u.Id, DateTime.UtcNow, u.Lon, u.Lat, null, null, null);
            all.Add(u);
        }
        // Move a third of them so the index has seen removals too.
        foreach (var u in all.Where(u => u.Id % 3 == 0).ToList())
        {
            var moved = u with { Lon = u.Lon + (random.NextDouble() - 0.5) * spread / 10, Lat = u.Lat + (random.NextDouble() - 0.5) * spread / 10 };
            live.ApplyFix(u.Id, DateTime.UtcNow.AddSeconds(1), moved.Lon, moved.Lat, null, null, null);
            all[all.IndexOf(u)] = moved;
        }

        for (var q = 0; q < 200; q++)
        {
            var lon = 7.4 + (random.NextDouble() - 0.5) * spread * 1.5;
            var lat = lat0 + (random.NextDouble() - 0.5) * spread * 1.5;
            var k = random.Next(1, 20);
            var got = live.Nearest(lon, lat, k, u => u.Status == "available");
            var expected = all.Where(u => u.Status == "available")
                .Select(u => (u.Id, D: Wgs84.DistanceM(lon, lat, u.Lon, u.Lat))).OrderBy(x => x.D).ThenBy(x => x.Id).Take(k).ToList();
            Assert.Equal(expected.Count, got.Count);
            for (var i = 0; i < k; i++) Assert.Equal(expected[i].D, got[i].DistanceM, 6);
            Assert.All(got, g => Assert.Equal("available", g.Unit.Status));
        }
    }

    [Fact]
    public void Units_without_a_fix_are_never_returned_and_an_older_fix_does_not_move_a_unit()
    {
        var live = new LiveUnits(new LiveOptions());
        live.Load(Unit(1, 0, 0, "available") with { FixAt = null });
        Assert.Empty(live.Nearest(0, 0, 3));
        Assert.True(live.ApplyFix(1, DateTime.UtcNow, 7.41, 43.73, null, null, null));
        Assert.False(live.ApplyFix(1, DateTime.UtcNow.AddMinutes(-1), 8, 44, null, null, null));
        var near = Assert.Single(live.Nearest(8, 44, 3));
        Assert.Equal(7.41, near.Unit.Lon);
    }
}
