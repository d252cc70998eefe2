// The photographer's library end to end on 1,000 real 1-3 MP JPEGs through the services the UI calls: add folder, score with the shipped model, star ratings, XMP sidecars.
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobInfo, PhotoItem, PhotoPage, PhotoStats } from '../src-shared/api/schemas';
import { currentBackend } from '../src-main/iqa/backend';
import { initInference } from '../src-main/iqa/onnx/engine';
import { openRuntime, type Runtime } from '../src-main/runtime';
import type { XmpWriteResult } from '../src-main/services/library.service';
import type { ScoreJobResult } from '../src-main/services/scores.service';
import { buildPhotoFolder } from './photo-folder';
import { measure, type BenchRow } from './types';
import { databaseOf } from '../src-main/store/store';

const log = (msg: string) => process.stderr.write(`${msg}\n`);

async function call<T>(rt: Runtime, channel: string, input: unknown): Promise<T> {
  const res = await rt.invoke(channel as never, input);
  if (!res.ok) throw new Error(`${channel}: ${res.error.message}`);
  return res.result as T;
}

/** Starts a job through the dispatcher (as the UI does) and waits for its end; fails unless it is done. */
async function runJob<T>(rt: Runtime, channel: string, input: unknown): Promise<T> {
  const started = await call<JobInfo>(rt, channel, input);
  const ended = await new Promise<JobInfo>((resolve) => {
    const off = rt.services.events.subscribe((event, payload) => {
      const j = payload as JobInfo;
      if (event === 'jobs:progress' && j.jobId === started.jobId && j.state !== 'running') {
        off();
        resolve(j);
      }
    });
    const known = rt.ctx.jobs.get(started.jobId);
    if (known && known.state !== 'running') (off(), resolve(known));
  });
  if (ended.state !== 'done') throw new Error(`${channel}: job ${ended.state}: ${ended.error?.message ?? '?'}`);
  return ended.result as T;
}

