// Trains the default quality model on the training sets' features and reports validation figures; --save writes resources/models/quality/model.json.
// Usage: npx tsx scripts/quality/train.ts [--sets train-400-s1,...] [--val val-s201] [--trees N --depth N --lr X] [--seeds 22,23,24] [--save]
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { evaluateScores, TARGET_TYPES } from '../../src-main/iqa/quality/evaluate';
import { FEATURE_NAMES } from '../../src-main/iqa/quality/features';
import { GBT_DEFAULTS, predictGbt, rankingLoss, trainGbt } from '../../src-main/iqa/quality/gbt';
import { QUALITY_MODEL_FILE, qualityPredictor, type QualityModelFile } from '../../src-main/iqa/quality/model';
import { REFERENCE_MOS } from '../../src-main/iqa/quality/labels';
import { readSet, TRAIN_SETS, type SetRow } from '../../src-main/iqa/quality/sets';

const arg = (name: string, dflt?: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const root = join(process.cwd(), '.cache', 'quality');
const trainSets = arg('sets', TRAIN_SETS.map((s) => s.name).join(','))!.split(',');
const valSets = arg('val', 'val-s201')!.split(',').filter(Boolean);
const opts = {
  ...GBT_DEFAULTS,
  trees: Number(arg('trees', String(GBT_DEFAULTS.trees))),
  depth: Number(arg('depth', String(GBT_DEFAULTS.depth))),
  learningRate: Number(arg('lr', String(GBT_DEFAULTS.learningRate))),
  minLeaf: Number(arg('min-leaf', String(GBT_DEFAULTS.minLeaf))),
  seed: Number(arg('seed', '22')),
  subsample: Number(arg('subsample', String(GBT_DEFAULTS.subsample))),
  colsample: Number(arg('colsample', String(GBT_DEFAULTS.colsample))),
  bins: Number(arg('bins', String(GBT_DEFAULTS.bins))),
  lambda: Number(arg('lambda', String(GBT_DEFAULTS.lambda))),
  // --monotone steep_p90:1,noise_y_p20:-1: the score may only rise (1) or fall (-1) with these features.
  ...(arg('monotone') ? { monotone: monotoneOf(arg('monotone')!) } : {}),
};

function monotoneOf(spec: string): Record<number, 1 | -1> {
  const out: Record<number, 1 | -1> = {};
  for (const part of spec.split(',')) {
    const [name, sign] = part.split(':');
    const at = FEATURE_NAMES.indexOf(name!);
    if (at < 0 || (sign !== '1' && sign !== '-1')) throw new Error(`--monotone: "${part}" is not feature:1 or feature:-1`);
    out[at] = sign === '1' ? 1 : -1;
  }
  return out;
}
// Pairwise ranking term (0 = plain least squares): its weight per image, RankNet's σ, and the weight of pairs of two
// different distortions of one photo (ordered by label) relative to pairs within one distortion (ordered by level).
// `l1` multiplies the pairs of the photo against its level-1 copies (the mildest defects, the hardest to tell).
const rank = { weight: Number(arg('rank', '0')), sigma: Number(arg('sigma', '4')), cross: Number(arg('cross', '0.3')), margin: Number(arg('margin', '0.2')), ...(arg('l1') ? { l1: Number(arg('l1')) } : {}) };

async function load(name: string): Promise<{ rows: SetRow[]; feats: Record<string, number[]> }> {
  const rows = await readSet(join(root, 'sets', name));
  const { names, features } = JSON.parse(await readFile(join(root, 'features', `${name}.json`), 'utf8')) as { names: string[]; features: Record<string, number[]> };
  if (names.join() !== FEATURE_NAMES.join()) throw new Error(`${name}: features were computed with another feature list; rerun extract-features with FRESH=1`);
  return { rows, feats: features };
}

const refRepeat = Number(arg('ref-repeat', '1'));
const x: Float64Array[] = [];
const y: number[] = [];
// Per training image: its photo (set + reference), distortion ('' for the photo itself) and level (0 for the photo).
const meta: { group: string; type: string; level: number }[] = [];
// Sets built at one size from the same photos (train-400-s1 and train-400-more-s1) hold the same undistorted photo:
// --by-photo makes it one ranking group, with the photo itself added once.
const byPhoto = process.argv.includes('--by-photo');
const groupOf = (name: string, r: SetRow) => (byPhoto ? r.reference : `${name}/${r.reference}`);
const seenPhotos = new Set<string>();
// --skip-types a,b: leave these distortions out of training (failure analysis: what a type does to the others).
const skipTypes = new Set((arg('skip-types', '') ?? '').split(',').filter(Boolean));
for (const name of trainSets) {
  const { rows, feats } = await load(name);
  for (const r of rows) {
    if (skipTypes.has(r.distortion)) continue;
    x.push(Float64Array.from(feats[r.file]!));
    y.push(r.mos);
    meta.push({ group: groupOf(name, r), type: r.distortion, level: r.level });
  }
  // The undistorted photos themselves, at the label a perfect copy gets (repeated: there is one per 125 distorted images).
  for (const r of new Map(rows.map((r) => [r.ref, r])).values()) {
    if (seenPhotos.has(groupOf(name, r))) continue;
    seenPhotos.add(groupOf(name, r));
    for (let k = 0; k < refRepeat; k++) {
      x.push(Float64Array.from(feats[r.ref]!));
      y.push(REFERENCE_MOS);
      meta.push({ group: groupOf(name, r), type: '', level: 0 });
    }
  }
}

/** Ordered pairs within each photo: the levels of one distortion, the photo above each copy, and (weighted by `cross`) two distortions whose labels differ by more than `margin`. */
function rankingPairs(): { better: Int32Array; worse: Int32Array; weight: Float64Array } {
  const better: number[] = [];
  const worse: number[] = [];
  const weight: number[] = [];
  const groups = new Map<string, number[]>();
  meta.forEach((m, i) => groups.set(m.group, [...(groups.get(m.group) ?? []), i]));
  for (const idx of groups.values()) {
    for (const a of idx) for (const b of idx) {
      const ma = meta[a]!;
      const mb = meta[b]!;
      if (ma.level === 0 && mb.level > 0) better.push(a), worse.push(b), weight.push(mb.level === 1 ? (rank.l1 ?? 1) : 1);
      else if (ma.level > 0 && ma.type === mb.type && ma.level < mb.level) better.push(a), worse.push(b), weight.push(1);
      else if (rank.cross > 0 && ma.level > 0 && mb.level > 0 && ma.type !== mb.type && y[a]! > y[b]! + rank.margin) better.push(a), worse.push(b), weight.push(rank.cross);
    }
  }
  // Scaled so that each image carries `rank.weight` in all.
  const total = weight.reduce((s, w) => s + w, 0);
  const scale = (rank.weight * x.length) / Math.max(1e-9, 2 * total);
  return { better: Int32Array.from(better), worse: Int32Array.from(worse), weight: Float64Array.from(weight, (w) => w * scale) };
}
// Undistorted training photos as a camera would give them (scripts/quality/pristine-features.ts), at the same label.
const pristine = arg('pristine', '');
if (pristine) {
  const { features } = JSON.parse(await readFile(join(root, 'features', `${pristine}.json`), 'utf8')) as { features: Record<string, number[]> };
  for (const v of Object.values(features)) {
    x.push(Float64Array.from(v));
    y.push(REFERENCE_MOS);
  }
}
// --drop a,b: features the trees may not split on (held constant in training), e.g. content descriptors that let
// them recognise a training photo instead of its defects.
const dropped = (arg('drop', '') ?? '').split(',').filter(Boolean).map((n) => {
  const at = FEATURE_NAMES.indexOf(n);
  if (at < 0) throw new Error(`--drop: no feature "${n}"`);
  return at;
});
for (const v of x) for (const at of dropped) v[at] = 0;
console.log(`training on ${x.length} images from ${trainSets.join(', ')}; ${JSON.stringify({ ...opts, onProgress: undefined })}`);
const t0 = Date.now();
const pairs = rank.weight > 0 ? rankingPairs() : undefined;
if (pairs) console.log(`ranking term: ${pairs.better.length} pairs, ${JSON.stringify(rank)}`);
// --seeds a,b,...: one ensemble per seed (rows and features drawn differently), averaged with equal weights.
const seeds = arg('seeds', String(opts.seed))!.split(',').map(Number);
const models = seeds.map((seed) => trainGbt(x, y, { ...opts, seed, onProgress: (k, rmse) => console.log(`  seed ${seed}: ${k} trees, train RMSE ${rmse.toFixed(4)}`) }, pairs ? rankingLoss(y, pairs, rank.sigma) : undefined));
const model = models[0]!;
const predictAll = (v: ArrayLike<number>) => models.reduce((s, m) => s + predictGbt(m, v), 0) / models.length;
console.log(`trained in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

for (const name of valSets) {
  const { rows, feats } = await load(name);
  const score = (f: string) => predictAll(feats[f]!);
  const fig = evaluateScores(rows, rows.map((r) => score(r.file)), new Map(rows.map((r) => [r.reference, score(r.ref)])));
  if (process.argv.includes('--brief')) {
    console.log(`${name}: SRCC ${fig.srccMos.toFixed(3)} (level ${fig.srccLevel.toFixed(3)}), levels ordered ${(100 * fig.levelPairs).toFixed(1)}%, ref > L1 ${(100 * fig.refAboveL1).toFixed(1)}%; targets ${TARGET_TYPES.map((t) => fig.perType[t]?.srccMos.toFixed(2)).join(' ')}`);
    continue;
  }
  console.log(`${name}: SRCC ${fig.srccMos.toFixed(3)} (level ${fig.srccLevel.toFixed(3)}), PLCC ${fig.plccMos.toFixed(3)}, levels ordered ${(100 * fig.levelPairs).toFixed(1)}%, ref > L1 ${(100 * fig.refAboveL1).toFixed(1)}%`);
  for (const [t, p] of Object.entries(fig.perType)) {
    console.log(`  ${(TARGET_TYPES as readonly string[]).includes(t) ? '*' : ' '} ${t.padEnd(22)} ${p.srccMos.toFixed(3)} / ${p.srccLevel.toFixed(3)}  pairs ${(100 * p.levelPairs).toFixed(0)}%  ref>L1 ${(100 * p.refAboveL1).toFixed(0)}%`);
  }
}

// --blend FILE:W: the saved model scores W x FILE's regressor(s) + (1 - W) x the one trained here (a fixed earlier model
// file, e.g. round 1's, read by feature name).
const blend = arg('blend', '');
let blendFile: QualityModelFile | undefined;
let blendWeight = 0;
if (blend) {
  const at = blend.lastIndexOf(':');
  blendFile = JSON.parse(await readFile(blend.slice(0, at), 'utf8')) as QualityModelFile;
  blendWeight = Number(blend.slice(at + 1));
  for (const name of valSets) {
    const { rows, feats } = await load(name);
    const other = qualityPredictor(blendFile, blend);
    const score = (f: string) => (1 - blendWeight) * predictAll(feats[f]!) + blendWeight * other(feats[f]!);
    const fig = evaluateScores(rows, rows.map((r) => score(r.file)), new Map(rows.map((r) => [r.reference, score(r.ref)])));
    console.log(`${name}, blended ${blendWeight} with ${blend.slice(0, at)}: SRCC ${fig.srccMos.toFixed(3)} (level ${fig.srccLevel.toFixed(3)}), PLCC ${fig.plccMos.toFixed(3)}, levels ordered ${(100 * fig.levelPairs).toFixed(1)}%, ref > L1 ${(100 * fig.refAboveL1).toFixed(1)}%`);
  }
}

if (process.argv.includes('--save')) {
  const file: QualityModelFile = {
    format: 'iqa-quality-model/1',
    features: [...FEATURE_NAMES],
    labels: { kind: 'mos', range: [1, 5], higherIsBetter: true },
    regressor: model,
    ...(blendFile || models.length > 1
      ? {
          weight: (1 - blendWeight) / models.length,
          members: [
            ...models.slice(1).map((m, k) => ({ weight: (1 - blendWeight) / models.length, features: [...FEATURE_NAMES], regressor: m, training: { seed: seeds[k + 1] } })),
            ...(blendFile ? [{ weight: blendWeight * (blendFile.weight ?? 1), features: blendFile.features, regressor: blendFile.regressor, training: blendFile.training }, ...(blendFile.members ?? []).map((m) => ({ ...m, weight: blendWeight * m.weight }))] : []),
          ],
        }
      : {}),
    training: { sets: trainSets, ...(dropped.length ? { dropped: dropped.map((at) => FEATURE_NAMES[at]) } : {}), ...(byPhoto ? { byPhoto } : {}), pristine, options: { ...opts, onProgress: undefined }, seeds, refRepeat, rank, images: x.length, command: process.argv.slice(2).join(' ') },
  };
  await writeFile(QUALITY_MODEL_FILE(), JSON.stringify(file));
  console.log(`saved ${QUALITY_MODEL_FILE()}`);
}
