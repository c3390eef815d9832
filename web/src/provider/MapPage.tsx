// Loaded with import() from App.tsx: the map data (~27 KB gzipped) stays out of the console's first load.
import { useMemo, useState } from "preact/hooks";
import { call, type Api } from "../api/client";
import { formatNumber } from "../i18n/format";
import { t, useLang, type MessageKey } from "../i18n";
import { useAsync } from "../lib/useAsync";
import { ErrorNotice, Loading } from "../ui/components";
import { place, tone, type MapData, type Placed, type Tone } from "./map/layout";
import mapData from "./map/vietnam-map.json";
import { known, PROVINCES } from "./shared";

const DATA = mapData as MapData;
const TONES: Tone[] = ["ok", "problem", "unmeasured", "suspended"];
const ISLAND_LABELS: Record<string, MessageKey> = {
  paracel: "provider.map.paracel",
  spratly: "provider.map.spratly",
};

export function MapPage({ api }: { api: Api }) {
  useLang();
  const points = useAsync(() => call(api.GET("/api/provider/v1/fleet/map")), [api]);
  const [selected, setSelected] = useState<Placed | null>(null);
  const placed = useMemo(
    () => (points.data ?? []).map((p) => place(p, DATA)).filter((p): p is Placed => p !== null),
    [points.data],
  );
  const approximate = placed.filter((p) => p.approximate).length;
  const byProvince = useMemo(() => {
    const counts = new Map<number, number>();
    for (const p of placed) counts.set(p.province_code, (counts.get(p.province_code) ?? 0) + 1);
    return PROVINCES.filter((p) => counts.has(p.code)).map((p) => ({ ...p, count: counts.get(p.code)! }));
  }, [placed]);

  return (
    <section>
      <h1>{t("provider.map.title")}</h1>
      <ErrorNotice error={points.error} onRetry={points.reload} />
      {points.loading && !points.data && <Loading />}
      <div class="map-wrap">
        <svg
          class="vn-map"
          viewBox={`0 0 ${DATA.width} ${DATA.height}`}
          role="img"
          aria-label={t("provider.map.aria", { count: formatNumber(placed.length) })}
        >
          <path class="land" d={DATA.outline} />
          {Object.entries(DATA.islands).map(([key, pts]) => (
            <g key={key} class="islands">
              {pts.map(([x, y], i) => (
                <circle key={i} cx={x} cy={y} r={1.6} />
              ))}
              <text x={pts[0][0] - 12} y={pts[0][1] - 8}>
                {t(ISLAND_LABELS[key] ?? "provider.map.islands")}
              </text>
            </g>
          ))}
          {placed.map((p) => (
            <circle
              key={p.commune_code}
              class={`pt ${tone(p)}${selected?.commune_code === p.commune_code ? " sel" : ""}`}
              cx={p.x}
              cy={p.y}
              r={placed.length > 500 ? 2 : 4}
              data-code={p.commune_code}
              onClick={() => setSelected(p)}
            >
              <title>{p.name}</title>
            </circle>
          ))}
        </svg>
        <div class="map-side">
          <h2>{t("provider.map.legend")}</h2>
          <ul class="plain legend">
            {TONES.map((k) => (
              <li key={k}>
                <svg width="14" height="14" aria-hidden="true">
                  <circle class={`pt ${k}`} cx="7" cy="7" r="5" />
                </svg>{" "}
                {t(`provider.map.tone.${k}`)}
              </li>
            ))}
          </ul>
          <p class="muted">{t("provider.map.positions")}</p>
          {approximate > 0 && <p class="muted">{t("provider.map.approximate", { count: formatNumber(approximate) })}</p>}
          {selected && (
            <div class="card" role="status">
              <strong>{selected.name}</strong>
              <div class="muted">{`${selected.commune_code} · /t/${selected.slug}`}</div>
              <div>{known("status", selected.status)}</div>
              {selected.problems != null && <div>{t("provider.map.problems", { count: formatNumber(selected.problems) })}</div>}
            </div>
          )}
        </div>
      </div>
      <table class="list">
        <caption>{t("provider.map.byProvince", { count: formatNumber(placed.length) })}</caption>
        <thead>
          <tr>
            <th>{t("communes.province")}</th>
            <th>{t("provider.map.onboarded")}</th>
          </tr>
        </thead>
        <tbody>
          {byProvince.map((p) => (
            <tr key={p.code}>
              <td data-label={t("communes.province")}>{p.name}</td>
              <td data-label={t("provider.map.onboarded")} class="num">
                {formatNumber(p.count)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="muted small">{t("provider.map.source")}</p>
    </section>
  );
}