export async function libraryBench(quick: boolean): Promise<BenchRow[]> {
  const n = quick ? 100 : 1000;
  const work = await mkdtemp(join(tmpdir(), 'iqa-bench-library-'));
  let rt: Runtime | undefined;
  try {
    const folder = await buildPhotoFolder(join(work, 'Shoot'), n, log);
    const what = `${n} JPEG ~${folder.megapixels.toFixed(1)} MP`;
    log(`  ${n} photos from ${folder.sources} ${folder.source}: mean ${folder.megapixels.toFixed(2)} MP, ${(folder.meanBytes / 1024).toFixed(0)} KB${folder.madeSeconds ? `, made in ${folder.madeSeconds.toFixed(0)} s (cached for the next run)` : ' (cached)'}`);
    if (folder.madeSeconds) log('  note: making the photos raised this process\'s resident memory; the peak RSS figures are lower on a run with them cached');
    rt = await openRuntime({ dataDir: join(work, 'data'), shell: 'serve', backend: 'auto', seedDemo: false });
    const backend = currentBackend()?.name ?? '?';
    log(`  tensor backend ${backend}; ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(1)} at the start`);
    const rows: BenchRow[] = [];
    const row = (name: string, count: number, unit: string, m: { seconds: number; peakRssMb: number }) => {
      const r: BenchRow = { name, n: count, rate: count / m.seconds, unit, seconds: m.seconds, peakRssMb: m.peakRssMb };
      log(`    ${name}: ${r.rate.toFixed(2)} ${unit} (${m.seconds.toFixed(1)} s)`);
      rows.push(r);
    };

    // Add folder: the folder import job (probe every file, one transaction), as the Add folder panel starts it.
    const add = await measure(() => runJob<{ datasetId: number; imported: number; failed: unknown[] }>(rt!, 'datasets:import', { format: 'folder', root: folder.root, name: 'Shoot', recursive: true }));
    if (add.result.imported !== n) throw new Error(`add folder imported ${add.result.imported} of ${n} photos`);
    row(`library: add folder (${what})`, n, 'photos/s', add);
    const datasetId = add.result.datasetId;

    // The grid's thumbnails, made on demand by the file service as tiles scroll into view (256 px WebP).
    const page = await call<PhotoPage>(rt, 'library:list', { datasetId, limit: 1000, sort: 'name' });
    const ids = page.items.map((p: PhotoItem) => p.id);
    const thumbs = await measure(async () => {
      for (const id of ids) await rt!.services.files.resolve('thumb', String(id));
    });
    row('library: grid thumbnails on demand (256 px WebP)', ids.length, 'photos/s', thumbs);

    // Score: the scoring job with the shipped weights (model load, decode, crops, model, batched database writes), on
    // ONNX Runtime and then on tfjs (the engine without onnxruntime-node) over the same photos, one after the other.
    const scoreWith = async (engine: 'onnxruntime' | 'tfjs') => {
      const inf = await initInference(engine);
      const label = inf.engine === 'onnxruntime' ? `onnxruntime ${inf.provider}` : `tfjs ${backend}`;
      const cpu0 = process.cpuUsage();
      const score = await measure(() => runJob<ScoreJobResult>(rt!, 'scores:start', { datasetId, model: 'hyperiqa' }));
      const cpu = process.cpuUsage(cpu0);
      if (score.result.scored !== n) throw new Error(`scoring scored ${score.result.scored} of ${n} photos (${score.result.failed} failed)`);
      row(`library: score end to end, shipped hyperiqa [${label}]`, n, 'photos/s', score);
      // The job's CPU time (this process, its workers included): what a photo costs, which the load sways less than
      // photos/s; `cores` of it per second of the job is how much of the machine the job got.
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      rows.push({ name: `library: score, photos per CPU-second of the job [${label}]`, n, rate: n / cpuSeconds, unit: 'photos/CPU-s', seconds: cpuSeconds, peakRssMb: score.peakRssMb });
      log(`    photos per CPU-second [${label}]: ${(n / cpuSeconds).toFixed(2)} (${((cpuSeconds * 1000) / n).toFixed(1)} CPU-ms per photo; the job used ${(cpuSeconds / score.seconds).toFixed(2)} of ${cpus().length} cores)`);
      return score;
    };
    const ort = await scoreWith('onnxruntime');
    const crops = (databaseOf(rt.ctx.store).prepare('SELECT SUM(s.crops) AS c FROM image_scores s JOIN images i ON i.id = s.image_id WHERE i.dataset_id = ?').get(datasetId) as { c: number }).c;
    row(`library: score end to end, crops (${(crops / n).toFixed(0)} per photo) [onnxruntime]`, crops, 'crops/s', ort);
    const tfjs = await scoreWith('tfjs');
    await initInference('auto');
    const speedup = tfjs.seconds / ort.seconds;
    rows.push({ name: 'library: scoring speed-up onnxruntime / tfjs (same run)', n, rate: speedup, unit: '×', seconds: ort.seconds + tfjs.seconds, peakRssMb: Math.max(ort.peakRssMb, tfjs.peakRssMb) });
    log(`    onnxruntime / tfjs: ${speedup.toFixed(2)}×`);

    // Star ratings as the culling keys send them: one library:rate per photo, each committed before the next.
    const rate = await measure(async () => {
      for (const [i, id] of ids.entries()) {
        const input = i % 10 === 9 ? { imageId: id, rejected: true } : { imageId: id, stars: 1 + (i % 5) };
        await call<PhotoItem>(rt!, 'library:rate', input);
      }
    });
    row('library: star ratings (library:rate, durable each)', ids.length, 'ratings/s', rate);

    // XMP: darktable sidecars with xmp:Rating and the score for every photo, all new; then again, nothing to change.
    const xmp = await measure(() => runJob<XmpWriteResult>(rt!, 'library:writeXmp', { datasetId, naming: 'darktable' }));
    if (xmp.result.created !== n) throw new Error(`XMP write created ${xmp.result.created} of ${n} sidecars (${xmp.result.failed} failed)`);
    row('library: XMP sidecars written (new, rating + score)', n, 'sidecars/s', xmp);
    const again = await measure(() => runJob<XmpWriteResult>(rt!, 'library:writeXmp', { datasetId, naming: 'darktable' }));
    if (again.result.unchanged !== n) throw new Error(`XMP rewrite left ${again.result.unchanged} of ${n} sidecars unchanged`);
    row('library: XMP sidecars checked (up to date)', n, 'sidecars/s', again);

    // Paging a 10,000-photo collection (rows added straight to the store; no files needed): the grid's deep page sorted
    // by stars, a filtered page and the header's counts, as library:list/library:stats answer them.
    const store = rt.ctx.store;
    const big = store.transaction(() => {
      const id = store.datasets.create({ name: 'Big', kind: 'folder', root: join(work, 'big') });
      for (let i = 0; i < 10_000; i++) {
        const imageId = store.datasets.addImage(id, { path: join(work, 'big', `${i}.jpg`), name: `${String(i).padStart(5, '0')}.jpg` });
        if (i % 3 === 0) store.photos.setRating(imageId, i % 6, i % 7 === 0, null);
      }
      return id;
    });
    const rounds = quick ? 5 : 20;
    const paging = await measure(async () => {
      for (let k = 0; k < rounds; k++) {
        await call<PhotoPage>(rt!, 'library:list', { datasetId: big, sort: 'stars', descending: true, offset: 9_000 - k * 200, limit: 200 });
        await call<PhotoPage>(rt!, 'library:list', { datasetId: big, starsMin: 3, offset: 200 + k * 200, limit: 200 });
        await call<PhotoStats>(rt!, 'library:stats', { datasetId: big });
      }
    });
    row('library: page a 10,000-photo collection (deep page by stars + filtered page + stats)', rounds, 'rounds/s', paging);
    log(`  load average ${loadavg()[0]!.toFixed(1)} at the end`);
    return rows;
  } finally {
    rt?.close();
    rmSync(work, { recursive: true, force: true });
  }
}
