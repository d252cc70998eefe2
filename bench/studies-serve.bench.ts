// Study load figures: `npm run bench:studies -- --seconds 60 --raters 100 --sizes 10000,100000` drives a real `iqa serve` on loopback with paced raters and an organiser polling the dashboard; prints votes/s, vote latency p50/p95/p99 and the organiser's latencies.
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Agent, request } from 'node:http';
import Database from 'better-sqlite3';
import { openStore } from '../src-main/store/store';
import { startServe, type ServeProcess } from '../tests/helpers/serve-process';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    raters: { type: 'string', default: '100' },
    sizes: { type: 'string', default: '10000,100000' },
    /** Votes per second each rater aims at (a person takes seconds; the bench asks for more to load the server). */
    rate: { type: 'string', default: '3.5' },
    /** A folder for a V8 CPU profile of the serve process (node --cpu-prof), to find what blocks its event loop. */
    profile: { type: 'string' },
    /** Kill the serve process with SIGKILL this many times during the run (restarting it on the same data), then count acknowledged votes missing from the database. */
    kills: { type: 'string', default: '0' },
  },
});
const SECONDS = Number(values.seconds);
const RATERS = Number(values.raters);
const SIZES = values.sizes.split(',').map(Number);
const PER_RATER = Number(values.rate);
const KILLS = Number(values.kills);

type Envelope = { ok: boolean; result?: unknown; error?: { message: string; code: string } };
// One kept-alive connection per client, as each rater's browser would hold.
const agent = new Agent({ keepAlive: true, maxSockets: RATERS + 8 });

function post(serve: ServeProcess, channel: string, input: unknown): Promise<Envelope> {
  const body = JSON.stringify(input);
  return new Promise((ok, fail) => {
    const req = request(`${serve.url}api/${channel}`, { method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          ok(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Envelope);
        } catch (err) {
          fail(err as Error);
        }
      });
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end(body);
  });
}
async function must<T>(serve: ServeProcess, channel: string, input: unknown): Promise<T> {
  const env = await post(serve, channel, input);
  if (!env.ok) throw new Error(`${channel}: ${env.error?.message}`);
  return env.result as T;
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));
function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
const ms = (x: number) => `${x.toFixed(1)} ms`;
const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `p50 ${ms(quantile(s, 0.5))}, p95 ${ms(quantile(s, 0.95))}, p99 ${ms(quantile(s, 0.99))}, max ${ms(s.at(-1) ?? Number.NaN)} (n = ${s.length})`;
};

