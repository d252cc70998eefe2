// The Library screen's state, as one class: collections, the grid's query and filters, the focus and selection, the loupe and compare, culling keys with undo, toasts and jobs.
import { untrack } from 'svelte';
import { SvelteSet } from 'svelte/reactivity';
import { call } from '../../lib/api';
import { CullHistory, touched, type HistoryEntry } from '../../lib/cull-history';
import { describeChange, isRatingAction, moveIndex, ratingChange, type CullAction, type CullChange, type RatingAction } from '../../lib/culling';
import { errorMessage } from '../../lib/handle-error';
import { PagedPhotos } from '../../lib/state/paged-photos.svelte';
import { router } from '../../lib/state/router.svelte';
import { LIBRARY_KINDS, type DatasetSummary, type MeasureKey, type PhotoFilter, type PhotoItem, type PhotoRatingFilter, type PhotoSort, type PhotoStats } from '../../../src-shared/api/schemas';

export type LibraryTool = 'none' | 'add' | 'xmp' | 'calibrate' | 'groups';
const LAST_COLLECTION = 'iqa.library.collection';
const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/** The grid's filters; `filter` is what the API takes (only the ones set). */
export class LibraryFilters {
  sort = $state<PhotoSort>('name');
  descending = $state(false);
  rating = $state<PhotoRatingFilter>('all');
  starsMin = $state('');
  /** Bound to number inputs: undefined when empty. */
  scoreMin = $state<number | undefined>();
  scoreMax = $state<number | undefined>();
  search = $state('');
  /** '' any; a colour; 'none' without a label. */
  color = $state<'' | NonNullable<PhotoFilter['color']>>('');
  /** The technical measure shown in the grid's captions and filtered on ('' = none). */
  measure = $state<'' | MeasureKey>('sharpness');
  measureMin = $state<number | undefined>();
  measureMax = $state<number | undefined>();
  camera = $state('');
  lens = $state('');
  isoMax = $state<number | undefined>();
  /** Bursts and near-duplicates shown as their best photo. */
  collapseGroups = $state(false);

  readonly filter = $derived<PhotoFilter>({
    rating: this.rating,
    ...(this.starsMin !== '' ? { starsMin: Number(this.starsMin) } : {}),
    ...(finite(this.scoreMin) ? { scoreMin: this.scoreMin } : {}),
    ...(finite(this.scoreMax) ? { scoreMax: this.scoreMax } : {}),
    ...(this.search.trim() ? { search: this.search.trim() } : {}),
    ...(this.color ? { color: this.color } : {}),
    ...(this.camera ? { camera: this.camera } : {}),
    ...(this.lens ? { lens: this.lens } : {}),
    ...(finite(this.isoMax) ? { isoMax: this.isoMax } : {}),
    ...(this.collapseGroups ? { collapseGroups: true } : {}),
    ...(this.measure && (finite(this.measureMin) || finite(this.measureMax))
      ? { measures: [{ key: this.measure, ...(finite(this.measureMin) ? { min: this.measureMin } : {}), ...(finite(this.measureMax) ? { max: this.measureMax } : {}) }] }
      : {}),
  });
  /** Any filter beyond 'all' (collapsed stacks are a view, not a filter). */
  readonly filtered = $derived(this.rating !== 'all' || Object.keys(this.filter).filter((k) => k !== 'collapseGroups').length > 1);

  clear(): void {
    this.rating = 'all';
    this.starsMin = '';
    this.color = '';
    this.scoreMin = this.scoreMax = this.measureMin = this.measureMax = this.isoMax = undefined;
    this.search = this.camera = this.lens = '';
  }
}

