// Issue 18, item 12: a closed study's stimuli are not served to its rater links, and the CLI prints names with control characters and bidi overrides escaped.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetSummary, ImagePage, JobInfo, RateSession, StudyRaterLink, StudySummary } from '../../../src-shared/api/schemas';
import { termSafe } from '../../../src-main/cli/term';
import { openRuntime, type Runtime } from '../../../src-main/runtime';
import { openStore } from '../../../src-main/store/store';
import { writeBlurDataset } from '../../helpers/blur-dataset';
import { REPO_ROOT } from '../../helpers/serve-process';
import { tempDir } from '../../helpers/temp';

const run = promisify(execFile);

describe('a closed study', () => {
  let rt: Runtime;
  beforeAll(async () => {
    rt = await openRuntime({ dataDir: tempDir('iqa-closed-'), shell: 'serve', backend: false, seedDemo: false, importRoots: null });
  });
  afterAll(() => rt?.close());

  it('no longer serves its stimuli to a rater token (the organiser still sees the images by id)', async () => {
    const call = async <T>(c: string, i: unknown) => {
      const r = await rt.invoke(c, i);
      if (!r.ok) throw new Error(r.error.message);
      return r.result as T;
    };
    const data = tempDir('iqa-closed-data-');
    await writeBlurDataset(data);
    const job = await call<JobInfo>('datasets:import', { format: 'csv', root: data, name: 'b', file: 'labels.csv', scoreRange: [1, 5] });
    await new Promise<void>((ok) => rt.services.events.subscribe((e, p) => e === 'jobs:progress' && (p as JobInfo).jobId === job.jobId && (p as JobInfo).state !== 'running' && ok()));
    const datasetId = (await call<DatasetSummary[]>('datasets:list', {}))[0]!.id;
    const ids = (await call<ImagePage>('images:list', { datasetId })).items.map((i) => i.id);
    const study = await call<StudySummary>('studies:create', { name: 's', datasetId, method: 'acr', imageIds: ids.slice(0, 2) });
    const link = await call<StudyRaterLink>('studies:addRater', { studyId: study.id, name: 'ann' });
    const stimulus = (await call<RateSession>('rate:session', { token: link.token })).current!.first;
    await expect(rt.services.files.resolve('rate', stimulus)).resolves.toMatchObject({ contentType: 'image/png' });
    await call('studies:setStatus', { id: study.id, status: 'closed' });
    await expect(rt.services.files.resolve('rate', stimulus)).rejects.toMatchObject({ code: 'forbidden', message: expect.stringMatching(/closed/) });
    await expect(rt.services.files.resolve('image', String(ids[0]))).resolves.toMatchObject({ contentType: 'image/png' });
  });
});

describe('names on the terminal', () => {
  it('termSafe escapes C0/C1 controls, ANSI escapes and bidi overrides, and leaves other text alone', () => {
    expect(termSafe('evil\u202Egpj.exe')).toBe('evil\\u{202e}gpj.exe');
    expect(termSafe('\u001b[31mred\u001b[0m')).toBe('\\u{1b}[31mred\\u{1b}[0m');
    expect(termSafe('a\u2066b\u2069\u200fc\u0085d')).toBe('a\\u{2066}b\\u{2069}\\u{200f}c\\u{85}d');
    expect(termSafe('Café 写真 ★ ok')).toBe('Café 写真 ★ ok');
    expect(termSafe('line\nbreak', { newlines: true })).toBe('line\nbreak');
  });

  it('`iqa datasets` prints a hostile dataset name escaped', async () => {
    const dataDir = tempDir('iqa-term-');
    const store = openStore(join(dataDir, 'iqa.sqlite'));
    store.datasets.create({ name: 'photos\u202Egpj.exe\u001b[2J', kind: 'folder' });
    store.close();
    const { stdout } = await run(process.execPath, [join(REPO_ROOT, 'bin', 'iqa.js'), 'datasets', '--data-dir', dataDir], { cwd: REPO_ROOT, env: { ...process.env, IQA_LOG_LEVEL: 'warn' } });
    expect(stdout).toContain('photos\\u{202e}gpj.exe\\u{1b}[2J');
    expect(stdout).not.toMatch(/[\u001b\u202e]/);
  });
});
