// Migration 10 is reserved for another branch (its number was handed out first); this no-op keeps the list contiguous until it lands, when the real one replaces this file.
import type { Migration } from './types';

export const migration0010: Migration = {
  version: 10,
  name: 'reserved',
  up: () => {},
};
