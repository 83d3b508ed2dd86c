// The playground: renders snapshots pushed over /ui/ws and sends what the person does to
// /ui/<action>. No framework and no build step.
"use strict";

const $ = (id) => document.getElementById(id);
let state = null;
let me = localStorage.getItem("emulator-user");
let current = localStorage.getItem("emulator-channel");
let openThread = null;
let renderedModal = "";

function ctx() {
  const users = {}, conversations = {};
  for (const u of state.users) users[u.id] = u;
  for (const c of state.conversations) conversations[c.id] = c;
  return { users, conversations };
}

async function act(action, body) {
  const response = await fetch(`/ui/${action}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const result = await response.json();
  if (!result.ok) throw new Error(result.error || "failed");
  return result;
}

function showError(message) {
  $("composer-error").textContent = message || "";
}

function humans() { return state.users.filter((u) => !u.is_bot); }

function renderSidebar() {
  $("team-name").textContent = state.team.name;
  $("mention-bot").textContent = `@${state.bot.name}`;
  const switcher = $("user-switcher");
  const options = humans().map((u) => `${u.id}:${u.name}`).join(",");
  if (switcher.dataset.options !== options) {
    switcher.innerHTML = "";
    for (const u of humans()) {
      const option = document.createElement("option");
      option.value = u.id; option.textContent = `${u.real_name} (@${u.name})`;
      switcher.appendChild(option);
    }
    switcher.dataset.options = options;
  }
  switcher.value = me;
  const list = (type, target, label) => {
    target.innerHTML = "";
    for (const c of state.conversations.filter(type)) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = "#"; a.dataset.channel = c.id; a.textContent = label(c);
      if (c.id === current) a.className = "active";
      a.addEventListener("click", (e) => { e.preventDefault(); select(c.id); });
      li.appendChild(a); target.appendChild(li);
    }
  };
  list((c) => c.type !== "im", $("channel-list"), (c) => `# ${c.name}`);
  list((c) => c.type === "im" && c.user === me, $("dm-list"), () => `${state.bot.name} (app)`);
}

function author(message) {
  const user = state.users.find((u) => u.id === message.user);
  return user ? (user.is_bot ? user.name : user.real_name || user.name) : message.user;
}

function renderMessage(message, conv, inThread) {
  const c = ctx();
  const node = document.createElement("div");
  node.className = "message" + (message.ephemeral_for ? " ephemeral" : "");
  node.dataset.ts = message.ts;
  const time = new Date(parseFloat(message.ts) * 1000).toLocaleTimeString();
  const meta = document.createElement("div");
  meta.className = "meta";
  meta.innerHTML = `<span class="author">${Mrkdwn.escapeHtml(author(message))}</span>` +
    (message.bot_id ? '<span class="badge">APP</span>' : "") + `<time>${time}</time>`;
  node.appendChild(meta);
  const body = document.createElement("div");
  body.className = "body" + (message.streaming ? " streaming" : "");
  const onAction = (element) => {
    showError("");
    act("click", {
      user: me, channel: conv.id, message_ts: message.ts,
      action_id: element.action_id, value: element.value ?? null,
    }).catch((e) => showError(e.message));
  };
  if (message.blocks && message.blocks.length) body.appendChild(Blocks.render(message.blocks, c, onAction));
  else body.innerHTML = Mrkdwn.render(message.text, message.format || "mrkdwn", c);
  node.appendChild(body);
  if (message.edited) node.insertAdjacentHTML("beforeend", '<span class="edited">(edited)</span>');
  for (const f of message.files || []) {
    node.insertAdjacentHTML("beforeend",
      `<div>📎 <a href="${Mrkdwn.escapeHtml(f.url_private)}">${Mrkdwn.escapeHtml(f.title || f.name)}</a></div>`);
  }
  if (message.reactions && message.reactions.length) {
    const r = document.createElement("div");
    r.className = "reactions";
    for (const reaction of message.reactions) {
      const chip = document.createElement("span");
      chip.textContent = `:${reaction.name}: ${reaction.count}`;
      r.appendChild(chip);
    }
    node.appendChild(r);
  }
  if (message.ephemeral_for) node.insertAdjacentHTML("beforeend", '<div class="note">Only visible to you</div>');
  if (!inThread && message.replies && message.replies.length) {
    const link = document.createElement("button");
    link.type = "button"; link.className = "replies-link";
    link.textContent = `${message.replies.length} repl${message.replies.length === 1 ? "y" : "ies"}`;
    link.addEventListener("click", () => { openThread = message.ts; render(); });
    node.appendChild(link);
  } else if (!inThread && !message.ephemeral_for) {
    const link = document.createElement("button");
    link.type = "button"; link.className = "replies-link reply-in-thread";
    link.textContent = "Reply in thread";
    link.addEventListener("click", () => { openThread = message.ts; render(); });
    node.appendChild(link);
  }
  return node;
}

function fill(container, messages, conv, inThread) {
  const atBottom = container.scrollHeight - container.scrollTop - container.clientHeight < 40;
  container.innerHTML = "";
  for (const m of messages) container.appendChild(renderMessage(m, conv, inThread));
  if (atBottom) container.scrollTop = container.scrollHeight;
}

function renderPanes() {
  const conv = state.conversations.find((c) => c.id === current);
  if (!conv) return;
  $("channel-title").textContent = conv.type === "im" ? state.bot.name : `# ${conv.name}`;
  const mine = state.ephemerals.filter((e) => e.ephemeral_for === me && e.channel === conv.id);
  const top = conv.messages.concat(mine.filter((e) => !e.thread_ts))
    .sort((a, b) => parseFloat(a.ts) - parseFloat(b.ts));
  fill($("messages"), top, conv, false);
  const parent = conv.messages.find((m) => m.ts === openThread);
  $("thread-pane").hidden = !parent;
  if (parent) {
    const replies = parent.replies.concat(mine.filter((e) => e.thread_ts === parent.ts))
      .sort((a, b) => parseFloat(a.ts) - parseFloat(b.ts));
    fill($("thread-messages"), [parent, ...replies], conv, true);
    $("thread-status").textContent = parent.status ? `${state.bot.name} ${parent.status}` : "";
  }
}

function renderModal() {
  const view = state.views.find((v) => v.user === me);
  const key = view ? `${view.id}:${JSON.stringify(view.errors)}:${JSON.stringify(view.body)}` : "";
  if (key === renderedModal) return;
  // Keep what the person typed when the app answers with errors.
  const typed = {};
  if (view && $("modal-form").dataset.viewId === view.id) {
    for (const input of $("modal-body").querySelectorAll("[data-block-id]")) typed[input.dataset.blockId] = input.value;
  }
  renderedModal = key;
  $("modal").hidden = !view;
  if (!view) return;
  $("modal-form").dataset.viewId = view.id;
  $("modal-title").textContent = (view.body.title && view.body.title.text) || "";
  $("modal-submit").textContent = (view.body.submit && view.body.submit.text) || "Submit";
  const body = $("modal-body");
  body.innerHTML = "";
  for (const b of view.body.blocks || []) {
    if (b.type === "input" && b.element) {
      const label = document.createElement("label");
      label.textContent = (b.label && b.label.text) || b.block_id;
      const input = document.createElement(b.element.multiline ? "textarea" : "input");
      input.dataset.blockId = b.block_id; input.dataset.actionId = b.element.action_id;
      input.dataset.type = b.element.type;
      input.value = typed[b.block_id] ?? b.element.initial_value ?? "";
      label.appendChild(input);
      body.appendChild(label);
      if (view.errors[b.block_id]) {
        body.insertAdjacentHTML("beforeend", `<p class="error">${Mrkdwn.escapeHtml(view.errors[b.block_id])}</p>`);
      }
    } else {
      body.appendChild(Blocks.render([b], ctx(), () => {}));
    }
  }
}

function render() {
  if (!state) return;
  if (!me || !humans().some((u) => u.id === me)) me = humans()[0].id;
  const reachable = state.conversations.filter((c) => c.type !== "im" || c.user === me);
  if (!reachable.some((c) => c.id === current)) { current = reachable[0].id; openThread = null; }
  renderSidebar();
  renderPanes();
  renderModal();
}

function select(channel) {
  current = channel; openThread = null;
  localStorage.setItem("emulator-channel", channel);
  render();
}

function toSlackText(text) {
  // "@name" becomes "<@ID>", longest names first so "@bob2" is not read as "@bob".
  const users = [...state.users].sort((a, b) => b.name.length - a.name.length);
  for (const u of users) {
    text = text.replace(new RegExp(`(^|\\s)@${u.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`, "g"), `$1<@${u.id}>`);
  }
  return text;
}

async function send(text, threadTs) {
  showError("");
  text = text.trim();
  if (!text) return;
  if (text.startsWith("/") && !threadTs) {
    const [command, ...rest] = text.split(/\s+/);
    await act("command", { user: me, channel: current, command, text: rest.join(" ") });
    return;
  }
  await act("post", { user: me, channel: current, text: toSlackText(text), thread_ts: threadTs || null });
}

function wireComposer(form, input, threadOf) {
  const submit = async () => {
    const text = input.value;
    try { await send(text, threadOf()); input.value = ""; } catch (e) { showError(e.message); }
  };
  form.addEventListener("submit", (e) => { e.preventDefault(); submit(); });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); submit(); }
  });
}