export class LibraryState {
  collections = $state.raw<DatasetSummary[]>([]);
  allNames = $state.raw<string[]>([]);
  stats = $state.raw<PhotoStats | null>(null);
  focusIndex = $state(0);
  columns = $state(1);
  loupeOpen = $state(false);
  /** Photos side by side (2-4), when the compare view is open. */
  compareIds = $state.raw<number[] | null>(null);
  autoAdvance = $state(true);
  tool = $state<LibraryTool>('none');
  /** The calibration sample and the loupe's place in it; `active` while the loupe walks it. */
  calib = $state<{ items: PhotoItem[]; index: number; active: boolean } | null>(null);
  loaded = $state(false);
  error = $state<string | null>(null);
  note = $state<string | null>(null);
  /** The brief message after a key changed something. */
  toast = $state<{ text: string; at: number } | null>(null);
  readonly selected = new SvelteSet<number>();
  readonly photos = new PagedPhotos();
  readonly filters = new LibraryFilters();
  readonly history = new CullHistory(500);
  /** Bumped on each history change, so the Undo button knows. */
  historyVersion = $state(0);

  readonly currentId = $derived(Number(router.params.get('id')) || this.remembered() || this.collections[0]?.id || null);
  readonly current = $derived(this.collections.find((c) => c.id === this.currentId) ?? null);
  readonly query = $derived({ datasetId: this.currentId ?? 0, sort: this.filters.sort, descending: this.filters.descending, ...this.filters.filter });

  readonly inSample = $derived(!!this.calib?.active && this.loupeOpen);
  readonly loupeCount = $derived(this.inSample ? this.calib!.items.length : this.photos.total);
  readonly loupeIndex = $derived(this.inSample ? this.calib!.index : this.focusIndex);
  readonly loupePhoto = $derived.by(() => {
    void this.photos.version;
    return this.inSample ? this.calib!.items[this.calib!.index] : this.photos.item(this.focusIndex);
  });
  readonly loupeNext = $derived.by(() => {
    void this.photos.version;
    return this.inSample ? this.calib!.items[this.calib!.index + 1] : this.photos.item(this.focusIndex + 1);
  });
  readonly sampleRated = $derived(this.calib ? this.calib.items.filter((p) => p.stars !== null && p.stars > 0).length : 0);

  /** The last collection shown, remembered across reloads (only while it still exists). */
  private remembered(): number | null {
    const id = Number(globalThis.localStorage?.getItem(LAST_COLLECTION));
    return id && this.collections.some((c) => c.id === id) ? id : null;
  }

  async loadCollections(): Promise<void> {
    try {
      const all = await call('datasets:list', {});
      this.allNames = all.map((d) => d.name);
      this.collections = all.filter((d) => LIBRARY_KINDS.includes(d.kind));
    } catch (e) {
      this.error = errorMessage(e);
    } finally {
      this.loaded = true;
    }
  }

  async loadStats(): Promise<void> {
    if (this.currentId === null) return;
    try {
      this.stats = await call('library:stats', { datasetId: this.currentId });
    } catch (e) {
      this.error = errorMessage(e);
    }
  }

  private statsTimer: ReturnType<typeof setTimeout> | undefined;
  statsSoon(): void {
    clearTimeout(this.statsTimer);
    this.statsTimer = setTimeout(() => void this.loadStats(), 400);
  }

  /** Loads the grid again with the same query (new scores, ratings read from sidecars), keeping the focus. */
  refresh(): void {
    if (this.currentId === null) return;
    this.photos.refresh();
    void this.loadStats();
  }

  /** Effects tying the query to the grid; call once from the component. */
  connect(): () => void {
    let shownFor: number | null = null;
    // Another collection starts unfiltered, unselected, without a sample and without history.
    $effect(() => {
      const id = this.currentId;
      if (id === null) return;
      untrack(() => {
        if (shownFor !== null && shownFor !== id) {
          this.filters.clear();
          this.calib = null;
          this.loupeOpen = false;
          this.compareIds = null;
          this.history.clear();
          this.historyVersion++;
        }
        shownFor = id;
        globalThis.localStorage?.setItem(LAST_COLLECTION, String(id));
        this.note = null;
        this.error = null;
        this.selected.clear();
        this.stats = null;
        void this.loadStats();
      });
    });
    $effect(() => {
      if (this.currentId === null) return;
      const q = this.query;
      untrack(() => {
        this.photos.reset(q);
        this.focusIndex = 0;
      });
    });
    // The focus stays on a photo when a query shrinks the list.
    $effect(() => {
      if (this.photos.loaded && this.focusIndex >= this.photos.total) this.focusIndex = Math.max(0, this.photos.total - 1);
    });
    return () => clearTimeout(this.statsTimer);
  }

