// <redsim-console>: a redis-cli console on any page, over redsim's engine
// in wasm (loaded once, however many elements the page has).
//
//   <script type="module" src=".../widget/redsim-widget.js"></script>
//   <redsim-console autorun session="intro">
//     redis> SET greeting "hello"
//     redis> GET greeting
//   </redsim-console>
//
// Attributes: autorun (run the `redis>` lines on load), readonly (show the
// run, take no input), session (elements of one session share a database,
// in document order; default: each its own), height (CSS length), theme
// (light or dark; default follows prefers-color-scheme), playground (the
// playground's address for "Open in playground"; default: next to this
// script). API: run(line) → reply, clear(), reset(); an `execute` event
// per command, detail { command, reply }.
import init, { mount } from "./redsim-widget-core.js";

let ready = null;

const STYLESHEET = new URL("./redsim-widget.css", import.meta.url);

function addStylesheet() {
  if (document.querySelector(`link[href="${STYLESHEET}"]`)) return;
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = STYLESHEET;
  document.head.append(link);
}

class RedsimConsole extends HTMLElement {
  async connectedCallback() {
    if (this.handle || this.mounting) return;
    this.mounting = true;
    addStylesheet();
    const script = this.textContent;
    this.textContent = "";
    const root = document.createElement("div");
    root.className = "redsim-root";
    this.append(root);
    const height = this.getAttribute("height");
    if (height) this.style.setProperty("--redsim-height", height);
    ready ??= init();
    await ready;
    const playground = this.getAttribute("playground") ?? new URL("../", import.meta.url).href;
    this.handle = mount(
      root,
      this,
      this.getAttribute("session") ?? undefined,
      script,
      this.hasAttribute("autorun"),
      this.hasAttribute("readonly"),
      playground,
    );
    this.dispatchEvent(new Event("ready"));
  }

  /** Runs a line as if typed; the reply as redis-cli prints it. */
  run(line) {
    return this.handle?.run(line);
  }

  clear() {
    this.handle?.clear();
  }

  reset() {
    this.handle?.reset();
  }
}

customElements.define("redsim-console", RedsimConsole);
