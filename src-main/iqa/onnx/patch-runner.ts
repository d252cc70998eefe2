// Runs a scoring graph on crops in batches of the size measured best for this model and provider (measured once, kept beside the graph).
import { currentInference, createSession, floatTensor, type OrtSession } from './engine';
import { readSidecar, writeSidecar, type CachedGraph } from './graph-cache';
import { IO } from './builder';

/** Bumped when the way the batch size is chosen changes, so older choices are measured again. */
export const BATCH_CHOICE_VERSION = 2;

export interface BatchChoice {
  version: number;
  provider: string;
  threads: number;
  batch: number;
  /** Crops per second (wall clock) at each batch size tried. */
  measured: Record<string, number>;
  /** Crops per CPU-second of this process at each batch size tried: what the choice goes by. */
  perCpuSecond: Record<string, number>;
}

export interface PatchRunner {
  readonly session: OrtSession;
  readonly batch: BatchChoice;
  /** Per-crop scores of `count` NHWC crops of side `patch`, in runs of at most `batch.batch` crops. */
  scores(data: Float32Array, count: number, patch: number): Promise<Float32Array>;
  release(): Promise<void>;
}

const CANDIDATES = [1, 2, 4, 8, 16, 32];

/** Crops per wall-clock second and per CPU-second of the session at `batch` over about `budgetMs` (one warm-up run first). */
async function cropRates(session: OrtSession, patch: number, batch: number, budgetMs: number): Promise<{ wall: number; cpu: number }> {
  const x = floatTensor(new Float32Array(batch * patch * patch * 3), [batch, patch, patch, 3]);
  await session.run({ [IO.patches]: x });
  let runs = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  do {
    await session.run({ [IO.patches]: x });
    runs++;
  } while (performance.now() - t0 < budgetMs && runs < 20);
  const cpu = process.cpuUsage(cpu0);
  return { wall: (runs * batch * 1000) / (performance.now() - t0), cpu: (runs * batch * 1e6) / Math.max(1, cpu.user + cpu.system) };
}

/**
 * The batch size whose crops cost the least CPU time among powers of two up to `maxBatch`; stops trying larger ones
 * once a size is clearly costlier than the best, and takes the smallest size within 5% of the best (less memory for
 * the same work). CPU time, not crops/s: on a shared machine the wall clock follows the other processes (the same
 * ResNet-10 graph measured 116 and 290 crops/s at one batch size a few seconds apart under load, its crops per
 * CPU-second 408 and 442), and in a scoring job the decoding of the next photos runs on the cores the model leaves.
 */
export async function measureBatch(session: OrtSession, patch: number, maxBatch: number, budgetMs = 400): Promise<BatchChoice> {
  const inf = currentInference();
  const measured: Record<string, number> = {};
  const perCpuSecond: Record<string, number> = {};
  let best = 0;
  for (const b of CANDIDATES.filter((c) => c <= Math.max(1, maxBatch))) {
    const rate = await cropRates(session, patch, b, budgetMs);
    measured[b] = rate.wall;
    perCpuSecond[b] = rate.cpu;
    if (rate.cpu > best) best = rate.cpu;
    else if (rate.cpu < 0.9 * best) break;
  }
  const batch = Number(Object.entries(perCpuSecond).find(([, r]) => r >= 0.95 * best)![0]);
  return { version: BATCH_CHOICE_VERSION, provider: inf?.provider ?? 'cpu', threads: inf?.threads ?? 1, batch, measured, perCpuSecond };
}

/** Opens a session on the graph and picks its batch size (the measurement is reused while provider and threads stay). */
export async function openPatchRunner(graph: CachedGraph, patch: number, maxBatch: number): Promise<PatchRunner> {
  const session = await createSession(graph.bytes);
  const inf = currentInference();
  let choice = await readSidecar<BatchChoice>(graph.path, 'batch');
  if (
    !choice ||
    choice.version !== BATCH_CHOICE_VERSION ||
    choice.provider !== inf?.provider ||
    choice.threads !== inf?.threads ||
    choice.batch > Math.max(1, maxBatch)
  ) {
    choice = await measureBatch(session, patch, maxBatch);
    await writeSidecar(graph.path, 'batch', choice);
  }
  const batch = choice;
  return {
    session,
    batch,
    async scores(data, count, p) {
      const size = p * p * 3;
      const out = new Float32Array(count);
      // Even runs: 25 crops at batch 8 are 7+6+6+6, not 8+8+8+1.
      const runs = Math.ceil(count / batch.batch);
      let start = 0;
      for (let r = 0; r < runs; r++) {
        const n = Math.ceil((count - start) / (runs - r));
        const res = await session.run({ [IO.patches]: floatTensor(data.subarray(start * size, (start + n) * size), [n, p, p, 3]) });
        out.set(res[IO.scores]!.data, start);
        start += n;
      }
      return out;
    },
    release: () => session.release(),
  };
}
