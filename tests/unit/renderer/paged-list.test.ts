// PagedList: pages fetched as wanted, answers to an old query dropped, and a refresh that never empties the view.
import { describe, expect, it } from 'vitest';
import { PAGE_SIZE, PagedList, type Page } from '../../../src-renderer/lib/state/paged-list.svelte';

interface Call {
  query: string;
  offset: number;
  answer: (page: Page<string>) => void;
}

/** A fetcher whose answers the test releases one by one. */
function controlledFetch() {
  const calls: Call[] = [];
  const fetch = (query: string, range: { offset: number; limit: number }) =>
    new Promise<Page<string>>((answer) => calls.push({ query, offset: range.offset, answer }));
  return { calls, fetch };
}

const items = (tag: string, offset: number, n: number) => Array.from({ length: n }, (_, i) => `${tag}${offset + i}`);
const settle = () => new Promise((ok) => setTimeout(ok, 0));

describe('PagedList', () => {
  it('fetches the first page at a reset and the pages the grid asks for, at most two at a time', async () => {
    const { calls, fetch } = controlledFetch();
    const list = new PagedList<string, string>(fetch);
    list.reset('q');
    expect(calls.map((c) => c.offset)).toEqual([0]);
    calls[0]!.answer({ items: items('a', 0, PAGE_SIZE), total: 1000 });
    await settle();
    expect(list.total).toBe(1000);
    expect(list.item(5)).toBe('a5');
    list.ensure(PAGE_SIZE, 4 * PAGE_SIZE);
    expect(calls.map((c) => c.offset)).toEqual([0, PAGE_SIZE, 2 * PAGE_SIZE]);
  });

  it('drops the answer to a query that a reset replaced, and empties the view at a reset', async () => {
    const { calls, fetch } = controlledFetch();
    const list = new PagedList<string, string>(fetch);
    list.reset('old');
    calls[0]!.answer({ items: items('o', 0, 10), total: 10 });
    await settle();
    list.ensure(0);
    list.reset('new');
    expect(list.total).toBe(0);
    expect(list.item(0)).toBeUndefined();
    calls[1]!.answer({ items: items('n', 0, 3), total: 3 });
    await settle();
    expect(list.item(0)).toBe('n0');
    expect(list.total).toBe(3);
  });

  it('keeps showing the old items and total while a refresh reloads, then shows the fresh ones', async () => {
    const { calls, fetch } = controlledFetch();
    const list = new PagedList<string, string>(fetch);
    list.reset('q');
    calls[0]!.answer({ items: items('a', 0, PAGE_SIZE), total: 250 });
    await settle();
    list.ensure(0, PAGE_SIZE);
    calls[1]!.answer({ items: items('a', PAGE_SIZE, 50), total: 250 });
    await settle();

    const versionBefore = list.version;
    list.refresh();
    // Both wanted pages are fetched again, with the same query; meanwhile nothing disappears.
    expect(calls.slice(2).map((c) => [c.query, c.offset])).toEqual([['q', 0], ['q', PAGE_SIZE]]);
    expect(list.total).toBe(250);
    expect(list.loaded).toBe(true);
    expect(list.item(3)).toBe('a3');
    expect(list.item(PAGE_SIZE + 1)).toBe(`a${PAGE_SIZE + 1}`);

    calls[2]!.answer({ items: items('b', 0, PAGE_SIZE), total: 250 });
    await settle();
    expect(list.version).toBeGreaterThan(versionBefore);
    expect(list.item(3)).toBe('b3');
    expect(list.item(PAGE_SIZE + 1)).toBe(`a${PAGE_SIZE + 1}`);
    calls[3]!.answer({ items: items('b', PAGE_SIZE, 50), total: 250 });
    await settle();
    expect(list.item(PAGE_SIZE + 1)).toBe(`b${PAGE_SIZE + 1}`);
  });

  it('answers to the query before a refresh are dropped; a reset after a refresh empties the view', async () => {
    const { calls, fetch } = controlledFetch();
    const list = new PagedList<string, string>(fetch);
    list.reset('q');
    list.refresh();
    calls[0]!.answer({ items: items('stale', 0, 5), total: 5 });
    calls[1]!.answer({ items: items('fresh', 0, 5), total: 5 });
    await settle();
    expect(list.item(0)).toBe('fresh0');
    list.reset('other');
    expect(list.item(0)).toBeUndefined();
    expect(list.total).toBe(0);
  });

  it('updates the loaded items in place by key, without moving, adding or dropping any', async () => {
    const calls: { offset: number; answer: (p: Page<{ id: number; score: number | null }>) => void }[] = [];
    const list = new PagedList<{ id: number; score: number | null }, string>(
      (_q, range) => new Promise((answer) => calls.push({ offset: range.offset, answer })),
    );
    list.reset('by score');
    calls[0]!.answer({ items: [1, 2, 3].map((id) => ({ id, score: null })), total: 3 });
    await settle();
    const version = list.version;
    const done = list.refreshInPlace((i) => i.id);
    // The fresh answer has another order and an item the view never had: only 1 and 3 change, in their places.
    calls[1]!.answer({ items: [{ id: 3, score: 0.9 }, { id: 4, score: 0.8 }, { id: 1, score: 0.1 }], total: 4 });
    await done;
    expect([0, 1, 2].map((i) => list.item(i))).toEqual([{ id: 1, score: 0.1 }, { id: 2, score: null }, { id: 3, score: 0.9 }]);
    expect(list.total).toBe(3);
    expect(list.version).toBeGreaterThan(version);

    // An answer that arrives after a reset is dropped.
    const late = list.refreshInPlace((i) => i.id);
    list.reset('other');
    calls[2]!.answer({ items: [{ id: 1, score: 5 }], total: 1 });
    await late;
    expect(list.item(0)).toBeUndefined();
  });
});
