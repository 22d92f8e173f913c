using GeoTwin.DataImport.Domain;
using static GeoTwin.DataImport.Import.Layers.Column;

namespace GeoTwin.DataImport.Import.Layers;

/// <summary>
/// The layers `geotwin import` writes, with the field names sources use for each column (English, OSM tags,
/// pinyin initials and Chinese headers of police exports) and the words they use for each allowed value.
/// </summary>
public static class LayerCatalog
{
    const string AddressCode = "^[A-Za-z0-9-]{8,64}$";
    const string ShortCode = "^[A-Za-z0-9-]{1,64}$";
    internal const string TreeCode = "^[A-Za-z0-9_-]{1,40}$";

    static Column JurisdictionCode(params string[] more) =>
        Code("jurisdiction_code", TreeCode, [.. more, "jurisdiction", "派出所代码", "责任区代码", "管辖单位代码", "gxdwdm"]);

    static Column AddressRef() => Code("address_code", AddressCode, "dzbm", "地址编码", "standard_address_code");

    /// <summary>
    /// A column of shared codes (vocabulary.json): its codes, also accepted in the labels the viewer shows for them
    /// (zh-CN and English) and in the other words clerks write.
    /// </summary>
    internal static Column VocabularyChoice(string name, IEnumerable<string> codes, CodeList list, Dictionary<string, string> words, params string[] aliases)
    {
        var allowed = codes.ToList();
        foreach (var code in allowed)
        {
            var label = list.LabelOf(code);
            words.TryAdd(label.Zh, code);
            words.TryAdd(label.En, code);
        }
        return Choice(name, allowed, words, aliases);
    }

    static readonly short[] ElementTypes = [11, 12, 13, 21, 22, 23, 31, 33, 34, 41, 42, 43, 44, 50, 61, 62];

    public static readonly Layer Addresses = new()
    {
        Name = "addresses", Table = "addresses", Geometry = GeometryKind.Point, UniqueColumns = ["code"], PathTrigger = "addresses_scope",
        Checks = ["Import/Checks/address_parents.sql"],
        Columns =
        [
            Code("code", AddressCode, "dzbm", "地址编码", "地址代码", "address_code", "uuid", "id").Needed(),
            Short("element_type", 11, 62, "dzyslx", "地址要素类型", "要素类型")
                .Where(v => ElementTypes.Contains((short)v) ? null : $"element_type {v} is not a GA/T 2000.32 code ({string.Join(", ", ElementTypes)})").Or("50"),
            Code("parent_code", AddressCode, "sjdzbm", "上级地址编码", "parent"),
            Text("full_text", 500, "address", "dzqc", "地址全称", "标准地址", "详细地址", "地址", "addr:full", "name").Needed(),
            Text("door_number", 50, "mph", "门牌号", "门楼牌号", "门牌", "addr:housenumber", "house_number", "housenumber"),
            JurisdictionCode(),
        ],
    };

