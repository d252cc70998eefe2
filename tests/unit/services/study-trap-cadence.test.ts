// Trapping items under a small quota: every crowd rater meets each trapping item inside their quota, at evenly spaced positions, with its instruction; and undo puts a trap back where it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RateSession, StudySummary } from '../../../src-shared/api/schemas';
import { openRuntime, type Runtime } from '../../../src-main/runtime';
import { tempDir } from '../../helpers/temp';

let rt: Runtime;
let study: StudySummary;
let imageIds: number[];

async function call<T>(channel: string, input: unknown): Promise<T> {
  const res = await rt.invoke(channel, input);
  if (!res.ok) throw Object.assign(new Error(res.error.message), res.error);
  return res.result as T;
}

beforeAll(async () => {
  rt = await openRuntime({ dataDir: tempDir('iqa-study-traps-'), shell: 'serve', backend: false, seedDemo: false, importRoots: null });
  const { store } = rt.ctx;
  const datasetId = store.datasets.create({ name: 'two-thousand', kind: 'folder' });
  imageIds = store.transaction(() => Array.from({ length: 2000 }, (_, i) => store.datasets.addImage(datasetId, { path: `/nowhere/img${i}.jpg`, name: `img${i}.jpg` })));
  study = await call<StudySummary>('studies:create', {
    name: 'traps',
    datasetId,
    method: 'acr',
    imageIds: imageIds.slice(0, 1990),
    pauseMs: 0,
    crowd: { quota: 12, traps: [{ imageId: imageIds[1995]!, expected: 1 }, { imageId: imageIds[1996]!, expected: 5 }] },
  });
}, 180_000);
afterAll(() => rt?.close());

describe('trapping items in a 12-item quota of a 1,992-item study', () => {
  it('come at the same spaced positions for every rater, each once, with their instruction', async () => {
    const firstItems = new Set<number>();
    for (let r = 0; r < 4; r++) {
      const { token } = await call<{ token: string }>('rate:join', { joinToken: study.settings.crowd!.joinToken!, participant: `p${r}` });
      let s = await call<RateSession>('rate:session', { token });
      const traps: { at: number; instruction: string }[] = [];
      for (let k = 0; s.current; k++) {
        if (s.current.instruction) traps.push({ at: k, instruction: s.current.instruction });
        if (k === 0) firstItems.add(s.current.itemId);
        s = await call<RateSession>('rate:submit', { token, itemId: s.current.itemId, value: Number(/answer (\d)/.exec(s.current.instruction ?? '')?.[1] ?? 1 + (k % 5)), durationMs: 500 });
      }
      expect(s.done).toBe(12);
      expect(s.crowd?.completion?.code).toBe(study.settings.crowd!.completionCode);
      // One trap every 12/3 items: the 5th and the 9th, never first, never side by side.
      expect(traps.map((t) => t.at)).toEqual([4, 8]);
      expect(traps.map((t) => t.instruction).sort()).toEqual(['Attention check: answer 1 (Bad) for this image.', 'Attention check: answer 5 (Excellent) for this image.']);
    }
    // The test items between them differ from rater to rater.
    expect(firstItems.size).toBeGreaterThan(1);
    const results = await call<{ raters: { goldAccuracy: number | null }[] }>('studies:results', { id: study.id, screening: 'none' });
    expect(results.raters.map((r) => r.goldAccuracy)).toEqual([1, 1, 1, 1]);
  }, 180_000);

  it('shows a trap again after its vote is undone', async () => {
    const { token } = await call<{ token: string }>('rate:join', { joinToken: study.settings.crowd!.joinToken!, participant: 'undoer' });
    let s = await call<RateSession>('rate:session', { token });
    for (let k = 0; k < 5; k++) s = await call<RateSession>('rate:submit', { token, itemId: s.current!.itemId, value: 3, durationMs: 500 });
    expect(s.current!.instruction).toBeNull();
    s = await call<RateSession>('rate:undo', { token });
    expect(s.done).toBe(4);
    expect(s.current!.instruction).toMatch(/^Attention check/);
  }, 180_000);
});
