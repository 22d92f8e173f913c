// Tiny i18n: zh-CN by default, English on request; the choice is kept in localStorage.
// Elements with data-i18n="key" get their textContent from the dictionary; code calls t(key, params).

const STORAGE_KEY = "geotwin.lang";
export const LANGS = ["zh-CN", "en"];

const dict = {
  "zh-CN": {
    "app.title": "GeoTwin 一张图",
    "lang.toggle": "English",
    "lang.toggleTitle": "Switch to English",
    "status.loading": "正在连接服务器…",
    "status.ready": "就绪",
    "status.notReady": "服务器未就绪",
    "status.error": "服务器错误",
    "status.offline": "服务器无法连接",
    "error.readyz": "服务器未就绪（HTTP {status}）：{detail}",
    "error.http": "服务器返回错误（HTTP {status}）：{url}",
    "error.network": "服务器无法连接：{url}（{detail}）",
    "error.badJson": "服务器返回了无法解析的数据：{url}",
    "error.webgl": "无法启动三维地图（WebGL 不可用）：{detail}",
    "error.render": "三维地图渲染出错：{detail}",
    "error.baseLayer": "底图加载失败：{detail}",
    "error.dismiss": "关闭",
    "info.version": "版本 {version}",
    "info.noJurisdiction": "未配置辖区",
    "credits.label": "底图",
    "signin.title": "登录 GeoTwin",
    "signin.username": "用户名",
    "signin.password": "密码",
    "signin.submit": "登录",
    "signin.signOut": "退出",
    "signin.wrong": "用户名或密码错误",
    "signin.locked": "账号已锁定：{detail}",
    "signin.throttled": "尝试次数过多，请稍后再试",
    "signin.invalid": "请填写用户名和密码：{detail}",
    "layers.title": "图层",
    "imagery.title": "底图影像",
    "incidents.filter": "警情筛选",
    "incidents.allCategories": "全部类别",
    "incidents.category": "警情类别",
    "incidents.from": "接警起始日期",
    "incidents.to": "接警截止日期",
    "incidents.badRange": "起始日期晚于截止日期",
    "incidents.cluster": "此处 {count} 起警情（放大查看每一起）",
    "error.imagery": "底图影像 {name} 的瓦片加载失败",
    "layers.toggleTitle": "显示或隐藏图层面板",
    "layers.loading": "正在加载图层…",
    "layers.none": "没有可显示的图层",
    "layers.opacity": "{layer} 透明度",
    "layers.pending": "加载中",
    "layers.failed": "{count} 个瓦片失败",
    "layers.zoomIn": "放大后显示",
    "twin3d.title": "三维",
    "twin3d.colourBy": "房屋着色",
    "twin3d.by.use": "按用途",
    "twin3d.by.floating": "按流动人口比例",
    "twin3d.flyTo": "飞往",
    "twin3d.kind.houses": "实有房屋（三维）",
    "twin3d.kind.photogrammetry": "倾斜摄影",
    "twin3d.kind.hosted": "三维模型",
    "error.layers": "图层目录加载失败：{detail}",
    "error.layerTiles": "图层“{layer}”有 {count} 个瓦片加载失败（{detail}）",
    "record.close": "关闭",
    "record.loading": "正在加载记录…",
    "record.failed": "记录加载失败：{detail}",
    "record.notFound": "没有找到该记录（可能不在你的辖区内）",
    "record.kind.house": "实有房屋",
    "record.kind.address": "标准地址",
    "record.kind.camera": "摄像头",
    "record.kind.incident": "警情",
    "record.kind.unit": "警力",
    "record.kind.feature": "要素",
    "record.residents": "实有人口",
    "record.housesHere": "该地址的房屋",
    "record.noHouses": "该地址下没有房屋",
    "record.people": "住户",
    "record.peopleAudited": "查看住户名单属于个人信息查询，将写入审计日志。",
    "record.showPeople": "查看住户（记入审计）",
    "record.peopleLoading": "正在加载住户…",
    "record.noPeople": "没有登记的住户",
    "record.peopleDenied": "你的角色无权查看人员信息。",
    "record.floating": "流动",
    "record.foreign": "境外",
    "record.arrived": "{date} 来",
    "search.placeholder": "搜索地址、编码、摄像头、呼号",
    "search.searching": "正在搜索…",
    "search.empty": "没有结果",
    "search.failed": "搜索失败：{detail}",
    "search.kind.address": "地址",
    "search.kind.camera": "摄像头",
    "search.kind.unit": "警力",
    "search.kind.house": "房屋",
    "pick.failed": "查询点击位置失败：{detail}",
  },
  en: {
    "app.title": "GeoTwin One Map",
    "lang.toggle": "中文",
    "lang.toggleTitle": "切换到中文",
    "status.loading": "Connecting to server…",
    "status.ready": "Ready",
    "status.notReady": "Server not ready",
    "status.error": "Server error",
    "status.offline": "Cannot reach the server",
    "error.readyz": "Server not ready (HTTP {status}): {detail}",
    "error.http": "The server returned an error (HTTP {status}): {url}",
    "error.network": "Cannot reach the server: {url} ({detail})",
    "error.badJson": "The server sent data that could not be read: {url}",
    "error.webgl": "The 3D map could not start (WebGL unavailable): {detail}",
    "error.render": "The 3D map stopped rendering: {detail}",
    "error.baseLayer": "The base map could not be loaded: {detail}",
    "error.dismiss": "Close",
    "info.version": "version {version}",
    "info.noJurisdiction": "No jurisdiction configured",
    "credits.label": "Base map",
    "signin.title": "Sign in to GeoTwin",
    "signin.username": "Username",
    "signin.password": "Password",
    "signin.submit": "Sign in",
    "signin.signOut": "Sign out",
    "signin.wrong": "Wrong username or password",
    "signin.locked": "This account is locked: {detail}",
    "signin.throttled": "Too many attempts: try again in a minute",
    "signin.invalid": "Fill in username and password: {detail}",
    "layers.title": "Layers",
    "imagery.title": "Base imagery",
    "incidents.filter": "Incident filter",
    "incidents.allCategories": "All categories",
    "incidents.category": "Incident category",
    "incidents.from": "Received from",
    "incidents.to": "Received until",
    "incidents.badRange": "The start date is after the end date",
    "incidents.cluster": "{count} incidents here (zoom in to see each)",
    "error.imagery": "Tiles of the base imagery {name} failed to load",
    "layers.toggleTitle": "Show or hide the layers panel",
    "layers.loading": "Loading layers…",
    "layers.none": "No layers to show",
    "layers.opacity": "{layer} opacity",
    "layers.pending": "loading",
    "layers.failed": "{count} tiles failed",
    "layers.zoomIn": "zoom in to see",
    "twin3d.title": "3D",
    "twin3d.colourBy": "Colour houses",
    "twin3d.by.use": "by use",
    "twin3d.by.floating": "by floating-population share",
    "twin3d.flyTo": "fly to",
    "twin3d.kind.houses": "Houses (3D)",
    "twin3d.kind.photogrammetry": "Oblique photogrammetry",
    "twin3d.kind.hosted": "3D model",
    "error.layers": "The layer list could not be loaded: {detail}",
    "error.layerTiles": "Layer \"{layer}\": {count} tiles failed to load ({detail})",
    "record.close": "Close",
    "record.loading": "Loading the record…",
    "record.failed": "The record could not be loaded: {detail}",
    "record.notFound": "No such record (it may be outside your jurisdiction)",
    "record.kind.house": "House",
    "record.kind.address": "Standard address",
    "record.kind.camera": "Camera",
    "record.kind.incident": "Incident",
    "record.kind.unit": "Unit",
    "record.kind.feature": "Feature",
    "record.residents": "Residents",
    "record.housesHere": "Houses at this address",
    "record.noHouses": "No houses at this address",
    "record.people": "People living here",
    "record.peopleAudited": "Listing the people is a personal-data read and is written to the audit log.",
    "record.showPeople": "Show the people (audited)",
    "record.peopleLoading": "Loading the people…",
    "record.noPeople": "Nobody registered here",
    "record.peopleDenied": "Your role may not read personal data.",
    "record.floating": "floating",
    "record.foreign": "foreign",
    "record.arrived": "since {date}",
    "search.placeholder": "Search address, code, camera, call sign",
    "search.searching": "Searching…",
    "search.empty": "No results",
    "search.failed": "Search failed: {detail}",
    "search.kind.address": "Address",
    "search.kind.camera": "Camera",
    "search.kind.unit": "Unit",
    "search.kind.house": "House",
    "pick.failed": "Could not look up what is at the click: {detail}",
  },
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

/** Translate a key; {name} placeholders are filled from params. Unknown keys show the key itself. */
export function t(key, params = {}) {
  const text = dict[current][key] ?? dict["zh-CN"][key] ?? key;
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