    public static readonly Layer Houses = new()
    {
        Name = "houses", Table = "houses", Geometry = GeometryKind.Polygon, UniqueColumns = ["code"], MaxVertices = 10_000,
        Checks = ["Import/Checks/address_refs.sql"],
        Columns =
        [
            Code("code", ShortCode, "fwbm", "房屋编码", "house_code", "building_id", "id", "osm_id").Needed(),
            AddressRef(),
            Real("base_height_m", -100, 1000, "base_height", "min_height", "底部高程").Or("0"),
            Real("roof_height_m", -100, 1000, "height", "高度", "房屋高度", "building_height"),
            Short("floors", 1, 200, "层数", "楼层数", "地上层数", "fwcs", "building:levels", "levels", "floor_count"),
            Choice("use", ["residential", "commercial", "office", "mixed", "hotel", "public", "industrial", "religious", "other"], new Dictionary<string, string>
            {
                ["住宅"] = "residential", ["居住"] = "residential", ["house"] = "residential", ["apartments"] = "residential", ["detached"] = "residential",
                ["商业"] = "commercial", ["商铺"] = "commercial", ["retail"] = "commercial", ["办公"] = "office", ["写字楼"] = "office",
                ["商住"] = "mixed", ["混合"] = "mixed", ["酒店"] = "hotel", ["宾馆"] = "hotel", ["旅馆"] = "hotel",
                ["公共"] = "public", ["公建"] = "public", ["工业"] = "industrial", ["厂房"] = "industrial", ["宗教"] = "religious",
                ["church"] = "religious", ["其他"] = "other", ["yes"] = "other",
            }, "房屋用途", "用途", "fwyt", "usage", "building").Or("residential"),
            Choice("ownership", ["private", "public", "collective", "rented", "other"], new Dictionary<string, string>
            {
                ["私有"] = "private", ["自有"] = "private", ["公有"] = "public", ["集体"] = "collective", ["出租"] = "rented", ["其他"] = "other",
            }, "产权性质", "cqxz"),
            Int("rooms", 0, 100_000, "房间数"),
            Real("area_m2", 0, 10_000_000, "area", "面积", "建筑面积"),
            Int("residents_total", 0, 1_000_000, "residents", "实有人口", "人口数", "总人数"),
            Int("residents_registered", 0, 1_000_000, "registered", "户籍人口", "户籍人数"),
            Int("residents_floating", 0, 1_000_000, "floating", "流动人口", "流动人数"),
            Int("residents_foreign", 0, 1_000_000, "foreign", "境外人员", "外籍人员"),
            JurisdictionCode(),
        ],
        Complete = CompleteHouse,
    };

    /// <summary>A storey where only the floor count is known, as 3D city models assume.</summary>
    const float StoreyHeightM = 3;

    static FieldError? CompleteHouse(Layer layer, object?[] v)
    {
        int baseI = layer.IndexOf("base_height_m"), roofI = layer.IndexOf("roof_height_m"), floorsI = layer.IndexOf("floors");
        var b = (float)v[baseI]!;
        if (v[roofI] is null && v[floorsI] is short floors) v[roofI] = b + floors * StoreyHeightM;
        if (v[roofI] is not float roof) return new FieldError("roof_height_m", "no height and no floor count: one is needed for the 3D model");
        if (roof <= b) return new FieldError("roof_height_m", $"roof height {roof} m is not above the base height {b} m");

        int totalI = layer.IndexOf("residents_total"), regI = layer.IndexOf("residents_registered"), floatI = layer.IndexOf("residents_floating"), forI = layer.IndexOf("residents_foreign");
        // Registered (户籍) and floating residents are the two parts of the total: any two give the third.
        var (total, registered, floating) = (v[totalI] as int?, v[regI] as int?, v[floatI] as int?);
        total ??= registered is null && floating is null ? 0 : (registered ?? 0) + (floating ?? 0);
        registered ??= total - (floating ?? 0);
        floating ??= total - registered;
        if (registered < 0 || floating < 0 || registered + floating != total)
            return new FieldError("residents_total", $"registered {registered} + floating {floating} residents must add up to the total {total}");
        var foreigners = v[forI] as int? ?? 0;
        if (foreigners > floating) return new FieldError("residents_foreign", $"{foreigners} foreign residents but only {floating} floating ones (foreigners are counted among the floating)");
        (v[totalI], v[regI], v[floatI], v[forI]) = (total, registered, floating, foreigners);
        return null;
    }

