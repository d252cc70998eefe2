// Computes the feature vectors of every image of the named quality sets into .cache/quality/features/<set>.json (skipped when present).
// Usage: npx tsx scripts/quality/extract-features.ts SET... [--shards N] [--follow]
//   --shards N: N processes, each on its share of the images, merged at the end (a resumed run may use another N).
//   --follow: start while the set is still being built (scripts/quality/build-sets.ts) and keep up with its images.
//   --reuse SET: take the features of byte-identical images (same refs/ or dist/ name) from SET's finished features file.
// Progress is kept per image in <set>.<shard>.ndjson, so an interrupted run resumes where it stopped.
import { fork } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { appendFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SYNTHETIC_CSV, typesFor } from '../../src-main/imaging/synth/build-synthetic';
import { DISTORTION_IDS } from '../../src-main/imaging/distortions/index';
import { decodeForAnalysis, FEATURE_NAMES, featuresOf } from '../../src-main/iqa/quality/features';
import { HELD_OUT_SETS, readSet, TRAIN_SETS } from '../../src-main/iqa/quality/sets';

const root = join(process.cwd(), '.cache', 'quality');
const argv = process.argv.slice(2);
const opt = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv.splice(i, 2)[1]) : undefined;
};
const flag = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? (argv.splice(i, 1), true) : false;
};
const shards = opt('shards') ?? 1;
const shard = opt('shard');
const follow = flag('follow');
const reuseAt = argv.indexOf('--reuse');
const reuse = reuseAt >= 0 ? argv.splice(reuseAt, 2)[1] : undefined;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Which shard an image belongs to: by a hash of its path, so it stays put while the set's folder fills up. */
const shardOf = (file: string) => {
  let h = 2166136261;
  for (let i = 0; i < file.length; i++) h = Math.imul(h ^ file.charCodeAt(i), 16777619);
  return (h >>> 0) % shards;
};

/** The set's images: from its CSV once built, else (when following a build) whatever its folders hold so far. */
async function filesOf(name: string): Promise<{ files: string[]; complete: boolean }> {
  const dir = join(root, 'sets', name);
  if (existsSync(join(dir, SYNTHETIC_CSV))) {
    const rows = await readSet(dir);
    return { files: [...new Set([...rows.map((r) => r.ref), ...rows.map((r) => r.file)])], complete: true };
  }
  if (!follow) throw new Error(`${dir} is not built (npm run quality:sets), or pass --follow to keep up with its build`);
  const files: string[] = [];
  // Only the types the set's recipe picks for each photo (a folder may hold more from an earlier recipe).
  const spec = [...HELD_OUT_SETS, ...TRAIN_SETS].find((s) => s.name === name);
  const wanted = (f: string) => {
    const m = /^(.*)__([a-z0-9_]+)__\d+\.png$/.exec(f);
    return !m || !spec || typesFor(DISTORTION_IDS, spec.perImage, spec.seed, m[1]!, spec.skipTypes ?? 0).includes(m[2]!);
  };
  for (const sub of ['refs', 'dist']) {
    const d = join(dir, sub);
    if (!existsSync(d)) continue;
    // Files younger than 5 s may still be written.
    for (const f of await readdir(d)) if (wanted(f) && Date.now() - statSync(join(d, f)).mtimeMs > 5000) files.push(join(d, f));
  }
  return { files, complete: false };
}

const readNdjson = (file: string): Record<string, number[]> => {
  const out: Record<string, number[]> = {};
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const [f, v] = JSON.parse(line) as [string, number[]];
    out[f] = v;
  }
  return out;
};

/** The set's per-shard progress files, whatever --shards made them. */
const shardFiles = async (name: string): Promise<string[]> =>
  (await readdir(join(root, 'features'))).filter((f) => new RegExp(`^${name}\\.\\d+\\.ndjson$`).test(f)).map((f) => join(root, 'features', f));

