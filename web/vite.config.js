import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// Three pages: the explorer (served at / and /embed), GraphiQL (/graphiql)
// and the supplier-list check (/supplier).
// Everything is bundled; nothing is fetched from a CDN at run time.
export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: false,
    // Every browser that runs the explorer supports modulepreload.
    modulePreload: { polyfill: false },
    // Keep every asset a file (no data: URIs for fonts or images in CSS/JS).
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      // GraphiQL's React dependencies mark modules "use client": meaningless here.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
      input: {
        explorer: resolve(import.meta.dirname, 'index.html'),
        graphiql: resolve(import.meta.dirname, 'graphiql.html'),
        supplier: resolve(import.meta.dirname, 'supplier.html'),
      },
    },
  },
  server: {
    // `npm run dev` against `make run` on :8080.
    proxy: {
      '/graphql': 'http://127.0.0.1:8080',
      '/export': 'http://127.0.0.1:8080',
      '/supplier-check': 'http://127.0.0.1:8080',
    },
  },
});
