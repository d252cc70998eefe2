// The models the quality evaluation can score with, by name: the shipped HyperIQA (wasm) or the default quality model.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { initBackend } from '../../src-main/iqa/backend';
import { loadScorer } from '../../src-main/iqa/score/scorer';

export interface FileScorer {
  file(path: string): Promise<number>;
  dispose(): void;
}

export async function scorerFor(model: string): Promise<FileScorer> {
  if (model === 'hyperiqa') {
    await initBackend('wasm');
    const s = await loadScorer({ model: 'hyperiqa' });
    const patch = s.protocol!.patch;
    const tmp = await mkdtemp(join(tmpdir(), 'iqa-eval-'));
    return {
      // HyperIQA cuts 224 px crops: a panorama whose short side is below that is enlarged (Lanczos) to reach it.
      file: async (p) => {
        const { width = 0, height = 0 } = await sharp(p).metadata();
        if (Math.min(width, height) >= patch) return (await s.scoreFile(p)).score;
        const k = patch / Math.min(width, height);
        const up = join(tmp, 'up.png');
        await sharp(p).resize(Math.ceil(width * k), Math.ceil(height * k)).png().toFile(up);
        return (await s.scoreFile(up)).score;
      },
      dispose: () => {
        s.dispose();
        void rm(tmp, { recursive: true, force: true });
      },
    };
  }
  if (model === 'quality') {
    const s = await loadScorer({ model: 'quality' });
    return { file: async (p) => (await s.scoreFile(p)).score, dispose: () => s.dispose() };
  }
  throw new Error(`unknown model "${model}"`);
}
