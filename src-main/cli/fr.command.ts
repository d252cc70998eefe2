// `iqa fr`: a full-reference metric (PSNR, SSIM, MS-SSIM) between two image files of equal size.
import { FR_METRICS, frScoreFiles, type FrMetric } from '../imaging/fr-metrics';

export { FR_METRICS };

export async function frCommand(ref: string, dist: string, flags: { metric: FrMetric; json: boolean }): Promise<void> {
  const score = await frScoreFiles(flags.metric, ref, dist);
  const finite = Number.isFinite(score);
  if (flags.json) {
    // JSON has no Infinity: identical images give PSNR null with a note.
    const out = finite
      ? { metric: flags.metric, score }
      : { metric: flags.metric, score: null, note: 'identical images: PSNR is infinite' };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } else {
    process.stdout.write(`${flags.metric} ${finite ? score.toFixed(flags.metric === 'psnr' ? 4 : 6) : 'inf'}${flags.metric === 'psnr' ? ' dB' : ''}\n`);
  }
}
