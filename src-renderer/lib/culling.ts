// Culling keys (Lightroom/darktable style) as actions, what a rating key changes on a photo and how to say it; pure, so it is unit-tested without a browser.
import type { PhotoColor } from '../../src-shared/api/schemas';

export type CullAction =
  | { kind: 'stars'; stars: number }
  /** `[` and `]`: one star less or more. */
  | { kind: 'starStep'; by: -1 | 1 }
  | { kind: 'pick' }
  | { kind: 'reject' }
  | { kind: 'unflag' }
  | { kind: 'color'; color: PhotoColor }
  | { kind: 'undo' }
  | { kind: 'redo' }
  | { kind: 'move'; by: number }
  | { kind: 'group'; by: -1 | 1 }
  | { kind: 'first' }
  | { kind: 'last' }
  | { kind: 'loupe' }
  | { kind: 'zoom' }
  | { kind: 'compare' }
  | { kind: 'close' };

export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  shiftKey?: boolean;
}

/** Lightroom's colour keys 6-9 and darktable's F1-F5. */
const COLOR_KEYS: Record<string, PhotoColor> = {
  '6': 'red', '7': 'yellow', '8': 'green', '9': 'blue',
  F1: 'red', F2: 'yellow', F3: 'green', F4: 'blue', F5: 'purple',
};

const PLAIN_KEYS: Record<string, CullAction> = {
  p: { kind: 'pick' },
  x: { kind: 'reject' },
  r: { kind: 'reject' },
  u: { kind: 'unflag' },
  '[': { kind: 'starStep', by: -1 },
  ']': { kind: 'starStep', by: 1 },
  ',': { kind: 'group', by: -1 },
  '.': { kind: 'group', by: 1 },
  z: { kind: 'zoom' },
  c: { kind: 'compare' },
  j: { kind: 'move', by: 1 },
  k: { kind: 'move', by: -1 },
  ArrowRight: { kind: 'move', by: 1 },
  ArrowLeft: { kind: 'move', by: -1 },
  Home: { kind: 'first' },
  End: { kind: 'last' },
  Enter: { kind: 'loupe' },
  ' ': { kind: 'loupe' },
  Escape: { kind: 'close' },
};

/** The action of a key press; `columns` is how far up/down moves (1 in the loupe). Ctrl/Cmd+Z undo, with Shift (or Ctrl+Y) redo; other modified keys stay the browser's. */
export function keyAction(e: KeyLike, columns: number): CullAction | null {
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (e.ctrlKey || e.metaKey) {
    if (e.altKey) return null;
    if (key === 'z') return e.shiftKey ? { kind: 'redo' } : { kind: 'undo' };
    if (key === 'y' && !e.shiftKey) return { kind: 'redo' };
    return null;
  }
  if (e.altKey) return null;
  if (/^[0-5]$/.test(key)) return { kind: 'stars', stars: Number(key) };
  const color = COLOR_KEYS[key];
  if (color) return { kind: 'color', color };
  if (key === 'ArrowDown') return { kind: 'move', by: columns };
  if (key === 'ArrowUp') return { kind: 'move', by: -columns };
  return PLAIN_KEYS[key] ?? null;
}

export type RatingAction = Extract<CullAction, { kind: 'stars' | 'starStep' | 'pick' | 'reject' | 'unflag' | 'color' }>;

export const isRatingAction = (a: CullAction): a is RatingAction =>
  a.kind === 'stars' || a.kind === 'starStep' || a.kind === 'pick' || a.kind === 'reject' || a.kind === 'unflag' || a.kind === 'color';

/** What a photo's culling state is made of: what undo restores. */
export interface CullState {
  stars: number | null;
  rejected: boolean;
  picked: boolean;
  color: PhotoColor | null;
}
export type CullChange = Partial<CullState>;

/**
 * What to store for a rating key: the current stars again un-rate (darktable), P picks, X/R reject, U unflags (one flag
 * at a time, as in Lightroom), `[`/`]` a star less or more, a colour key sets that label and the same one again clears it.
 * Predicted stars are not the photographer's, so pressing their value rates rather than un-rates. Null: nothing changes.
 */
export function ratingChange(photo: CullState, action: RatingAction): CullChange | null {
  switch (action.kind) {
    case 'color':
      return { color: photo.color === action.color ? null : action.color };
    case 'pick':
      return photo.picked ? null : { picked: true, rejected: false };
    case 'reject':
      return photo.rejected ? null : { rejected: true, picked: false };
    case 'unflag':
      return photo.rejected || photo.picked ? { rejected: false, picked: false } : null;
    case 'starStep': {
      const stars = Math.max(0, Math.min(5, (photo.stars ?? 0) + action.by));
      return stars === (photo.stars ?? 0) && photo.stars !== null ? null : { stars };
    }
    case 'stars':
      if (photo.stars === action.stars) return action.stars === 0 ? null : { stars: 0 };
      return { stars: action.stars };
  }
}

/** The toast for a change: "3 stars", "Rating cleared", "Picked", "Red label"… */
export function describeChange(before: CullState, change: CullChange): string {
  const parts: string[] = [];
  if (change.stars !== undefined) {
    parts.push(change.stars === null ? 'Not rated' : change.stars === 0 ? (before.stars ? `Rating cleared (was ${starString(before.stars)})` : 'No stars') : `${starString(change.stars)} ${change.stars} star${change.stars === 1 ? '' : 's'}`);
  }
  if (change.picked === true) parts.push('Picked');
  else if (change.rejected === true) parts.push('Rejected');
  else if ((change.picked === false && before.picked) || (change.rejected === false && before.rejected)) parts.push('Unflagged');
  if (change.color !== undefined) parts.push(change.color === null ? 'Colour label cleared' : `${change.color[0]!.toUpperCase()}${change.color.slice(1)} label`);
  return parts.join(' · ');
}

/** The index a move lands on, kept inside [0, count). */
export function moveIndex(index: number, action: CullAction, count: number): number {
  if (count <= 0) return 0;
  const target = action.kind === 'move' ? index + action.by : action.kind === 'first' ? 0 : action.kind === 'last' ? count - 1 : index;
  return Math.max(0, Math.min(count - 1, target));
}

/** ★★★☆☆ for 3 of 5; an empty string when there is nothing to show. */
export function starString(stars: number | null): string {
  return stars === null ? '' : '★'.repeat(stars) + '☆'.repeat(5 - stars);
}
