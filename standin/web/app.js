// Web chat for the Shaosheng Bot API stand-in: plays one user talking to the real bot.
// No build step and no CDN: the machine is offline.
"use strict";

const I18N = {
  zh: {
    title: "哨声 · 本地 Telegram 模拟", persona: "选择人物", custom: "— 自定义用户 —",
    userId: "用户 ID", userName: "名字", openChat: "打开对话", noChat: "未打开对话",
    hint: "这是一个本地模拟的 Telegram。选择人物后，就像在 Telegram 里一样与机器人对话。",
    lat: "纬度", lon: "经度", shareLocation: "📍 共享位置", sendPhoto: "🖼 发送图片",
    placeholder: "输入消息…", send: "发送", edited: "已编辑", typing: "机器人正在输入…",
    empty: "还没有消息，发一句话开始吧", photo: "图片", voice: "🎤 语音", sticker: "贴纸",
    location: "📍 位置", stats: "已发 {sent} · 编辑 {edited} · 429 {rejected_429}",
    role: "角色", unit: "单位", other: "English",
    plusHour: "⏩ +1 小时", plusDay: "⏩ +1 天", clockNow: "演示时间 {now}",
  },
  en: {
    title: "Shaosheng · local Telegram stand-in", persona: "Pick a persona",
    custom: "— custom user —", userId: "User id", userName: "Name", openChat: "Open chat",
    noChat: "No chat open",
    hint: "A local stand-in for Telegram. Pick a persona and talk to the bot as in Telegram.",
    lat: "Lat", lon: "Lon", shareLocation: "📍 Share location", sendPhoto: "🖼 Send photo",
    placeholder: "Write a message…", send: "Send", edited: "edited", typing: "bot is typing…",
    empty: "No messages yet: say something to start", photo: "Photo", voice: "🎤 Voice",
    sticker: "Sticker", location: "📍 Location",
    stats: "sent {sent} · edited {edited} · 429 {rejected_429}",
    role: "Role", unit: "Unit", other: "中文",
    plusHour: "⏩ +1 hour", plusDay: "⏩ +1 day", clockNow: "demo time {now}",
  },
};

const $ = (id) => document.getElementById(id);
let lang = localStorage.getItem("standin-lang") || "zh";
let personas = [];
let current = null; // {user_id, name}
let answersSeen = 0;
let lastStats = null;
let demoNow = null; // the demo's movable clock (ISO), null when there is none

const t = (key) => I18N[lang][key] || key;

function applyLanguage() {
  document.documentElement.lang = lang === "zh" ? "zh" : "en";
  document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  document.querySelectorAll("[data-i18n-placeholder]").forEach((el) => {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  });
  $("lang-toggle").textContent = t("other");
  if (current) $("chat-title").textContent = `${current.name} · ${current.user_id}`;
  renderStats();
  renderClock();
  document.querySelectorAll("#messages .msg").forEach((el) => { el.dataset.sig = ""; });
}

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  };
  const response = await fetch(path, options);
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function loadPersonas() {
  personas = (await api("/_test/personas")).personas;
  const select = $("persona-select");
  const chosen = select.value;
  select.querySelectorAll("option[data-user]").forEach((o) => o.remove());
  for (const p of personas) {
    const option = document.createElement("option");
    option.value = String(p.user_id);
    option.dataset.user = "1";
    option.textContent = `${p.name}${p.role ? ` (${p.role})` : ""}`;
    select.appendChild(option);
  }
  select.value = chosen;
}

function openChat(userId, name) {
  current = { user_id: Number(userId), name };
  answersSeen = Number.MAX_SAFE_INTEGER; // don't replay old answers as toasts
  $("messages").replaceChildren();
  $("chat-title").textContent = `${name} · ${userId}`;
  const persona = personas.find((p) => p.user_id === current.user_id);
  $("persona-info").textContent = persona
    ? `${t("role")}: ${persona.role || "-"} · ${t("unit")}: ${persona.unit_code || "-"}` : "";
  localStorage.setItem("standin-user", JSON.stringify(current));
  poll();
}

function onPersonaChange() {
  const value = $("persona-select").value;
  if (!value) return;
  const persona = personas.find((p) => String(p.user_id) === value);
  $("user-id").value = value;
  $("user-name").value = persona.name;
  openChat(value, persona.name);
}

async function sendToBot(extra) {
  if (!current) openChat($("user-id").value, $("user-name").value || `User ${$("user-id").value}`);
  await api("/_test/send", {
    user_id: current.user_id, first_name: current.name,
    language_code: lang === "zh" ? "zh-hans" : "en", ...extra,
  });
  poll();
}

