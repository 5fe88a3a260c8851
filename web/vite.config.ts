/**
 * Builds the dashboard (index.html → /dashboard) and the GraphQL playground (playground.html →
 * GET /graphql from a browser) into dist/web. Every script, style, font and Monaco worker is
 * bundled here and served by the server itself: nothing is fetched from another host.
 */
import react from '@vitejs/plugin-react';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root,
  base: '/dashboard/',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: path.join(root, '..', 'dist', 'web'),
    emptyOutDir: true,
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 8000,
    rollupOptions: {
      // graphiql's react-compiler "use no memo" directives: harmless once bundled.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
      input: { dashboard: path.join(root, 'index.html'), playground: path.join(root, 'playground.html') },
    },
  },
  worker: { format: 'es' },
});
