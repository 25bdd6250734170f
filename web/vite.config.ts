import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// The dev server proxies the API and Socket.IO to a running CodeArena (embedded mode on
// :8083 by default; CODEARENA_URL overrides). Production builds go to dist/, which the
// binary embeds (embedded mode) and nginx serves (cluster mode).
const target = process.env.CODEARENA_URL ?? "http://localhost:8083";

export default defineConfig({
  plugins: [react()],
  build: {
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 900,
  },
  server: {
    proxy: {
      "/api": target,
      "/socket.io": { target, ws: true },
    },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
  },
});