function connect() {
  const socket = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ui/ws`);
  socket.onopen = () => { $("connection").textContent = "live"; };
  socket.onmessage = (event) => { state = JSON.parse(event.data); render(); };
  socket.onclose = () => { $("connection").textContent = "reconnecting…"; setTimeout(connect, 1000); };
}

$("user-switcher").addEventListener("change", (e) => {
  me = e.target.value; localStorage.setItem("emulator-user", me); renderedModal = ""; render();
});
$("mention-bot").addEventListener("click", () => {
  const input = $("composer-input");
  input.value += (input.value && !input.value.endsWith(" ") ? " " : "") + `@${state.bot.name} `;
  input.focus();
});
$("thread-close").addEventListener("click", () => { openThread = null; render(); });
wireComposer($("composer"), $("composer-input"), () => null);
wireComposer($("thread-composer"), $("thread-input"), () => openThread);
$("modal-cancel").addEventListener("click", () => {
  act("close_view", { view_id: $("modal-form").dataset.viewId }).catch((e) => showError(e.message));
});
$("modal-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const values = {};
  for (const input of $("modal-body").querySelectorAll("[data-block-id]")) {
    values[input.dataset.blockId] = { [input.dataset.actionId]: { type: input.dataset.type, value: input.value } };
  }
  act("submit_view", { user: me, view_id: $("modal-form").dataset.viewId, values })
    .catch((err) => showError(err.message));
});
connect();
