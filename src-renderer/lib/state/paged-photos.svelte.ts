// A library collection's photos for one query, fetched page by page as the grid or the keyboard reaches them; ratings patch the loaded copy in place.
import type { InputOf } from '../../../src-shared/api/contract';
import type { PhotoItem } from '../../../src-shared/api/schemas';
import { call } from '../api';

export type PhotoQuery = Omit<InputOf<'library:list'>, 'offset' | 'limit'>;

export const PAGE_SIZE = 200;
/** Requests in flight at once; pages the grid has left behind meanwhile are not fetched. */
const MAX_IN_FLIGHT = 2;
const pageOf = (index: number) => Math.floor(Math.max(0, index) / PAGE_SIZE);

export class PagedPhotos {
  total = $state(0);
  loaded = $state(false);
  error = $state<string | null>(null);
  /** Bumped whenever a page arrives or a photo changes, so views that read items re-render. */
  version = $state(0);
  #pages = new Map<number, PhotoItem[]>();
  #pending = new Set<number>();
  #query: PhotoQuery | null = null;
  #generation = 0;
  /** First and last page the grid or the keyboard needs now. */
  #wanted: [number, number] = [0, 0];
  #inFlight = 0;

  /** Starts over with a new query; answers to the old one are dropped. */
  reset(query: PhotoQuery): void {
    this.#query = query;
    this.#generation++;
    this.#pages.clear();
    this.#pending.clear();
    this.#inFlight = 0;
    this.loaded = false;
    this.error = null;
    this.version++;
    this.#wanted = [0, 0];
    this.#pump();
  }

  item(index: number): PhotoItem | undefined {
    return this.#pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
  }

  /** Asks for the pages covering [start, end]; they load (at most two at a time) unless a later call wants others. */
  ensure(start: number, end: number = start): void {
    this.#wanted = [pageOf(start), pageOf(end)];
    this.#pump();
  }

  /** Replaces a loaded photo by a newer copy (after a rating); it keeps its place until the next reset. */
  patch(photo: PhotoItem): void {
    for (const page of this.#pages.values()) {
      const i = page.findIndex((p) => p.id === photo.id);
      if (i >= 0) {
        page[i] = photo;
        this.version++;
        return;
      }
    }
  }

  #pump(): void {
    const [first, last] = this.#wanted;
    for (let p = first; p <= last && this.#inFlight < MAX_IN_FLIGHT; p++) {
      if (!this.#pages.has(p) && !this.#pending.has(p)) void this.#fetch(p);
    }
  }

  async #fetch(page: number): Promise<void> {
    const query = this.#query;
    if (!query) return;
    const generation = this.#generation;
    this.#pending.add(page);
    this.#inFlight++;
    try {
      const res = await call('library:list', { ...query, offset: page * PAGE_SIZE, limit: PAGE_SIZE });
      if (generation !== this.#generation) return;
      this.#pages.set(page, res.items);
      this.total = res.total;
      this.loaded = true;
      this.version++;
    } catch (e) {
      if (generation === this.#generation) this.error = e instanceof Error ? e.message : String(e);
    } finally {
      if (generation === this.#generation) {
        this.#pending.delete(page);
        this.#inFlight--;
        this.#pump();
      }
    }
  }
}
