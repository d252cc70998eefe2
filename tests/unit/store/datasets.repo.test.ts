// Dataset repository against a real SQLite file: create, list with counts, page, sort and filter images.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../../src-main/store/store';
import { tempDir } from '../../helpers/temp';

describe('datasets repo', () => {
  const store = openStore(join(tempDir(), 'repo.sqlite'));
  const repo = store.datasets;
  const id = repo.create({ name: 'tiny', kind: 'csv', labelKind: 'mos', scoreMin: 1, scoreMax: 5 });
  const ref = repo.addReference(id, 'ref1', '/data/ref1.png');
  const names = ['c.png', 'a.png', 'b_1.png', 'b%2.png'];
  const labels = [3.2, 4.5, null, 1.1];
  names.forEach((name, i) => {
    const imgId = repo.addImage(id, { path: `/data/${name}`, name, referenceId: ref, distortion: i % 2 ? 'blur' : 'jpeg', level: i + 1 });
    if (labels[i] !== null) repo.setLabel(imgId, labels[i]!, 'imported', 0.3, 20);
  });

  it('lists datasets with image, reference and label counts', () => {
    const [d] = repo.list();
    expect(d).toMatchObject({ name: 'tiny', imageCount: 4, referenceCount: 1, labelledCount: 3, labelKind: 'mos', direction: 'higher_better' });
  });

  it('sorts by label with unlabelled images last, both directions', () => {
    const asc = repo.listImages({ datasetId: id, offset: 0, limit: 10, sort: 'label', descending: false });
    expect(asc.items.map((i) => i.label)).toEqual([1.1, 3.2, 4.5, null]);
    const desc = repo.listImages({ datasetId: id, offset: 0, limit: 10, sort: 'label', descending: true });
    expect(desc.items.map((i) => i.label)).toEqual([4.5, 3.2, 1.1, null]);
  });

  it('pages with a stable total', () => {
    const p1 = repo.listImages({ datasetId: id, offset: 0, limit: 3, sort: 'name', descending: false });
    const p2 = repo.listImages({ datasetId: id, offset: 3, limit: 3, sort: 'name', descending: false });
    expect(p1.total).toBe(4);
    expect([...p1.items, ...p2.items].map((i) => i.name)).toEqual(['a.png', 'b%2.png', 'b_1.png', 'c.png']);
  });

  it('filters by distortion and by a literal name fragment (LIKE wildcards escaped)', () => {
    expect(repo.listImages({ datasetId: id, offset: 0, limit: 10, sort: 'name', descending: false, distortion: 'blur' }).total).toBe(2);
    const pct = repo.listImages({ datasetId: id, offset: 0, limit: 10, sort: 'name', descending: false, search: '%' });
    expect(pct.items.map((i) => i.name)).toEqual(['b%2.png']);
    const us = repo.listImages({ datasetId: id, offset: 0, limit: 10, sort: 'name', descending: false, search: 'b_' });
    expect(us.items.map((i) => i.name)).toEqual(['b_1.png']);
  });

  it('returns one image with its reference and label', () => {
    const first = repo.listImages({ datasetId: id, offset: 0, limit: 1, sort: 'name', descending: false }).items[0]!;
    expect(repo.getImage(first.id)).toMatchObject({ name: 'a.png', referenceName: 'ref1', label: 4.5, labelStd: 0.3 });
    expect(repo.getImage(99999)).toBeUndefined();
  });

  it('never reuses the id of a deleted dataset, not even the highest one', () => {
    const doomed = repo.create({ name: 'doomed', kind: 'folder' });
    expect(repo.delete(doomed)).toBe(true);
    const next = repo.create({ name: 'next', kind: 'folder' });
    expect(next).toBeGreaterThan(doomed);
    expect(repo.get(doomed)).toBeFalsy();
  });
});
