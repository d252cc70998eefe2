// Studies through the dispatcher on a real SQLite file: set-up, rater links, sessions in per-rater order, undo, screening, MOS with CIs, publish, export.
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetSummary, ImagePage, JobInfo, RateSession, StudyRaterLink, StudyResults, StudySummary } from '../../../src-shared/api/schemas';
import { openRuntime, type Runtime } from '../../../src-main/runtime';
import { writeBlurDataset } from '../../helpers/blur-dataset';
import { tempDir } from '../../helpers/temp';

let rt: Runtime;
let datasetId: number;
let imageIds: number[];

async function call<T>(channel: string, input: unknown): Promise<T> {
  const res = await rt.invoke(channel, input);
  if (!res.ok) throw Object.assign(new Error(res.error.message), res.error);
  return res.result as T;
}

beforeAll(async () => {
  const data = tempDir('iqa-study-data-');
  await writeBlurDataset(data);
  rt = await openRuntime({ dataDir: tempDir('iqa-study-'), shell: 'serve', backend: false, seedDemo: false, importRoots: null });
  const job = await call<JobInfo>('datasets:import', { format: 'csv', root: data, name: 'blur', file: 'labels.csv', scoreRange: [1, 5] });
  await new Promise<void>((ok) => rt.services.events.subscribe((e, p) => e === 'jobs:progress' && (p as JobInfo).jobId === job.jobId && (p as JobInfo).state !== 'running' && ok()));
  datasetId = (await call<DatasetSummary[]>('datasets:list', {})).find((d) => d.name === 'blur')!.id;
  imageIds = (await call<ImagePage>('images:list', { datasetId, limit: 100 })).items.map((i) => i.id).sort((a, b) => a - b);
});
afterAll(() => rt?.close());

