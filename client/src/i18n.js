// The one translation system of the viewer: every word the page shows is a [zh-CN, English] pair, looked up
// here (t for the page's own words, pick for a pair that comes from elsewhere, e.g. the shared vocabulary in
// vocabulary.js), in the language chosen (zh-CN by default, kept in localStorage). A language switch fills
// every [data-i18n] element and calls each panel's onLangChange listener, which re-renders it.

const STORAGE_KEY = "geotwin.lang";
export const LANGS = ["zh-CN", "en"];

/** key -> [zh-CN, English]; {name} placeholders are filled from t's params. */
const WORDS = {
  "app.title": ["GeoTwin 一张图", "GeoTwin One Map"],
  "lang.toggle": ["English", "中文"],
  "lang.toggleTitle": ["Switch to English", "切换到中文"],
  "status.loading": ["正在连接服务器…", "Connecting to server…"],
  "status.ready": ["就绪", "Ready"],
  "status.notReady": ["服务器未就绪", "Server not ready"],
  "status.error": ["服务器错误", "Server error"],
  "status.offline": ["服务器无法连接", "Cannot reach the server"],
  "error.readyz": ["服务器未就绪（HTTP {status}）：{detail}", "Server not ready (HTTP {status}): {detail}"],
  "error.http": ["服务器返回错误（HTTP {status}）：{url}", "The server returned an error (HTTP {status}): {url}"],
  "error.network": ["服务器无法连接：{url}（{detail}）", "Cannot reach the server: {url} ({detail})"],
  "error.badJson": ["服务器返回了无法解析的数据：{url}", "The server sent data that could not be read: {url}"],
  "error.webgl": ["无法启动三维地图（WebGL 不可用）：{detail}", "The 3D map could not start (WebGL unavailable): {detail}"],
  "error.render": ["三维地图渲染出错：{detail}", "The 3D map stopped rendering: {detail}"],
  "error.baseLayer": ["底图加载失败：{detail}", "The base map could not be loaded: {detail}"],
  "error.dismiss": ["关闭", "Close"],
  "info.version": ["版本 {version}", "version {version}"],
  "info.noJurisdiction": ["未配置辖区", "No jurisdiction configured"],
  "credits.label": ["底图", "Base map"],
  "signin.title": ["登录 GeoTwin", "Sign in to GeoTwin"],
  "signin.username": ["用户名", "Username"],
  "signin.password": ["密码", "Password"],
  "signin.submit": ["登录", "Sign in"],
  "signin.signOut": ["退出", "Sign out"],
  "signin.wrong": ["用户名或密码错误", "Wrong username or password"],
  "signin.locked": ["账号已锁定：{detail}", "This account is locked: {detail}"],
  "signin.throttled": ["尝试次数过多，请稍后再试", "Too many attempts: try again in a minute"],
  "signin.invalid": ["请填写用户名和密码：{detail}", "Fill in username and password: {detail}"],
  "layers.title": ["图层", "Layers"],
  "imagery.title": ["底图影像", "Base imagery"],
  "incidents.filter": ["警情筛选", "Incident filter"],
  "incidents.allCategories": ["全部类别", "All categories"],
  "incidents.category": ["警情类别", "Incident category"],
  "incidents.from": ["接警起始日期", "Received from"],
  "incidents.to": ["接警截止日期", "Received until"],
  "incidents.badRange": ["起始日期晚于截止日期", "The start date is after the end date"],
  "incidents.cluster": ["此处 {count} 起警情（放大查看每一起）", "{count} incidents here (zoom in to see each)"],
  "error.imagery": ["底图影像 {name} 的瓦片加载失败", "Tiles of the base imagery {name} failed to load"],
  "layers.toggleTitle": ["显示或隐藏图层面板", "Show or hide the layers panel"],
  "layers.loading": ["正在加载图层…", "Loading layers…"],
  "layers.none": ["没有可显示的图层", "No layers to show"],
  "layers.opacity": ["{layer} 透明度", "{layer} opacity"],
  "layers.pending": ["加载中", "loading"],
  "layers.failed": ["{count} 个瓦片失败", "{count} tiles failed"],
  "layers.zoomIn": ["放大后显示", "zoom in to see"],
  "twin3d.title": ["三维", "3D"],
  "twin3d.colourBy": ["房屋着色", "Colour houses"],
  "twin3d.by.use": ["按用途", "by use"],
  "twin3d.by.floating": ["按流动人口比例", "by floating-population share"],
  "twin3d.flyTo": ["飞往", "fly to"],
  "twin3d.kind.houses": ["实有房屋（三维）", "Houses (3D)"],
  "twin3d.kind.photogrammetry": ["倾斜摄影", "Oblique photogrammetry"],
  "twin3d.kind.hosted": ["三维模型", "3D model"],
  "error.layers": ["图层目录加载失败：{detail}", "The layer list could not be loaded: {detail}"],
  "error.layerTiles": ["图层“{layer}”有 {count} 个瓦片加载失败（{detail}）", "Layer \"{layer}\": {count} tiles failed to load ({detail})"],
  "record.close": ["关闭", "Close"],
  "record.loading": ["正在加载记录…", "Loading the record…"],
  "record.failed": ["记录加载失败：{detail}", "The record could not be loaded: {detail}"],
  "record.notFound": ["没有找到该记录（可能不在你的辖区内）", "No such record (it may be outside your jurisdiction)"],
  "record.kind.house": ["实有房屋", "House"],
  "record.kind.address": ["标准地址", "Standard address"],
  "record.kind.camera": ["摄像头", "Camera"],
  "record.kind.incident": ["警情", "Incident"],
  "record.kind.unit": ["警力", "Unit"],
  "record.kind.feature": ["要素", "Feature"],
  "record.residents": ["实有人口", "Residents"],
  "record.housesHere": ["该地址的房屋", "Houses at this address"],
  "record.noHouses": ["该地址下没有房屋", "No houses at this address"],
  "record.people": ["住户", "People living here"],
  "record.peopleAudited": ["查看住户名单属于个人信息查询，将写入审计日志。", "Listing the people is a personal-data read and is written to the audit log."],
  "record.showPeople": ["查看住户（记入审计）", "Show the people (audited)"],
  "record.peopleLoading": ["正在加载住户…", "Loading the people…"],
  "record.noPeople": ["没有登记的住户", "Nobody registered here"],
  "record.peopleDenied": ["你的角色无权查看人员信息。", "Your role may not read personal data."],
  "record.floating": ["流动", "floating"],
  "record.foreign": ["境外", "foreign"],
  "record.arrived": ["{date} 来", "since {date}"],
  "search.placeholder": ["搜索地址、编码、摄像头、呼号", "Search address, code, camera, call sign"],
  "search.searching": ["正在搜索…", "Searching…"],
  "search.empty": ["没有结果", "No results"],
  "search.failed": ["搜索失败：{detail}", "Search failed: {detail}"],
  "search.kind.address": ["地址", "Address"],
  "search.kind.camera": ["摄像头", "Camera"],
  "search.kind.unit": ["警力", "Unit"],
  "search.kind.house": ["房屋", "House"],
  "pick.failed": ["查询点击位置失败：{detail}", "Could not look up what is at the click: {detail}"],
  "error.problem": ["服务器拒绝了请求（HTTP {status}）：{detail}", "The server refused (HTTP {status}): {detail}"],
  "hub.connecting": ["正在连接…", "connecting…"],
  "hub.connected": ["已连接", "connected"],
  "hub.reconnecting": ["重新连接中…", "reconnecting…"],
  "hub.closed": ["未连接", "not connected"],
  "dispatch.title": ["调度", "Dispatch"],
  "dispatch.add": ["点击地图新建警情", "New incident: click the map"],
  "dispatch.placing": ["请在地图上点击警情位置…", "Click the incident's place on the map…"],
  "dispatch.category": ["新警情类别", "Category of the new incident"],
  "dispatch.priority": ["新警情优先级", "Priority of the new incident"],
  "dispatch.recs": ["推荐警力", "Recommended units"],
  "dispatch.send": ["派警", "Dispatch"],
  "dispatch.arrive": ["到达", "Arrived"],
  "dispatch.close": ["结案", "Close"],
  "dispatch.none": ["无", "none"],
  "dispatch.since": ["接警", "since intake"],
  "dispatch.toArrival": ["到场", "to arrival"],
  "dispatch.closedHere": ["调度面板结案", "closed from the dispatch panel"],
  "dispatch.eta.road": ["路网", "by road"],
  "dispatch.eta.straight_line": ["直线", "straight line"],
  "live.title": ["警力 {count}", "Units {count}"],
  "live.allStatuses": ["全部状态", "all statuses"],
  "live.status": ["状态", "Status"],
  "live.fix": ["定位", "Fix"],
  "live.ago": ["{seconds} 秒前", "{seconds} s ago"],
  "live.track": ["轨迹：{fixes} 个定位 → {points} 点", "Track: {fixes} fixes → {points} points"],
  "live.now": ["实时", "live"],
  "lang.yes": ["是", "yes"],
  "lang.no": ["否", "no"],
  "field.code": ["编码", "Code"],
  "field.id": ["编号", "ID"],
  "field.name": ["名称", "Name"],
  "field.addressCode": ["地址编码", "Address code"],
  "field.addressText": ["地址", "Address"],
  "field.fullText": ["地址全称", "Full address"],
  "field.doorNumber": ["门楼牌号", "Door number"],
  "field.door_number": ["门楼牌号", "Door number"],
  "field.elementType": ["地址要素类型", "Element type"],
  "field.status": ["状态", "Status"],
  "field.use": ["用途", "Use"],
  "field.ownership": ["产权", "Ownership"],
  "field.floors": ["层数", "Floors"],
  "field.rooms": ["房间数", "Rooms"],
  "field.areaM2": ["面积（平方米）", "Area (m²)"],
  "field.baseHeightM": ["底高（米）", "Base height (m)"],
  "field.roofHeightM": ["顶高（米）", "Roof height (m)"],
  "field.residentsTotal": ["实有人口", "Residents"],
  "field.residentsRegistered": ["户籍人口", "Registered"],
  "field.residentsFloating": ["流动人口", "Floating"],
  "field.residentsForeign": ["境外人员", "Foreign"],
  "field.lon": ["经度", "Longitude"],
  "field.lat": ["纬度", "Latitude"],
  "field.kind": ["类型", "Kind"],
  "field.owner": ["归属", "Owner"],
  "field.mountHeightM": ["安装高度（米）", "Mount height (m)"],
  "field.headingDeg": ["朝向（度）", "Heading (°)"],
  "field.tiltDeg": ["俯仰（度）", "Tilt (°)"],
  "field.fovDeg": ["视场角（度）", "Field of view (°)"],
  "field.rangeM": ["可视距离（米）", "Range (m)"],
  "field.category": ["类别", "Category"],
  "field.priority": ["优先级", "Priority"],
  "field.receivedAt": ["接警时间", "Received"],
  "field.description": ["简要警情", "Description"],
  "field.disposition": ["处置结果", "Disposition"],
  "field.road_class": ["道路等级", "Road class"],
  "field.roadClass": ["道路等级", "Road class"],
  "field.callSign": ["呼号", "Call sign"],
  "field.count": ["数量", "Count"],
  "value.use.residential": ["住宅", "residential"],
  "value.use.commercial": ["商业", "commercial"],
  "value.use.office": ["办公", "office"],
  "value.use.mixed": ["商住混合", "mixed"],
  "value.use.hotel": ["旅馆", "hotel"],
  "value.use.public": ["公共建筑", "public"],
  "value.use.industrial": ["工业", "industrial"],
  "value.use.religious": ["宗教", "religious"],
  "value.use.other": ["其他", "other"],
  "value.status.active": ["有效", "active"],
  "value.status.cancelled": ["已注销", "cancelled"],
  "value.status.online": ["在线", "online"],
  "value.status.offline": ["离线", "offline"],
  "value.status.fault": ["故障", "fault"],
  "value.kind.fixed": ["枪机", "fixed"],
  "value.kind.dome": ["半球", "dome"],
  "value.kind.ptz": ["球机", "PTZ"],
  "value.owner.government": ["政府（天网）", "government"],
  "value.owner.social": ["社会资源", "social"],
  "value.elementType.41": ["街路巷", "road/lane"],
  "value.elementType.42": ["小区", "residential compound"],
  "value.elementType.43": ["单位院落", "unit compound"],
  "value.elementType.50": ["建筑物", "building"],
  "value.elementType.61": ["单元", "entrance unit"],
  "value.elementType.62": ["室", "room"],
  "value.roadClass.motorway": ["高速公路", "motorway"],
  "value.roadClass.trunk": ["快速路", "trunk"],
  "value.roadClass.primary": ["主干路", "primary"],
  "value.roadClass.secondary": ["次干路", "secondary"],
  "value.roadClass.tertiary": ["支路", "tertiary"],
  "value.roadClass.residential": ["街坊路", "residential"],
  "value.roadClass.service": ["辅路", "service"],
  "value.roadClass.pedestrian": ["步行街", "pedestrian"],
  "value.roadClass.other": ["其他", "other"],
  // the analyst's hotspot panel (hotspots/)
  "hotspots.title": ["热点研判", "Hotspots"],
  "hotspots.toggleTitle": ["显示或隐藏热点研判面板", "Show or hide the hotspot panel"],
  "hotspots.filters": ["筛选", "Filters"],
  "hotspots.group": ["类别组", "Category group"],
  "hotspots.noGroup": ["不限类别组", "Any group"],
  "hotspots.categories": ["警情类别（可多选）", "Categories (several allowed)"],
  "hotspots.from": ["起始日期（含）", "From (inclusive)"],
  "hotspots.to": ["截止日期（不含）", "Until (exclusive)"],
  "hotspots.hours": ["时段（时）", "Hours of day"],
  "hotspots.hoursTo": ["至", "to"],
  "hotspots.weekdays": ["星期", "Weekdays"],
  "hotspots.weekday.1": ["一", "Mon"],
  "hotspots.weekday.2": ["二", "Tue"],
  "hotspots.weekday.3": ["三", "Wed"],
  "hotspots.weekday.4": ["四", "Thu"],
  "hotspots.weekday.5": ["五", "Fri"],
  "hotspots.weekday.6": ["六", "Sat"],
  "hotspots.weekday.7": ["日", "Sun"],
  "hotspots.cellSize": ["格网大小（米，空=自动）", "Cell size (m, empty = automatic)"],
  "hotspots.band": ["距离阈值（米，空=自动）", "Distance band (m, empty = automatic)"],
  "hotspots.apply": ["分析", "Analyse"],
  "hotspots.badHours": ["时段须为 0–23 点", "Hours must be 0-23"],
  "hotspots.badDates": ["起始日期须早于截止日期", "The start date must be before the end date"],
  "hotspots.noWeekday": ["至少选择一天", "Choose at least one weekday"],
  "hotspots.layers": ["图层", "Layers"],
  "hotspots.layer.gi": ["Gi* 热点格网", "Gi* hot spot cells"],
  "hotspots.layer.density": ["核密度", "Kernel density"],
  "hotspots.layer.emerging": ["时空热点趋势", "Emerging hot spots"],
  "hotspots.loading": ["正在分析…", "Analysing…"],
  "hotspots.progress": ["正在分析… {percent}%", "Analysing… {percent}%"],
  "hotspots.failed": ["分析失败：{detail}", "The analysis failed: {detail}"],
  "hotspots.summary": ["{count} 起警情，{cells} 个格网", "{count} incidents in {cells} cells"],
  "hotspots.params": ["分析参数", "Parameters used"],
  "hotspots.param.cellSize": ["格网大小", "Cell size"],
  "hotspots.param.band": ["距离阈值", "Distance band"],
  "hotspots.param.bandwidth": ["核密度带宽", "Density bandwidth"],
  "hotspots.param.value": ["{name}：{value} 米（{rule}）", "{name}: {value} m ({rule})"],
  "hotspots.rule.given": ["指定值", "as given"],
  "hotspots.rule.nearestNeighbourRule": ["最近邻距离规则", "nearest-neighbour rule"],
  "hotspots.rule.firstSignificantPeak": ["增量空间自相关的首个显著峰值", "first significant peak of incremental spatial autocorrelation"],
  "hotspots.rule.highestPeak": ["增量空间自相关的最高峰值", "highest peak of incremental spatial autocorrelation"],
  "hotspots.rule.nearestNeighbours": ["k 近邻平均距离", "mean distance to the k nearest neighbours"],
  "hotspots.rule.standardDistance": ["以标准距离为上限", "capped at the standard distance"],
  "hotspots.rule.minimumOfExtent": ["不小于范围的 0.1%", "at least 0.1 % of the extent"],
  "hotspots.rule.silvermanRule": ["Esri 默认规则（Silverman 经验法则）", "Esri's default (Silverman's rule of thumb)"],
  "hotspots.legend.gi": ["Gi* 热点（FDR 校正）", "Gi* hot spots (FDR corrected)"],
  "hotspots.bin.3": ["热点，99% 置信度", "Hot spot, 99% confidence"],
  "hotspots.bin.2": ["热点，95% 置信度", "Hot spot, 95% confidence"],
  "hotspots.bin.1": ["热点，90% 置信度", "Hot spot, 90% confidence"],
  "hotspots.bin.0": ["不显著", "Not significant"],
  "hotspots.bin.-1": ["冷点，90% 置信度", "Cold spot, 90% confidence"],
  "hotspots.bin.-2": ["冷点，95% 置信度", "Cold spot, 95% confidence"],
  "hotspots.bin.-3": ["冷点，99% 置信度", "Cold spot, 99% confidence"],
  "hotspots.legend.density": ["核密度", "Kernel density"],
  "hotspots.legend.emerging": ["时空热点趋势", "Emerging hot spot patterns"],
  "hotspots.pattern.new_hot": ["新增热点", "New hot spot"],
  "hotspots.pattern.consecutive_hot": ["连续热点", "Consecutive hot spot"],
  "hotspots.pattern.intensifying_hot": ["加剧热点", "Intensifying hot spot"],
  "hotspots.pattern.persistent_hot": ["持续热点", "Persistent hot spot"],
  "hotspots.pattern.diminishing_hot": ["减弱热点", "Diminishing hot spot"],
  "hotspots.pattern.sporadic_hot": ["零星热点", "Sporadic hot spot"],
  "hotspots.pattern.oscillating_hot": ["振荡热点", "Oscillating hot spot"],
  "hotspots.pattern.historical_hot": ["历史热点", "Historical hot spot"],
  "hotspots.pattern.new_cold": ["新增冷点", "New cold spot"],
  "hotspots.pattern.consecutive_cold": ["连续冷点", "Consecutive cold spot"],
  "hotspots.pattern.intensifying_cold": ["加剧冷点", "Intensifying cold spot"],
  "hotspots.pattern.persistent_cold": ["持续冷点", "Persistent cold spot"],
  "hotspots.pattern.diminishing_cold": ["减弱冷点", "Diminishing cold spot"],
  "hotspots.pattern.sporadic_cold": ["零星冷点", "Sporadic cold spot"],
  "hotspots.pattern.oscillating_cold": ["振荡冷点", "Oscillating cold spot"],
  "hotspots.pattern.historical_cold": ["历史冷点", "Historical cold spot"],
  "hotspots.pattern.no_pattern": ["无明显模式", "No pattern"],
  "hotspots.trend.up": ["上升（p = {p}）", "rising (p = {p})"],
  "hotspots.trend.down": ["下降（p = {p}）", "falling (p = {p})"],
  "hotspots.trend.none": ["无显著趋势（p = {p}）", "no significant trend (p = {p})"],
  "hotspots.cell": ["格网 {id}", "Cell {id}"],
  "hotspots.cell.count": ["警情数", "Incidents"],
  "hotspots.cell.z": ["z 得分", "z-score"],
  "hotspots.cell.p": ["p 值", "p-value"],
  "hotspots.cell.q": ["FDR 校正 p 值", "FDR-corrected p"],
  "hotspots.cell.bin": ["类别", "Class"],
  "hotspots.cell.trend": ["趋势", "Trend"],
  "hotspots.cell.pattern": ["时空模式", "Emerging pattern"],
  "hotspots.cell.incidents": ["格网内警情（{count}）", "Incidents in the cell ({count})"],
  "hotspots.cell.more": ["另有 {count} 起未列出", "{count} more not listed"],
  "hotspots.cell.loading": ["正在加载格网…", "Loading the cell…"],
  "hotspots.cell.back": ["回到全部区域", "Back to the whole area"],
  "hotspots.charts.scope.all": ["全部筛选结果", "All filtered incidents"],
  "hotspots.charts.scope.cell": ["格网 {id}", "Cell {id}"],
  "hotspots.chart.when": ["星期 × 时段", "Weekday × hour"],
  "hotspots.chart.months": ["月度趋势（与去年同期）", "Monthly trend (with last year)"],
  "hotspots.chart.thisYear": ["本期", "This period"],
  "hotspots.chart.lastYear": ["去年同期", "A year earlier"],
  "hotspots.chart.hour": ["{hour} 时", "{hour}:00"],
  "hotspots.chart.count": ["警情数", "Incidents"],
  "hotspots.export": ["导出", "Export"],
  "hotspots.export.geojson": ["导出 GeoJSON", "Export GeoJSON"],
  "hotspots.export.csv": ["导出 CSV", "Export CSV"],
  "scan.kind": ["门牌扫码", "Door plate"],
  "scan.loading": ["正在核对门牌…", "Checking the plate…"],
  "scan.signInHint": ["来人登记、走人注销：请先登录。还没有账号？请带身份证到社区民警处注册。", "To declare an arrival or a departure, sign in first. No account yet? Register with your community officer (bring your ID card)."],
  "scan.houses": ["此地址的房屋", "Houses at this address"],
  "scan.house": ["{code}：实有人口 {total}，流动人口 {floating}", "{code}: {total} residents, {floating} floating"],
  "scan.noHouses": ["此地址没有登记房屋", "No house is recorded at this address"],
  "scan.residentHere": ["这是您登记的住址。", "This is your registered address."],
  "scan.badLink": ["门牌链接不完整", "The plate's link is incomplete"],
  "scan.forged": ["此门牌不是 GeoTwin 制作的", "This plate was not made by GeoTwin"],
  "scan.unknown": ["门牌上的地址不存在", "The plate's address does not exist"],
  "scan.revoked": ["此门牌已作废，请扫描新门牌", "This plate has been replaced: scan the new one"],
  "scan.failed": ["无法核对门牌", "The plate could not be checked"],
};

