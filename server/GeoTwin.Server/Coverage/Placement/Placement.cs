using Google.OrTools.LinearSolver;

namespace GeoTwin.Server.Coverage.Placement;

/// <summary>
/// Maximum coverage: street elements with weights (length × incident density, or length), candidates each covering a
/// set of elements; choose k candidates to maximise the weight covered. Elements already covered are left out by the
/// caller. Coverage is a monotone submodular function, so lazy greedy is within 1 − 1/e of the optimum; the exact
/// optimum comes from an integer programme (max Σ w_e y_e, y_e ≤ Σ_{c ∋ e} x_c, Σ x_c = k, x binary).
/// </summary>
public sealed record CoverageProblem(double[] Weights, int[][] Covers)
{
    public double Value(IEnumerable<int> chosen)
    {
        var seen = new HashSet<int>();
        var sum = 0.0;
        foreach (var c in chosen)
            foreach (var e in Covers[c])
                if (seen.Add(e)) sum += Weights[e];
        return sum;
    }
}

/// <param name="Gains">each pick's marginal gain, in the order picked</param>
public sealed record Selection(int[] Chosen, double[] Gains, double Value);

/// <param name="Optimal">proved optimal (false: the time limit ran out first; Value is then the best found)</param>
public sealed record ExactSelection(int[] Chosen, double Value, bool Optimal, double? Bound);

public static class MaxCoverage
{
    /// <summary>Lazy greedy (Minoux): a candidate's last gain is an upper bound of its next, so only the top is re-evaluated.</summary>
    public static Selection Greedy(CoverageProblem p, int k)
    {
        var covered = new bool[p.Weights.Length];
        double Gain(int c)
        {
            var g = 0.0;
            foreach (var e in p.Covers[c]) if (!covered[e]) g += p.Weights[e];
            return g;
        }
        // max-heap by bound, ties to the lower index (deterministic)
        var queue = new PriorityQueue<int, (double, int)>(Comparer<(double Bound, int Index)>.Create((a, b) =>
            a.Bound != b.Bound ? b.Bound.CompareTo(a.Bound) : a.Index.CompareTo(b.Index)));
        for (var c = 0; c < p.Covers.Length; c++) queue.Enqueue(c, (Gain(c), c));
        var chosen = new List<int>();
        var gains = new List<double>();
        var stamp = new int[p.Covers.Length]; // the round a candidate's queued gain was computed in (all at round 0)
        while (chosen.Count < k && queue.TryDequeue(out var c, out var bound))
        {
            if (stamp[c] == chosen.Count)
            {
                // exact for the current picks and at least every other candidate's bound, hence its gain
                if (bound.Item1 <= 0) break;
                chosen.Add(c);
                gains.Add(bound.Item1);
                foreach (var e in p.Covers[c]) covered[e] = true;
                continue;
            }
            stamp[c] = chosen.Count;
            queue.Enqueue(c, (Gain(c), c));
        }
        return new Selection([.. chosen], [.. gains], gains.Sum());
    }

    /// <summary>The optimum by integer programming (OR-Tools' SCIP), within a time limit.</summary>
    public static ExactSelection Exact(CoverageProblem p, int k, TimeSpan limit)
    {
        using var solver = Solver.CreateSolver("SCIP") ?? Solver.CreateSolver("CBC")
            ?? throw new InvalidOperationException("OR-Tools has no MIP solver here");
        var x = new Variable[p.Covers.Length];
        for (var c = 0; c < x.Length; c++) x[c] = solver.MakeBoolVar($"x{c}");
        // only elements some candidate covers matter
        var coveringOf = new List<int>?[p.Weights.Length];
        for (var c = 0; c < p.Covers.Length; c++)
            foreach (var e in p.Covers[c]) (coveringOf[e] ??= []).Add(c);
        var objective = solver.Objective();
        for (var e = 0; e < p.Weights.Length; e++)
        {
            if (coveringOf[e] is not { } cs || p.Weights[e] <= 0) continue;
            var y = solver.MakeNumVar(0, 1, $"y{e}");
            var row = solver.MakeConstraint(double.NegativeInfinity, 0);
            row.SetCoefficient(y, 1);
            foreach (var c in cs) row.SetCoefficient(x[c], -1);
            objective.SetCoefficient(y, p.Weights[e]);
        }
        objective.SetMaximization();
        var count = solver.MakeConstraint(0, Math.Min(k, x.Length));
        foreach (var v in x) count.SetCoefficient(v, 1);
        solver.SetTimeLimit((long)limit.TotalMilliseconds);
        var status = solver.Solve();
        if (status is not (Solver.ResultStatus.OPTIMAL or Solver.ResultStatus.FEASIBLE))
            return new ExactSelection([], 0, false, null);
        var chosen = Enumerable.Range(0, x.Length).Where(c => x[c].SolutionValue() > 0.5).ToArray();
        return new ExactSelection(chosen, p.Value(chosen), status == Solver.ResultStatus.OPTIMAL, objective.BestBound());
    }
}
