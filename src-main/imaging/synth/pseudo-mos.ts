// The documented pseudo-MOS of synthetic datasets: a fixed monotone mapping of MS-SSIM and PSNR onto 1..5.
//
// Why two metrics: MS-SSIM (on luma) tracks structural damage (blur, noise, compression) the way observers rank
// it, but it barely moves for colour distortions (saturation, colour diffusion) and global tone shifts, which
// it cannot see; PSNR (over R, G, B) sees those but overstates harmless tone changes. A weighted mix of both,
// each squashed by a logistic so that neither saturates the scale, spreads the labels over 1..5.
//
//   nines = -log10(max(1 - MS-SSIM, 1e-4))      (0.9 -> 1, 0.99 -> 2, 0.999 -> 3; at most 4)
//   s_ms  = 1 / (1 + exp(-(nines - MS_MID) / MS_SLOPE))
//   s_p   = 1 / (1 + exp(-(min(PSNR, 60) - PSNR_MID) / PSNR_SLOPE))
//   MOS   = 1 + 4 (MS_WEIGHT s_ms + (1 - MS_WEIGHT) s_p)
//
// The constants were calibrated once on 25 photos x 25 distortion types x 5 levels at 384 px so that the labels
// fill the scale: pristine-looking images score about 4.5-5 and the strongest levels 1-2 (KADID-10k's MOS, on
// the same 1..5 scale, spans 1.0-4.9). Labels are monotone in each metric, so any ranking they imply is the
// metrics' ranking: useful for exercising training and evaluation code, not a substitute for human opinions.
export const PSEUDO_MOS = {
  MS_WEIGHT: 0.65,
  MS_MID: 1.5,
  MS_SLOPE: 0.35,
  PSNR_MID: 27,
  PSNR_SLOPE: 3.5,
} as const;

const logistic = (x: number): number => 1 / (1 + Math.exp(-x));

/** Pseudo-MOS on 1..5 (higher is better) from MS-SSIM and PSNR (dB) of a distorted image against its reference. */
export function pseudoMos(msSsim: number, psnrDb: number): number {
  const { MS_WEIGHT, MS_MID, MS_SLOPE, PSNR_MID, PSNR_SLOPE } = PSEUDO_MOS;
  const ms = Number.isFinite(msSsim) ? msSsim : 0;
  const nines = -Math.log10(Math.max(1 - Math.min(1, ms), 1e-4));
  const sMs = logistic((nines - MS_MID) / MS_SLOPE);
  const p = Number.isFinite(psnrDb) || psnrDb === Infinity ? Math.min(60, psnrDb) : 0;
  const sP = logistic((p - PSNR_MID) / PSNR_SLOPE);
  return 1 + 4 * (MS_WEIGHT * sMs + (1 - MS_WEIGHT) * sP);
}

/** The formula above as Markdown, for the README written next to each synthetic dataset. */
export function pseudoMosMarkdown(): string {
  const c = PSEUDO_MOS;
  return [
    'Each distorted image is labelled with a **pseudo-MOS** on 1..5 (higher is better), computed from two',
    'full-reference metrics of the image against its reference (MS-SSIM on luma, Wang et al. 2003; PSNR over R, G, B):',
    '',
    '```',
    'nines = -log10(max(1 - MS-SSIM, 1e-4))        # 0.9 -> 1, 0.99 -> 2, 0.999 -> 3',
    `s_ms  = 1 / (1 + exp(-(nines - ${c.MS_MID}) / ${c.MS_SLOPE}))`,
    `s_p   = 1 / (1 + exp(-(min(PSNR, 60) - ${c.PSNR_MID}) / ${c.PSNR_SLOPE}))`,
    `MOS   = 1 + 4 * (${c.MS_WEIGHT} * s_ms + ${Number((1 - c.MS_WEIGHT).toFixed(2))} * s_p)`,
    '```',
    '',
    'MS-SSIM follows structural damage (blur, noise, compression) but cannot see colour changes; PSNR sees',
    'colour and tone changes but overstates harmless ones, so the label mixes both. The constants were',
    'calibrated once so that labels span the scale. These labels are a deterministic function of the metrics,',
    'not human opinions: use the dataset to exercise training and evaluation, not to claim perceptual accuracy.',
  ].join('\n');
}