function initialLang() {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (LANGS.includes(saved)) return saved;
  } catch {
    // localStorage can be unavailable (privacy mode); fall back to the default.
  }
  return "zh-CN";
}

let current = initialLang();
const listeners = new Set();

export function getLang() {
  return current;
}

/** The current language's word of a [zh-CN, English] pair (the other one if it is empty). */
export function pick(pair) {
  const i = LANGS.indexOf(current);
  return pair[i] || pair[1 - i] || "";
}

/** Whether the page has words for key (e.g. a field's label), so callers can fall back to the raw name. */
export function has(key) {
  return key in WORDS;
}

/** Translate a key; {name} placeholders are filled from params. Unknown keys show the key itself. */
export function t(key, params = {}) {
  const text = WORDS[key] ? pick(WORDS[key]) : key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/** Fill every [data-i18n] element under root and the document title/lang. */
export function applyI18n(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) {
    el.textContent = t(el.dataset.i18n);
  }
  for (const el of root.querySelectorAll("[data-i18n-title]")) {
    el.title = t(el.dataset.i18nTitle);
  }
  document.documentElement.lang = current;
  document.title = t("app.title");
}

export function setLang(lang) {
  if (!LANGS.includes(lang) || lang === current) return;
  current = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // not fatal: the switch still works for this page view
  }
  applyI18n();
  for (const fn of listeners) fn(lang);
}

export function toggleLang() {
  setLang(current === "zh-CN" ? "en" : "zh-CN");
}

/** Call fn(lang) after every language change; returns an unsubscribe function. */
export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