describe('an ACR study', () => {
  let study: StudySummary;
  let links: StudyRaterLink[];

  it('is set up with test, training and gold items, and gives each rater a one-time token link', async () => {
    study = await call<StudySummary>('studies:create', {
      name: 'ACR pilot',
      datasetId,
      method: 'acr',
      imageIds: imageIds.slice(0, 8),
      trainingImageIds: imageIds.slice(20, 22),
      gold: [{ imageId: imageIds[23]!, expected: 1 }],
    });
    expect(study.items).toEqual({ test: 8, training: 2, gold: 1 });
    links = [];
    for (const name of ['ann', 'bob', 'lazy']) links.push(await call<StudyRaterLink>('studies:addRater', { studyId: study.id, name }));
    expect(links[0]!.path).toBe(`#/rate/${links[0]!.token}`);
    const db = new Database(rt.ctx.store.file, { readonly: true });
    const stored = db.prepare('SELECT token_hash FROM raters').all() as { token_hash: string }[];
    db.close();
    expect(stored.map((r) => r.token_hash)).not.toContain(links[0]!.token);
  });

  it('serves each rater their own order, with training first and the next stimulus to preload; a vote is on disk before the reply', async () => {
    const s0 = await call<RateSession>('rate:session', { token: links[0]!.token });
    expect(s0).toMatchObject({ done: 0, total: 9, canUndo: false });
    expect(s0.training).toHaveLength(2);
    expect(s0.next).not.toBeNull();
    const s1 = await call<RateSession>('rate:session', { token: links[1]!.token });
    const orderOf = async (token: string) => {
      const seen: number[] = [];
      let s = await call<RateSession>('rate:session', { token });
      while (s.current) {
        seen.push(s.current.itemId);
        const before = rt.ctx.store.db.prepare('SELECT count(*) AS n FROM ratings').get() as { n: number };
        const value = s.current.role === 'gold' ? 1 : token === links[2]!.token ? 3 : 1 + (s.current.itemId % 5);
        s = await call<RateSession>('rate:submit', { token, itemId: s.current.itemId, value, durationMs: 800 });
        // Durable before the next stimulus: a separate connection already sees it.
        const db = new Database(rt.ctx.store.file, { readonly: true });
        expect((db.prepare('SELECT count(*) AS n FROM ratings').get() as { n: number }).n).toBe(before.n + 1);
        db.close();
        expect(s.training).toEqual([]);
      }
      expect(s).toMatchObject({ done: 9, total: 9, current: null, canUndo: true });
      return seen;
    };
    const a = await orderOf(links[0]!.token);
    const b = await orderOf(links[1]!.token);
    await orderOf(links[2]!.token);
    expect([...a].sort()).toEqual([...b].sort());
    expect(a).not.toEqual(b);
    expect(s1.current?.itemId).toBe(b[0]);
  });

  it('undoes the last vote, which is then asked again', async () => {
    const last = (rt.ctx.store.db.prepare('SELECT study_item_id AS id, value FROM ratings WHERE rater_id = ? ORDER BY rowid DESC LIMIT 1').get(links[0]!.raterId) as { id: number; value: number });
    const s = await call<RateSession>('rate:undo', { token: links[0]!.token });
    expect(s).toMatchObject({ done: 8, current: { itemId: last.id } });
    const again = await call<RateSession>('rate:submit', { token: links[0]!.token, itemId: last.id, value: last.value, durationMs: null });
    expect(again.done).toBe(9);
  });

  it('refuses bad tokens, foreign or training items, and values off the ACR scale', async () => {
    await expect(call('rate:session', { token: 'x'.repeat(32) })).rejects.toMatchObject({ code: 'unauthorized' });
    const last = rt.ctx.store.db.prepare('SELECT value FROM ratings WHERE rater_id = ? ORDER BY rowid DESC LIMIT 1').get(links[1]!.raterId) as { value: number };
    const s = await call<RateSession>('rate:undo', { token: links[1]!.token });
    await expect(call('rate:submit', { token: links[1]!.token, itemId: s.current!.itemId, value: 6 })).rejects.toThrow(/integer from 1 to 5; got 6/);
    await expect(call('rate:submit', { token: links[1]!.token, itemId: s.current!.itemId, value: 2.5 })).rejects.toThrow(/integer/);
    await expect(call('rate:submit', { token: links[1]!.token, itemId: 999_999, value: 3 })).rejects.toThrow(/not a rated item/);
    // The same answer again (it may be the gold item, whose expected answer bob gave).
    await call('rate:submit', { token: links[1]!.token, itemId: s.current!.itemId, value: last.value });
  });

  it('aggregates MOS with t-based 95% CIs, drops the straight-liner under screening, and reports gold accuracy', async () => {
    const all = await call<StudyResults>('studies:results', { id: study.id, screening: 'none' });
    expect(all.items).toHaveLength(8);
    expect(all.items.every((i) => i.n === 3)).toBe(true);
    const screened = await call<StudyResults>('studies:results', { id: study.id, screening: 'bt500' });
    const lazy = screened.raters.find((r) => r.name === 'lazy')!;
    expect(lazy.rejected).toBe(true);
    expect(lazy.reasons.join(' ')).toMatch(/straight-lining/);
    expect(screened.raters.find((r) => r.name === 'ann')).toMatchObject({ rejected: false, goldAccuracy: 1 });
    const it0 = screened.items[0]!;
    expect(it0.n, JSON.stringify(screened.raters)).toBe(2);
    const votes = (rt.ctx.store.db
      .prepare(`SELECT r.value FROM ratings r JOIN study_items s ON s.id = r.study_item_id JOIN raters x ON x.id = r.rater_id WHERE s.study_id = ? AND s.image_id = ? AND x.name != 'lazy'`)
      .all(study.id, it0.imageId) as { value: number }[]).map((r) => r.value);
    const mean = (votes[0]! + votes[1]!) / 2;
    expect(it0.score).toBeCloseTo(mean, 12);
    // Two votes give no interval (an interval from n = 2 would span −22 … 28 on 1-5): "too few votes".
    expect(it0).toMatchObject({ ciLow: null, ciHigh: null, tooFewVotes: true });
    expect(all.items[0]).toMatchObject({ n: 3, tooFewVotes: false });
    expect(all.items[0]!.ciLow!).toBeGreaterThanOrEqual(1);
    expect(all.items[0]!.ciHigh!).toBeLessThanOrEqual(5);
    const mle = await call<StudyResults>('studies:results', { id: study.id, screening: 'none', model: 'mle' });
    expect(mle.model).toBe('mle');
    expect(mle.raters.every((r) => r.bias !== null && r.inconsistency !== null)).toBe(true);
  });

  it('publishes the labels as a new dataset version and exports votes and MOS as CSV', async () => {
    const version = await call<DatasetSummary>('studies:publish', { id: study.id, name: 'blur (ACR pilot)' });
    expect(version).toMatchObject({ kind: 'study', labelKind: 'mos', imageCount: 8, labelledCount: 8 });
    const labels = rt.ctx.store.db
      .prepare(`SELECT l.source, l.n_ratings AS n, l.ci_low AS lo, l.ci_high AS hi FROM labels l JOIN images i ON i.id = l.image_id WHERE i.dataset_id = ?`)
      .all(version.id) as { source: string; n: number; lo: number | null; hi: number | null }[];
    expect(labels.every((l) => l.source === `study:${study.id}` && l.n === 2)).toBe(true);
    const votes = await call<{ filename: string; csv: string }>('studies:export', { id: study.id, what: 'votes' });
    expect(votes.filename).toBe('ACR-pilot-votes.csv');
    expect(votes.csv.trim().split('\n')).toHaveLength(1 + 27);
    const mos = await call<{ csv: string }>('studies:export', { id: study.id, what: 'mos' });
    expect(mos.csv.split('\n')[0]).toBe('image_id,image,score,std,n,ci95_low,ci95_high');
  });

  it('serves a rater the files of their own study only', async () => {
    const s = await call<RateSession>('rate:undo', { token: links[0]!.token });
    const file = await rt.services.files.resolve('rate', s.current!.first);
    expect(file.path).toMatch(/\.png$/);
    const other = await call<StudySummary>('studies:create', { name: 'other', datasetId, method: 'acr', imageIds: [imageIds[0]!] });
    const stranger = await call<StudyRaterLink>('studies:addRater', { studyId: other.id, name: 'eve' });
    await expect(rt.services.files.resolve('rate', `${stranger.token}~${s.current!.itemId}~a`)).rejects.toThrow(/No such stimulus/);
    await expect(rt.services.files.resolve('rate', '../../etc/passwd')).rejects.toThrow(/Invalid stimulus id/);
  });
});

