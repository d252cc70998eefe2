// Prints the held-out figures of a model on the quality sets: `npx tsx scripts/quality/evaluate.ts --model hyperiqa|quality|<model.json> [--sets a,b] [--json]`.
// --from-features: a quality model file scores the feature vectors that extract-features.ts cached (the same numbers the
// decode path gives, without decoding again); its scores are cached under its own name.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { evaluateScores, TARGET_TYPES, type SetFigures } from '../../src-main/iqa/quality/evaluate';
import { HELD_OUT_SETS, readSet } from '../../src-main/iqa/quality/sets';
import { QUALITY_MODEL_FILE, qualityPredictor, type QualityModelFile } from '../../src-main/iqa/quality/model';
import { scorerFor, type FileScorer } from './scorers';

const arg = (name: string, dflt?: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const model = arg('model', 'quality')!;
const sets = (arg('sets', HELD_OUT_SETS.filter((s) => s.part !== 'val').map((s) => s.name).join(','))!).split(',');
const root = join(process.cwd(), '.cache', 'quality');
const fromFeatures = process.argv.includes('--from-features');
const score = fromFeatures ? await featureScorer(model) : await scorerFor(model);
const modelName = fromFeatures ? basename(model).replace(/\.json$/, '') : model;

/** Scores from the cached feature vectors of the sets with a quality model file (`quality` = the shipped one). */
async function featureScorer(file: string): Promise<FileScorer> {
  const m = JSON.parse(await readFile(file === 'quality' ? QUALITY_MODEL_FILE() : file, 'utf8')) as QualityModelFile;
  const predict = qualityPredictor(m, file);
  const feats: Record<string, number[]> = {};
  for (const name of sets) Object.assign(feats, (JSON.parse(await readFile(join(root, 'features', `${name}.json`), 'utf8')) as { features: Record<string, number[]> }).features);
  return {
    file: async (p) => {
      if (!feats[p]) throw new Error(`no cached features for ${p}: run scripts/quality/extract-features.ts`);
      return predict(feats[p]);
    },
    dispose: () => {},
  };
}

const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '-');
const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '-');
const out: Record<string, SetFigures> = {};
for (const name of sets) {
  const dir = join(root, 'sets', name);
  if (!existsSync(dir)) throw new Error(`no set ${name} in ${dir}: run scripts/quality/build-sets.ts first`);
  const rows = await readSet(dir);
  // Scores are cached per model and set, keyed by file, so a rerun of the report does not rescore.
  const cacheFile = join(root, 'scores', `${modelName}.${name}.json`);
  const cache: Record<string, number> = process.argv.includes('--fresh') || !existsSync(cacheFile) ? {} : JSON.parse(await readFile(cacheFile, 'utf8'));
  const t0 = Date.now();
  const files = [...new Set([...rows.map((r) => r.ref), ...rows.map((r) => r.file)])];
  let scored = 0;
  for (const f of files) {
    if (cache[f] === undefined) {
      cache[f] = await score.file(f);
      scored++;
    }
  }
  if (scored) {
    await mkdir(join(root, 'scores'), { recursive: true });
    await writeFile(cacheFile, JSON.stringify(cache));
    process.stderr.write(`${modelName} on ${name}: ${scored} images scored in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  const refScores = new Map(rows.map((r) => [r.reference, cache[r.ref]!]));
  out[name] = evaluateScores(rows, rows.map((r) => cache[r.file]!), refScores);
}
score.dispose();

if (process.argv.includes('--json')) console.log(JSON.stringify(out, null, 1));
else {
  console.log(`## ${modelName}\n`);
  console.log(`| set | n | SRCC (MOS) | PLCC (MOS) | SRCC (level) | levels ordered | ref > level 1 |`);
  console.log(`|---|---|---|---|---|---|---|`);
  for (const [name, f] of Object.entries(out)) console.log(`| ${name} | ${f.n} | ${f2(f.srccMos)} | ${f2(f.plccMos)} | ${f2(f.srccLevel)} | ${pct(f.levelPairs)} | ${pct(f.refAboveL1)} |`);
  console.log(`\nPer type: SRCC against the pseudo-MOS / against the level, levels ordered, ref > level 1 (sets: ${sets.join(', ')}; a * marks the types held to 0.90)\n`);
  console.log(`| type | ${sets.join(' | ')} |`);
  console.log(`|---|${sets.map(() => '---').join('|')}|`);
  const types = [...new Set(Object.values(out).flatMap((f) => Object.keys(f.perType)))].sort();
  for (const t of types) {
    const star = (TARGET_TYPES as readonly string[]).includes(t) ? '*' : '';
    console.log(`| ${t}${star} | ${sets.map((s) => {
      const p = out[s]!.perType[t];
      return p ? `${f2(p.srccMos)} / ${f2(p.srccLevel)}, ${pct(p.levelPairs)}, ${pct(p.refAboveL1)}` : '-';
    }).join(' | ')} |`);
  }
}
