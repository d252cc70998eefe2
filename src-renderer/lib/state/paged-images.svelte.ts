// Images of one dataset query, fetched page by page as the grid scrolls to them, so 100,000 items stay cheap.
import type { InputOf } from '../../../src-shared/api/contract';
import type { ImageItem } from '../../../src-shared/api/schemas';
import { call } from '../api';

export type ImageQuery = Omit<InputOf<'images:list'>, 'offset' | 'limit'>;

export const PAGE_SIZE = 200;

export class PagedImages {
  total = $state(0);
  loaded = $state(false);
  error = $state<string | null>(null);
  /** Bumped whenever a page arrives, so views that read items re-render. */
  version = $state(0);
  #pages = new Map<number, ImageItem[]>();
  #pending = new Set<number>();
  #query: ImageQuery;
  #generation = 0;

  constructor(query: ImageQuery) {
    this.#query = query;
  }

  /** Starts over with a new query; answers to the old one are dropped. */
  reset(query: ImageQuery): void {
    this.#query = query;
    this.#generation++;
    this.#pages.clear();
    this.#pending.clear();
    this.loaded = false;
    this.error = null;
    this.total = 0;
    this.version++;
    void this.#fetch(0);
  }

  item(index: number): ImageItem | undefined {
    return this.#pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
  }

  /** Makes sure the pages covering [start, end] are loaded or loading. */
  ensure(start: number, end: number): void {
    const first = Math.floor(Math.max(0, start) / PAGE_SIZE);
    const last = Math.floor(Math.max(0, end) / PAGE_SIZE);
    for (let p = first; p <= last; p++) void this.#fetch(p);
  }

  async #fetch(page: number): Promise<void> {
    if (this.#pages.has(page) || this.#pending.has(page)) return;
    const generation = this.#generation;
    this.#pending.add(page);
    try {
      const res = await call('images:list', { ...this.#query, offset: page * PAGE_SIZE, limit: PAGE_SIZE });
      if (generation !== this.#generation) return;
      this.#pages.set(page, res.items);
      this.total = res.total;
      this.loaded = true;
      this.version++;
    } catch (e) {
      if (generation === this.#generation) this.error = e instanceof Error ? e.message : String(e);
    } finally {
      if (generation === this.#generation) this.#pending.delete(page);
    }
  }
}