async function onSubmit(event) {
  event.preventDefault();
  const input = $("message-input");
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  await sendToBot({ text });
}

async function press(messageId, data) {
  await api("/_test/press", { user_id: current.user_id, message_id: messageId, data });
  poll();
}

// Telegram entities count UTF-16 units, which is exactly how JS strings index.
function renderText(container, text, entities) {
  const cuts = new Set([0, text.length]);
  for (const e of entities || []) { cuts.add(e.offset); cuts.add(e.offset + e.length); }
  const points = [...cuts].filter((n) => n <= text.length).sort((a, b) => a - b);
  for (let i = 0; i < points.length - 1; i += 1) {
    const [start, end] = [points[i], points[i + 1]];
    let node = document.createTextNode(text.slice(start, end));
    for (const e of entities || []) {
      if (e.offset <= start && e.offset + e.length >= end) node = wrap(node, e);
    }
    container.appendChild(node);
  }
}

function wrap(node, entity) {
  const tags = { bold: "b", italic: "i", underline: "u", strikethrough: "s", code: "code",
    pre: "pre", spoiler: "span", text_link: "a", blockquote: "span", expandable_blockquote: "span" };
  const tag = tags[entity.type];
  if (!tag) return node;
  const el = document.createElement(tag);
  if (entity.type === "spoiler") el.className = "spoiler";
  if (tag === "a" && /^https?:/i.test(entity.url || "")) {
    el.href = entity.url; el.target = "_blank"; el.rel = "noopener";
  }
  el.appendChild(node);
  return el;
}

function keyboardRows(rows, makeButton) {
  const box = document.createElement("div");
  box.className = "keyboard";
  for (const row of rows) {
    const line = document.createElement("div");
    line.className = "row";
    row.forEach((b) => line.appendChild(makeButton(b)));
    box.appendChild(line);
  }
  return box;
}

function inlineButton(message, button) {
  const el = document.createElement("button");
  el.type = "button";
  el.className = "inline-btn";
  el.textContent = button.url ? `${button.text} ↗` : button.text;
  if (button.data !== null && button.data !== undefined) el.dataset.data = button.data;
  el.addEventListener("click", () => {
    if (button.url) window.open(button.url, "_blank", "noopener");
    else press(message.message_id, button.data);
  });
  return el;
}

function fillMessage(el, m, byId) {
  el.replaceChildren();
  el.className = `msg ${m.from_bot ? "bot" : "user"}`;
  if (m.reply_to && byId.has(m.reply_to)) {
    const quote = document.createElement("div");
    quote.className = "quote";
    quote.textContent = (byId.get(m.reply_to).text || "").slice(0, 80);
    el.appendChild(quote);
  }
  if (m.photo) {
    const img = document.createElement("img");
    img.src = `/_test/files/${encodeURIComponent(m.file_id)}`;
    img.alt = t("photo");
    el.appendChild(img);
  }
  if (m.document) {
    const link = document.createElement("a");
    link.href = `/_test/files/${encodeURIComponent(m.document.file_id)}`;
    link.download = m.document.file_name || "file";
    link.textContent = `📄 ${m.document.file_name || "file"}`;
    el.appendChild(link);
    el.appendChild(document.createElement("br"));
  }
  if (m.location) el.append(`${t("location")} ${m.location.latitude}, ${m.location.longitude}`);
  if (m.voice) el.append(t("voice"));
  if (m.sticker) el.append(`${m.sticker.emoji || ""} ${t("sticker")}`);
  if (m.text) renderText(el, m.text, m.entities);
  if (m.buttons && m.buttons.length) el.appendChild(keyboardRows(m.buttons, (b) => inlineButton(m, b)));
  const meta = document.createElement("div");
  meta.className = "meta";
  const time = new Date(m.date * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  meta.textContent = m.edited ? `${t("edited")} ${time}` : time;
  el.appendChild(meta);
}

function renderMessages(messages) {
  const list = $("messages");
  const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  const byId = new Map(messages.map((m) => [m.message_id, m]));
  const existing = new Map([...list.querySelectorAll(".msg")].map((el) => [Number(el.dataset.id), el]));
  list.querySelector(".empty")?.remove();
  for (const [id, el] of existing) if (!byId.has(id)) el.remove();
  let previous = null;
  for (const m of messages) {
    const sig = JSON.stringify([m.text, m.buttons, m.edited, m.edit_date, m.entities]);
    let el = existing.get(m.message_id);
    if (!el) {
      el = document.createElement("div");
      el.dataset.id = String(m.message_id);
      if (previous) previous.after(el); else list.prepend(el);
    }
    if (el.dataset.sig !== sig) { fillMessage(el, m, byId); el.dataset.sig = sig; }
    previous = el;
  }
  if (!messages.length) {
    const empty = document.createElement("div");
    empty.className = "empty";
    empty.textContent = t("empty");
    list.appendChild(empty);
  }
  if (nearBottom) list.scrollTop = list.scrollHeight;
}

function renderReplyKeyboard(rows) {
  const box = $("reply-keyboard");
  box.replaceChildren();
  if (!rows || !rows.length) return;
  box.appendChild(keyboardRows(rows, (b) => {
    const el = document.createElement("button");
    el.type = "button";
    el.className = "reply-btn";
    el.textContent = b.text;
    el.addEventListener("click", () => (b.request_location ? shareLocation()
      : b.request_contact ? shareContact() : sendToBot({ text: b.text })));
    return el;
  }));
}

function showAnswers(body) {
  if (answersSeen === Number.MAX_SAFE_INTEGER) answersSeen = body.answer_count;
  if (body.answer_count <= answersSeen) return;
  answersSeen = body.answer_count;
  const latest = body.callback_answers[body.callback_answers.length - 1];
  if (!latest || !latest.text) return;
  if (latest.show_alert) { window.alert(latest.text); return; }
  const toast = $("toast");
  toast.textContent = latest.text;
  toast.hidden = false;
  clearTimeout(showAnswers.timer);
  showAnswers.timer = setTimeout(() => { toast.hidden = true; }, 2500);
}

function renderClock() {
  if (!demoNow) return;
  const shown = new Date(demoNow).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", {
    year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
    weekday: "short",
  });
  $("clock-now").textContent = t("clockNow").replace("{now}", shown);
}

