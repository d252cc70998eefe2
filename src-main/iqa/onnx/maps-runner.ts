// Runs a hallucination graph (HIQA's G) on one whole image: `image` [1, H, W, 3] in [0,1] → `reference` and `discrepancy`.
import { IO } from './builder';
import { createSession, floatTensor, type OrtSession } from './engine';
import type { CachedGraph } from './graph-cache';

export interface MapsRunner {
  readonly session: OrtSession;
  run(x: Float32Array, h: number, w: number): Promise<{ reference: Float32Array; discrepancy: Float32Array }>;
  release(): Promise<void>;
}

export async function openMapsRunner(graph: CachedGraph): Promise<MapsRunner> {
  const session = await createSession(graph.bytes);
  return {
    session,
    async run(x, h, w) {
      const out = await session.run({ [IO.image]: floatTensor(x, [1, h, w, 3]) });
      return { reference: out[IO.reference]!.data, discrepancy: out[IO.discrepancy]!.data };
    },
    release: () => session.release(),
  };
}
