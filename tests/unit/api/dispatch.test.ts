// The dispatcher both shells call: real services over a real store, and a clear error for every bad request.
import { afterAll, describe, expect, it } from 'vitest';
import type { AppInfo, DatasetSummary, ImagePage } from '../../../src-shared/api/schemas';
import { MIGRATIONS } from '../../../src-main/store/migrations';
import { testRuntime } from '../../helpers/runtime';

const rt = await testRuntime();
afterAll(() => rt.close());

describe('dispatch', () => {
  it('answers app:info with the database, schema and tensor backend', async () => {
    const res = await rt.invoke('app:info', {});
    expect(res.ok).toBe(true);
    const info = (res as { result: AppInfo }).result;
    expect(info.databasePath).toMatch(/iqa\.sqlite$/);
    expect(info.schemaVersion).toBe(MIGRATIONS.at(-1)!.version);
    expect(info.backend?.name).toBe('cpu');
    expect(info.versions['better-sqlite3']).toMatch(/^\d+\./);
  });

  it('lists the seeded demo dataset and pages its images', async () => {
    const list = await rt.invoke('datasets:list', {});
    const demo = (list as { result: DatasetSummary[] }).result.find((d) => d.kind === 'demo')!;
    expect(demo.imageCount).toBe(6);
    const page = (await rt.invoke('images:list', { datasetId: demo.id, limit: 4 })) as { result: ImagePage };
    expect(page.result.total).toBe(6);
    expect(page.result.items).toHaveLength(4);
    expect(page.result.items[0]).toMatchObject({ name: 'alpaca.jpg', format: 'jpeg', error: null });
    expect(page.result.items[0]!.width).toBeGreaterThan(100);
  });

  it('round-trips a setting', async () => {
    expect((await rt.invoke('settings:set', { key: 'ui.theme', value: { dark: true } })).ok).toBe(true);
    expect(await rt.invoke('settings:get', { key: 'ui.theme' })).toEqual({ ok: true, result: { dark: true } });
  });

  it.each([
    ['unknown channel', 'datasets:drop', {}, 'not_found', /Unknown API channel/],
    ['missing field', 'datasets:get', {}, 'validation', /id: Invalid input/],
    ['wrong type', 'datasets:get', { id: '1' }, 'validation', /expected number/],
    ['negative id', 'images:get', { id: -3 }, 'validation', /id:/],
    ['extra field', 'app:info', { sneaky: 1 }, 'validation', /Unrecognized key/],
    ['limit too big', 'images:list', { datasetId: 1, limit: 100000 }, 'validation', /limit/],
    ['unknown setting', 'settings:set', { key: 'evil', value: 1 }, 'validation', /key/],
    ['non-object input', 'datasets:list', 'hello', 'validation', /expected object/],
    ['missing dataset', 'datasets:get', { id: 424242 }, 'not_found', /No dataset with id 424242/],
  ])('%s gives a clear %s error', async (_name, channel, input, code, message) => {
    const res = await rt.invoke(channel, input);
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(res.error.code).toBe(code);
      expect(res.error.message).toMatch(message);
    }
  });
});
