// The default quality model's whole pipeline on 2-MP JPEGs (decode with shrink-on-load, measures, model): in one thread, and as the Library's scoring job.
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { JobInfo } from '../src-shared/api/schemas';
import { seededRandom } from '../src-main/util/random';
import { decodeForAnalysis } from '../src-main/iqa/quality/features';
import { loadQualityModel } from '../src-main/iqa/quality/model';
import { openRuntime, type Runtime } from '../src-main/runtime';
import type { ScoreJobResult } from '../src-main/services/scores.service';
import { mapLimit } from '../src-main/util/map-limit';
import { photoSources } from './photo-folder';
import { measure, type BenchRow } from './types';

const log = (msg: string) => process.stderr.write(`${msg}\n`);

/** n JPEGs of 1732 x 1155 (2.0 MP, 3:2, quality 90) cut from the photo pool, cached between runs. */
async function twoMegapixelJpegs(n: number): Promise<string[]> {
  const dir = join(tmpdir(), `iqa-bench-2mp-v1-${n}`);
  const names = Array.from({ length: n }, (_, i) => join(dir, `IMG_${String(i + 1).padStart(4, '0')}.jpg`));
  if (existsSync(dir) && readdirSync(dir).length === n) return names;
  mkdirSync(dir, { recursive: true });
  const { files } = photoSources();
  await mapLimit(names, 2, async (out, i) => {
    const random = seededRandom(500 + i);
    const img = sharp(files[i % files.length]!).resize(1732, 1155, { fit: 'cover', position: random() < 0.5 ? 'centre' : 'entropy' });
    await (random() < 0.5 ? img.flop() : img).jpeg({ quality: 90 }).toFile(out);
  });
  return names;
}

async function scoreJob(rt: Runtime, datasetId: number): Promise<ScoreJobResult> {
  const res = await rt.invoke('scores:start' as never, { datasetId, model: 'quality' } as never);
  if (!res.ok) throw new Error(res.error.message);
  const jobId = (res.result as JobInfo).jobId;
  while (rt.ctx.jobs.get(jobId)!.state === 'running') await new Promise((r) => setTimeout(r, 20));
  const end = rt.ctx.jobs.get(jobId)!;
  if (end.state !== 'done') throw new Error(`scoring ${end.state}: ${end.error?.message ?? '?'}`);
  return end.result as ScoreJobResult;
}

export async function qualityBench(quick: boolean): Promise<BenchRow[]> {
  const n = quick ? 60 : 300;
  const files = await twoMegapixelJpegs(n);
  log(`  ${n} JPEGs of 2.0 MP; ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(1)} at the start`);
  const rows: BenchRow[] = [];
  // CPU time of this process (all its threads: sharp's, the job's workers) per photo: the figure that load does not move much.
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const row = (name: string, m: { seconds: number; peakRssMb: number }, cpu: number) => {
    const r: BenchRow = { name, n, rate: n / m.seconds, unit: 'photos/s', seconds: m.seconds, peakRssMb: m.peakRssMb };
    log(`    ${name}: ${r.rate.toFixed(2)} photos/s (${m.seconds.toFixed(1)} s, ${(cpu / n).toFixed(1)} CPU-ms per photo)`);
    rows.push(r);
  };

  // One thread: the next photos decode (sharp's own threads) while this one is measured and scored.
  const model = await loadQualityModel();
  let cpu0 = cpuMs();
  const oneThread = await measure(async () => {
    const ahead = files.slice(0, 2).map((f) => decodeForAnalysis(f));
    for (let i = 0; i < files.length; i++) {
      if (i + 2 < files.length) ahead.push(decodeForAnalysis(files[i + 2]!));
      model.assess(await ahead.shift()!);
    }
  });
  row('quality: decode + measures + model, one thread (2-MP JPEG)', oneThread, cpuMs() - cpu0);

  // The Library's scoring job with the default model, database writes included.
  const work = await mkdtemp(join(tmpdir(), 'iqa-bench-quality-'));
  const rt = await openRuntime({ dataDir: join(work, 'data'), shell: 'serve', backend: false, seedDemo: false, importRoots: null });
  try {
    const res = await rt.invoke('datasets:import' as never, { format: 'folder', root: join(files[0]!, '..'), name: '2MP' } as never);
    if (!res.ok) throw new Error(res.error.message);
    const jobId = (res.result as JobInfo).jobId;
    while (rt.ctx.jobs.get(jobId)!.state === 'running') await new Promise((r) => setTimeout(r, 20));
    const datasetId = (rt.ctx.jobs.get(jobId)!.result as { datasetId: number }).datasetId;
    cpu0 = cpuMs();
    const job = await measure(() => scoreJob(rt, datasetId));
    const jobCpu = cpuMs() - cpu0;
    if (job.result.scored !== n) throw new Error(`the scoring job scored ${job.result.scored} of ${n}`);
    row('quality: Library scoring job, default model (2-MP JPEG)', job, jobCpu);
  } finally {
    rt.close();
    rmSync(work, { recursive: true, force: true });
  }
  log(`  load average ${loadavg()[0]!.toFixed(1)} at the end`);
  return rows;
}
