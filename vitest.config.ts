// Test projects: unit/integration (Node, real SQLite and sharp) and e2e (real serve mode + headless Chromium).
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        // Compiles the renderer's rune modules (*.svelte.ts) that unit tests import.
        plugins: [svelte({ configFile: false })],
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          // expect.poll's default 1 s is less than a loaded 2-core machine needs for a server round trip and a repaint.
          expect: { poll: { timeout: 10_000 } },
        },
      },
    ],
  },
});