    public static readonly Layer Organizations = new()
    {
        Name = "organizations", Table = "organizations", Geometry = GeometryKind.Point, UniqueColumns = ["code"],
        Checks = ["Import/Checks/address_refs.sql"],
        Columns =
        [
            Code("code", ShortCode, "dwbm", "单位编码", "统一社会信用代码", "org_code", "id", "osm_id").Needed(),
            Text("name", 200, "dwmc", "单位名称", "名称").Needed(),
            Choice("category", ["hotel", "scenic_spot", "shop", "restaurant", "company", "school", "hospital", "bank", "entertainment", "government", "religious", "other"],
                new Dictionary<string, string>
                {
                    ["旅馆"] = "hotel", ["宾馆"] = "hotel", ["酒店"] = "hotel", ["guest_house"] = "hotel", ["hostel"] = "hotel",
                    ["景区"] = "scenic_spot", ["景点"] = "scenic_spot", ["attraction"] = "scenic_spot", ["museum"] = "scenic_spot", ["viewpoint"] = "scenic_spot",
                    ["商店"] = "shop", ["商铺"] = "shop", ["超市"] = "shop", ["supermarket"] = "shop", ["convenience"] = "shop",
                    ["餐馆"] = "restaurant", ["饭店"] = "restaurant", ["餐饮"] = "restaurant", ["cafe"] = "restaurant", ["fast_food"] = "restaurant", ["bar"] = "restaurant",
                    ["公司"] = "company", ["企业"] = "company", ["学校"] = "school", ["医院"] = "hospital", ["clinic"] = "hospital", ["银行"] = "bank",
                    ["娱乐场所"] = "entertainment", ["网吧"] = "entertainment", ["KTV"] = "entertainment", ["casino"] = "entertainment", ["nightclub"] = "entertainment",
                    ["政府"] = "government", ["机关"] = "government", ["townhall"] = "government", ["宗教场所"] = "religious", ["place_of_worship"] = "religious", ["其他"] = "other",
                }, "类别", "单位类别", "行业类别", "dwlb", "kind").Or("other"),
            AddressRef(),
            JurisdictionCode(),
        ],
    };

    public static readonly Layer Cameras = new()
    {
        Name = "cameras", Table = "cameras", Geometry = GeometryKind.Point, UniqueColumns = ["id", "source_ref"],
        Checks = ["Import/Checks/camera_source_refs.sql"],
        Columns =
        [
            Custom("id", Gb28181Id.ValidateCamera, "gbid", "gb28181", "国标编码", "设备编码", "camera_id", "device_id", "code").Needed(),
            Text("name", 200, "设备名称", "名称", "点位名称"),
            Real("mount_height_m", 0, 300, "height", "安装高度").Or("6"),
            Real("heading_deg", 0, 359.999, "heading", "direction", "camera:direction", "朝向", "方向角"),
            Real("fov_deg", 0.001, 360, "fov", "视场角", "camera:angle").Or("60"),
            Real("range_m", 0.001, 5000, "range", "可视距离").Or("50"),
            Real("tilt_deg", -90, 90, "tilt", "俯仰角").Or("-15"),
            Choice("kind", ["fixed", "dome", "ptz"], new Dictionary<string, string>
            {
                ["枪机"] = "fixed", ["固定"] = "fixed", ["半球"] = "dome", ["球机"] = "ptz", ["云台"] = "ptz", ["panning"] = "ptz",
            }, "camera_type", "camera:type", "摄像机类型", "类型").Or("fixed"),
            Choice("owner", ["government", "social"], new Dictionary<string, string>
            {
                ["政府"] = "government", ["公安"] = "government", ["public"] = "government", ["社会"] = "social", ["社会资源"] = "social", ["private"] = "social",
            }, "建设主体", "归属", "operator_type").Or("government"),
            Choice("status", ["online", "offline", "fault"], new Dictionary<string, string>
            {
                ["在线"] = "online", ["离线"] = "offline", ["故障"] = "fault",
            }, "状态", "设备状态").Or("online"),
            Text("source_ref", 200, "osm_id", "source"),
            JurisdictionCode(),
        ],
    };

