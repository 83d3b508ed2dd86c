// Block Kit rendering: sections, headers, context, actions (buttons), markdown, dividers,
// images and rich text. Interactive elements call ``onAction(element)``.
"use strict";

const Blocks = (() => {
  const el = (tag, cls, html) => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (html !== undefined) node.innerHTML = html;
    return node;
  };

  function textObject(obj, ctx) {
    if (!obj) return "";
    if (obj.type === "plain_text") return Mrkdwn.escapeHtml(obj.text || "");
    return Mrkdwn.render(obj.text || "", "mrkdwn", ctx);
  }

  function element(elem, ctx, onAction) {
    if (elem.type === "button") {
      const button = el("button", "block-button" + (elem.style ? " " + elem.style : ""));
      button.type = "button";
      button.textContent = (elem.text && elem.text.text) || "button";
      button.dataset.actionId = elem.action_id || "";
      if (elem.value !== undefined) button.dataset.value = elem.value;
      if (elem.url) button.title = elem.url;
      button.addEventListener("click", () => onAction(elem));
      return button;
    }
    if (elem.type === "image") {
      const img = el("img");
      img.src = elem.image_url; img.alt = elem.alt_text || ""; img.height = 20;
      return img;
    }
    if (elem.type === "mrkdwn" || elem.type === "plain_text") return el("span", "", textObject(elem, ctx));
    return el("span", "note", `[${Mrkdwn.escapeHtml(elem.type)}]`);
  }

  function richText(block) {
    const text = [];
    const walk = (node) => {
      if (node.type === "text") text.push(node.text);
      else if (node.type === "link") text.push(node.text || node.url);
      else if (node.type === "user") text.push(`<@${node.user_id}>`);
      for (const child of node.elements || []) walk(child);
      if (node.type === "rich_text_section" || node.type === "rich_text_preformatted") text.push("\n");
    };
    walk(block);
    return text.join("");
  }

  function block(b, ctx, onAction) {
    switch (b.type) {
      case "section": {
        const node = el("div", "block-section", b.text ? textObject(b.text, ctx) : "");
        if (b.fields) {
          const grid = el("div", "block-fields");
          for (const f of b.fields) grid.appendChild(el("div", "", textObject(f, ctx)));
          node.appendChild(grid);
        }
        if (b.accessory) node.appendChild(element(b.accessory, ctx, onAction));
        return node;
      }
      case "header": return el("div", "block-header", textObject(b.text, ctx));
      case "divider": return el("hr", "block-divider");
      case "markdown": return el("div", "block-markdown", Mrkdwn.render(b.text || "", "markdown", ctx));
      case "rich_text": return el("div", "block-rich-text", Mrkdwn.render(richText(b), "mrkdwn", ctx));
      case "context": {
        const node = el("div", "block-context");
        for (const e of b.elements || []) node.appendChild(element(e, ctx, onAction));
        return node;
      }
      case "actions": {
        const node = el("div", "block-actions");
        for (const e of b.elements || []) node.appendChild(element(e, ctx, onAction));
        return node;
      }
      case "image": {
        const img = el("img", "block-image");
        img.src = b.image_url; img.alt = b.alt_text || ""; img.style.maxWidth = "360px";
        return img;
      }
      default: return el("div", "note", `[${Mrkdwn.escapeHtml(b.type)} block]`);
    }
  }

  /** A container with every block rendered in order. */
  function render(blocks, ctx, onAction) {
    const node = el("div", "blocks");
    for (const b of blocks) node.appendChild(block(b, ctx, onAction));
    return node;
  }

  return { render };
})();
