// The README.md written into each synthetic dataset: how it was made, the distortions, and the pseudo-MOS formula.
import { getDistortion } from '../distortions/index';
import { pseudoMosMarkdown } from './pseudo-mos';

export interface ReadmeInput {
  sourceDir: string;
  maxSide: number;
  distortions: readonly string[];
  levels: readonly number[];
  perImage: number;
  seed: number;
  references: { name: string; source: string; width: number; height: number }[];
  rows: { distortion: string; level: number; mos: number }[];
  failed: { file: string; error: string }[];
}

export function syntheticReadme(r: ReadmeInput): string {
  const mosOf = (f: (row: ReadmeInput['rows'][number]) => boolean) => {
    const v = r.rows.filter(f).map((x) => x.mos);
    return v.length ? (v.reduce((a, b) => a + b, 0) / v.length).toFixed(2) : '-';
  };
  const lines = [
    '# Synthetic IQA dataset',
    '',
    `Made by the synthetic dataset builder (\`iqa synth\`) from ${r.references.length} pristine photo(s) in \`${r.sourceDir}\`. Each photo was decoded upright`,
    `(EXIF orientation applied), downscaled to fit ${r.maxSide}x${r.maxSide} px (never enlarged; panoramas keep a short side of`,
    `176 px, the least MS-SSIM accepts) and saved as \`refs/<name>.png\`;`,
    `each distorted version is \`dist/<name>__<type>__<level>.png\` (PNG, lossless). Distortions are modelled on`,
    'KADID-10k (Lin, Hosu, Saupe, "KADID-10k: A Large-scale Artificially Distorted IQA Database", QoMEX 2019);',
    'level 1 is the mildest and 5 the strongest. Everything random is seeded: the same photos, options and seed',
    'give byte-identical files.',
    '',
    `- seed: ${r.seed}`,
    `- levels: ${r.levels.join(', ')}`,
    `- distortion types: ${r.perImage < r.distortions.length ? `${r.perImage} per photo, picked by the seed, out of ${r.distortions.length}` : `all ${r.distortions.length}`}`,
    `- images: ${r.rows.length} distorted, ${r.references.length} references`,
    '',
    '`synthetic.csv` has one row per distorted image: `dist_name, ref_name, mos, distortion, level, psnr, ssim, ms_ssim`.',
    '',
    '## Label',
    '',
    pseudoMosMarkdown(),
    '',
    '## Distortions',
    '',
    '| id | family | parameter | levels 1..5 | mean pseudo-MOS per level |',
    '| --- | --- | --- | --- | --- |',
    ...r.distortions.map((id) => {
      const d = getDistortion(id);
      const perLevel = r.levels.map((l) => mosOf((x) => x.distortion === id && x.level === l)).join(' / ');
      return `| \`${d.id}\` | ${d.family} | ${d.paramName} | ${d.params.join(', ')} | ${perLevel} |`;
    }),
    '',
    '## References',
    '',
    ...r.references.map((ref) => `- \`${ref.name}\` (${ref.width}x${ref.height}) from \`${ref.source}\``),
  ];
  if (r.failed.length) {
    lines.push('', '## Skipped source files', '', ...r.failed.map((f) => `- \`${f.file}\`: ${f.error}`));
  }
  return `${lines.join('\n')}\n`;
}
