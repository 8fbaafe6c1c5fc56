import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Relative asset paths so the built files work from any mount point pitwall serves them at.
export default defineConfig({
  base: './',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2020' },
  server: {
    // `npm run dev` talks to a local pitwall unless VITE_API_BASE points elsewhere.
    proxy: { '/api': 'http://127.0.0.1:8001' },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{js,jsx}'],
    setupFiles: ['src/test/setup.js'],
    restoreMocks: true,
  },
});