    public static readonly Layer Roads = new()
    {
        Name = "roads", Table = "roads", Geometry = GeometryKind.Line, Placement = Placement.None, UniqueColumns = ["source_ref"], MaxVertices = 20_000,
        Columns =
        [
            Text("source_ref", 200, "osm_id", "road_id", "道路编码", "dlbm", "objectid", "fid", "id").Needed(),
            Text("name", 200, "道路名称", "路名", "dlmc"),
            Choice("road_class", RoadClasses.All, new Dictionary<string, string>
            {
                ["高速公路"] = "motorway", ["快速路"] = "trunk", ["主干路"] = "primary", ["主干道"] = "primary", ["次干路"] = "secondary", ["次干道"] = "secondary",
                ["支路"] = "tertiary", ["街巷"] = "residential", ["小区路"] = "residential", ["服务道路"] = "service", ["步行街"] = "pedestrian", ["机耕路"] = "track",
                ["motorway_link"] = "motorway", ["trunk_link"] = "trunk", ["primary_link"] = "primary", ["secondary_link"] = "secondary",
                ["tertiary_link"] = "tertiary", ["unclassified"] = "other", ["road"] = "other", ["footway"] = "pedestrian",
            }, "class", "highway", "fclass", "道路等级", "dldj").Or("other"),
            Real("speed_kmh", 0.001, 150, "speed", "maxspeed", "限速", "设计速度"),
            ShortChoice("oneway", new Dictionary<string, short>
            {
                ["yes"] = 1, ["true"] = 1, ["1"] = 1, ["t"] = 1, ["y"] = 1, ["FT"] = 1, ["是"] = 1, ["单向"] = 1,
                ["-1"] = -1, ["reverse"] = -1, ["TF"] = -1,
                ["no"] = 0, ["false"] = 0, ["0"] = 0, ["f"] = 0, ["n"] = 0, ["B"] = 0, ["否"] = 0, ["双向"] = 0,
            }, "one_way", "单行", "单向通行", "dir").Or("0"),
        ],
        Complete = (layer, v) =>
        {
            int speed = layer.IndexOf("speed_kmh"), cls = layer.IndexOf("road_class");
            v[speed] ??= (float)RoadClasses.DefaultSpeedKmh((string)v[cls]!);
            return null;
        },
    };

    public static readonly Layer PoliceUnits = new()
    {
        Name = "police_units", Table = "police_units", Geometry = GeometryKind.Point, GeometryRequired = false, Placement = Placement.Station,
        UniqueColumns = ["call_sign", "device_id"], Checks = ["Import/Checks/unit_device_ids.sql"],
        Columns =
        [
            Text("call_sign", 40, "callsign", "呼号", "警组名称", "name").Needed(),
            VocabularyChoice("kind", Vocabulary.UnitKinds, Vocabulary.UnitKinds, new Dictionary<string, string>
            {
                ["警车"] = "car", ["巡逻车"] = "car", ["车巡"] = "car", ["步巡"] = "foot", ["徒步"] = "foot", ["摩托车"] = "motorbike", ["摩托"] = "motorbike",
                ["船"] = "boat", ["巡逻艇"] = "boat",
            }, "type", "类型", "巡逻方式").Or("car"),
            Code("device_id", TreeCode, "terminal_id", "终端号", "设备号"),
            TextList("capabilities", "能力", "skills"),
            JurisdictionCode("station", "station_code", "所属派出所"),
        ],
    };

