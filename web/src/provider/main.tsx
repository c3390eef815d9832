import { render } from "preact";
import { setLang, getLang } from "../i18n";
import "../ui/styles.css";
import "./provider.css";
import { ProviderApp } from "./App";

setLang(getLang());
render(<ProviderApp />, document.getElementById("app")!);