  setAutoAdvance(v: boolean): void {
    this.autoAdvance = v;
    void call('settings:set', { key: 'library.autoAdvance', value: v }).catch(() => {});
  }

  /** Key actions run one after another, so a rating lands on the photo that was shown when its key was pressed. */
  private chain: Promise<void> = Promise.resolve();
  enqueue(action: CullAction, capsLock = false): void {
    this.chain = this.chain.then(() => this.perform(action, capsLock)).catch((e: unknown) => {
      this.error = errorMessage(e);
    });
  }

  focusAt(index: number): void {
    this.focusIndex = index;
    this.photos.ensure(index, index + 1);
  }

  say(text: string): void {
    this.toast = { text, at: Date.now() };
  }

  private async perform(action: CullAction, capsLock: boolean): Promise<void> {
    switch (action.kind) {
      case 'close':
        if (this.compareIds) this.compareIds = null;
        else if (this.loupeOpen) this.closeLoupe();
        else this.selected.clear();
        return;
      case 'loupe':
        if (this.loupeOpen) this.closeLoupe();
        else if (this.photos.total) this.loupeOpen = true;
        return;
      case 'compare':
        return this.toggleCompare();
      case 'undo':
      case 'redo':
        return this.undoRedo(action.kind);
      case 'group':
        return this.moveGroup(action.by);
      case 'zoom':
        return; // the loupe handles Z
    }
    if (isRatingAction(action)) return this.rate(action, capsLock);
    if (this.inSample) this.calib!.index = moveIndex(this.calib!.index, action, this.calib!.items.length);
    else this.focusAt(moveIndex(this.focusIndex, action, this.photos.total));
  }

  /** The photo a rating key acts on: the sample's in calibration, the compare view's focused one, else the focused one. */
  private target(): PhotoItem | undefined {
    return this.inSample ? this.calib!.items[this.calib!.index] : this.photos.item(this.focusIndex);
  }

  private async rate(action: RatingAction, capsLock: boolean, photo = this.target()): Promise<void> {
    if (!photo) return;
    const change = ratingChange(photo, action);
    if (change) {
      await this.apply(photo.id, change);
      this.history.push({ imageId: photo.id, name: photo.name, before: touched(photo, change), after: change });
      this.historyVersion++;
      this.say(describeChange(photo, change));
    }
    if (this.compareIds) return;
    if (this.inSample) {
      if (action.kind !== 'color') this.nextInSample();
    } else if (this.autoAdvance || capsLock) this.focusAt(moveIndex(this.focusIndex, { kind: 'move', by: 1 }, this.photos.total));
  }

  /** Rates a given photo (the compare view's), with undo and a toast. */
  ratePhoto(photo: PhotoItem, action: RatingAction): void {
    this.chain = this.chain.then(() => this.rate(action, false, photo)).catch((e: unknown) => {
      this.error = errorMessage(e);
    });
  }

  private async apply(imageId: number, change: CullChange): Promise<PhotoItem> {
    const updated = await call('library:rate', { imageId, ...change });
    this.photos.patch(updated);
    if (this.calib) this.calib.items = this.calib.items.map((p) => (p.id === updated.id ? updated : p));
    this.statsSoon();
    return updated;
  }

  private async undoRedo(kind: 'undo' | 'redo'): Promise<void> {
    const entry: HistoryEntry | null = kind === 'undo' ? this.history.undo() : this.history.redo();
    this.historyVersion++;
    if (!entry) return void this.say(kind === 'undo' ? 'Nothing to undo' : 'Nothing to redo');
    const updated = await this.apply(entry.imageId, kind === 'undo' ? entry.before : entry.after);
    this.say(`${kind === 'undo' ? 'Undo' : 'Redo'}: ${entry.name} · ${describeChange(updated, kind === 'undo' ? entry.before : entry.after)}`);
  }