async function run(size: number): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'iqa-bench-serve-'));
  try {
    // A dataset of `size` image rows (the bench calls the API only; no stimulus file is fetched).
    const store = openStore(join(dataDir, 'iqa.sqlite'));
    const datasetId = store.datasets.create({ name: `bench-${size}`, kind: 'folder' });
    store.transaction(() => {
      for (let i = 0; i < size; i++) store.datasets.addImage(datasetId, { path: `/bench/img${i}.jpg`, name: `img${i}.jpg` });
    });
    // A lab's server built its demo long ago; on a first start the demo build would share the event loop with the votes (seconds of image work).
    store.settings.set('demo.seeded', true);
    store.settings.set('demo.synthetic.seeded', true);
    store.close();
    const launch = () => startServe([], { dataDir, ...(values.profile ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] } : {}) });
    // Raters follow the current server: a kill -9 replaces it (same data folder, new port).
    let serve = await launch();
    try {
      const t0 = performance.now();
      const study = await must<{ id: number }>(serve, 'studies:create', { name: `bench ${size}`, datasetId, method: 'acr', pauseMs: 0 });
      const createS = (performance.now() - t0) / 1000;
      const tokens: string[] = [];
      for (let r = 0; r < RATERS; r++) tokens.push((await must<{ token: string }>(serve, 'studies:addRater', { studyId: study.id, name: `r${r}` })).token);

      const voteLatency: number[] = [];
      const organiser: Record<string, number[]> = { 'studies:get': [], 'studies:list': [], 'rate:session': [] };
      /** Acknowledged votes: rater name → item ids whose submit returned ok. */
      const acked = new Map<string, Set<number>>();
      const kills = { done: 0, integrityOk: 0, downMs: [] as number[] };
      const errors = new Map<string, number>();
      const fail = (what: string) => errors.set(what, (errors.get(what) ?? 0) + 1);
      let stop = false;
      const start = performance.now();
      const deadline = start + SECONDS * 1000;
      const load0 = loadavg()[0]!;

      const rater = async (token: string, r: number) => {
        const mine = new Set<number>();
        acked.set(`r${r}`, mine);
        type Session = { current: { itemId: number } | null } | undefined;
        const session = async (): Promise<Session> => {
          // After a kill, ask again until the restarted server answers.
          while (!stop) {
            const env = await post(serve, 'rate:session', { token }).catch(() => null);
            if (env?.ok) return env.result as Session;
            await sleep(100);
          }
          return undefined;
        };
        let s = await session();
        // Staggered start, then one vote every 1/rate s on a fixed schedule (a late reply does not push the schedule).
        let next = performance.now() + (r / RATERS) * (1000 / PER_RATER);
        while (!stop && s?.current) {
          const wait = next - performance.now();
          if (wait > 0) await sleep(wait);
          if (stop) break;
          next += 1000 / PER_RATER;
          const itemId = s.current.itemId;
          const t = performance.now();
          const env = await post(serve, 'rate:submit', { token, itemId, value: 1 + (itemId % 5), durationMs: 1000 }).catch(() => null);
          if (!env?.ok) {
            fail(`rate:submit ${env?.error?.code ?? 'network'}`);
            if (!env) s = await session();
            continue;
          }
          mine.add(itemId);
          if (performance.now() <= deadline) voteLatency.push(performance.now() - t);
          s = env.result as typeof s;
        }
      };
      const organiserLoop = async () => {
        for (let k = 0; !stop; k++) {
          const [channel, input] = k % 3 === 0 ? (['studies:list', {}] as const) : k % 3 === 1 ? (['studies:get', { id: study.id }] as const) : (['rate:session', { token: tokens[k % tokens.length]! }] as const);
          const t = performance.now();
          const env = await post(serve, channel, input).catch(() => null);
          if (env?.ok) organiser[channel]!.push(performance.now() - t);
          else fail(`${channel} ${env?.error?.code ?? 'network'}`);
          await sleep(200);
        }
      };
      const killer = async () => {
        for (let k = 1; k <= KILLS; k++) {
          await sleep(start + (k * SECONDS * 1000) / (KILLS + 1) - performance.now());
          const down = performance.now();
          const exited = new Promise((ok) => serve.child.once('exit', ok));
          serve.child.kill('SIGKILL');
          await exited;
          kills.done++;
          const db = new Database(join(dataDir, 'iqa.sqlite'), { readonly: true });
          if (db.pragma('quick_check', { simple: true }) === 'ok') kills.integrityOk++;
          db.close();
          serve = await launch();
          kills.downMs.push(performance.now() - down);
        }
      };
      const clients = [...tokens.map(rater), organiserLoop(), killer()];
      await sleep(SECONDS * 1000);
      stop = true;
      await Promise.all(clients);
      const elapsed = (deadline - start) / 1000;
      const load1 = loadavg()[0]!;
      const t1 = performance.now();
      await must(serve, 'studies:results', { id: study.id, screening: 'bt500' });
      const resultsMs = performance.now() - t1;
      const stored = (await must<{ ratings: number }>(serve, 'studies:get', { id: study.id })).ratings;

      console.log(`\n== ${size.toLocaleString('en')}-item ACR study, ${RATERS} raters at ${PER_RATER} votes/s each for ${SECONDS} s (loopback, iqa serve) ==`);
      console.log(`studies:create ${size.toLocaleString('en')} items: ${createS.toFixed(2)} s`);
      console.log(`votes: ${voteLatency.length} acknowledged in ${elapsed.toFixed(0)} s = ${(voteLatency.length / elapsed).toFixed(1)} votes/s (offered ${(RATERS * PER_RATER).toFixed(0)}/s); stored ${stored}`);
      console.log(`vote latency: ${summary(voteLatency)}`);
      const all = Object.values(organiser).flat();
      console.log(`organiser calls meanwhile: ${summary(all)}`);
      for (const [c, xs] of Object.entries(organiser)) console.log(`  ${c}: ${summary(xs)}`);
      console.log(`studies:results (BT.500) afterwards: ${ms(resultsMs)}`);
      if (KILLS) {
        const db = new Database(join(dataDir, 'iqa.sqlite'), { readonly: true });
        const rows = db.prepare('SELECT x.name, r.study_item_id AS itemId FROM ratings r JOIN raters x ON x.id = r.rater_id').all() as { name: string; itemId: number }[];
        db.close();
        const stored = new Set(rows.map((row) => `${row.name}:${row.itemId}`));
        let ackedVotes = 0;
        let missing = 0;
        for (const [name, items] of acked) for (const i of items) (ackedVotes++, stored.has(`${name}:${i}`) || missing++);
        console.log(`kill -9: ${kills.done} kills during the run, each restart took ${kills.downMs.map((x) => (x / 1000).toFixed(1)).join(', ')} s; quick_check ok after ${kills.integrityOk} of ${kills.done}`);
        console.log(`kill -9: ${ackedVotes} acknowledged votes, ${missing} missing from the database afterwards`);
      }
      console.log(`errors: ${errors.size ? [...errors].map(([k, n]) => `${k} ×${n}`).join(', ') : 'none'}`);
      console.log(`load average (1 min) before/after: ${load0.toFixed(2)} / ${load1.toFixed(2)} on ${cpus().length} cores (machine shared with other jobs)`);
    } finally {
      await serve.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

for (const size of SIZES) await run(size);
agent.destroy();
