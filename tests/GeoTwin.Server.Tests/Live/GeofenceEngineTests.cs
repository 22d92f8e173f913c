using GeoTwin.Server.Live.Geofences;
using NetTopologySuite.Geometries;

namespace GeoTwin.Server.Tests.Live;

/// <summary>The fence rules on their own: Tile38's published sequence, hysteresis, dwell, active hours, watch lists.</summary>
public sealed class GeofenceEngineTests
{
    static readonly DateTime T0 = new(2026, 7, 1, 12, 0, 0, DateTimeKind.Utc);

    static HashSet<string> Rules(params string[] r) => [.. r];

    int _second; // one clock through a test: a fix older than the last judged one is history and changes nothing

    List<string> Run(GeofenceEngine engine, long unit, params (double Lon, double Lat)[] fixes)
    {
        var seen = new List<string>();
        foreach (var (lon, lat) in fixes)
            seen.AddRange(engine.Evaluate(unit, "car", T0.AddSeconds(_second++), lon, lat).Select(e => e.Rule));
        return seen;
    }

    [Fact]
    public void Tile38s_sequence_gives_enter_exit_cross()
    {
        // Tile38's fence test: a 10 km circle around (10, 10); the object goes (10, 10) -> (0, 0) -> (20, 20).
        var engine = new GeofenceEngine();
        engine.Load([new Fence(1, "ten km", Fence.Circle(10, 10, 10_000), Rules("enter", "exit", "cross"))]);
        Assert.Equal(["enter", "exit", "cross"], Run(engine, 7, (10, 10), (0, 0), (20, 20)));
    }

    [Fact]
    public void With_inside_and_outside_on_the_sequence_has_them_after_each_transition()
    {
        var engine = new GeofenceEngine();
        engine.Load([new Fence(1, "ten km", Fence.Circle(10, 10, 10_000), Rules(FenceRules.All.Where(r => r != "dwell").ToArray()))]);
        Assert.Equal(["enter", "inside", "exit", "outside", "cross", "outside"], Run(engine, 7, (10, 10), (0, 0), (20, 20)));
    }

    [Fact]
    public void A_unit_on_the_edge_does_not_flap_and_exits_only_beyond_the_margin()
    {
        // A 500 m circle with a 50 m margin; the unit steps 10 m out and back, then 100 m out.
        var (lon, lat) = (7.42, 43.74);
        var engine = new GeofenceEngine();
        engine.Load([new Fence(1, "edge", Fence.Circle(lon, lat, 500, 128), Rules("enter", "exit"), MarginM: 50)]);
        var inEdge = Geo.Destination(lon, lat, 90, 495);
        var out10 = Geo.Destination(lon, lat, 90, 510);
        var out100 = Geo.Destination(lon, lat, 90, 600);
        Assert.Equal(["enter"], Run(engine, 1, inEdge, out10, inEdge, out10, inEdge));
        Assert.Equal(["exit"], Run(engine, 1, out100));

        // Without a margin the same walk flaps at every step.
        var flappy = new GeofenceEngine();
        flappy.Load([new Fence(1, "edge", Fence.Circle(lon, lat, 500, 128), Rules("enter", "exit"))]);
        Assert.Equal(["enter", "exit", "enter", "exit", "enter"], Run(flappy, 1, inEdge, out10, inEdge, out10, inEdge));
    }

    [Fact]
    public void Dwell_is_reported_once_a_stay_after_N_minutes_and_again_after_a_new_entry()
    {
        var engine = new GeofenceEngine();
        engine.Load([new Fence(1, "square", Fence.Circle(7.42, 43.74, 200), Rules("dwell"), Dwell: TimeSpan.FromMinutes(5))]);
        List<string> At(int minute, double lon) => engine.Evaluate(3, "foot", T0.AddMinutes(minute), lon, 43.74).Select(e => e.Rule).ToList();
        Assert.Empty(At(0, 7.42));
        Assert.Empty(At(4, 7.42));
        Assert.Equal(["dwell"], At(5, 7.42));
        Assert.Empty(At(9, 7.42)); // once a stay
        Assert.Empty(At(10, 7.50)); // left
        Assert.Empty(At(11, 7.42));
        Assert.Equal(["dwell"], At(16, 7.42));
    }

    [Fact]
    public void Outside_its_active_hours_a_fence_is_silent_and_does_not_fake_an_enter_when_it_wakes()
    {
        // Active 22:00-06:59 on Shanghai's clock (UTC+8): 12:00 UTC is 20:00 there, 14:00 UTC is 22:00.
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        var hours = new HashSet<int> { 22, 23, 0, 1, 2, 3, 4, 5, 6 };
        var engine = new GeofenceEngine();
        engine.Load([new Fence(1, "night", Fence.Circle(7.42, 43.74, 200), Rules("enter", "exit"), ActiveHours: hours, Zone: zone)]);
        Assert.Empty(engine.Evaluate(1, "car", T0, 7.42, 43.74));                 // entered at 20:00: silent
        Assert.Empty(engine.Evaluate(1, "car", T0.AddHours(2), 7.42, 43.74));     // 22:00, still inside: no enter
        Assert.Equal("exit", Assert.Single(engine.Evaluate(1, "car", T0.AddHours(2.5), 7.50, 43.74)).Rule);
    }

