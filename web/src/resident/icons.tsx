// Line icons for the home tiles and bottom tabs. Drawn as SVG rather than emoji: low-end phones and
// headless browsers often lack a colour emoji font and would show empty boxes.
const PATHS = {
  home: "M3 11l9-8 9 8M5 9.5V21h5v-6h4v6h5V9.5",
  news: "M4 5h13v14H6a2 2 0 0 1-2-2zM17 9h3v8a2 2 0 0 1-2 2M7 9h7M7 13h7M7 16h4",
  camera: "M4 8h3l2-3h6l2 3h3v11H4zM15.5 13a3.5 3.5 0 1 1-7 0a3.5 3.5 0 1 1 7 0",
  list: "M9 3h6v3H9zM7 4.5H5V21h14V4.5h-2M8 11h8M8 14.5h8M8 18h5",
  chart: "M5 20V11M12 20V5M19 20v-6M3 20h18",
  wallet: "M3 6h18v13H3zM3 10h18M7 15h4",
  columns: "M3 9l9-5 9 5M5 10v8M10 10v8M14 10v8M19 10v8M3 20h18",
  folder: "M3 6h6l2 2h10v11H3z",
  phone: "M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a1 1 0 0 1-1 1A16 16 0 0 1 4 5a1 1 0 0 1 1-1z",
  book: "M5 4.5A1.5 1.5 0 0 1 6.5 3H19v15H6.5A1.5 1.5 0 0 0 5 19.5zM5 19.5A1.5 1.5 0 0 0 6.5 21H19v-3",
  bag: "M5 8h14l-1 12H6zM9 8a3 3 0 0 1 6 0",
  search: "M10.5 17a6.5 6.5 0 1 1 0-13a6.5 6.5 0 1 1 0 13zM15.5 15.5L21 21",
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name, size = 28 }: { name: IconName; size?: number }) {
  return (
    <svg
      class="icon"
      viewBox="0 0 24 24"
      width={size}
      height={size}
      aria-hidden="true"
      focusable="false"
      fill="none"
      stroke="currentColor"
      stroke-width="1.8"
      stroke-linecap="round"
      stroke-linejoin="round"
    >
      <path d={PATHS[name]} />
    </svg>
  );
}
