// A plain SVG plot of report positions: no map tiles, no library; loaded only when the map view opens.
import { t } from "../../i18n";
import { Empty } from "../../ui/components";
import { slaState, type Report } from "./reportShared";

const W = 400;
const H = 300;
const PAD = 20;

export function ReportMap(props: { reports: Report[]; categoryName: (id: number) => string }) {
  const points = props.reports.filter((r) => r.lat != null && r.lng != null) as (Report & { lat: number; lng: number })[];
  if (points.length === 0) return <Empty text={t("adminPeople.reports.noPoints")} />;
  const lats = points.map((p) => p.lat);
  const lngs = points.map((p) => p.lng);
  const [minLat, maxLat, minLng, maxLng] = [Math.min(...lats), Math.max(...lats), Math.min(...lngs), Math.max(...lngs)];
  // Equirectangular with the longitude shrunk by cos(latitude), so distances look right at Vietnam's latitudes.
  const k = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const spanX = Math.max((maxLng - minLng) * k, 1e-4);
  const spanY = Math.max(maxLat - minLat, 1e-4);
  const scale = Math.min((W - 2 * PAD) / spanX, (H - 2 * PAD) / spanY);
  const x = (lng: number) => PAD + ((lng - minLng) * k * scale) + (W - 2 * PAD - spanX * scale) / 2;
  const y = (lat: number) => H - PAD - (lat - minLat) * scale - (H - 2 * PAD - spanY * scale) / 2;
  return (
    <figure class="map-figure">
      <svg class="map" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={t("adminPeople.reports.mapLabel", { count: points.length })}>
        {points.map((r) => (
          <a key={r.id} href={`#/reports/${r.id}`} aria-label={t("adminPeople.reports.cardLabel", { id: r.id, category: props.categoryName(r.category_id) })}>
            <circle class={`pt ${slaState(r) === "overdue" ? "overdue" : ""}`} cx={x(r.lng)} cy={y(r.lat)} r={10}>
              <title>{`#${r.id} ${props.categoryName(r.category_id)}`}</title>
            </circle>
          </a>
        ))}
      </svg>
      <figcaption class="muted">{t("adminPeople.reports.mapCaption")}</figcaption>
    </figure>
  );
}
