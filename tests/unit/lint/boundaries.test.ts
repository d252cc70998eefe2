// The layer rules of eslint.config.js bite: an import across a boundary, linted with the repo's own config, is an error.
import { ESLint } from 'eslint';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
let eslint: ESLint;

/** Messages of the boundary rule for `code` as if it were the file at `path` (relative to the repo root). */
async function boundaryErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(root, path) });
  return result!.messages.filter((m) => m.ruleId === 'import-x/no-restricted-paths').map((m) => m.message);
}

beforeAll(() => {
  eslint = new ESLint({
    cwd: root,
    cache: false,
    // A probe file is not in a tsconfig: lint it without type information (the type-aware rules are not under test here).
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: { parserOptions: { project: false, projectService: false } },
        rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/no-misused-promises': 'off' },
      },
    ],
  });
});

describe('layer boundaries (eslint.config.js)', () => {
  it('ttl may not import hiqa, nor hiqa ttl: they share iqa/layers', async () => {
    const fromTtl = await boundaryErrors('src-main/iqa/models/ttl/probe.ts', "import { HiqaConfig } from '../hiqa/hiqa.config';\nexport const c = HiqaConfig;\n");
    expect(fromTtl).toEqual([expect.stringContaining('hiqa and ttl share iqa/layers, not each other')]);
    const fromHiqa = await boundaryErrors('src-main/iqa/models/hiqa/probe.ts', "import { levelName } from '../ttl/levels';\nexport const l = levelName;\n");
    expect(fromHiqa).toEqual([expect.stringContaining('hiqa and ttl share iqa/layers, not each other')]);
  });

  it('both may import iqa/layers and iqa/backbones', async () => {
    const code = "import { ParamStore } from '../../layers/param-store';\nimport { createVgg16 } from '../../backbones/vgg16';\nexport const p = [ParamStore, createVgg16];\n";
    expect(await boundaryErrors('src-main/iqa/models/ttl/probe.ts', code)).toEqual([]);
    expect(await boundaryErrors('src-main/iqa/models/hiqa/probe.ts', code)).toEqual([]);
  });

  it('iqa may not import datasets; the synthetic set builder lives in imaging', async () => {
    const bad = await boundaryErrors('src-main/iqa/quality/probe.ts', "import { buildSyntheticDataset } from '../../datasets/synth/build-synthetic';\nexport const b = buildSyntheticDataset;\n");
    expect(bad).toEqual([expect.stringContaining('iqa (models, training, scoring) does not import datasets')]);
    const good = await boundaryErrors('src-main/iqa/quality/probe.ts', "import { buildSyntheticSet } from '../../imaging/synth/build-synthetic';\nexport const b = buildSyntheticSet;\n");
    expect(good).toEqual([]);
  });

  it('src-shared imports nothing of ours', async () => {
    const bad = await boundaryErrors('src-shared/probe.ts', "import { seededRandom } from '../src-main/util/random';\nexport const r = seededRandom;\n");
    expect(bad).toEqual([expect.stringContaining('src-shared is the contract')]);
  });
});
