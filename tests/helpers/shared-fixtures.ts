// Locates the project's shared fixtures (../shared next to the checkout; IQA_SHARED_DIR or /work/shared otherwise).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from './serve-process';

export function sharedFixture(name: string): string {
  const candidates = [process.env.IQA_SHARED_DIR, resolve(REPO_ROOT, '../shared'), '/work/shared'].filter((d): d is string => !!d);
  for (const dir of candidates) {
    const p = join(dir, 'fixtures', name);
    if (existsSync(p)) return p;
  }
  throw new Error(`shared fixture "${name}" not found in ${candidates.join(', ')} (set IQA_SHARED_DIR)`);
}