describe('a pairwise study', () => {
  it('scales votes to Bradley-Terry scores with bootstrap CIs, ordered as the votes say', async () => {
    const ids = imageIds.slice(0, 4);
    const study = await call<StudySummary>('studies:create', { name: 'pairs', datasetId, method: 'pairwise', imageIds: ids, pairsPerImage: 3 });
    expect(study.items.test).toBe(6);
    const link = await call<StudyRaterLink>('studies:addRater', { studyId: study.id, name: 'p' });
    const rank = new Map(ids.map((id, i) => [id, i])); // a lower id is better
    let s = await call<RateSession>('rate:session', { token: link.token });
    expect(s.current?.second).not.toBeNull();
    while (s.current) {
      const item = rt.ctx.store.studies.item(s.current.itemId)!;
      s = await call<RateSession>('rate:submit', { token: link.token, itemId: item.id, value: rank.get(item.imageId)! < rank.get(item.otherImageId!)! ? 1 : 0 });
    }
    const res = await call<StudyResults>('studies:results', { id: study.id });
    const byId = new Map(res.items.map((i) => [i.imageId, i]));
    const scores = ids.map((id) => byId.get(id)!.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(res.items.every((i) => i.ciLow !== null && i.ciLow <= i.score + 1e-9 && i.score <= i.ciHigh! + 1e-9), JSON.stringify(res.items)).toBe(true);
  });
});
