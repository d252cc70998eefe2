// Experiment views' pure logic: runs grouped over splits (median, IQR, range), ablation switches and table, the cross-dataset SRCC matrix.
import { describe, expect, it } from 'vitest';
import { ablationSwitches, ablationTable, crossMatrix, experimentConfig, groupRuns, stats, type ExpRun } from '../../../src-renderer/lib/experiments';

let nextId = 1;
function run(over: { lr?: number; kernels?: number; split?: string; datasetId?: number; model?: string; srcc?: number; plcc?: number; status?: string; backend?: string }): ExpRun {
  return {
    id: nextId++,
    name: 'r',
    model: over.model ?? 'cnniqa',
    datasetId: over.datasetId ?? 1,
    status: over.status ?? 'completed',
    config: { model: over.model ?? 'cnniqa', modelConfig: { kernels: over.kernels ?? 8 }, hyper: { lr: over.lr ?? 1e-3, epochs: 2 }, split: over.split ?? 's1', backend: over.backend ?? 'auto', datasetId: over.datasetId ?? 1 },
    metrics: { srcc: over.srcc ?? 0.5, plcc: over.plcc ?? 0.6, krcc: 0.4, rmse: 1 },
  };
}

describe('stats', () => {
  it('gives the median, quartiles by linear interpolation and the range, ignoring non-finite values', () => {
    expect(stats([4, 1, 3, 2, Number.NaN])).toEqual({ n: 4, median: 2.5, q1: 1.75, q3: 3.25, min: 1, max: 4 });
    expect(stats([0.7])).toEqual({ n: 1, median: 0.7, q1: 0.7, q3: 0.7, min: 0.7, max: 0.7 });
    expect(stats([]).n).toBe(0);
  });
});

describe('groupRuns', () => {
  it('puts runs that differ only by split (and backend) in one group, with stats over completed runs', () => {
    const a = run({ split: 's1', srcc: 0.8 });
    const b = run({ split: 's2', srcc: 0.6, backend: 'cpu' });
    const c = run({ split: 's3', srcc: 0.1, status: 'running' });
    const d = run({ split: 's1', lr: 3e-4, srcc: 0.7 });
    const e = run({ split: 's1', datasetId: 2, srcc: 0.9 });
    const groups = groupRuns([a, b, c, d, e]);
    expect(groups).toHaveLength(3);
    const g = groups.find((x) => x.runs.includes(a))!;
    expect(g.runs.map((r) => r.id)).toEqual([a.id, b.id, c.id]);
    expect(g.splits).toEqual(['s1', 's2', 's3']);
    expect(g.completed).toBe(2);
    expect(g.stats.srcc).toMatchObject({ n: 2, median: 0.7, min: 0.6, max: 0.8 });
    expect(g.config['hyper.lr']).toBe('0.001');
    expect(g.config.split).toBeUndefined();
    expect(experimentConfig(a.config).backend).toBeUndefined();
    // Newest group first.
    expect(groups[0]!.runs).toEqual([e]);
  });

  it('names the ablation switches: keys that differ between groups of one model and dataset', () => {
    const groups = groupRuns([run({ lr: 1e-3 }), run({ lr: 3e-4 }), run({ kernels: 16 }), run({ datasetId: 2, lr: 1 }), run({ model: 'other' })]);
    expect(ablationSwitches(groups)).toEqual(['hyper.lr', 'modelConfig.kernels']);
    expect(ablationSwitches(groupRuns([run({}), run({ datasetId: 3 })]))).toEqual([]);
  });
});

