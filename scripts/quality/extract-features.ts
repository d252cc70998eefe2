// Computes the feature vectors of every image of the named quality sets into .cache/quality/features/<set>.json (skipped when present).
// Usage: npx tsx scripts/quality/extract-features.ts SET... [--shards N]: N processes, each on every N-th image, merged at the end.
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeForAnalysis, FEATURE_NAMES, featuresOf } from '../../src-main/iqa/quality/features';
import { readSet } from '../../src-main/iqa/quality/sets';

const root = join(process.cwd(), '.cache', 'quality');
const argv = process.argv.slice(2);
const opt = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv.splice(i, 2)[1]) : undefined;
};
const shards = opt('shards') ?? 1;
const shard = opt('shard');

async function filesOf(name: string): Promise<string[]> {
  const rows = await readSet(join(root, 'sets', name));
  return [...new Set([...rows.map((r) => r.ref), ...rows.map((r) => r.file)])];
}

async function extract(name: string, files: string[], out: string): Promise<void> {
  const feats: Record<string, number[]> = {};
  const t0 = Date.now();
  for (const [i, f] of files.entries()) {
    feats[f] = [...featuresOf(await decodeForAnalysis(f)).values];
    if ((i + 1) % 500 === 0) console.log(`${name}${shard !== undefined ? ` shard ${shard}` : ''}: ${i + 1}/${files.length}`);
  }
  await writeFile(out, JSON.stringify({ names: FEATURE_NAMES, features: feats }));
  console.log(`${name}: ${files.length} images in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

await mkdir(join(root, 'features'), { recursive: true });
for (const name of argv) {
  const out = join(root, 'features', `${name}.json`);
  if (shard !== undefined) {
    await extract(name, (await filesOf(name)).filter((_, i) => i % shards === shard), `${out}.${shard}`);
    continue;
  }
  if (existsSync(out) && !process.env.FRESH) continue;
  if (shards === 1) {
    await extract(name, await filesOf(name), out);
    continue;
  }
  const self = fileURLToPath(import.meta.url);
  await Promise.all(Array.from({ length: shards }, (_, k) => new Promise<void>((resolve, reject) => {
    const child = fork(self, [name, '--shards', String(shards), '--shard', String(k)], { execArgv: process.execArgv });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`shard ${k} of ${name} failed (exit ${code})`))));
  })));
  const merged: Record<string, number[]> = {};
  for (let k = 0; k < shards; k++) {
    Object.assign(merged, (JSON.parse(await readFile(`${out}.${k}`, 'utf8')) as { features: Record<string, number[]> }).features);
    await rm(`${out}.${k}`);
  }
  await writeFile(out, JSON.stringify({ names: FEATURE_NAMES, features: merged }));
  console.log(`${name}: merged ${Object.keys(merged).length} images`);
}
