import type { mapPickerVi } from "./mapPicker.vi";

export const mapPickerEn: Record<keyof typeof mapPickerVi, string> = {
  "mapPicker.lat": "Latitude",
  "mapPicker.lng": "Longitude",
  "mapPicker.hint": "Click the map to choose the place, or type the coordinates (e.g. 16.8012 and 107.0021).",
  "mapPicker.map": "Map to choose a location",
  "mapPicker.noTiles": "The background map could not be loaded; you can still type the coordinates.",
  "mapPicker.noMap": "The map could not be opened; type the coordinates.",
  "mapPicker.clear": "Clear location",
  "mapPicker.invalid": "Invalid coordinates: latitude from -90 to 90, longitude from -180 to 180.",
  "mapPicker.attribution": "© OpenStreetMap contributors",
};
