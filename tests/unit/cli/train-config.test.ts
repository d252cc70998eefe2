// `iqa train` config files: whole-dataset training ("testDataset") is accepted alone and refused with a split.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../../src-main/cli/train.command';
import { tempDir } from '../../helpers/temp';

const file = (cfg: unknown) => {
  const path = join(tempDir('iqa-train-cfg-'), 'cfg.json');
  writeFileSync(path, JSON.stringify(cfg));
  return path;
};

describe('iqa train config', () => {
  it('takes a test dataset for whole-dataset training, by name or id', async () => {
    expect((await readConfig(file({ model: 'cnniqa', dataset: 'koniq', testDataset: 'live' }))).testDataset).toBe('live');
    expect((await readConfig(file({ model: 'cnniqa', dataset: 1, testDataset: 2 }))).testDataset).toBe(2);
  });

  it('refuses a test dataset together with a split or the N-split protocol', async () => {
    await expect(readConfig(file({ model: 'cnniqa', dataset: 'koniq', testDataset: 'live', split: 'official_split' }))).rejects.toThrow(/testDataset.*no "split" or "splits"/);
    await expect(readConfig(file({ model: 'cnniqa', dataset: 'koniq', testDataset: 'live', splits: 10 }))).rejects.toMatchObject({ code: 'validation' });
  });
});
