import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';
import { precompress } from './scripts/precompress.ts';

// `npm run dev` serves the SPA here and forwards /api (HTTP and WebSocket) to a running proxy.
const proxyTarget = process.env.BLOCKSCOPE_DEV_PROXY ?? 'http://127.0.0.1:7780';

export default defineConfig({
  // precompress: the file list the server reads (dist/static-manifest.json) and .br/.gz copies.
  plugins: [react(), tailwindcss(), precompress()],
  build: {
    outDir: 'dist',
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
    // Brotli at its best takes seconds after the bundle is written (precompress); that is expected,
    // not worth a timing warning on every build.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  worker: { format: 'es' },
  server: {
    host: '127.0.0.1',
    // The proxy checks Host and Origin exactly; in development the page's origin is Vite's, so the
    // forwarded requests are presented as coming from the proxy's own origin.
    proxy: {
      '/api': {
        target: proxyTarget,
        ws: true,
        changeOrigin: true,
        configure: (proxy) => {
          proxy.on('proxyReq', (req) => req.setHeader('origin', proxyTarget));
          proxy.on('proxyReqWs', (req) => req.setHeader('origin', proxyTarget));
        },
      },
    },
  },
});
