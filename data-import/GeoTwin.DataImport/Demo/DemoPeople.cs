namespace GeoTwin.DataImport.Demo;

/// <summary>One generated person of a demo house (实有人口): never a real one.</summary>
sealed record PersonRow(string HouseCode, bool Floating, bool Foreign, DateOnly ArrivedOn, DateOnly? RegisteredOn, DateOnly? RegistrationDueOn,
    string FullName, string IdNumber, string Phone, string AreaCode);

/// <summary>
/// The people of the demo houses, exactly as many as each house's counts say (hukou, floating, foreign among the
/// floating), so the counts and the people rows agree from the start. Floating residents are registered at a rate
/// that differs by community (some under the 95 % target), most of them within the three working days. Generated,
/// plausible and obviously not real: ID numbers carry region 000000 (990000 for foreigners' permanent-residence
/// cards), which GB/T 2260 never gave, and every row is registered_by 'demo-generated'.
/// </summary>
static class DemoPeople
{
    static readonly string[] Surnames = ["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "高"];
    static readonly string[] Given = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英", "桂英", "建华", "海燕", "志强", "晓东", "丽华", "文博", "子涵"];

    public static List<PersonRow> Build(IEnumerable<HouseRow> houses, DateTime untilUtc, int seed)
    {
        var random = new Random(seed);
        var today = DateOnly.FromDateTime(untilUtc);
        var rate = new Dictionary<string, double>();
        var people = new List<PersonRow>();
        var sequence = 0;
        foreach (var h in houses.Where(h => h.Total > 0))
        {
            if (!rate.TryGetValue(h.CommunityCode, out var registeredShare)) rate[h.CommunityCode] = registeredShare = 0.72 + 0.27 * random.NextDouble();
            for (var i = 0; i < h.Total; i++)
            {
                var floating = i < h.Floating;
                var foreign = floating && i < h.Foreign;
                var arrived = floating ? today.AddDays(-random.Next(3, 1500)) : today.AddDays(-random.Next(400, 20000));
                var due = WorkingDays.Add(arrived, 3);
                // hukou residents are registered where they live by definition; floating ones at the community's rate,
                // mostly within the due days, some late
                DateOnly? registered = !floating ? arrived
                    : random.NextDouble() < registeredShare ? arrived.AddDays(random.NextDouble() < 0.85 ? random.Next(0, 3) : random.Next(4, 30)) : null;
                if (registered > today) registered = today;
                var born = new DateOnly(1950, 1, 1).AddDays(random.Next(0, 365 * 55));
                sequence++;
                people.Add(new PersonRow(h.Code, floating, foreign, arrived, registered, floating && registered is not null ? due : null,
                    Surnames[random.Next(Surnames.Length)] + Given[random.Next(Given.Length)],
                    ResidentIdNumber.Make(foreign ? "990000" : "000000", born, sequence % 1000),
                    $"139{random.Next(0, 100_000_000):00000000}", h.AreaCode));
            }
        }
        return people;
    }
}
