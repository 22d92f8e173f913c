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
