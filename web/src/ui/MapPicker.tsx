// The shared map picker: typed coordinates always work; a Leaflet map (loaded on demand, so no app's first
// download carries it) lets the user click or drag a marker. Without tiles (no network, blocked tile server)
// the map says so and the coordinate fields keep working.
import { useEffect, useId, useRef, useState } from "preact/hooks";
import { addMessages, getLang, t, useLang } from "../i18n";
import { mapPickerEn } from "../i18n/areas/mapPicker.en";
import { mapPickerVi } from "../i18n/areas/mapPicker.vi";

addMessages(mapPickerVi, mapPickerEn);

export type LatLng = { lat: number; lng: number };

/** Default tile server: OpenStreetMap's, or the build's VITE_MAP_TILE_URL ({z}/{x}/{y} template). */
export const DEFAULT_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
const BUILD_TILE_URL = (import.meta as unknown as { env?: Record<string, string | undefined> }).env?.VITE_MAP_TILE_URL;
let configuredTileUrl: string = BUILD_TILE_URL || DEFAULT_TILE_URL;

/** Set the tile URL for every picker (a platform or commune setting read at start); empty = default. */
export function setMapTileUrl(url: string | null | undefined): void {
  configuredTileUrl = url || BUILD_TILE_URL || DEFAULT_TILE_URL;
}
export function mapTileUrl(): string {
  return configuredTileUrl;
}

/** Vietnam's middle, when there is no value nor centre. */
const VIETNAM: LatLng = { lat: 16.0, lng: 106.5 };

/** Parse a typed coordinate: dot or comma decimals ("16,8012"). */
export function parseCoordinate(text: string): number | null {
  const s = text.trim().replace(",", ".");
  if (!/^-?\d+(\.\d+)?$/.test(s)) return null;
  return Number(s);
}

export function validLatLng(lat: number | null, lng: number | null): lat is number {
  return lat !== null && lng !== null && Math.abs(lat) <= 90 && Math.abs(lng) <= 180;
}

/** A coordinate as the language writes it (comma decimals in Vietnamese). */
export function formatCoordinate(value: number, lang = getLang()): string {
  const s = value.toFixed(6).replace(/0+$/, "").replace(/\.$/, "");
  return lang === "vi" ? s.replace(".", ",") : s;
}

type Leaflet = typeof import("leaflet");

let leafletPromise: Promise<Leaflet> | null = null;
function loadLeaflet(): Promise<Leaflet> {
  leafletPromise ??= Promise.all([import("leaflet"), import("leaflet/dist/leaflet.css")]).then(
    ([mod]) => ((mod as unknown as { default?: Leaflet }).default ?? mod) as Leaflet,
  );
  return leafletPromise;
}