    public static readonly Layer Incidents = new()
    {
        Name = "incidents", Table = "incidents", Geometry = GeometryKind.Point, UniqueColumns = ["code"],
        Checks = ["Import/Checks/address_refs.sql"],
        Columns =
        [
            Code("code", TreeCode, "jjdbh", "接警单编号", "警情编号", "incident_code", "id").Needed(),
            VocabularyChoice("category", Vocabulary.IncidentCategories, Vocabulary.IncidentCategories, new Dictionary<string, string>
                {
                    ["抢劫"] = "robbery", ["抢夺"] = "snatching", ["盗窃"] = "theft", ["入室盗窃"] = "burglary", ["打架斗殴"] = "fight", ["斗殴"] = "fight",
                    ["交通事故"] = "traffic_accident", ["火灾"] = "fire", ["火警"] = "fire", ["走失"] = "missing_person", ["失踪"] = "missing_person",
                    ["医疗"] = "medical", ["急救"] = "medical", ["诈骗"] = "fraud", ["纠纷"] = "disturbance", ["扰民"] = "disturbance", ["其他"] = "other",
                }, "警情类别", "案由", "jqlb", "type").Or("other"),
            Short("priority", 1, 4, "等级", "优先级", "警情等级").Or("3"),
            Text("description", 4000, "简要警情", "警情内容", "报警内容", "bjnr", "content"),
            // every status but merged, which needs the incident it went into (merged_into), a thing no import file names
            VocabularyChoice("status", Vocabulary.IncidentStatuses.Where(st => st != "merged"), Vocabulary.IncidentStatuses, new Dictionary<string, string>
            {
                ["未处理"] = "new", ["新警情"] = "new", ["已派警"] = "dispatched", ["到场"] = "on_scene", ["已处理"] = "closed", ["办结"] = "closed",
                ["已结束"] = "closed", ["取消"] = "cancelled", ["撤销"] = "cancelled",
            }, "状态", "处警状态").Or("new"),
            Time("received_at", "接警时间", "报警时间", "bjsj", "time", "datetime", "occurred_at"),
            Time("closed_at", "结束时间", "办结时间"),
            Text("disposition", 2000, "处理结果", "处警结果"),
            AddressRef(),
            JurisdictionCode(),
        ],
    };

    public static readonly Layer Jurisdictions = new()
    {
        Name = "jurisdictions", Table = "jurisdictions", Geometry = GeometryKind.Polygon, GeometryRequired = false, Placement = Placement.None,
        MaxVertices = 100_000,
        UniqueColumns = ["code"], Checks = ["Import/Checks/jurisdiction_parents.sql", "Import/Checks/jurisdiction_time_zones.sql"],
        Columns =
        [
            Code("code", TreeCode, "编码", "机构代码", "jgdm", "id").Needed(),
            Choice("kind", ["city_bureau", "sub_bureau", "station", "responsibility_area", "community", "grid"], new Dictionary<string, string>
            {
                ["市局"] = "city_bureau", ["市公安局"] = "city_bureau", ["分局"] = "sub_bureau", ["派出所"] = "station",
                ["责任区"] = "responsibility_area", ["警务责任区"] = "responsibility_area", ["社区"] = "community", ["村"] = "community", ["网格"] = "grid",
            }, "type", "类型", "level", "层级").Needed(),
            Text("name", 200, "名称", "机构名称", "jgmc").Needed(),
            Text("name_en", 200, "english_name", "name:en"),
            Code("parent_code", TreeCode, "parent", "上级编码", "上级机构代码", "sjjgdm"),
            // the bureau's clock for hot spot hours and weekdays (IANA, e.g. America/Chicago); empty: as the parent
            Text("time_zone", 64, "timezone", "tz", "时区"),
        ],
        Complete = (layer, v) => v[layer.IndexOf("parent_code")] is null && (string?)v[layer.IndexOf("kind")] is { } kind and not "city_bureau"
            ? new FieldError("parent_code", $"a {kind} needs a parent jurisdiction; only a city_bureau is a root") : null,
    };

    public static readonly IReadOnlyList<Layer> All = [Addresses, Houses, Organizations, Cameras, Roads, PoliceUnits, Incidents, Jurisdictions, WarningPlacesLayer.Layer];

    public static Layer Get(string name) =>
        All.FirstOrDefault(l => l.Name.Equals(name.Replace('-', '_'), StringComparison.OrdinalIgnoreCase))
        ?? throw new ImportRefusedException($"unknown layer '{name}': one of {string.Join(", ", All.Select(l => l.Name))}");
}
