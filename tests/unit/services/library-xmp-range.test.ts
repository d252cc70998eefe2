// Reading stars from sidecars: xmp:Rating outside the integers -1..5 (a hand-edited 7, a fractional 2.5) sets no
// stars; the photo is counted as having no rating and keeps its own state.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobInfo, PhotoPage } from '../../../src-shared/api/schemas';
import { openRuntime } from '../../../src-main/runtime';
import type { XmpReadResult } from '../../../src-main/services/library.service';
import { writeTestImage } from '../../helpers/images';
import { tempDir } from '../../helpers/temp';

const rt = await openRuntime({ dataDir: tempDir('iqa-xmp-range-'), shell: 'serve', backend: false, seedDemo: false, importRoots: null });
afterAll(() => rt.close());

async function runJob<T>(channel: string, input: unknown): Promise<T> {
  const res = await rt.invoke(channel as never, input);
  if (!res.ok) throw new Error(res.error.message);
  const { jobId } = res.result as JobInfo;
  const end = await new Promise<JobInfo>((ok) => {
    const known = rt.ctx.jobs.get(jobId);
    if (known && known.state !== 'running') return ok(known);
    rt.services.events.subscribe((event, payload) => {
      const j = payload as JobInfo;
      if (event === 'jobs:progress' && j.jobId === jobId && j.state !== 'running') ok(j);
    });
  });
  expect(end.state, end.error?.message).toBe('done');
  return end.result as T;
}

const sidecar = (rating: string) =>
  `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="${rating}"/></rdf:RDF></x:xmpmeta>\n`;

describe('library:readXmp with out-of-range ratings', () => {
  it('imports Rating="4" and ignores Rating="7" and Rating="2.5"', async () => {
    const dir = tempDir('iqa-xmp-range-photos-');
    for (const [i, [name, rating]] of [['seven.jpg', '7'], ['half.jpg', '2.5'], ['four.jpg', '4']].entries()) {
      await writeTestImage(join(dir, name!), 8, 8, i + 1);
      writeFileSync(join(dir, `${name}.xmp`), sidecar(rating!));
    }
    const { datasetId } = await runJob<{ datasetId: number }>('datasets:import', { format: 'folder', root: dir, name: 'range' });
    const read = await runJob<XmpReadResult>('library:readXmp', { datasetId });
    expect(read).toMatchObject({ total: 3, imported: 1, noRating: 2, failed: 0 });
    const page = await rt.invoke('library:list', { datasetId });
    const items = (page.ok ? (page.result as PhotoPage).items : []).map((p) => [p.name, p.stars, p.rejected]);
    expect(items.sort()).toEqual([
      ['four.jpg', 4, false],
      ['half.jpg', null, false],
      ['seven.jpg', null, false],
    ]);
  });
});