describe('ablationTable', () => {
  it('lists the baseline and the groups one switch away, with medians (the change comes from the paired comparison, not from medians)', () => {
    const base = [run({ srcc: 0.8, plcc: 0.82 }), run({ srcc: 0.6, plcc: 0.62, split: 's2' })];
    const lr = [run({ lr: 3e-4, srcc: 0.5, plcc: 0.55 })];
    const kernels = [run({ kernels: 16, srcc: 0.75, plcc: 0.8 })];
    const both = [run({ kernels: 16, lr: 3e-4, srcc: 0.9 })];
    const otherData = [run({ lr: 3e-4, datasetId: 2 })];
    const groups = groupRuns([...base, ...lr, ...kernels, ...both, ...otherData]);
    const baseline = groups.find((g) => g.runs.includes(base[0]!))!;
    const rows = ablationTable(baseline, groups);
    expect(rows.map((r) => [r.switchKey, r.baselineValue, r.value])).toEqual([
      ['', '', ''],
      ['hyper.lr', '0.001', '0.0003'],
      ['modelConfig.kernels', '8', '16'],
    ]);
    expect(rows[0]).toMatchObject({ baseline: true, srcc: 0.7, plcc: 0.72, n: 2 });
    expect(rows[1]).toMatchObject({ srcc: 0.5, n: 1 });
    // A median-minus-median change (0.5 − 0.7) mixes splits the row never ran on; the table no longer offers one.
    expect(rows[1]).not.toHaveProperty('deltaSrcc');
  });
});

describe('ablationTable for HIQA', () => {
  it("counts the quality-aware loss switched off with R_pre's epochs taken off as one switch, and only that pair", () => {
    const hiqa = (over: { qpl?: boolean; epochs?: number; fusion?: boolean }): ExpRun => ({
      ...run({ model: 'hiqa' }),
      config: { model: 'hiqa', modelConfig: { qualityAwareLoss: over.qpl ?? true, fusion: over.fusion ?? true }, hyper: { epochs: over.epochs ?? 21 }, split: 's1', datasetId: 1 },
    });
    const full = hiqa({});
    const noQ = hiqa({ qpl: false, epochs: 17 });
    const noFusion = hiqa({ fusion: false });
    const fusionAndEpochs = hiqa({ fusion: false, epochs: 17 });
    const groups = groupRuns([full, noQ, noFusion, fusionAndEpochs]);
    const rows = ablationTable(groups.find((g) => g.runs.includes(full))!, groups);
    expect(rows.map((r) => [r.switchKey, r.value])).toEqual([
      ['', ''],
      ['modelConfig.fusion', 'false'],
      ['modelConfig.qualityAwareLoss', 'false'],
    ]);
  });
});

describe('crossMatrix', () => {
  it('fills in-dataset cells from the test split and others from the latest evaluation of each run', () => {
    const r1 = run({ srcc: 0.8 });
    const r2 = run({ srcc: 0.6, split: 's2' });
    const rows = [{ key: 'g', label: 'g', datasetId: 1, runs: [r1, r2] }];
    const evals = [
      { runId: r1.id, datasetId: 2, srcc: 0.1, part: 'all', createdAt: '2026-01-01T00:00:00Z' },
      { runId: r1.id, datasetId: 2, srcc: 0.4, part: 'all', createdAt: '2026-01-02T00:00:00Z' },
    ];
    const [cells] = crossMatrix(rows, [1, 2, 3], evals);
    expect(cells![0]).toMatchObject({ value: 0.7, n: 2, of: 2, source: 'test', missing: [] });
    expect(cells![1]).toMatchObject({ value: 0.4, n: 1, of: 2, source: 'eval', missing: [r2.id] });
    expect(cells![2]!.value).toBeNaN();
    expect(cells![2]!.missing).toEqual([r1.id, r2.id]);
  });

  it("puts a whole-dataset run's SRCC in its test dataset's column and leaves its own dataset's cell empty", () => {
    const whole = { ...run({ srcc: 0.66, split: 'whole_train' }) };
    whole.config = { ...whole.config, testDatasetId: 2 };
    const rows = [{ key: 'w', label: 'w', datasetId: 1, runs: [whole] }];
    const evals = [{ runId: whole.id, datasetId: 3, srcc: 0.3, part: 'all', createdAt: '2026-01-01T00:00:00Z' }];
    const [cells] = crossMatrix(rows, [1, 2, 3], evals);
    expect(cells![0]).toMatchObject({ n: 0, source: 'none', missing: [] });
    expect(cells![0]!.value).toBeNaN();
    expect(cells![1]).toMatchObject({ value: 0.66, n: 1, source: 'whole', missing: [] });
    expect(cells![2]).toMatchObject({ value: 0.3, n: 1, source: 'eval' });
    // Its config keeps it apart from split-trained runs of the same model and dataset.
    expect(groupRuns([whole, run({ srcc: 0.5 })])).toHaveLength(2);
  });
});