/** Looks up an image of `name` in the finished features of set `from`: its vector when the file there has the same bytes. */
function reusable(name: string, from: string): (file: string) => number[] | undefined {
  const { names, features } = JSON.parse(readFileSync(join(root, 'features', `${from}.json`), 'utf8')) as { names: string[]; features: Record<string, number[]> };
  if (names.join() !== FEATURE_NAMES.join()) throw new Error(`--reuse ${from}: its features were computed with another feature list`);
  const dir = join(root, 'sets', name);
  const other = join(root, 'sets', from);
  return (file) => {
    const twin = join(other, relative(dir, file));
    const v = features[twin];
    return v && existsSync(twin) && readFileSync(twin).equals(readFileSync(file)) ? v : undefined;
  };
}

async function extract(name: string, k: number): Promise<void> {
  const out = join(root, 'features', `${name}.${k}.ndjson`);
  const head = join(root, 'features', `${name}.names.json`);
  if (existsSync(head) && (JSON.parse(await readFile(head, 'utf8')) as string[]).join() !== FEATURE_NAMES.join()) {
    throw new Error(`${name}: the cached features were computed with another feature list; delete ${join(root, 'features', `${name}.*`)}`);
  }
  await writeFile(head, JSON.stringify(FEATURE_NAMES));
  // Every shard file of the set counts as done, so a run resumed with another --shards loses nothing.
  const done = Object.assign({}, ...(await shardFiles(name)).map(readNdjson)) as Record<string, number[]>;
  const t0 = Date.now();
  let count = 0;
  const same = reuse ? reusable(name, reuse) : () => undefined;
  for (;;) {
    const { files, complete } = await filesOf(name);
    const todo = files.filter((f) => shardOf(f) === k && !done[f]);
    for (const f of todo) {
      try {
        done[f] = same(f) ?? [...featuresOf(await decodeForAnalysis(f)).values];
      } catch (err) {
        if (complete) throw err;
        continue; // still being written: next round
      }
      await appendFile(out, `${JSON.stringify([f, done[f]])}\n`);
      if (++count % 250 === 0) console.log(`${name} shard ${k}: ${count} images (${((Date.now() - t0) / count).toFixed(0)} ms each)`);
    }
    if (complete && files.filter((f) => shardOf(f) === k).every((f) => done[f])) break;
    if (!todo.length) await sleep(10_000);
  }
  console.log(`${name} shard ${k}: ${count} new images in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

await mkdir(join(root, 'features'), { recursive: true });
for (const name of argv) {
  const out = join(root, 'features', `${name}.json`);
  if (shard !== undefined) {
    await extract(name, shard);
    continue;
  }
  if (existsSync(out) && !process.env.FRESH) continue;
  if (shards === 1) await extract(name, 0);
  else {
    const self = fileURLToPath(import.meta.url);
    await Promise.all(Array.from({ length: shards }, (_, k) => new Promise<void>((resolve, reject) => {
      const child = fork(self, [name, '--shards', String(shards), '--shard', String(k), ...(follow ? ['--follow'] : []), ...(reuse ? ['--reuse', reuse] : [])], { execArgv: process.execArgv });
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`shard ${k} of ${name} failed (exit ${code})`))));
    })));
  }
  const { files } = await filesOf(name);
  const merged: Record<string, number[]> = {};
  const parts = await shardFiles(name);
  for (const f of parts) Object.assign(merged, readNdjson(f));
  const missing = files.filter((f) => !merged[f]);
  if (missing.length) throw new Error(`${name}: ${missing.length} images without features (first ${missing[0]})`);
  await writeFile(out, JSON.stringify({ names: FEATURE_NAMES, features: Object.fromEntries(files.map((f) => [f, merged[f]!])) }));
  for (const f of parts) await rm(f);
  await rm(join(root, 'features', `${name}.names.json`));
  console.log(`${name}: ${files.length} images -> ${out}`);
}