    [Fact]
    public void A_late_fix_older_than_the_last_one_changes_no_stay()
    {
        var engine = new GeofenceEngine();
        engine.Load([new Fence(1, "square", Fence.Circle(7.42, 43.74, 200), Rules("enter", "exit"))]);
        Assert.Single(engine.Evaluate(1, "car", T0.AddMinutes(1), 7.42, 43.74));
        Assert.Empty(engine.Evaluate(1, "car", T0, 7.50, 43.74)); // a backlog fix from before: no exit
        Assert.Single(engine.Evaluate(1, "car", T0.AddMinutes(2), 7.50, 43.74));
    }

    [Fact]
    public void A_fence_watches_only_its_units_and_kinds()
    {
        var engine = new GeofenceEngine();
        engine.Load([
            new Fence(1, "boats only", Fence.Circle(7.42, 43.74, 200), Rules("enter"), Kinds: new HashSet<string> { "boat" }),
            new Fence(2, "unit 9", Fence.Circle(7.42, 43.74, 200), Rules("enter"), Units: new HashSet<long> { 9 }),
        ]);
        Assert.Empty(engine.Evaluate(1, "car", T0, 7.42, 43.74));
        Assert.Equal(1, Assert.Single(engine.Evaluate(2, "boat", T0, 7.42, 43.74)).FenceId);
        Assert.Equal(2, Assert.Single(engine.Evaluate(9, "car", T0, 7.42, 43.74)).FenceId);
    }

    [Fact]
    public void Reloading_the_fences_keeps_stays_in_fences_that_remain_and_forgets_deleted_ones()
    {
        var a = new Fence(1, "a", Fence.Circle(7.42, 43.74, 200), Rules("enter", "exit"));
        var b = new Fence(2, "b", Fence.Circle(7.42, 43.74, 300), Rules("enter", "exit"));
        var engine = new GeofenceEngine();
        engine.Load([a, b]);
        Assert.Equal(2, engine.Evaluate(1, "car", T0, 7.42, 43.74).Count);
        engine.Load([a]);
        Assert.Empty(engine.Evaluate(1, "car", T0.AddSeconds(1), 7.42, 43.74)); // still in a, b is gone
        engine.Load([a, b]);
        Assert.Equal(2, Assert.Single(engine.Evaluate(1, "car", T0.AddSeconds(2), 7.42, 43.74)).FenceId); // b is new again
    }

    [Fact]
    public void A_polygon_fence_is_crossed_by_a_fast_unit_that_jumps_over_it()
    {
        var f = new GeometryFactory(new PrecisionModel(), 4326);
        var square = f.CreatePolygon([new(7.41, 43.73), new(7.43, 43.73), new(7.43, 43.75), new(7.41, 43.75), new(7.41, 43.73)]);
        var engine = new GeofenceEngine();
        engine.Load([new Fence(5, "square", square, Rules("enter", "cross"))]);
        Assert.Equal(["cross"], Run(engine, 1, (7.40, 43.74), (7.44, 43.74)));
        Assert.Empty(Run(engine, 2, (7.40, 43.70), (7.44, 43.70))); // passes south of it
    }
    [Fact]
    public void Fences_put_and_removed_one_by_one_are_watched_as_if_loaded_whole_past_a_rebuild()
    {
        // More single changes than the engine keeps beside its tree: fences 1..N in a row along a parallel, every
        // other one removed again. The unit drives along the row: exactly the kept ones report an enter.
        var engine = new GeofenceEngine();
        engine.Load([]);
        var n = GeofenceEngine.RebuildAfter + 40;
        for (var i = 1; i <= n; i++) engine.Put(new Fence(i, $"f{i}", Fence.Circle(7 + i * 0.01, 43.7, 200), Rules("enter")));
        for (var i = 2; i <= n; i += 2) engine.Remove(i);
        engine.Put(new Fence(1, "f1 redrawn", Fence.Circle(7.01, 43.7, 200), Rules("enter"))); // replaced: one fence, new name
        Assert.Equal((n + 1) / 2, engine.FenceCount);
        var names = new List<string>();
        for (var i = 1; i <= n; i++)
        {
            names.AddRange(engine.Evaluate(3, "car", T0.AddSeconds(2 * i), 7 + i * 0.01, 43.7).Select(e => e.FenceName));
            names.AddRange(engine.Evaluate(3, "car", T0.AddSeconds(2 * i + 1), 7 + i * 0.01 + 0.005, 43.7).Select(e => e.FenceName));
        }
        Assert.Equal(Enumerable.Range(1, n).Where(i => i % 2 == 1).Select(i => i == 1 ? "f1 redrawn" : $"f{i}"), names);
    }
}
