// paperboy serve: reload on rebuild, and show build errors over the page. Injected into
// pages served by `paperboy serve` only; never part of a built site.
(() => {
  const events = new EventSource("/__paperboy/events");
  let overlay = null;
  const hide = () => { if (overlay) { overlay.remove(); overlay = null; } };
  const show = (text) => {
    hide();
    overlay = document.createElement("div");
    overlay.setAttribute("role", "alert");
    overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;background:rgba(20,20,24,.94);color:#fff;" +
      "font:14px/1.5 ui-monospace,monospace;padding:2rem;overflow:auto";
    // Before any good build, there is no page below to speak of.
    const none = document.body.dataset.paperboy === "nothing-built";
    const title = document.createElement("h2");
    title.textContent = none ? "paperboy: the site does not build yet" : "paperboy: the last edit does not build";
    title.style.cssText = "color:#ff8a80;font:bold 18px system-ui,sans-serif;margin:0 0 1rem";
    const body = document.createElement("pre");
    body.textContent = text;
    body.style.cssText = "white-space:pre-wrap;margin:0";
    const note = document.createElement("p");
    note.textContent = (none ? "Nothing is built yet." : "The page below is the last good build.") +
      " Fix the file and save: this page reloads by itself.";
    note.style.cssText = "font-family:system-ui,sans-serif;color:#ccc";
    overlay.append(title, body, note);
    document.body.append(overlay);
  };
  events.addEventListener("reload", () => location.reload());
  events.addEventListener("build-error", (e) => show(e.data));
  events.addEventListener("ok", hide);
})();
