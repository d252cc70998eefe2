// The Runs / Compare helpers: config flattening and diff, CSV at full precision, LaTeX escaping and best-in-bold, the colour scale.
import { describe, expect, it } from 'vitest';
import { diffConfigs, flattenConfig, latexEscape, slug, srccColour, toCsv, toLatex } from '../../../src-renderer/lib/compare';

describe('flattenConfig / diffConfigs', () => {
  it('flattens nested objects to dotted keys and keeps arrays and nulls as JSON leaves', () => {
    expect(flattenConfig({ hyper: { lr: 0.001, lrDecay: { every: 0 } }, scoreRange: [1, 5], initFrom: null, empty: {} })).toEqual({
      'hyper.lr': '0.001',
      'hyper.lrDecay.every': '0',
      scoreRange: '[1,5]',
      initFrom: 'null',
      empty: '{}',
    });
  });

  it('marks differing, missing and identical keys, sorted by key', () => {
    const rows = diffConfigs({ hyper: { lr: 0.001, seed: 7 }, modelConfig: { backbone: 'resnet50' } }, { hyper: { lr: 0.0003, seed: 7 }, extra: true });
    expect(rows).toEqual([
      { key: 'extra', a: undefined, b: 'true', same: false },
      { key: 'hyper.lr', a: '0.001', b: '0.0003', same: false },
      { key: 'hyper.seed', a: '7', b: '7', same: true },
      { key: 'modelConfig.backbone', a: '"resnet50"', b: undefined, same: false },
    ]);
  });
});

describe('toCsv', () => {
  it('writes numbers at full precision so they parse back exactly, and quotes text that needs it', () => {
    const v = 0.1 + 0.2;
    const csv = toCsv(['id', 'name', 'srcc'], [[1, 'a, "b"', v], [2, 'plain', null]]);
    expect(csv).toBe(`id,name,srcc\r\n1,"a, ""b""",${String(v)}\r\n2,plain,\r\n`);
    expect(Number(csv.split('\r\n')[1]!.split(',').at(-1))).toBe(v);
  });
});

describe('toLatex', () => {
  it('escapes text, rounds numbers and sets the best of a column in bold', () => {
    const tex = toLatex(
      [{ header: 'Run' }, { header: 'SRCC', numeric: true, best: 'max' }, { header: 'RMSE', numeric: true, best: 'min' }],
      [
        ['run_1 & co', 0.91234, 0.5],
        ['run 2', 0.8, 0.41],
      ],
      '50% of tests',
    );
    expect(tex).toContain('\\caption{50\\% of tests}');
    expect(tex).toContain('run\\_1 \\& co & \\textbf{0.9123} & 0.5000 \\\\');
    expect(tex).toContain('run 2 & 0.8000 & \\textbf{0.4100} \\\\');
    expect(latexEscape('a_b#c~')).toBe('a\\_b\\#c\\textasciitilde{}');
  });
});

describe('srccColour and slug', () => {
  it('goes from red at 0 to green at 1 and leaves missing values uncoloured', () => {
    expect(srccColour(0)).toBe('hsl(0 60% 32%)');
    expect(srccColour(-0.4)).toBe('hsl(0 60% 32%)');
    expect(srccColour(1)).toBe('hsl(125 60% 32%)');
    expect(srccColour(undefined)).toBeUndefined();
    expect(srccColour(Number.NaN)).toBeUndefined();
    expect(slug('Test SRCC (solid) per epoch')).toBe('test-srcc-solid-per-epoch');
  });
});
