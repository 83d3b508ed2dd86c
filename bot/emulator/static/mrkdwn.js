// Renders Slack mrkdwn and Markdown text to safe HTML. Every piece of text is escaped
// before any tag is added, so message text can never inject markup.
"use strict";

const Mrkdwn = (() => {
  const escapeHtml = (s) =>
    s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  // Slack sends &, < and > escaped inside message text.
  const unescapeSlack = (s) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  const safeUrl = (url) => /^(https?:|mailto:)/i.test(url) ? url : null;

  function emphasis(html, mode) {
    html = html.replace(/\*\*(?=\S)([^*\n]+?)\*\*/g, "<strong>$1</strong>");
    html = html.replace(/~~(?=\S)([^~\n]+?)~~/g, "<del>$1</del>");
    if (mode === "markdown") {
      html = html.replace(/__(?=\S)([^_\n]+?)__/g, "<strong>$1</strong>");
      html = html.replace(/(^|[^\w*])\*(?=\S)([^*\n]+?)\*(?!\w)/g, "$1<em>$2</em>");
    } else {
      html = html.replace(/(^|[^\w*])\*(?=\S)([^*\n]+?)\*(?!\w)/g, "$1<strong>$2</strong>");
      html = html.replace(/(^|[^\w~])~(?=\S)([^~\n]+?)~(?!\w)/g, "$1<del>$2</del>");
    }
    return html.replace(/(^|[^\w_])_(?=\S)([^_\n]+?)_(?!\w)/g, "$1<em>$2</em>");
  }

  function angle(token, ctx) {
    const [target, label] = token.split("|", 2);
    if (target.startsWith("@")) {
      const user = ctx.users[target.slice(1)];
      return `<span class="mention">@${escapeHtml(label || (user ? user.name : target.slice(1)))}</span>`;
    }
    if (target.startsWith("#")) {
      const conv = ctx.conversations[target.slice(1)];
      return `<span class="mention">#${escapeHtml(label || (conv ? conv.name : target.slice(1)))}</span>`;
    }
    if (target.startsWith("!")) {
      return `<span class="mention">@${escapeHtml(label || target.slice(1).split("^")[0])}</span>`;
    }
    const url = safeUrl(target);
    if (!url) return escapeHtml(`<${token}>`);
    return `<a href="${escapeHtml(url)}" target="_blank" rel="noopener">${escapeHtml(label || target)}</a>`;
  }

  function inline(text, mode, ctx) {
    const out = [];
    const pattern = /`([^`\n]+)`|<([^<>\n]+)>|\[([^\]\n]+)\]\(([^)\s]+)\)/g;
    let last = 0;
    for (const m of text.matchAll(pattern)) {
      out.push(emphasis(escapeHtml(unescapeSlack(text.slice(last, m.index))), mode));
      if (m[1] !== undefined) out.push(`<code>${escapeHtml(unescapeSlack(m[1]))}</code>`);
      else if (m[2] !== undefined) out.push(angle(m[2], ctx));
      else {
        const url = safeUrl(m[4]);
        out.push(url
          ? `<a href="${escapeHtml(url)}" target="_blank" rel="noopener">${escapeHtml(m[3])}</a>`
          : escapeHtml(m[0]));
      }
      last = m.index + m[0].length;
    }
    out.push(emphasis(escapeHtml(unescapeSlack(text.slice(last))), mode));
    return out.join("");
  }

  function lines(text, mode, ctx) {
    const html = [];
    let list = null;
    const close = () => { if (list) { html.push(`</${list}>`); list = null; } };
    const paragraph = [];
    const flush = () => {
      if (paragraph.length) html.push(`<p>${paragraph.join("<br>")}</p>`);
      paragraph.length = 0;
    };
    for (const line of text.split("\n")) {
      const bullet = line.match(/^\s*(?:[-*•])\s+(.*)$/);
      const numbered = line.match(/^\s*\d+[.)]\s+(.*)$/);
      const heading = mode === "markdown" && line.match(/^#{1,6}\s+(.*)$/);
      if (bullet || numbered) {
        flush();
        const kind = bullet ? "ul" : "ol";
        if (list !== kind) { close(); html.push(`<${kind}>`); list = kind; }
        html.push(`<li>${inline((bullet || numbered)[1], mode, ctx)}</li>`);
      } else if (heading) {
        flush(); close();
        html.push(`<p><strong>${inline(heading[1], mode, ctx)}</strong></p>`);
      } else {
        close();
        if (line.trim() === "") flush();
        else paragraph.push(inline(line, mode, ctx));
      }
    }
    flush(); close();
    return html.join("");
  }

  /** Render ``text`` ("mrkdwn" or "markdown") to HTML; ctx maps user and channel ids. */
  function render(text, mode, ctx) {
    const parts = [];
    let last = 0;
    for (const m of (text || "").matchAll(/```\n?([\s\S]*?)```/g)) {
      parts.push(lines(text.slice(last, m.index), mode, ctx));
      parts.push(`<pre><code>${escapeHtml(unescapeSlack(m[1]))}</code></pre>`);
      last = m.index + m[0].length;
    }
    parts.push(lines((text || "").slice(last), mode, ctx));
    return parts.join("");
  }

  return { render, escapeHtml };
})();
