// Migration 9 is reserved for another branch (its number was handed out first); this no-op keeps the list contiguous until it lands, when the real one replaces this file.
import type { Migration } from './types';

export const migration0009: Migration = {
  version: 9,
  name: 'reserved',
  up: () => undefined,
};
