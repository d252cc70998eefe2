// A library collection's photos for one query, fetched page by page as the grid or the keyboard reaches them; ratings patch the loaded copy in place.
import type { InputOf } from '../../../src-shared/api/contract';
import type { PhotoItem } from '../../../src-shared/api/schemas';
import { call } from '../api';
import { PagedList } from './paged-list.svelte';

export type PhotoQuery = Omit<InputOf<'library:list'>, 'offset' | 'limit'>;

export class PagedPhotos extends PagedList<PhotoItem, PhotoQuery> {
  constructor() {
    super((q, range) => call('library:list', { ...q, ...range }), null, { keepTotalOnReset: true });
  }

  /** Replaces a loaded photo by a newer copy (after a rating); it keeps its place until the next reset. */
  patch(photo: PhotoItem): void {
    this.replace((p) => p.id === photo.id, photo);
  }
}
