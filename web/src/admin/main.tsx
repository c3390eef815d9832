import { render } from "preact";
import { getLang, setLang } from "../i18n";
import "../ui/styles.css";
import { AdminApp } from "./App";

setLang(getLang());
render(<AdminApp />, document.getElementById("app")!);
