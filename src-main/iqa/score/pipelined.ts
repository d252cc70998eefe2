// Scores files in order while the next ones are decoded and cropped (sharp works on its own threads while the model runs).
import type { CropMode, ImageScore, PreparedImage, Scorer } from './scorer';

/** Images prepared ahead of the one the model runs on: two beat one on 2 cores (see score.worker.ts). */
export const PREFETCH = 2;

export type Scored = { index: number; path: string; score: ImageScore } | { index: number; path: string; error: unknown };

/** Each file's score (or error) in input order; the decode of the next `ahead` files overlaps the model run. */
export async function* scoreInOrder(scorer: Scorer, paths: readonly string[], crop?: CropMode, ahead = PREFETCH): AsyncGenerator<Scored> {
  // Never rejects, so a prefetch that fails is reported with its file and not as an unhandled rejection.
  const prepare = (i: number): Promise<{ batch: PreparedImage } | { error: unknown }> =>
    scorer.prepare(paths[i]!, crop).then((batch) => ({ batch }), (error: unknown) => ({ error }));
  const queue: ReturnType<typeof prepare>[] = [];
  let queued = 0;
  for (let i = 0; i < paths.length; i++) {
    while (queued < paths.length && queued <= i + ahead) queue.push(prepare(queued++));
    const got = await queue.shift()!;
    if ('error' in got) {
      yield { index: i, path: paths[i]!, error: got.error };
      continue;
    }
    try {
      yield { index: i, path: paths[i]!, score: await scorer.predict(got.batch) };
    } catch (error) {
      yield { index: i, path: paths[i]!, error };
    }
  }
}
