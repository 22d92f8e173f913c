using System.Text.Json;
using GeoTwin.Server.Infrastructure.Db;

namespace GeoTwin.Server.Warnings.Instructions;

/// <summary>One transition of an instruction as vocabulary.json's "instructions.actions" says it (the one rule, read by the client too).</summary>
public sealed record InstructionAction(string Name, IReadOnlyList<string> From, string To, bool ByLeader, string? Text);

/// <summary>The instruction part of vocabulary.json: statuses, actions, holders in climbing order, the leader roles.</summary>
public static class InstructionVocabulary
{
    static readonly JsonElement Section = Load();

    public static IReadOnlyList<string> Statuses { get; } = Names("statuses");
    public static IReadOnlyList<string> OpenStatuses { get; } =
        [.. Section.GetProperty("statuses").EnumerateObject().Where(p => p.Value.GetProperty("open").GetBoolean()).Select(p => p.Name)];
    public static IReadOnlyList<string> Holders { get; } = Names("holders");
    public static IReadOnlyList<string> EventKinds { get; } = Names("events");
    public static IReadOnlySet<string> Leaders { get; } = Section.GetProperty("leaders").EnumerateArray().Select(e => e.GetString()!).ToHashSet();
    public static IReadOnlyDictionary<string, InstructionAction> Actions { get; } = Section.GetProperty("actions").EnumerateObject()
        .Where(p => !p.Name.StartsWith('_'))
        .ToDictionary(p => p.Name, p => new InstructionAction(p.Name,
            [.. p.Value.GetProperty("from").EnumerateArray().Select(e => e.GetString()!)], p.Value.GetProperty("to").GetString()!,
            p.Value.GetProperty("by").GetString() == "leader", p.Value.TryGetProperty("text", out var t) ? t.GetString() : null));

    /// <summary>The holder one level up, or null at the top.</summary>
    public static string? Above(string holder)
    {
        var i = Holders.ToList().IndexOf(holder);
        return i >= 0 && i + 1 < Holders.Count ? Holders[i + 1] : null;
    }

    static IReadOnlyList<string> Names(string part) =>
        [.. Section.GetProperty(part).EnumerateObject().Where(p => !p.Name.StartsWith('_')).Select(p => p.Name)];

    static JsonElement Load()
    {
        using var doc = JsonDocument.Parse(Vocabulary.Json);
        return doc.RootElement.GetProperty("instructions").Clone();
    }
}

/// <summary>A rule: a place entering <see cref="Level"/> (or higher, when no rule of its own) raises <see cref="Task"/> to <see cref="Holder"/>.</summary>
public sealed record InstructionRule(string Name, string Level, string Task, TimeSpan Within, string Holder);

/// <summary>GeoTwin:Warnings:Instructions:* read once at start (a bad value ends the start naming the key).</summary>
public sealed class InstructionOptions
{
    public IReadOnlyList<InstructionRule> Rules { get; }
    /// <summary>How long an escalated instruction waits at its new level before it climbs again.</summary>
    public TimeSpan EscalateEvery { get; }
    public int EveryMinutes { get; }

    public static readonly IReadOnlyList<InstructionRule> DefaultRules =
    [
        new("red-check", "red", "排查小区内所有自行车棚、电动车停放点，逐户走访提醒防盗，48小时内反馈。", TimeSpan.FromHours(48), "community_officer"),
        new("black-clearance", "black", "开展集中清查整治：重点时段巡逻、视频盯防、可疑人员盘查，24小时内反馈。", TimeSpan.FromHours(24), "community_officer"),
    ];

    public InstructionOptions(IReadOnlyList<InstructionRule>? rules = null, TimeSpan? escalateEvery = null, int everyMinutes = 1)
    {
        Rules = rules ?? DefaultRules;
        foreach (var r in Rules)
        {
            if (!Vocabulary.Warnings.Levels.Contains(r.Level) || r.Level == "none") throw new ArgumentException($"Rules:{r.Name}:Level: '{r.Level}' is not a warning level");
            if (!InstructionVocabulary.Holders.Contains(r.Holder)) throw new ArgumentException($"Rules:{r.Name}:Holder: '{r.Holder}' is not one of {string.Join(", ", InstructionVocabulary.Holders)}");
            if (r.Task.Length is < 1 or > 500) throw new ArgumentException($"Rules:{r.Name}:Task: must be 1..500 characters");
            if (r.Within <= TimeSpan.Zero || r.Within > TimeSpan.FromDays(90)) throw new ArgumentException($"Rules:{r.Name}:Hours: must be more than 0 and at most 90 days");
        }
        if (Rules.Select(r => r.Name).Distinct().Count() != Rules.Count) throw new ArgumentException("Rules: names must be distinct");
        EscalateEvery = escalateEvery ?? TimeSpan.FromHours(24);
        if (EscalateEvery <= TimeSpan.Zero) throw new ArgumentException("EscalateEveryHours: must be more than 0");
        if (everyMinutes is < 1 or > 59) throw new ArgumentException($"EveryMinutes: must be 1..59, got {everyMinutes}");
        EveryMinutes = everyMinutes;
    }

    /// <summary>Rules:&lt;i&gt;:Name, Level, Task, Hours, Holder; EscalateEveryHours; EveryMinutes.</summary>
    public static InstructionOptions From(IConfiguration config)
    {
        const string Key = "GeoTwin:Warnings:Instructions";
        try
        {
            var section = config.GetSection($"{Key}:Rules").GetChildren().ToList();
            List<InstructionRule>? rules = section.Count == 0 ? null : [.. section.Select(c => new InstructionRule(
                c["Name"] ?? c.Key, c["Level"] ?? "", c["Task"] ?? "", TimeSpan.FromHours(c.GetValue("Hours", 48.0)), c["Holder"] ?? "community_officer"))];
            return new InstructionOptions(rules, TimeSpan.FromHours(config.GetValue($"{Key}:EscalateEveryHours", 24.0)),
                config.GetValue($"{Key}:EveryMinutes", 1));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            throw new StartupException($"{Key}:{e.Message}");
        }
    }
}
