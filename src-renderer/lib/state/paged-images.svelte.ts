// Images of one dataset query, fetched page by page as the grid scrolls to them, so 100,000 items stay cheap.
import type { InputOf } from '../../../src-shared/api/contract';
import type { ImageItem } from '../../../src-shared/api/schemas';
import { call } from '../api';

export type ImageQuery = Omit<InputOf<'images:list'>, 'offset' | 'limit'>;

export const PAGE_SIZE = 200;
/** Requests in flight at once; the rest wait and are dropped if the grid has scrolled past them meanwhile. */
const MAX_IN_FLIGHT = 2;

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
  /** The pages the grid shows now (first, last): only these are fetched, so a fast scroll does not queue every page it flew past. */
  #wanted: [number, number] = [0, 0];
  #inFlight = 0;

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
    this.#wanted = [0, 0];
    this.#pump();
  }

  item(index: number): ImageItem | undefined {
    return this.#pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
  }

  /** Makes sure the pages covering [start, end] are loaded or loading. */
  ensure(start: number, end: number): void {
    this.#wanted = [Math.floor(Math.max(0, start) / PAGE_SIZE), Math.floor(Math.max(0, end) / PAGE_SIZE)];
    this.#pump();
  }

  /** Starts fetches for wanted pages that are neither loaded nor loading, up to MAX_IN_FLIGHT at once. */
  #pump(): void {
    const [first, last] = this.#wanted;
    for (let p = first; p <= last && this.#inFlight < MAX_IN_FLIGHT; p++) {
      if (!this.#pages.has(p) && !this.#pending.has(p)) void this.#fetch(p);
    }
  }

  async #fetch(page: number): Promise<void> {
    const generation = this.#generation;
    this.#pending.add(page);
    this.#inFlight++;
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
      this.#inFlight--;
      this.#pump();
    }
  }
}
