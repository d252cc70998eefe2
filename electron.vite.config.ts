// Build of the three Electron parts: main (shell + services), preload (sandboxed, CommonJS), renderer (Svelte).
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { resolve } from 'node:path';

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        // Optional native backends: absent on most machines, loaded at run time when installed.
        external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'onnxruntime-node'],
        input: {
          index: resolve('src-main/shells/electron/main.ts'),
          'backend-host': resolve('src-main/shells/electron/backend-host.ts'),
          'train-worker': resolve('src-main/iqa/train/train.worker.ts'),
          'score-worker': resolve('src-main/iqa/score/score.worker.ts'),
          'replica-worker': resolve('src-main/iqa/train/replica.worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve('src-main/shells/electron/preload.ts') },
        // A sandboxed preload cannot load ES modules.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src-renderer',
    base: './',
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: resolve('src-renderer/index.html') },
    },
    plugins: [svelte()],
  },
});
