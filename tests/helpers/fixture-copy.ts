// Copies a fixture folder into a temp folder so a test can break it without touching the original.
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './serve-process';
import { tempDir } from './temp';

export const FIXTURES = join(REPO_ROOT, 'tests', 'fixtures');

export function copyFixture(relative: string): string {
  const dest = join(tempDir('iqa-fixture-'), 'data');
  cpSync(join(FIXTURES, relative), dest, { recursive: true });
  return dest;
}
