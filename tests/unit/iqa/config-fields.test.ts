// Every model's config as typed form fields: no setting left as raw JSON, ranges and choices from the schema, help for each.
import { describe, expect, it } from 'vitest';
import { configFields } from '../../../src-main/iqa/config-fields';
import { getModel, listModels } from '../../../src-main/iqa/registry';

describe('config fields', () => {
  it('every setting of every model is a number, choice, switch, path or optional group, never JSON', () => {
    for (const m of listModels()) {
      const fields = configFields(m);
      expect(fields.length, m.id).toBeGreaterThan(0);
      // Plain strings only where a path is meant: every other string setting is a choice.
      expect(fields.filter((f) => f.kind === 'text').map((f) => `${m.id}.${f.key}`)).toEqual([]);
      // Each top-level setting has help with what it does.
      const missing = fields.filter((f) => f.group === '' && !f.help).map((f) => `${m.id}.${f.key}`);
      expect(missing).toEqual([]);
    }
  });

  it('ranges, nested groups and optional groups come from the schema', () => {
    const hiqa = configFields(getModel('hiqa'));
    const by = new Map(hiqa.map((f) => [f.key, f]));
    expect(by.get('optim.lrDecayFactor')).toMatchObject({ kind: 'number', group: 'optim', min: 0, minExclusive: true, max: 1, default: 0.1 });
    expect(by.get('optim.lrDecayFactor')!.help?.paper).toMatch(/0\.1/);
    expect(by.get('sizes.regressor.depth')).toMatchObject({ kind: 'enum', options: [10, 18], default: null, nullable: false });
    expect(by.get('patch')).toMatchObject({ kind: 'integer', nullable: true, min: 32, max: 1024 });
    expect(by.get('resize')).toMatchObject({ kind: 'group', nullable: true, default: null });
    expect(by.get('resize.width')).toMatchObject({ kind: 'integer', parent: 'resize', min: 32 });
    expect(by.get('vggWeights')).toMatchObject({ kind: 'file', nullable: true });
    const hyper = new Map(configFields(getModel('hyperiqa')).map((f) => [f.key, f]));
    expect(hyper.get('mode')).toMatchObject({ kind: 'enum', options: ['paper', 'official-code'], default: 'paper' });
    expect(hyper.get('batchCrops')).toMatchObject({ kind: 'integer', min: 1, max: 512, default: 96 });
    expect(configFields(getModel('cnniqa')).find((f) => f.key === 'resize')).toMatchObject({ kind: 'group', default: { width: 256, height: 192 } });
  });
});
