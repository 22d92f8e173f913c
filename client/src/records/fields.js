// Words for record fields and their coded values (zh-CN / English), kept apart from i18n.js
// because they mirror the database's columns and CHECK lists (migrations 0004-0007).
// A field or value not listed here is shown as it comes: a new server field is never hidden.
import { getLang } from "../i18n.js";

const LABELS = {
  code: ["编码", "Code"],
  id: ["编号", "ID"],
  name: ["名称", "Name"],
  addressCode: ["地址编码", "Address code"],
  addressText: ["地址", "Address"],
  fullText: ["地址全称", "Full address"],
  doorNumber: ["门楼牌号", "Door number"],
  door_number: ["门楼牌号", "Door number"],
  elementType: ["地址要素类型", "Element type"],
  status: ["状态", "Status"],
  use: ["用途", "Use"],
  ownership: ["产权", "Ownership"],
  floors: ["层数", "Floors"],
  rooms: ["房间数", "Rooms"],
  areaM2: ["面积（平方米）", "Area (m²)"],
  baseHeightM: ["底高（米）", "Base height (m)"],
  roofHeightM: ["顶高（米）", "Roof height (m)"],
  residentsTotal: ["实有人口", "Residents"],
  residentsRegistered: ["户籍人口", "Registered"],
  residentsFloating: ["流动人口", "Floating"],
  residentsForeign: ["境外人员", "Foreign"],
  lon: ["经度", "Longitude"],
  lat: ["纬度", "Latitude"],
  kind: ["类型", "Kind"],
  owner: ["归属", "Owner"],
  mountHeightM: ["安装高度（米）", "Mount height (m)"],
  headingDeg: ["朝向（度）", "Heading (°)"],
  tiltDeg: ["俯仰（度）", "Tilt (°)"],
  fovDeg: ["视场角（度）", "Field of view (°)"],
  rangeM: ["可视距离（米）", "Range (m)"],
  category: ["类别", "Category"],
  priority: ["优先级", "Priority"],
  receivedAt: ["接警时间", "Received"],
  description: ["简要警情", "Description"],
  disposition: ["处置结果", "Disposition"],
  road_class: ["道路等级", "Road class"],
  roadClass: ["道路等级", "Road class"],
  callSign: ["呼号", "Call sign"],
};

const VALUES = {
  use: {
    residential: ["住宅", "residential"], commercial: ["商业", "commercial"], office: ["办公", "office"],
    mixed: ["商住混合", "mixed"], hotel: ["旅馆", "hotel"], public: ["公共建筑", "public"],
    industrial: ["工业", "industrial"], religious: ["宗教", "religious"], other: ["其他", "other"],
  },
  status: {
    active: ["有效", "active"], cancelled: ["已注销/已取消", "cancelled"], online: ["在线", "online"],
    offline: ["离线", "offline"], fault: ["故障", "fault"], new: ["新警情", "new"], dispatched: ["已派警", "dispatched"],
    on_scene: ["已到场", "on scene"], closed: ["已结案", "closed"], merged: ["已合并", "merged"],
  },
  kind: { fixed: ["枪机", "fixed"], dome: ["半球", "dome"], ptz: ["球机", "PTZ"] },
  owner: { government: ["政府（天网）", "government"], social: ["社会资源", "social"] },
  category: {
    robbery: ["抢劫", "robbery"], snatching: ["抢夺", "snatching"], theft: ["盗窃", "theft"],
    burglary: ["入室盗窃", "burglary"], fight: ["打架斗殴", "fight"], traffic_accident: ["交通事故", "traffic accident"],
    fire: ["火情", "fire"], missing_person: ["走失人员", "missing person"], medical: ["急救", "medical"],
    fraud: ["诈骗", "fraud"], disturbance: ["扰乱秩序", "disturbance"], other: ["其他", "other"],
  },
  elementType: {
    41: ["街路巷", "road/lane"], 42: ["小区", "residential compound"], 43: ["单位院落", "unit compound"],
    50: ["建筑物", "building"], 61: ["单元", "entrance unit"], 62: ["室", "room"],
  },
};
VALUES.road_class = VALUES.roadClass = {
  motorway: ["高速公路", "motorway"], trunk: ["快速路", "trunk"], primary: ["主干路", "primary"],
  secondary: ["次干路", "secondary"], tertiary: ["支路", "tertiary"], residential: ["街坊路", "residential"],
  service: ["辅路", "service"], pedestrian: ["步行街", "pedestrian"], other: ["其他", "other"],
};

const pickLang = (pair) => (getLang() === "en" ? pair[1] : pair[0]);

export function fieldLabel(name) {
  return LABELS[name] ? pickLang(LABELS[name]) : name;
}

/** A field's value in words: coded values translated, numbers rounded sensibly, dates local. */
export function fieldValue(name, value) {
  if (value === null || value === undefined || value === "") return "—";
  const coded = VALUES[name]?.[value];
  if (coded) return pickLang(coded);
  if (typeof value === "boolean") return getLang() === "en" ? (value ? "yes" : "no") : value ? "是" : "否";
  if (typeof value === "number") {
    if (name === "lon" || name === "lat") return value.toFixed(6);
    return Number.isInteger(value) ? String(value) : String(Math.round(value * 10) / 10);
  }
  if (typeof value === "string" && /^\d{4}-\d\d-\d\dT/.test(value)) {
    const d = new Date(value);
    if (!Number.isNaN(d.getTime())) return d.toLocaleString(getLang() === "en" ? "en-GB" : "zh-CN");
  }
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** The values a field is known to take (e.g. the incident categories), in their listed order. */
export function knownValues(name) {
  return Object.keys(VALUES[name] ?? {});
}
