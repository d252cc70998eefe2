// HIQA's ablation presets: the paper's ladder adds one part per row, variants keep G's and R's epochs, and the table reads as written.
import { describe, expect, it } from 'vitest';
import { ablationMarkdown, selectVariants, type AblationRowResult } from '../../../src-main/cli/ablation.command';
import { ablationVariantConfig, HIQA_LADDER, HIQA_LEAVE_ONE_OUT } from '../../../src-main/iqa/models/hiqa/hiqa.ablation';
import { HiqaConfig } from '../../../src-main/iqa/models/hiqa/hiqa.config';
import { hiqaPhaseFor } from '../../../src-main/iqa/models/hiqa/hiqa.train';
import { noiseText } from '../../../src-shared/metrics/noise-text';
import { pairedOverSplits } from '../../../src-shared/metrics/paired-splits';

const SWITCHES = ['discrepancy', 'fusion', 'discriminator', 'qualityAwareLoss', 'oracle'] as const;
const changed = (a: Record<string, unknown>, b: Record<string, unknown>) => SWITCHES.filter((k) => a[k] !== b[k]);

describe('HIQA ablation presets', () => {
  it("climbs the paper's Fig. 4 ladder one part at a time, from BL to the full model, then the oracle", () => {
    expect(HIQA_LADDER.map((v) => v.label)).toEqual(['BL', 'BL+HCM', 'BL+HCM+QPL', 'BL+HCM+QPL+ADV', 'BL+HCM+QPL+QADV', 'BL+HCM+QPL+QADV+HSF', 'Ours+Oracle']);
    const steps = HIQA_LADDER.slice(1).map((v, i) => changed(HIQA_LADDER[i]!.overrides, v.overrides));
    expect(steps).toEqual([['discrepancy'], ['qualityAwareLoss'], ['discriminator'], ['discriminator'], ['fusion'], ['oracle']]);
    // Every row sets every switch, so the base config cannot leak a switch into a row.
    for (const v of HIQA_LADDER) expect(Object.keys(v.overrides).sort()).toEqual([...SWITCHES].sort());
    expect(HIQA_LADDER.find((v) => v.id === 'full')!.overrides).toEqual(HIQA_LEAVE_ONE_OUT[0]!.overrides);
    for (const v of HIQA_LEAVE_ONE_OUT.slice(1)) expect(changed(HIQA_LEAVE_ONE_OUT[0]!.overrides, v.overrides)).toHaveLength(1);
  });

  it('gives a row without the quality-aware loss as many G and R epochs as one with it (R_pre epochs come off)', () => {
    const base = { scale: 'tiny', schedule: { rpreEpochs: 3, warmupEpochs: 2, regressorEpochs: 4 } };
    const full = ablationVariantConfig(base, 11, HIQA_LADDER.find((v) => v.id === 'full')!);
    const bl = ablationVariantConfig(base, 11, HIQA_LADDER[0]!);
    expect([full.epochs, bl.epochs]).toEqual([11, 8]);
    expect(bl.modelConfig).toMatchObject({ scale: 'tiny', discrepancy: false, fusion: false, discriminator: 'none', qualityAwareLoss: false });
    const phases = (mc: Record<string, unknown>, epochs: number) => {
      const config = HiqaConfig.parse(mc);
      return Array.from({ length: epochs }, (_, i) => hiqaPhaseFor(i + 1, epochs, { config } as never, true));
    };
    const count = (p: string[], name: string) => p.filter((x) => x === name).length;
    const pf = phases(full.modelConfig, full.epochs);
    const pb = phases(bl.modelConfig, bl.epochs);
    for (const name of ['warmup', 'joint', 'regressor']) expect(count(pb, name)).toBe(count(pf, name));
    expect([count(pf, 'rpre'), count(pb, 'rpre')]).toEqual([3, 0]);
  });

  it('refuses a base that leaves a row no epoch before R alone, and unknown row ids', () => {
    expect(() => ablationVariantConfig({ schedule: { rpreEpochs: 2, regressorEpochs: 2 } }, 4, HIQA_LADDER[0]!)).toThrow(/no epoch before R/);
    expect(() => ablationVariantConfig({ scale: 'huge' }, 4, HIQA_LADDER[0]!)).toThrow(/base modelConfig is invalid/);
    expect(selectVariants('ladder', 'bl, full').map((v) => v.id)).toEqual(['bl', 'full']);
    expect(() => selectVariants('leave-one-out', 'bl')).toThrow(/Unknown leave-one-out row\(s\) bl; known: full, no_discrepancy/);
  });

  it('prints a Markdown table whose Δ and interval are the paired comparison with the first row, not a difference of medians', () => {
    const row = (label: string, srcc: number, runs: number[], vsFirst: AblationRowResult['vsFirst'] = null): AblationRowResult => ({
      id: label, label, description: '', runs: runs.map((id) => ({ id, split: null })), srcc, plcc: srcc, psnrInit: 30.39, psnrEnd: 29.5, psnrInput: 30.39, vsFirst,
    });
    const mos = Array.from({ length: 12 }, (_, i) => 1 + (i * 7) % 12 / 3);
    const a = mos.map((m, i) => m + (i % 3) * 0.4);
    const b = mos.map((m, i) => m + (i % 4) * 0.9);
    const pairs = [{ split: 's1', a: [a], b: [b], mos }];
    const vs = { srcc: pairedOverSplits(pairs, 'srcc'), plcc: pairedOverSplits(pairs, 'plcc'), unmatched: { runs: [], baseline: ['s2'] } };
    const same = [{ split: 's1', a: [b], b: [b], mos }];
    const tie = { srcc: pairedOverSplits(same, 'srcc'), plcc: pairedOverSplits(same, 'plcc'), unmatched: { runs: [], baseline: [] } };
    const md = ablationMarkdown([row('BL', 0.5, [1, 5]), row('BL+HCM', 0.62, [2], vs), row('Ours+Oracle', Number.NaN, [4], tie)]).split('\n');
    expect(md[2]).toBe('| BL | 0.500 | 0.500 |  |  | 2 | 30.39 → 29.50 | 30.39 | 1, 5 |');
    const t = noiseText(vs.srcc);
    expect(md[3]).toBe(`| BL+HCM | 0.620 | 0.620 | ${t.delta} ${t.interval} | ${t.verdict} | 1 / 1 | 30.39 → 29.50 | 30.39 | 2 |`);
    expect(t.delta).not.toBe('+0.120');
    expect(md[4]).toContain('| Ours+Oracle | — | — | +0.000 no interval | no verdict: identical predictions on the shared test images | 1 / 1 |');
    expect(md.join('\n')).toContain(`- BL+HCM: ${t.detail} (splits left out, first row only: s2)`);
  });
});
