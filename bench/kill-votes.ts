// Crash figures: `npm run bench:kill -- --trials 20` kills `iqa serve` (LAN mode) with SIGKILL while raters vote and a photographer rates, then counts acknowledged votes and ratings missing from the database.
import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeBlurDataset } from '../tests/helpers/blur-dataset';
import { startServe, type ServeProcess } from '../tests/helpers/serve-process';

const { values } = parseArgs({ options: { trials: { type: 'string', default: '20' }, raters: { type: 'string', default: '3' } } });
const TRIALS = Number(values.trials);
const RATERS = Number(values.raters);
const HOST = '127.0.0.2';

type Envelope = { ok: boolean; result?: unknown; error?: { message: string } };

async function post(serve: ServeProcess, channel: string, input: unknown, token: string | null): Promise<Envelope> {
  const res = await fetch(`${serve.url}api/${channel}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(input),
  });
  return (await res.json()) as Envelope;
}

async function must<T>(serve: ServeProcess, channel: string, input: unknown, token: string | null): Promise<T> {
  const env = await post(serve, channel, input, token);
  if (!env.ok) throw new Error(`${channel}: ${env.error?.message}`);
  return env.result as T;
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

const work = await mkdtemp(join(tmpdir(), 'iqa-kill-'));
const photos = join(work, 'photos');
const dataDir = join(work, 'data');
await writeBlurDataset(photos);
const startLan = () => startServe(['--host', HOST, '--allow-root', photos], { dataDir });
let serve = await startLan();
const tokenOf = (s: ServeProcess) => new URL(s.openUrl).searchParams.get('token');

const job = await must<{ jobId: string }>(serve, 'datasets:import', { format: 'csv', root: photos, name: 'blur', file: 'labels.csv', scoreRange: [1, 5] }, tokenOf(serve));
for (;;) {
  const jobs = await must<{ jobId: string; state: string }[]>(serve, 'jobs:list', {}, tokenOf(serve));
  if (jobs.find((j) => j.jobId === job.jobId)?.state === 'done') break;
  await sleep(200);
}
const datasetId = (await must<{ id: number; name: string }[]>(serve, 'datasets:list', {}, tokenOf(serve))).find((d) => d.name === 'blur')!.id;
const imageIds = (await must<{ items: { id: number }[] }>(serve, 'images:list', { datasetId }, tokenOf(serve))).items.map((i) => i.id);
const study = await must<{ id: number }>(serve, 'studies:create', { name: 'kill', datasetId, method: 'acr', imageIds }, tokenOf(serve));

/** Acknowledged votes: rater token → item ids whose submit returned ok. */
const acked = new Map<string, Set<number>>();
/** Photo ratings: image id → the last acknowledged stars, and a value in flight when the server died (either may be stored). */
const lastStars = new Map<number, number>();
const inFlight = new Map<number, number>();
let photoAcks = 0;
let integrityOk = 0;

for (let trial = 0; trial < TRIALS; trial++) {
  const token = tokenOf(serve);
  const tokens: string[] = [];
  for (let r = 0; r < RATERS; r++) tokens.push((await must<{ token: string }>(serve, 'studies:addRater', { studyId: study.id, name: `t${trial}r${r}` }, token)).token);
  let alive = true;
  const rater = async (t: string) => {
    const mine = new Set<number>();
    acked.set(t, mine);
    let s = (await post(serve, 'rate:session', { token: t }, null).catch(() => null))?.result as { current: { itemId: number } | null } | undefined;
    while (alive && s?.current) {
      const itemId = s.current.itemId;
      const env = await post(serve, 'rate:submit', { token: t, itemId, value: 1 + (itemId % 5), durationMs: 10 }, null).catch(() => null);
      if (!env?.ok) break;
      mine.add(itemId);
      s = env.result as typeof s;
    }
  };
  const photographer = async () => {
    for (let k = 0; alive; k++) {
      const imageId = imageIds[k % imageIds.length]!;
      const stars = (trial + k) % 6;
      inFlight.set(imageId, stars);
      const env = await post(serve, 'library:rate', { imageId, stars }, token).catch(() => null);
      if (!env?.ok) break;
      inFlight.delete(imageId);
      lastStars.set(imageId, stars);
      photoAcks++;
    }
  };
  const clients = [...tokens.map(rater), photographer()];
  await sleep(300 + Math.floor(Math.random() * 1200));
  const exited = new Promise((ok) => serve.child.once('exit', ok));
  serve.child.kill('SIGKILL');
  await exited;
  alive = false;
  await Promise.all(clients);
  const db = new Database(join(dataDir, 'iqa.sqlite'), { readonly: true });
  if (db.pragma('integrity_check', { simple: true }) === 'ok') integrityOk++;
  db.close();
  serve = await startLan();
}

const db = new Database(join(dataDir, 'iqa.sqlite'), { readonly: true });
const stored = db.prepare('SELECT x.name, r.study_item_id AS itemId FROM ratings r JOIN raters x ON x.id = r.rater_id').all() as { name: string; itemId: number }[];
const starsNow = new Map((db.prepare('SELECT image_id AS id, stars FROM photo_ratings').all() as { id: number; stars: number | null }[]).map((r) => [r.id, r.stars]));
db.close();
await serve.stop();

const raterNames = new Map<string, string>();
let t = 0;
for (const token of acked.keys()) raterNames.set(token, `t${Math.floor(t / RATERS)}r${t++ % RATERS}`);
const storedBy = new Map<string, Set<number>>();
for (const s of stored) storedBy.set(s.name, (storedBy.get(s.name) ?? new Set()).add(s.itemId));
let votes = 0;
let lostVotes = 0;
for (const [token, items] of acked) {
  const have = storedBy.get(raterNames.get(token)!) ?? new Set();
  votes += items.size;
  for (const i of items) if (!have.has(i)) lostVotes++;
}
let lostRatings = 0;
for (const [imageId, stars] of lastStars) {
  const now = starsNow.get(imageId);
  if (now !== stars && now !== inFlight.get(imageId)) lostRatings++;
}
console.log(`kill -9 trials: ${TRIALS} (serve --host ${HOST}, ${RATERS} raters voting and one photographer rating at once, killed after 0.3-1.5 s)`);
console.log(`acknowledged votes: ${votes}, missing after the kills: ${lostVotes}`);
console.log(`acknowledged photo ratings: ${photoAcks} (last value of ${lastStars.size} photos checked), lost: ${lostRatings}`);
console.log(`integrity_check ok after ${integrityOk} of ${TRIALS} kills`);
await rm(work, { recursive: true, force: true });
process.exit(lostVotes || lostRatings || integrityOk !== TRIALS ? 1 : 0);
