import { t } from "../../i18n";
import { formatDateTime, formatNumber } from "../../i18n/format";

export interface Point {
  x: number; // epoch ms
  y: number;
}

const W = 320;
const H = 120;
const PAD = 4;

/** The SVG path of `points` scaled into a W×H box (oldest left); "" for no points. */
export function linePath(points: Point[], width = W, height = H): string {
  if (points.length === 0) return "";
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const sx = (x: number) => PAD + (x1 === x0 ? (width - 2 * PAD) / 2 : ((x - x0) / (x1 - x0)) * (width - 2 * PAD));
  const sy = (y: number) => height - PAD - (y1 === y0 ? (height - 2 * PAD) / 2 : ((y - y0) / (y1 - y0)) * (height - 2 * PAD));
  return points.map((p, i) => `${i ? "L" : "M"}${sx(p.x).toFixed(1)} ${sy(p.y).toFixed(1)}`).join(" ");
}

/** A small inline line chart (no chart library): the series, its range, and a text summary for screen readers. */
export function LineChart(props: { title: string; unit?: string; points: Point[] }) {
  const pts = [...props.points].sort((a, b) => a.x - b.x);
  if (pts.length === 0) return null;
  const ys = pts.map((p) => p.y);
  const unit = props.unit ? ` ${props.unit}` : "";
  const min = formatNumber(Math.min(...ys)) + unit;
  const max = formatNumber(Math.max(...ys)) + unit;
  const last = formatNumber(pts[pts.length - 1].y) + unit;
  const summary = t("adminOps.chart.summary", { title: props.title, min, max, last, count: pts.length });
  return (
    <figure class="chart">
      <figcaption>
        <strong>{props.title}</strong> <span class="muted">{last}</span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary} preserveAspectRatio="none">
        <path d={linePath(pts)} fill="none" stroke="currentColor" stroke-width="2" vector-effect="non-scaling-stroke" />
      </svg>
      <div class="chart-axis muted">
        <span>{formatDateTime(pts[0].x)}</span>
        <span>
          {min} – {max}
        </span>
        <span>{formatDateTime(pts[pts.length - 1].x)}</span>
      </div>
    </figure>
  );
}
