// Where each onboarded commune goes on the provider console's map (pure, tested alone).
import type { Schemas } from "../../api/client";

type Point = Schemas["MapPointOut"];

export interface MapData {
  width: number;
  height: number;
  outline: string;
  islands: Record<string, number[][]>;
  provinces: Record<string, number[]>;
  communes: Record<string, number[]>;
}

export interface Placed extends Point {
  x: number;
  y: number;
  /** Placed around its province's centroid: the data set has no position for it. */
  approximate: boolean;
}

const GOLDEN_ANGLE = Math.PI * (3 - Math.sqrt(5));

/** A commune's own centroid, else a deterministic spot around its province's centroid (same code, same spot). */
export function place(point: Point, data: MapData): Placed | null {
  const own = data.communes[String(point.commune_code)];
  if (own) return { ...point, x: own[0], y: own[1], approximate: false };
  const centre = data.provinces[String(point.province_code)];
  if (!centre) return null;
  const n = point.commune_code;
  const radius = 3 + (n % 7) * 1.5;
  const angle = n * GOLDEN_ANGLE;
  return {
    ...point,
    x: Math.round((centre[0] + radius * Math.cos(angle)) * 10) / 10,
    y: Math.round((centre[1] + radius * Math.sin(angle)) * 10) / 10,
    approximate: true,
  };
}

export type Tone = "problem" | "suspended" | "ok" | "unmeasured";

export function tone(p: Point): Tone {
  if (p.status === "suspended") return "suspended";
  if (p.problems == null) return "unmeasured";
  return p.problems > 0 ? "problem" : "ok";
}