  /** `.` and `,`: the first photo of the next or previous burst group among the loaded photos. */
  private moveGroup(by: -1 | 1): void {
    const here = this.photos.item(this.focusIndex)?.group?.no ?? null;
    for (let i = this.focusIndex + by; i >= 0 && i < this.photos.total; i += by) {
      const p = this.photos.item(i);
      if (!p) break;
      const g = p.group?.no ?? null;
      if (g !== null && g !== here) {
        // Going back lands on the group's first photo, not its last.
        let first = i;
        while (by < 0 && first > 0 && this.photos.item(first - 1)?.group?.no === g) first--;
        this.focusAt(first);
        return this.say(`Group ${g} of ${p.group!.size} photos`);
      }
    }
    this.say(by > 0 ? 'No later group' : 'No earlier group');
  }

  /** C: the selected photos (2-4), else the focused photo and its group or neighbours, side by side. */
  private toggleCompare(): void {
    if (this.compareIds) return void (this.compareIds = null);
    let ids = [...this.selected];
    if (ids.length < 2) {
      const here = this.photos.item(this.focusIndex);
      if (!here) return;
      ids = [here.id];
      for (let i = this.focusIndex + 1; ids.length < 4 && i < this.photos.total; i++) {
        const p = this.photos.item(i);
        if (!p || (here.group && p.group?.no !== here.group.no) || (!here.group && ids.length >= 2)) break;
        ids.push(p.id);
      }
    }
    if (ids.length < 2) return void this.say('Select 2-4 photos to compare');
    this.compareIds = ids.slice(0, 4);
  }

  /** A photo of the grid by id, looked for among the loaded ones near the focus (where compare takes its photos from). */
  loadedPhoto(id: number): PhotoItem | undefined {
    void this.photos.version;
    for (let d = 0; d < 200; d++) {
      for (const i of [this.focusIndex + d, this.focusIndex - d - 1]) {
        const p = this.photos.item(i);
        if (p?.id === id) return p;
      }
    }
    return undefined;
  }

  nextInSample(): void {
    const c = this.calib;
    if (!c) return;
    if (c.items.every((p) => p.stars !== null && p.stars > 0)) {
      this.closeLoupe();
      this.tool = 'calibrate';
      return;
    }
    c.index = moveIndex(c.index, { kind: 'move', by: 1 }, c.items.length);
  }

  closeLoupe(): void {
    this.loupeOpen = false;
    if (this.calib) this.calib.active = false;
  }

  /** A click on a tile: Shift extends the selection, Ctrl/Cmd toggles, a plain click selects nothing but the focus. */
  clickCell(index: number, e: MouseEvent): void {
    const item = this.photos.item(index);
    if (!item) return;
    if (e.shiftKey) {
      const [a, b] = index < this.focusIndex ? [index, this.focusIndex] : [this.focusIndex, index];
      for (let i = a; i <= b; i++) {
        const p = this.photos.item(i);
        if (p) this.selected.add(p.id);
      }
    } else if (e.ctrlKey || e.metaKey) {
      if (this.selected.has(item.id)) this.selected.delete(item.id);
      else this.selected.add(item.id);
    } else {
      this.selected.clear();
    }
    this.focusIndex = index;
  }

  async rateSample(size: number): Promise<void> {
    if (this.currentId === null) return;
    this.error = null;
    this.note = null;
    try {
      const keep = this.calib && this.calib.items.length && this.calib.items.some((p) => p.stars === null) ? this.calib : null;
      const items = keep?.items ?? (await call('library:sample', { datasetId: this.currentId, size, seed: Date.now() % 2 ** 31 }));
      const first = items.findIndex((p) => p.stars === null);
      this.calib = { items, index: Math.max(0, first), active: true };
      this.loupeOpen = true;
    } catch (e) {
      this.error = errorMessage(e);
    }
  }

  toggle(t: LibraryTool): void {
    this.tool = this.tool === t ? 'none' : t;
  }
}
