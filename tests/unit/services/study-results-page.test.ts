// Paged study results at 100,000 items: a page in any order matches the full results, a name search finds one image, and a vote makes the next answer recompute (a live dashboard may reuse older ones).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RateSession, StudyRaterLink, StudyResultsPage, StudySummary } from '../../../src-shared/api/schemas';
import { openRuntime, type Runtime } from '../../../src-main/runtime';
import { tempDir } from '../../helpers/temp';

const SIZE = 100_000;
let rt: Runtime;
let study: StudySummary;

async function call<T>(channel: string, input: unknown): Promise<T> {
  const res = await rt.invoke(channel, input);
  if (!res.ok) throw Object.assign(new Error(res.error.message), res.error);
  return res.result as T;
}
const page = (input: Record<string, unknown>) => call<StudyResultsPage>('studies:results', { id: study.id, screening: 'none', ...input });

beforeAll(async () => {
  rt = await openRuntime({ dataDir: tempDir('iqa-study-page-'), shell: 'serve', backend: false, seedDemo: false, importRoots: null });
  const { store } = rt.ctx;
  const datasetId = store.datasets.create({ name: 'hundred-thousand', kind: 'folder' });
  store.transaction(() => {
    for (let i = 0; i < SIZE; i++) store.datasets.addImage(datasetId, { path: `/nowhere/img${i}.jpg`, name: `img${i}.jpg` });
  });
  study = await call<StudySummary>('studies:create', { name: 'big', datasetId, method: 'acr', pauseMs: 0 });
  for (const name of ['a', 'b', 'c']) await call<StudyRaterLink>('studies:addRater', { studyId: study.id, name });
  // Three votes on every item, written straight to the store (a bench's worth of votes in seconds).
  const raters = store.studies.raters(study.id);
  const items = store.studies.items(study.id);
  store.transaction(() => {
    raters.forEach((r, k) => {
      for (const item of items) store.studies.addRating({ raterId: r.raterId, item, method: 'acr', value: 1 + ((item.rank! * 7 + k * (item.rank! % 3)) % 5), durationMs: 900 });
    });
  });
}, 300_000);
afterAll(() => rt?.close());

describe('results of a 100,000-item study', () => {
  let all: StudyResultsPage;

  it('come a page at a time in the asked order, matching the full results', async () => {
    all = await page({});
    expect(all.total).toBe(SIZE);
    expect(all.items).toHaveLength(SIZE);
    expect(all.votes).toBe(3 * SIZE);
    const best = await page({ sort: '-score', limit: 50 });
    expect(best.items).toHaveLength(50);
    expect(best.total).toBe(SIZE);
    const scores = best.items.map((i) => i.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(scores[0]).toBe(Math.max(...all.items.map((i) => i.score)));
    const byId = new Map(all.items.map((i) => [i.imageId, i]));
    for (const it of best.items) expect(it).toEqual(byId.get(it.imageId));
    const tail = await page({ offset: SIZE - 10, limit: 50 });
    expect(tail.items).toEqual(all.items.slice(SIZE - 10));
    expect(tail.offset).toBe(SIZE - 10);
  }, 300_000);

  it('finds an image by name and puts the widest intervals first', async () => {
    const found = await page({ query: 'IMG12345.jpg', limit: 50 });
    expect(found.total).toBe(1);
    expect(found.items[0]!.name).toBe('img12345.jpg');
    const wide = await page({ sort: 'ci', limit: 20 });
    const width = (i: StudyResultsPage['items'][number]) => i.ciHigh! - i.ciLow!;
    expect(width(wide.items[0]!)).toBe(Math.max(...all.items.map(width)));
    await expect(page({ limit: 5001 })).rejects.toMatchObject({ code: 'validation' });
  }, 300_000);

  it('recomputes after a vote, unless the caller accepts older results', async () => {
    const d = await call<StudyRaterLink>('studies:addRater', { studyId: study.id, name: 'd' });
    const first = await call<RateSession>('rate:session', { token: d.token });
    await call<RateSession>('rate:submit', { token: d.token, itemId: first.current!.itemId, value: 5, durationMs: 800 });
    const after = await page({ limit: 1 });
    expect(after.votes).toBe(3 * SIZE + 1);
    const second = await call<RateSession>('rate:session', { token: d.token });
    await call<RateSession>('rate:submit', { token: d.token, itemId: second.current!.itemId, value: 5, durationMs: 800 });
    // A live dashboard's reload within the age it accepts reuses the results it had; an exact one sees the vote.
    expect((await page({ limit: 1, maxAgeMs: 600_000 })).votes).toBe(3 * SIZE + 1);
    expect((await page({ limit: 1 })).votes).toBe(3 * SIZE + 2);
  }, 300_000);
});
