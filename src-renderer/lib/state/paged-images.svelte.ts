// Images of one dataset query, fetched page by page as the grid scrolls to them, so 100,000 items stay cheap.
import type { InputOf } from '../../../src-shared/api/contract';
import type { ImageItem } from '../../../src-shared/api/schemas';
import { call } from '../api';
import { PagedList } from './paged-list.svelte';

export type ImageQuery = Omit<InputOf<'images:list'>, 'offset' | 'limit'>;

export class PagedImages extends PagedList<ImageItem, ImageQuery> {
  constructor(query: ImageQuery) {
    super((q, range) => call('images:list', { ...q, ...range }), query, { staleHoldSlots: true });
  }
}
