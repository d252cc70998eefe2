// Dashboard screenshots of a 10,000-image study with live votes at 1440×900 and 1024×700: `npx tsx bench/studies-shots.ts <out-dir>` (needs `npm run build`).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src-main/store/store';
import { launchBrowser } from '../tests/helpers/browser';
import { startServe } from '../tests/helpers/serve-process';

const outDir = process.argv[2] ?? '.';
const dataDir = await mkdtemp(join(tmpdir(), 'iqa-shots-'));
const store = openStore(join(dataDir, 'iqa.sqlite'));
const datasetId = store.datasets.create({ name: 'shots-10k', kind: 'folder' });
store.transaction(() => {
  for (let i = 0; i < 10_000; i++) store.datasets.addImage(datasetId, { path: `/nowhere/photo_${String(i).padStart(5, '0')}.jpg`, name: `photo_${String(i).padStart(5, '0')}.jpg` });
});
store.settings.set('demo.seeded', true);
store.settings.set('demo.synthetic.seeded', true);
store.close();
const serve = await startServe([], { dataDir });
const api = async <T>(channel: string, input: unknown): Promise<T> => {
  const res = await fetch(`${serve.url}api/${channel}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(input) });
  const env = (await res.json()) as { ok: boolean; result: T; error?: { message: string } };
  if (!env.ok) throw new Error(`${channel}: ${env.error?.message}`);
  return env.result;
};
try {
  const study = await api<{ id: number }>('studies:create', { name: 'Lab ACR 10k', datasetId, method: 'acr', pauseMs: 0 });
  for (let r = 0; r < 6; r++) {
    const { token } = await api<{ token: string }>('studies:addRater', { studyId: study.id, name: `rater-${r + 1}` });
    let s = await api<{ current: { itemId: number } | null }>('rate:session', { token });
    for (let k = 0; k < 40 + 15 * r && s.current; k++) s = await api('rate:submit', { token, itemId: s.current.itemId, value: 1 + ((s.current.itemId * (r + 3)) % 5), durationMs: 1500 + 97 * k });
  }
  const browser = await launchBrowser();
  const page = await browser.newPage();
  for (const [w, h] of [[1440, 900], [1024, 700]] as const) {
    await page.setViewportSize({ width: w, height: h });
    await page.goto(`${serve.openUrl}#/annotate?study=${study.id}`);
    await page.getByTestId('results-range').waitFor();
    await page.getByTestId('results-sort').selectOption('ci');
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(outDir, `studies-dashboard-${w}x${h}.png`) });
    await page.getByTestId('study-results').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(outDir, `studies-results-${w}x${h}.png`) });
  }
  await browser.close();
} finally {
  await serve.stop();
  await rm(dataDir, { recursive: true, force: true });
}