export function MapPicker(props: {
  value: LatLng | null;
  onChange: (value: LatLng | null) => void;
  /** Where the map opens when there is no value (e.g. the commune's office). */
  center?: LatLng | null;
  tileUrl?: string;
  /** Without a map (tests, very small screens): the coordinate fields only. */
  noMap?: boolean;
  legend?: string;
}) {
  const lang = useLang();
  const id = useId();
  const { value, onChange } = props;
  const [latText, setLatText] = useState(value ? formatCoordinate(value.lat, lang) : "");
  const [lngText, setLngText] = useState(value ? formatCoordinate(value.lng, lang) : "");
  const [invalid, setInvalid] = useState(false);
  const [mapState, setMapState] = useState<"loading" | "ready" | "noTiles" | "failed">("loading");
  const mapDiv = useRef<HTMLDivElement>(null);
  const mapRef = useRef<{ L: Leaflet; map: import("leaflet").Map; marker: import("leaflet").CircleMarker | null } | null>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  // Keep the fields in step with a value set from outside (map click, reset).
  useEffect(() => {
    const lat = parseCoordinate(latText);
    const lng = parseCoordinate(lngText);
    if (value && (lat !== value.lat || lng !== value.lng)) {
      setLatText(formatCoordinate(value.lat, lang));
      setLngText(formatCoordinate(value.lng, lang));
    }
    if (!value && lat !== null && lng !== null && validLatLng(lat, lng)) {
      setLatText("");
      setLngText("");
    }
    placeMarker(value);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value?.lat, value?.lng]);

  function placeMarker(v: LatLng | null) {
    const m = mapRef.current;
    if (!m) return;
    if (!v) {
      m.marker?.remove();
      m.marker = null;
      return;
    }
    if (m.marker) m.marker.setLatLng([v.lat, v.lng]);
    else m.marker = m.L.circleMarker([v.lat, v.lng], { radius: 9, color: "#0b4f8a", weight: 3, fillOpacity: 0.6 }).addTo(m.map);
  }

  useEffect(() => {
    if (props.noMap || !mapDiv.current) return;
    let cancelled = false;
    loadLeaflet()
      .then((L) => {
        if (cancelled || !mapDiv.current) return;
        const start = value ?? props.center ?? VIETNAM;
        const map = L.map(mapDiv.current, { center: [start.lat, start.lng], zoom: value || props.center ? 15 : 5, attributionControl: true });
        let tileErrors = 0;
        L.tileLayer(props.tileUrl || mapTileUrl(), { maxZoom: 19, attribution: t("mapPicker.attribution") })
          .on("tileerror", () => {
            tileErrors += 1;
            if (tileErrors === 1) setMapState("noTiles");
          })
          .on("load", () => {
            if (tileErrors === 0) setMapState("ready");
          })
          .addTo(map);
        map.on("click", (e: import("leaflet").LeafletMouseEvent) => {
          const next = { lat: Number(e.latlng.lat.toFixed(6)), lng: Number(e.latlng.lng.toFixed(6)) };
          setInvalid(false);
          onChangeRef.current(next);
        });
        mapRef.current = { L, map, marker: null };
        placeMarker(value);
        setMapState((s) => (s === "loading" ? "ready" : s));
      })
      .catch(() => {
        if (!cancelled) setMapState("failed");
      });
    return () => {
      cancelled = true;
      mapRef.current?.map.remove();
      mapRef.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.noMap]);

  function typed(latS: string, lngS: string) {
    setLatText(latS);
    setLngText(lngS);
    if (!latS.trim() && !lngS.trim()) {
      setInvalid(false);
      onChange(null);
      return;
    }
    const lat = parseCoordinate(latS);
    const lng = parseCoordinate(lngS);
    if (lat === null || lng === null) return; // still typing: say nothing until both fields have a number
    if (!validLatLng(lat, lng)) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    onChange({ lat, lng });
    mapRef.current?.map.panTo([lat, lng]);
  }

  return (
    <fieldset class="map-picker">
      {props.legend && <legend>{props.legend}</legend>}
      {!props.noMap && mapState !== "failed" && (
        <div ref={mapDiv} class="map-picker-map" role="application" aria-label={t("mapPicker.map")} />
      )}
      {mapState === "noTiles" && <small class="map-picker-note">{t("mapPicker.noTiles")}</small>}
      {mapState === "failed" && <small class="map-picker-note">{t("mapPicker.noMap")}</small>}
      <div class="map-picker-coords">
        <div class="field">
          <label for={`${id}-lat`}>{t("mapPicker.lat")}</label>
          <input id={`${id}-lat`} name="lat" inputMode="decimal" autoComplete="off" value={latText} onInput={(e) => typed(e.currentTarget.value, lngText)} aria-invalid={invalid} />
        </div>
        <div class="field">
          <label for={`${id}-lng`}>{t("mapPicker.lng")}</label>
          <input id={`${id}-lng`} name="lng" inputMode="decimal" autoComplete="off" value={lngText} onInput={(e) => typed(latText, e.currentTarget.value)} aria-invalid={invalid} />
        </div>
      </div>
      {invalid && (
        <p class="notice error" role="alert">
          {t("mapPicker.invalid")}
        </p>
      )}
      <small>{t("mapPicker.hint")}</small>
      {value && (
        <button type="button" class="link" onClick={() => typed("", "")}>
          {t("mapPicker.clear")}
        </button>
      )}
    </fieldset>
  );
}
