using GeoTwin.Server.Coverage.Placement;

namespace GeoTwin.Server.Tests.Coverage;

/// <summary>Lazy greedy and the integer programme against exhaustive search on small random instances.</summary>
public sealed class MaxCoverageTests
{
    static CoverageProblem Random(int seed, int candidates, int elements)
    {
        var random = new Random(seed);
        var weights = Enumerable.Range(0, elements).Select(_ => random.NextDouble() < 0.1 ? 0 : random.NextDouble() * 10).ToArray();
        var covers = Enumerable.Range(0, candidates).Select(_ =>
        {
            // overlapping neighbourhoods, like cameras along streets
            var centre = random.Next(elements);
            var width = 2 + random.Next(8);
            return Enumerable.Range(centre - width, 2 * width).Where(e => e >= 0 && e < elements && random.NextDouble() < 0.8).ToArray();
        }).ToArray();
        return new CoverageProblem(weights, covers);
    }

    static (double Value, int[] Chosen) Exhaustive(CoverageProblem p, int k)
    {
        var best = (Value: -1.0, Chosen: Array.Empty<int>());
        var n = p.Covers.Length;
        for (var mask = 0; mask < 1 << n; mask++)
        {
            if (System.Numerics.BitOperations.PopCount((uint)mask) != k) continue;
            var chosen = Enumerable.Range(0, n).Where(i => (mask & 1 << i) != 0).ToArray();
            var v = p.Value(chosen);
            if (v > best.Value) best = (v, chosen);
        }
        return best;
    }

    /// <summary>Plain greedy, every candidate re-evaluated every round: what lazy greedy must equal.</summary>
    static double PlainGreedy(CoverageProblem p, int k)
    {
        var chosen = new List<int>();
        for (var r = 0; r < k; r++)
        {
            var current = p.Value(chosen);
            var (best, gain) = (-1, 0.0);
            for (var c = 0; c < p.Covers.Length; c++)
            {
                if (chosen.Contains(c)) continue;
                var g = p.Value(chosen.Append(c)) - current;
                if (g > gain) (best, gain) = (c, g);
            }
            if (best < 0) break;
            chosen.Add(best);
        }
        return p.Value(chosen);
    }

    [Theory]
    [InlineData(1, 12, 40, 3)]
    [InlineData(2, 14, 50, 4)]
    [InlineData(3, 10, 30, 2)]
    [InlineData(4, 16, 60, 5)]
    [InlineData(5, 12, 25, 6)]
    [InlineData(6, 15, 45, 3)]
    public void Greedy_is_at_most_the_optimum_and_at_least_1_minus_1_over_e_of_it_and_the_programme_finds_the_optimum(int seed, int n, int m, int k)
    {
        var p = Random(seed, n, m);
        var (optimum, _) = Exhaustive(p, k);
        var greedy = MaxCoverage.Greedy(p, k);
        Assert.Equal(p.Value(greedy.Chosen), greedy.Value, 9);
        Assert.Equal(PlainGreedy(p, k), greedy.Value, 9);
        Assert.True(greedy.Value <= optimum + 1e-9);
        Assert.True(greedy.Value >= (1 - 1 / Math.E) * optimum - 1e-9);
        Assert.Equal(greedy.Gains.OrderByDescending(g => g), greedy.Gains); // submodular: gains never rise

        var exact = MaxCoverage.Exact(p, k, TimeSpan.FromSeconds(60));
        Assert.True(exact.Optimal);
        Assert.Equal(optimum, exact.Value, 6);
        Assert.True(exact.Chosen.Length <= k);
    }

    [Fact]
    public void Greedy_stops_when_nothing_is_left_to_gain()
    {
        var p = new CoverageProblem([1, 2, 0], [[0], [0, 1], [2], [1]]);
        var s = MaxCoverage.Greedy(p, 4);
        Assert.Equal([1], s.Chosen);
        Assert.Equal(3, s.Value);
    }
}
