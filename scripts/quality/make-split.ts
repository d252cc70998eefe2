// Writes resources/models/quality/pool-split.json: the photo pool's sources dealt into train / val / test (run once; the JSON is committed).
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makePoolSplit, POOL_SPLIT_FILE, sourceName } from '../../src-main/iqa/quality/pool-split';

const pool = process.argv[2] ?? join(process.cwd(), '.cache', 'photo-pool', 'pool');
const names = (await readdir(pool)).filter((f) => !f.startsWith('.')).map(sourceName);
const split = makePoolSplit(names, 22);
await writeFile(POOL_SPLIT_FILE(), `${JSON.stringify(split, null, 2)}\n`);
console.log(`train ${split.train.length}, val ${split.val.length}, test ${split.test.length} -> ${POOL_SPLIT_FILE()}`);
