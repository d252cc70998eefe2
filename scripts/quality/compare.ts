// Side-by-side held-out figures of two models from the score caches that scripts/quality/evaluate.ts leaves (for MODEL.md).
// Usage: npx tsx scripts/quality/compare.ts [--models hyperiqa,quality] [--sets test-s101,test-s102,ood-s301]
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { evaluateScores, TARGET_TYPES, type SetFigures } from '../../src-main/iqa/quality/evaluate';
import { readSet } from '../../src-main/iqa/quality/sets';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return (i >= 0 ? process.argv[i + 1]! : dflt).split(',');
};
const models = arg('models', 'hyperiqa,quality');
const sets = arg('sets', 'test-s101,test-s102,ood-s301');
const root = join(process.cwd(), '.cache', 'quality');
const fig: Record<string, Record<string, SetFigures>> = {};
for (const s of sets) {
  const rows = await readSet(join(root, 'sets', s));
  for (const m of models) {
    const cache = JSON.parse(await readFile(join(root, 'scores', `${m}.${s}.json`), 'utf8')) as Record<string, number>;
    (fig[m] ??= {})[s] = evaluateScores(rows, rows.map((r) => cache[r.file]!), new Map(rows.map((r) => [r.reference, cache[r.ref]!])));
  }
}
const f = (x: number) => x.toFixed(2);
const p = (x: number) => `${(100 * x).toFixed(0)}%`;
const pair = (get: (x: SetFigures) => string) => sets.map((s) => models.map((m) => get(fig[m]![s]!)).join(' → ')).join(' | ');
console.log(`| figure (${models.join(' → ')}) | ${sets.join(' | ')} |`);
console.log(`|---|${sets.map(() => '---').join('|')}|`);
console.log(`| SRCC vs pseudo-MOS | ${pair((x) => f(x.srccMos))} |`);
console.log(`| PLCC vs pseudo-MOS | ${pair((x) => f(x.plccMos))} |`);
console.log(`| SRCC vs level (label-free) | ${pair((x) => f(x.srccLevel))} |`);
console.log(`| levels of one distortion on one photo ordered right | ${pair((x) => p(x.levelPairs))} |`);
console.log(`| undistorted above its level 1 | ${pair((x) => p(x.refAboveL1))} |`);
console.log('');
console.log(`| type: SRCC vs MOS / vs level (${models.join(' → ')}) | ${sets.join(' | ')} |`);
console.log(`|---|${sets.map(() => '---').join('|')}|`);
const types = Object.keys(fig[models[0]!]![sets[0]!]!.perType).sort();
for (const t of types) {
  const star = (TARGET_TYPES as readonly string[]).includes(t) ? ' *' : '';
  console.log(`| ${t}${star} | ${pair((x) => (x.perType[t] ? `${f(x.perType[t].srccMos)}/${f(x.perType[t].srccLevel)}` : '-'))} |`);
}
