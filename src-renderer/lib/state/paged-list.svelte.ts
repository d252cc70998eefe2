// A long list fetched page by page (200 items a page) as a grid or the keyboard reaches it: only the pages wanted now are fetched, at most two at a time.
export const PAGE_SIZE = 200;
/** Requests in flight at once; pages the grid has left behind meanwhile are not fetched. */
const MAX_IN_FLIGHT = 2;
const pageOf = (index: number) => Math.floor(Math.max(0, index) / PAGE_SIZE);

/** One page of a query's answer and the query's total. */
export interface Page<T> {
  items: T[];
  total: number;
}
export type FetchPage<T, Q> = (query: Q, range: { offset: number; limit: number }) => Promise<Page<T>>;

/** What a grid reads of a paged list. */
export interface PagedSource<T> {
  readonly total: number;
  /** Read to re-render when pages arrive or items change. */
  readonly version: number;
  item(index: number): T | undefined;
  ensure(start: number, end?: number): void;
}

export interface PagedListOptions {
  /** Keep the old total while a reset reloads, so the grid keeps its size and scroll (default: back to 0). */
  keepTotalOnReset?: boolean;
  /** Requests of an earlier query keep their slots until they answer, so no more than MAX_IN_FLIGHT are ever out (default: a reset frees the slots at once). */
  staleHoldSlots?: boolean;
}

export class PagedList<T, Q> implements PagedSource<T> {
  total = $state(0);
  loaded = $state(false);
  error = $state<string | null>(null);
  /** Bumped whenever a page arrives or an item changes, so views that read items re-render. */
  version = $state(0);
  #pages = new Map<number, T[]>();
  /** Pages of the same query from before a refresh, shown until their fresh copies arrive. */
  #stale = new Map<number, T[]>();
  #pending = new Set<number>();
  #fetchPage: FetchPage<T, Q>;
  #query: Q | null;
  #options: PagedListOptions;
  #generation = 0;
  /** First and last page the grid or the keyboard needs now. */
  #wanted: [number, number] = [0, 0];
  #inFlight = 0;

  constructor(fetchPage: FetchPage<T, Q>, query: Q | null = null, options: PagedListOptions = {}) {
    this.#fetchPage = fetchPage;
    this.#query = query;
    this.#options = options;
  }

  /** Starts over with a new query; answers to the old one are dropped. */
  reset(query: Q): void {
    this.#query = query;
    this.#generation++;
    this.#pages.clear();
    this.#stale.clear();
    this.#pending.clear();
    if (!this.#options.staleHoldSlots) this.#inFlight = 0;
    this.loaded = false;
    this.error = null;
    if (!this.#options.keepTotalOnReset) this.total = 0;
    this.version++;
    this.#wanted = [0, 0];
    this.#pump();
  }

  /**
   * Fetches the same query again (new scores, new ratings) without emptying the view: the items shown stay, with
   * the total and the wanted pages, until each page's fresh copy replaces them.
   */
  refresh(): void {
    if (this.#query === null) return;
    this.#generation++;
    for (const [page, items] of this.#pages) this.#stale.set(page, items);
    this.#pages.clear();
    this.#pending.clear();
    if (!this.#options.staleHoldSlots) this.#inFlight = 0;
    this.error = null;
    this.#pump();
  }

  /**
   * Fetches the wanted pages that are loaded again and swaps in the fresh copy of each item they still hold (matched
   * by `key`), in place: nothing moves, appears or goes, so a grid being culled stays put while values fill in.
   */
  async refreshInPlace(key: (item: T) => unknown): Promise<void> {
    const query = this.#query;
    if (query === null) return;
    const generation = this.#generation;
    const [first, last] = this.#wanted;
    for (let p = first; p <= last; p++) {
      const page = this.#pages.get(p);
      if (!page) continue;
      let res: Page<T>;
      try {
        res = await this.#fetchPage(query, { offset: p * PAGE_SIZE, limit: PAGE_SIZE });
      } catch {
        return; // a missed in-place update is made good by the next refresh
      }
      if (generation !== this.#generation || this.#pages.get(p) !== page) return;
      const fresh = new Map(res.items.map((item) => [key(item), item]));
      let changed = false;
      page.forEach((item, i) => {
        const next = fresh.get(key(item));
        if (next !== undefined) {
          page[i] = next;
          changed = true;
        }
      });
      if (changed) this.version++;
    }
  }

  item(index: number): T | undefined {
    const page = Math.floor(index / PAGE_SIZE);
    return (this.#pages.get(page) ?? this.#stale.get(page))?.[index % PAGE_SIZE];
  }

  /** Asks for the pages covering [start, end]; they load (at most two at a time) unless a later call wants others. */
  ensure(start: number, end: number = start): void {
    this.#wanted = [pageOf(start), pageOf(end)];
    this.#pump();
  }

  /** Replaces the first loaded item that `matches` by `next`; it keeps its place until the next reset. */
  replace(matches: (item: T) => boolean, next: T): void {
    for (const page of [...this.#pages.values(), ...this.#stale.values()]) {
      const i = page.findIndex(matches);
      if (i >= 0) {
        page[i] = next;
        this.version++;
        return;
      }
    }
  }

  /** Starts fetches for wanted pages that are neither loaded nor loading, up to MAX_IN_FLIGHT at once. */
  #pump(): void {
    const [first, last] = this.#wanted;
    for (let p = first; p <= last && this.#inFlight < MAX_IN_FLIGHT; p++) {
      if (!this.#pages.has(p) && !this.#pending.has(p)) void this.#fetch(p);
    }
  }

  async #fetch(page: number): Promise<void> {
    const query = this.#query;
    if (query === null) return;
    const generation = this.#generation;
    this.#pending.add(page);
    this.#inFlight++;
    try {
      const res = await this.#fetchPage(query, { offset: page * PAGE_SIZE, limit: PAGE_SIZE });
      if (generation !== this.#generation) return;
      this.#pages.set(page, res.items);
      this.#stale.delete(page);
      this.total = res.total;
      this.loaded = true;
      this.version++;
    } catch (e) {
      if (generation === this.#generation) this.error = e instanceof Error ? e.message : String(e);
    } finally {
      const current = generation === this.#generation;
      if (current) this.#pending.delete(page);
      if (current || this.#options.staleHoldSlots) {
        this.#inFlight--;
        this.#pump();
      }
    }
  }
}
