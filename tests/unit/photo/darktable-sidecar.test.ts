// A sidecar darktable-cli wrote (tests/fixtures/xmp/darktable-cli) merged with stars, flag, label and score: darktable's history stack and every other byte kept, and darktable itself reads the result back.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resourcesDir } from '../../../src-main/app/paths';
import { readSidecar, writeSidecar } from '../../../src-main/photo/xmp';
import { tempDir } from '../../helpers/temp';

const FIXTURE = join(fileURLToPath(new URL('.', import.meta.url)), '../../fixtures/xmp/darktable-cli/photo.jpg.xmp');
const hasDarktable = spawnSync('darktable-cli', ['--version'], { encoding: 'utf8' }).status === 0;
const UPDATE = { rating: 4, pick: 'picked', label: 'Red', score: { value: 3.5, model: 'hyperiqa (shipped)', scale: 'mos 1-5 higher', scoredAt: '2026-01-01T00:00:00Z' } } as const;

/** The sidecar after our merge, next to a copy of the photo it belongs to. */
async function merged(): Promise<{ dir: string; before: string; after: string }> {
  const dir = tempDir('iqa-darktable-');
  copyFileSync(join(resourcesDir(), 'demo', 'bee.jpg'), join(dir, 'photo.jpg'));
  copyFileSync(FIXTURE, join(dir, 'photo.jpg.xmp'));
  const before = readFileSync(FIXTURE, 'utf8');
  await writeSidecar(join(dir, 'photo.jpg.xmp'), UPDATE);
  return { dir, before, after: readFileSync(join(dir, 'photo.jpg.xmp'), 'utf8') };
}

describe('a sidecar written by darktable-cli', () => {
  it('reads the rating darktable gave the import', async () => {
    expect((await readSidecar(FIXTURE)).rating).toBe(1);
  });

  it('takes our rating, flag, label and score, keeping the history stack and every other line as darktable wrote them', async () => {
    const { before, after } = await merged();
    const history = (s: string) => s.slice(s.indexOf('<darktable:masks_history>'), s.indexOf('</darktable:history>'));
    expect(history(after)).toBe(history(before));
    expect(history(before)).toContain('darktable:operation="flip"');
    // Only xmp:Rating changed; the other lines are darktable's, in darktable's order, with our properties appended.
    const removed = before.split('\n').filter((l) => !after.split('\n').includes(l));
    expect(removed.map((l) => l.trim())).toEqual(['xmp:Rating="1"', 'darktable:history_current_hash="c80077d119ae746632f44df3493dfd64">']);
    const s = await readSidecar(join((await merged()).dir, 'photo.jpg.xmp'));
    expect(s).toMatchObject({ rating: 4, pick: 'picked', label: 'Red', score: UPDATE.score });
    expect(after).toMatch(/darktable:history_current_hash="c80077d119ae746632f44df3493dfd64"\n\s+digiKam:PickLabel="3"/);
  });

  it.runIf(hasDarktable)('is read back by darktable-cli: the export carries our rating, the red label and darktable’s history', async () => {
    const { dir } = await merged();
    const out = join(dir, 'out.jpg');
    // Import mode (no XMP argument) reads photo.jpg.xmp beside the photo as darktable's own sidecar.
    const r = spawnSync('darktable-cli', ['photo.jpg', out, '--width', '160', '--core', '--configdir', join(dir, 'config')], { cwd: dir, encoding: 'utf8', timeout: 170_000 });
    expect(r.status, r.stderr).toBe(0);
    const tags = JSON.parse(execFileSync('exiftool', ['-json', '-n', '-struct', '-XMP-xmp:Rating', '-XMP-xmp:Label', '-XMP-darktable:ColorLabels', '-XMP-darktable:History', out], { encoding: 'utf8' }))[0];
    // darktable's colour label 0 is red.
    expect(tags).toMatchObject({ Rating: 4, Label: 'Red', Colorlabels: [0] });
    expect(tags.History.map((h: { Operation: string }) => h.Operation)).toEqual(['colorin', 'colorout', 'gamma', 'flip']);
  }, 180_000);
});
