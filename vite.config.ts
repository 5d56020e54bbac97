import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';

// `npm run dev` serves the SPA here and forwards /api (HTTP and WebSocket) to a running proxy.
const proxyTarget = process.env.BLOCKSCOPE_DEV_PROXY ?? 'http://127.0.0.1:7780';

export default defineConfig({
  plugins: [react(), tailwindcss()],
  build: { outDir: 'dist', sourcemap: false, chunkSizeWarningLimit: 1500 },
  worker: { format: 'es' },
  server: {
    host: '127.0.0.1',
    proxy: { '/api': { target: proxyTarget, ws: true, changeOrigin: false } },
  },
});
