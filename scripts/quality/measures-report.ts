// Prints how well each technical measure ranks its own family of distortions on the held-out sets (from the stored feature vectors).
// Usage: npx tsx scripts/quality/measures-report.ts [--sets test-s101,test-s102,ood-s301]
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { srcc } from '../../src-shared/metrics/correlation';
import { FEATURE_NAMES } from '../../src-main/iqa/quality/features';
import { measuresFromStats, type Measures } from '../../src-main/iqa/quality/measures';
import { readSet } from '../../src-main/iqa/quality/sets';

const i = process.argv.indexOf('--sets');
const sets = (i >= 0 ? process.argv[i + 1]! : 'test-s101,test-s102,ood-s301').split(',');
const root = join(process.cwd(), '.cache', 'quality');

/** Each measure, the distortions it answers for, and the sign that makes "higher = better quality". */
const FAMILIES: { measure: keyof Measures; types: { type: string; sign: 1 | -1 }[] }[] = [
  { measure: 'sharpness', types: ['gaussian_blur', 'lens_blur', 'motion_blur'].map((type) => ({ type, sign: 1 as const })) },
  { measure: 'noise', types: ['white_noise', 'white_noise_color', 'impulse_noise', 'multiplicative_noise'].map((type) => ({ type, sign: -1 as const })) },
  { measure: 'meanLuminance', types: [{ type: 'brighten', sign: -1 }, { type: 'darken', sign: 1 }] },
  { measure: 'compression', types: ['jpeg', 'webp'].map((type) => ({ type, sign: -1 as const })) },
];

console.log(`| measure | type | ${sets.map((s) => `${s} SRCC MOS / level`).join(' | ')} |`);
console.log(`|---|---|${sets.map(() => '---').join('|')}|`);
const data = await Promise.all(sets.map(async (name) => {
  const rows = await readSet(join(root, 'sets', name));
  const { features } = JSON.parse(await readFile(join(root, 'features', `${name}.json`), 'utf8')) as { features: Record<string, number[]> };
  const m = (file: string) => measuresFromStats(Object.fromEntries(FEATURE_NAMES.map((n, k) => [n, features[file]![k]!])));
  return { rows, m };
}));
for (const fam of FAMILIES) {
  for (const { type } of [...fam.types, { type: 'family', sign: 0 as const }]) {
    const cells = data.map(({ rows, m }) => {
      const members = fam.types.filter((t) => type === 'family' || t.type === type);
      const rs = rows.filter((r) => members.some((t) => t.type === r.distortion));
      // The pooled family is ranked by how far the measure moved from the photo's own undistorted value.
      const v = rs.map((r) => {
        const t = members.find((x) => x.type === r.distortion)!;
        return type === 'family' ? -Math.abs(m(r.file)[fam.measure] - m(r.ref)[fam.measure]) : t.sign * m(r.file)[fam.measure];
      });
      return `${srcc(v, rs.map((r) => r.mos)).toFixed(3)} / ${srcc(v, rs.map((r) => -r.level)).toFixed(3)}`;
    });
    console.log(`| ${fam.measure} | ${type} | ${cells.join(' | ')} |`);
  }
}
