import { formatNumber } from "../i18n/format";
import { t, useLang } from "../i18n";
import { InboxList } from "../ui/InboxList";
import { Icon } from "./icons";
import { offered, SCREENS } from "./routes";
import type { ScreenProps } from "./screen";

/** The first screen after sign-in: what is waiting to be sent, every service as a big tile, then the inbox. */
export function Home(props: ScreenProps) {
  useLang();
  const waiting = props.outbox.items.filter((i) => i.state === "queued").length;
  const failed = props.outbox.items.length - waiting;
  return (
    <>
      {waiting + failed > 0 && (
        <a class="notice info queued-banner" href="#/reports" role="status">
          {waiting > 0 && t("resident.queue.waiting", { count: formatNumber(waiting) })}
          {waiting > 0 && failed > 0 && " · "}
          {failed > 0 && t("resident.queue.failedCount", { count: formatNumber(failed) })}
        </a>
      )}
      <nav class="tiles" aria-label={t("resident.home.services")}>
        {SCREENS.filter((s) => offered(s, props.commune.modules)).map((s) => (
          <a key={s.path} class="tile" href={`#${s.path}`}>
            <Icon name={s.icon} />
            <span>{t(s.label)}</span>
          </a>
        ))}
      </nav>
      <InboxList api={props.api} />
    </>
  );
}
