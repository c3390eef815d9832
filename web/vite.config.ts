/// <reference types="vitest/config" />
import { resolve } from "node:path";
import { defineConfig } from "vite";

// Three apps, one build: dist/{provider,admin,resident}/index.html share dist/assets/.
// `base: "./"` keeps every URL relative, so the same files work at /app/… and under a commune's
// /t/{slug}/app/… prefix or host name (the platform strips the prefix before its static mount).
const root = import.meta.dirname;
const platform = process.env.SC_PLATFORM_URL ?? "http://127.0.0.1:8000";

export default defineConfig({
  base: "./",
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    rollupOptions: {
      input: {
        provider: resolve(root, "provider/index.html"),
        admin: resolve(root, "admin/index.html"),
        resident: resolve(root, "resident/index.html"),
      },
    },
  },
  server: {
    proxy: { "/api": platform, "/auth": platform, "/t": platform },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    restoreMocks: true,
    setupFiles: ["src/test/setup.ts"],
  },
});
