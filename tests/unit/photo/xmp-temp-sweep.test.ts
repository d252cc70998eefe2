// Issue 18, item 10: a sidecar write sweeps the temp files a crashed write left in that folder (ours, by name: a dead process's, or any old one) and nothing else.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STALE_TEMP_MS, writeSidecar } from '../../../src-main/photo/xmp';
import { tempDir } from '../../helpers/temp';

/** The pid of a process that has exited. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid!;

describe('stale XMP temp files', () => {
  it('are removed on the next write in their folder: a dead process\'s after a short grace, any after the stale age', async () => {
    const dir = tempDir('iqa-xmp-sweep-');
    writeFileSync(join(dir, 'photo.jpg'), 'jpeg');
    const dead = deadPid();
    const files = {
      deadOld: `.photo.jpg.xmp.${dead}.0123456789ab.tmp`,
      deadFresh: `.b.jpg.xmp.${dead}.0123456789ac.tmp`,
      liveFresh: `.c.jpg.xmp.${process.pid}.0123456789ad.tmp`,
      liveAncient: `.d.jpg.xmp.${process.pid}.0123456789ae.tmp`,
      notOurs: '.notes.tmp',
      notOursEither: 'photo.jpg.xmp.123.tmp',
    };
    for (const f of Object.values(files)) writeFileSync(join(dir, f), 'partial');
    const ago = (ms: number) => (Date.now() - ms) / 1000;
    utimesSync(join(dir, files.deadOld), ago(60_000), ago(60_000));
    utimesSync(join(dir, files.liveAncient), ago(STALE_TEMP_MS + 60_000), ago(STALE_TEMP_MS + 60_000));
    utimesSync(join(dir, files.notOurs), ago(STALE_TEMP_MS * 10), ago(STALE_TEMP_MS * 10));

    await writeSidecar(join(dir, 'photo.jpg.xmp'), { rating: 3 });

    expect(existsSync(join(dir, files.deadOld))).toBe(false);
    expect(existsSync(join(dir, files.liveAncient))).toBe(false);
    for (const kept of [files.deadFresh, files.liveFresh, files.notOurs, files.notOursEither]) expect(existsSync(join(dir, kept)), kept).toBe(true);
    expect(readdirSync(dir).sort()).toEqual([files.deadFresh, files.liveFresh, files.notOurs, 'photo.jpg', 'photo.jpg.xmp', files.notOursEither].sort());
  });
});
