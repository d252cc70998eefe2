// A closed study takes no more votes: rate:submit and rate:undo are refused and the stored votes stay as they were.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetSummary, ImagePage, JobInfo, RateSession, StudyRaterLink, StudySummary } from '../../../src-shared/api/schemas';
import { openRuntime, type Runtime } from '../../../src-main/runtime';
import { writeBlurDataset } from '../../helpers/blur-dataset';
import { tempDir } from '../../helpers/temp';

let rt: Runtime;
let study: StudySummary;
let link: StudyRaterLink;

async function call<T>(channel: string, input: unknown): Promise<T> {
  const res = await rt.invoke(channel, input);
  if (!res.ok) throw Object.assign(new Error(res.error.message), res.error);
  return res.result as T;
}

beforeAll(async () => {
  const data = tempDir('iqa-closed-data-');
  await writeBlurDataset(data);
  rt = await openRuntime({ dataDir: tempDir('iqa-closed-'), shell: 'serve', backend: false, seedDemo: false, importRoots: null });
  const job = await call<JobInfo>('datasets:import', { format: 'csv', root: data, name: 'blur', file: 'labels.csv', scoreRange: [1, 5] });
  await new Promise<void>((ok) =>
    rt.services.events.subscribe((e, p) => e === 'jobs:progress' && (p as JobInfo).jobId === job.jobId && (p as JobInfo).state !== 'running' && ok()),
  );
  const datasetId = (await call<DatasetSummary[]>('datasets:list', {})).find((d) => d.name === 'blur')!.id;
  const imageIds = (await call<ImagePage>('images:list', { datasetId, limit: 100 })).items.map((i) => i.id);
  study = await call<StudySummary>('studies:create', { name: 'closing', datasetId, method: 'acr', imageIds: imageIds.slice(0, 4) });
  link = await call<StudyRaterLink>('studies:addRater', { studyId: study.id, name: 'ann' });
});
afterAll(() => rt?.close());

describe('a closed study', () => {
  it('refuses new votes and undos, and keeps the votes it had', async () => {
    const s0 = await call<RateSession>('rate:session', { token: link.token });
    const s1 = await call<RateSession>('rate:submit', { token: link.token, itemId: s0.current!.itemId, value: 4, durationMs: 500 });
    expect(s1.done).toBe(1);
    const closed = await call<StudySummary>('studies:setStatus', { id: study.id, status: 'closed' });
    expect([closed.status, closed.ratings]).toEqual(['closed', 1]);

    const submit = await rt.invoke('rate:submit', { token: link.token, itemId: s1.current!.itemId, value: 2, durationMs: 500 });
    expect(submit.ok ? null : submit.error).toMatchObject({ code: 'conflict', message: /closed/ });
    const undo = await rt.invoke('rate:undo', { token: link.token });
    expect(undo.ok ? null : undo.error).toMatchObject({ code: 'conflict', message: /closed/ });
    expect((await call<StudySummary>('studies:get', { id: study.id })).ratings).toBe(1);

    // Reopened, the same vote goes through: the refusal was the closed status, not the vote.
    await call<StudySummary>('studies:setStatus', { id: study.id, status: 'open' });
    expect((await call<RateSession>('rate:submit', { token: link.token, itemId: s1.current!.itemId, value: 2, durationMs: 500 })).done).toBe(2);
  });
});