// The demo moves the time the whole system sees; a bare stand-in has no clock (404).
async function moveClock(seconds) {
  try {
    demoNow = (await api("/_test/clock", { advance_s: seconds })).now;
    $("clock").hidden = false;
    renderClock();
  } catch (error) {
    $("clock").hidden = true;
  }
}

function renderStats() {
  if (!lastStats) return;
  $("stats").textContent = t("stats").replace(/\{(\w+)\}/g, (_, k) => lastStats[k] ?? 0);
}

async function poll() {
  try {
    lastStats = await api("/_test/stats");
    renderStats();
    if (!current) return;
    const body = await api(`/_test/chat?user_id=${current.user_id}`);
    renderMessages(body.messages);
    renderReplyKeyboard(body.keyboard);
    $("chat-action").textContent = body.action ? t("typing") : "";
    showAnswers(body);
  } catch (error) {
    console.warn(error);
  }
}

function shareContact() {
  // A web stand-in has no address book: the test user types the number they share.
  const phone = window.prompt("📞", "13800000000");
  return phone ? sendToBot({ contact: { phone_number: phone } }) : Promise.resolve();
}

function shareLocation() {
  return sendToBot({ location: { latitude: Number($("lat").value), longitude: Number($("lon").value) } });
}

function init() {
  $("lang-toggle").addEventListener("click", () => {
    lang = lang === "zh" ? "en" : "zh";
    localStorage.setItem("standin-lang", lang);
    applyLanguage();
  });
  $("persona-select").addEventListener("change", onPersonaChange);
  $("open-chat").addEventListener("click", () => {
    $("persona-select").value = "";
    openChat($("user-id").value, $("user-name").value || `User ${$("user-id").value}`);
  });
  $("composer").addEventListener("submit", onSubmit);
  $("message-input").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); onSubmit(event); }
  });
  $("location-button").addEventListener("click", shareLocation);
  $("photo-button").addEventListener("click", () => sendToBot({ photo: true }));
  document.querySelectorAll("#clock button[data-advance]").forEach((button) => {
    button.addEventListener("click", () => moveClock(Number(button.dataset.advance)));
  });
  applyLanguage();
  moveClock(0);
  setInterval(() => { if (demoNow) moveClock(0); }, 30000);
  loadPersonas().then(() => {
    const saved = JSON.parse(localStorage.getItem("standin-user") || "null");
    if (saved) {
      if (personas.some((p) => p.user_id === saved.user_id)) $("persona-select").value = String(saved.user_id);
      openChat(saved.user_id, saved.name);
    }
  });
  setInterval(poll, 1000);
  setInterval(loadPersonas, 10000);
}

document.addEventListener("DOMContentLoaded", init);
