import { useEffect, useState } from "preact/hooks";

// Hash routing (`#/villages`): the platform serves each app as static files, so no server fallback is needed.

export function currentRoute(): string {
  const h = location.hash.replace(/^#/, "");
  return h.startsWith("/") ? h : "/";
}

export function useRoute(): string {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const on = () => setRoute(currentRoute());
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  return route;
}

export function navigate(route: string): void {
  location.hash = route;
}
