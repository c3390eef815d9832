import { render } from "preact";
import { getLang, setLang } from "../i18n";
import "../ui/styles.css";
import "./resident.css";
import { ResidentApp } from "./App";

setLang(getLang());
document.body.classList.add("resident");
render(<ResidentApp />, document.getElementById("app")!);

// The service worker (public/resident/sw.js) keeps the shell, the screens opened and the data loaded for offline
// use, and sends queued reports in the background (Background Sync).
if ("serviceWorker" in navigator && isSecureContext) {
  addEventListener("load", () => {
    void navigator.serviceWorker.register("./sw.js").catch(() => undefined);
  });
}
