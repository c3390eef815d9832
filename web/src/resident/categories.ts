import { call, type Api, type Schemas } from "../api/client";

export type Category = Schemas["CategoryOut"];
const CATEGORIES_KEY = "sc.reportCategories.";

/** The commune's report categories; the last list is kept so the form also works offline. */
export async function loadCategories(api: Api, baseUrl: string): Promise<Category[]> {
  try {
    const all = await call(api.GET("/api/v1/report-categories"));
    const active = all.filter((c) => c.active);
    localStorage.setItem(CATEGORIES_KEY + baseUrl, JSON.stringify(active));
    return active;
  } catch (e) {
    const saved = localStorage.getItem(CATEGORIES_KEY + baseUrl);
    if (saved) return JSON.parse(saved) as Category[];
    throw e;
  }
}
