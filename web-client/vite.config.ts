import { defineConfig } from "vite";

// Maven builds into the jar's static/ folder (VALLEY_WEB_OUT), which api-service serves at /.
export default defineConfig({
  base: "./",
  build: {
    outDir: process.env.VALLEY_WEB_OUT ?? "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 5000,
  },
});
