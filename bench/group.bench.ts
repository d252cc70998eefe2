// Grouping 1,000 photos into bursts: the group job (EXIF already read on import; dHash of each photo, capture-time gap, best pick) through the services the UI calls, beside a PyTorch dHash + grouping reference on the same files.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { GroupResult, JobInfo } from '../src-shared/api/schemas';
import { resourcesDir } from '../src-main/app/paths';
import { openRuntime, type Runtime } from '../src-main/runtime';
import { measure, type BenchRow } from './types';

const log = (msg: string) => process.stderr.write(`${msg}\n`);
const PYTHON = '/usr/bin/python3';
const DEMO = ['alpaca', 'bee', 'butterfly', 'calf', 'cheetah', 'crab'];
/** Frames per burst; one burst every 30 s, frames 0.2 s apart. */
const BURST = 5;

/** n JPEGs of 1200x800 in bursts of BURST frames (a small pan between frames), with EXIF capture times; cached in tmp. */
async function burstFolder(n: number): Promise<string> {
  const dir = join(tmpdir(), `iqa-bench-bursts-v1-${n}`);
  if (existsSync(dir) && readdirSync(dir).length === n) return dir;
  mkdirSync(dir, { recursive: true });
  const sources = await Promise.all(DEMO.map((p) => sharp(join(resourcesDir(), 'demo', `${p}.jpg`)).resize(1400, 1000, { fit: 'cover' }).toBuffer()));
  for (let i = 0; i < n; i++) {
    const burst = Math.floor(i / BURST);
    const frame = i % BURST;
    const src = sources[burst % sources.length]!;
    // Bursts of the same subject differ by where the camera pointed; frames of a burst by a few pixels.
    const left = (burst * 37) % 180 + frame * 4;
    const top = (burst * 53) % 180 + frame * 3;
    const t = 8 * 3600 + burst * 30;
    const time = `2024:06:01 ${String(Math.floor(t / 3600)).padStart(2, '0')}:${String(Math.floor(t / 60) % 60).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`;
    await sharp(src)
      .extract({ left, top, width: 1200, height: 800 })
      .jpeg({ quality: 88 })
      .withExif({ IFD0: { Make: 'Canon', Model: 'Canon EOS R6' }, IFD2: { DateTimeOriginal: time, SubSecTimeOriginal: String(frame * 20).padStart(2, '0') } })
      .toFile(join(dir, `IMG_${String(i + 1).padStart(4, '0')}.jpg`));
  }
  return dir;
}

async function call<T>(rt: Runtime, channel: string, input: unknown): Promise<T> {
  const res = await rt.invoke(channel as never, input);
  if (!res.ok) throw new Error(`${channel}: ${res.error.message}`);
  return res.result as T;
}

async function runJob<T>(rt: Runtime, channel: string, input: unknown): Promise<T> {
  const started = await call<JobInfo>(rt, channel, input);
  for (;;) {
    const j = rt.ctx.jobs.get(started.jobId);
    if (j && j.state !== 'running') {
      if (j.state !== 'done') throw new Error(`${channel}: ${j.state}: ${j.error?.message}`);
      return j.result as T;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function groupBench(quick: boolean): Promise<BenchRow[]> {
  const n = quick ? 200 : 1000;
  const folder = await burstFolder(n);
  const work = await mkdtemp(join(tmpdir(), 'iqa-bench-group-'));
  let rt: Runtime | undefined;
  const rows: BenchRow[] = [];
  try {
    log(`  ${n} JPEGs 1200x800 in bursts of ${BURST}; ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(1)}`);
    rt = await openRuntime({ dataDir: join(work, 'data'), shell: 'serve', backend: false, seedDemo: false });
    const imported = await measure(() => runJob<{ datasetId: number }>(rt!, 'datasets:import', { format: 'folder', root: folder, name: 'Bursts' }));
    rows.push({ name: `add folder with EXIF (${n} JPEG, ExifTool)`, n, rate: n / imported.seconds, unit: 'photos/s', seconds: imported.seconds, peakRssMb: imported.peakRssMb });
    const grouped = await measure(() => runJob<GroupResult>(rt!, 'library:group', { datasetId: imported.result.datasetId, gapSeconds: 2, maxDistance: 12, flagBest: true }));
    const g = grouped.result;
    log(`    ${g.groups} groups of ${g.grouped} photos (expected ${n / BURST} of ${n}); ${g.picked} picked, ${g.rejected} rejected`);
    rows.push({ name: `group bursts (dHash + time gap, ${n} photos)`, n, rate: n / grouped.seconds, unit: 'photos/s', seconds: grouped.seconds, peakRssMb: grouped.peakRssMb });
    try {
      const out = execFileSync(PYTHON, [join(import.meta.dirname, 'torch_dhash.py'), folder, '2', '12'], { encoding: 'utf8', timeout: 600_000 });
      const ref = JSON.parse(out) as { seconds: number; groups: number; grouped: number; threads: number };
      log(`    PyTorch ${ref.threads} threads: ${ref.groups} groups of ${ref.grouped} photos`);
      rows.push({ name: `PyTorch reference: dHash + time-gap grouping (${n})`, n, rate: n / ref.seconds, unit: 'photos/s', seconds: ref.seconds, peakRssMb: 0, ratio: ref.seconds / grouped.seconds });
    } catch (e) {
      log(`    no PyTorch reference: ${(e as Error).message.split('\n')[0]}`);
    }
  } finally {
    rt?.close();
    await rm(work, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await groupBench(process.argv.includes('--quick'));
  for (const r of rows) console.log(`${r.name}: ${r.rate.toFixed(1)} ${r.unit} (${r.seconds.toFixed(2)} s)${r.ratio ? `, ours ${r.ratio.toFixed(2)}x PyTorch's speed` : ''}`);
  process.exit(0);
}
