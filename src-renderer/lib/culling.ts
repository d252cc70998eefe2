// Culling keys (darktable/Lightroom style) as actions, and what a rating key changes on a photo; pure, so it is unit-tested without a browser.
import type { PhotoColor } from '../../src-shared/api/schemas';

export type CullAction =
  | { kind: 'stars'; stars: number }
  | { kind: 'reject' }
  | { kind: 'unreject' }
  | { kind: 'color'; color: PhotoColor }
  | { kind: 'move'; by: number }
  | { kind: 'first' }
  | { kind: 'last' }
  | { kind: 'loupe' }
  | { kind: 'close' };

export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
}

/** Lightroom's colour keys 6-9 and darktable's F1-F5. */
const COLOR_KEYS: Record<string, PhotoColor> = {
  '6': 'red', '7': 'yellow', '8': 'green', '9': 'blue',
  F1: 'red', F2: 'yellow', F3: 'green', F4: 'blue', F5: 'purple',
};

/** The action of a key press; `columns` is how far up/down moves (1 in the loupe). Modified keys stay the browser's. */
export function keyAction(e: KeyLike, columns: number): CullAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (/^[0-5]$/.test(e.key)) return { kind: 'stars', stars: Number(e.key) };
  const color = COLOR_KEYS[e.key];
  if (color) return { kind: 'color', color };
  switch (e.key) {
    case 'r':
    case 'R':
    case 'x':
    case 'X':
      return { kind: 'reject' };
    case 'p':
    case 'P':
    case 'u':
    case 'U':
      return { kind: 'unreject' };
    case 'ArrowRight':
    case 'j':
    case 'J':
      return { kind: 'move', by: 1 };
    case 'ArrowLeft':
    case 'k':
    case 'K':
      return { kind: 'move', by: -1 };
    case 'ArrowDown':
      return { kind: 'move', by: columns };
    case 'ArrowUp':
      return { kind: 'move', by: -columns };
    case 'Home':
      return { kind: 'first' };
    case 'End':
      return { kind: 'last' };
    case 'Enter':
    case ' ':
      return { kind: 'loupe' };
    case 'Escape':
      return { kind: 'close' };
    default:
      return null;
  }
}

export type RatingAction = Extract<CullAction, { kind: 'stars' | 'reject' | 'unreject' | 'color' }>;

export const isRatingAction = (a: CullAction): a is RatingAction => a.kind === 'stars' || a.kind === 'reject' || a.kind === 'unreject' || a.kind === 'color';

/**
 * What to store for a rating key: the current stars again un-rate (darktable), R/X reject, P/U clear the reject, a
 * colour key sets that label and the same one again clears it (both programs toggle). Predicted stars are not the
 * photographer's, so pressing their value rates rather than un-rates. Null: nothing changes.
 */
export function ratingChange(
  photo: { stars: number | null; rejected: boolean; color: PhotoColor | null },
  action: RatingAction,
): { stars?: number; rejected?: boolean; color?: PhotoColor | null } | null {
  if (action.kind === 'color') return { color: photo.color === action.color ? null : action.color };
  if (action.kind === 'reject') return photo.rejected ? null : { rejected: true };
  if (action.kind === 'unreject') return photo.rejected ? { rejected: false } : null;
  if (photo.stars === action.stars) return action.stars === 0 ? null : { stars: 0 };
  return { stars: action.stars };
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
