// SUREAL's MLE model against the figures SUREAL's own test suite publishes for the NFLX public dataset (test/subjective_model_test.py, test_observer_content_aware_subjective_model*).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fitSurealMle, type MleVote } from '../../../src-main/studies/sureal-mle';

interface Dataset {
  dis_videos: { asset_id: number; content_id: number; os: number[] }[];
}
const dir = join(import.meta.dirname, '..', '..', 'golden', 'sureal');
const data = JSON.parse(readFileSync(join(dir, 'nflx-public-raw.json'), 'utf8')) as Dataset;
const votes: MleVote[] = data.dis_videos.flatMap((d, e) => d.os.map((value, s) => ({ item: e, rater: s, value })));
const input = { items: data.dis_videos.length, raters: data.dis_videos[0]!.os.length, contentOf: data.dis_videos.map((d) => d.content_id), votes };

const sum = (x: number[]) => x.reduce((s, v) => s + v, 0);
const variance = (x: number[]) => {
  const m = sum(x) / x.length;
  return sum(x.map((v) => (v - m) ** 2)) / x.length;
};
const std = (x: number[]) => Math.sqrt(variance(x));
/** SUREAL's assertAlmostEqual(places = p): |a − b| < 0.5·10^−p. */
const places = (actual: number, expected: number, p: number) => expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThan(0.5 * 10 ** -p);

describe('SUREAL MLE on the NFLX public dataset (79 items × 26 raters, 9 contents)', () => {
  it('matches test_observer_content_aware_subjective_model (force_subjbias_zeromean=False)', () => {
    const r = fitSurealMle({ ...input, zeroMeanBias: false });
    places(sum(r.ambiguity), 3.8972884776604402, 4);
    places(variance(r.ambiguity), 0.0041122094732031289, 4);
    places(sum(r.bias), -0.055712761348815837, 4);
    places(variance(r.bias), 0.085842891905121704, 4);
    places(sum(r.inconsistency), 10.164665557559516, 4);
    places(variance(r.inconsistency), 0.028749990587721687, 4);
    places(sum(r.quality), 280.20774261173619, 4);
    places(variance(r.quality), 1.4351342153719635, 4);
    places(sum(r.ambiguityStd), 0.30465244947706538, 4);
    places(sum(r.biasStd), 1.7392847550878989, 4);
    places(sum(r.inconsistencyStd), 22.108576292956428, 4);
    places(sum(r.qualityStd), 8.8863877635750423, 4);
    places(r.dof, 0.06815968841285297, 6);
    places(r.loglikelihood, -0.8897673811562866, 6);
    places(std(votes.map((v) => v.value)), 1.3654128030298962, 6);
    places(std(votes.map((v) => r.quality[v.item]! + r.bias[v.rater]!)), 1.2332790063154353, 6);
    places(r.aic, 1.915854139138279, 6);
    places(r.bic, 2.299425811323474, 6);
  });

  it('matches test_observer_content_aware_subjective_model_subjbias_zeromean (the default)', () => {
    const r = fitSurealMle(input);
    places(sum(r.bias), 0, 4);
    places(variance(r.bias), 0.085842891905121704, 4);
    places(sum(r.quality), 280.0384615291764, 4);
    places(variance(r.quality), 1.4351342153719635, 4);
    places(sum(r.ambiguity), 3.8972884776604402, 4);
  });

  it('recovers planted rater biases on synthetic data and refuses votes out of range', () => {
    const E = 40;
    const S = 12;
    let seed = 7;
    const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const gauss = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
    const truth = Array.from({ length: E }, () => 1 + 4 * rand());
    const bias = Array.from({ length: S }, (_, s) => (s - (S - 1) / 2) * 0.1);
    const votesS: MleVote[] = [];
    for (let e = 0; e < E; e++) for (let s = 0; s < S; s++) if (rand() < 0.8) votesS.push({ item: e, rater: s, value: truth[e]! + bias[s]! + 0.3 * gauss() });
    const r = fitSurealMle({ items: E, raters: S, contentOf: Array.from({ length: E }, (_, e) => e % 4), votes: votesS });
    for (let s = 0; s < S; s++) expect(Math.abs(r.bias[s]! - bias[s]!)).toBeLessThan(0.15);
    expect(() => fitSurealMle({ items: 1, raters: 1, contentOf: [0], votes: [{ item: 1, rater: 0, value: 3 }] })).toThrow(/out of range/);
  });
});
