// Culling keys: darktable/Lightroom keys to actions, un-rating with the same stars, reject and clear, moves kept in range.
import { describe, expect, it } from 'vitest';
import { keyAction, moveIndex, ratingChange, starString } from '../../../src-renderer/lib/culling';

describe('keyAction', () => {
  it('maps stars, reject, clear, moves and the loupe', () => {
    expect(['0', '3', '5'].map((key) => keyAction({ key }, 4))).toEqual([0, 3, 5].map((stars) => ({ kind: 'stars', stars })));
    expect(keyAction({ key: 'F6' }, 4)).toBeNull();
    for (const key of ['r', 'R', 'x', 'X']) expect(keyAction({ key }, 4)).toEqual({ kind: 'reject' });
    for (const key of ['p', 'P', 'u']) expect(keyAction({ key }, 4)).toEqual({ kind: 'unreject' });
    expect(keyAction({ key: 'ArrowRight' }, 4)).toEqual({ kind: 'move', by: 1 });
    expect(keyAction({ key: 'j' }, 4)).toEqual({ kind: 'move', by: 1 });
    expect(keyAction({ key: 'K' }, 4)).toEqual({ kind: 'move', by: -1 });
    expect(keyAction({ key: 'ArrowDown' }, 4)).toEqual({ kind: 'move', by: 4 });
    expect(keyAction({ key: 'ArrowUp' }, 1)).toEqual({ kind: 'move', by: -1 });
    expect(keyAction({ key: 'Enter' }, 4)).toEqual({ kind: 'loupe' });
    expect(keyAction({ key: ' ' }, 4)).toEqual({ kind: 'loupe' });
    expect(keyAction({ key: 'Escape' }, 4)).toEqual({ kind: 'close' });
  });

  it('maps Lightroom\'s colour keys 6-9 and darktable\'s F1-F5 to colour labels', () => {
    expect(['6', '7', '8', '9'].map((key) => keyAction({ key }, 4))).toEqual(['red', 'yellow', 'green', 'blue'].map((color) => ({ kind: 'color', color })));
    expect(['F1', 'F2', 'F3', 'F4', 'F5'].map((key) => keyAction({ key }, 4))).toEqual(['red', 'yellow', 'green', 'blue', 'purple'].map((color) => ({ kind: 'color', color })));
    expect(keyAction({ key: '6', ctrlKey: true }, 4)).toBeNull();
  });

  it('leaves modified keys to the browser (Ctrl+R reloads, Ctrl+1 switches tabs)', () => {
    expect(keyAction({ key: 'r', ctrlKey: true }, 4)).toBeNull();
    expect(keyAction({ key: '1', metaKey: true }, 4)).toBeNull();
    expect(keyAction({ key: '1', altKey: true }, 4)).toBeNull();
  });
});

describe('ratingChange', () => {
  const photo = (stars: number | null, rejected = false, color: 'red' | 'green' | null = null) => ({ stars, rejected, color });
  it('sets a colour label, and the same one again clears it; stars and reject stay', () => {
    expect(ratingChange(photo(3), { kind: 'color', color: 'red' })).toEqual({ color: 'red' });
    expect(ratingChange(photo(3, false, 'green'), { kind: 'color', color: 'red' })).toEqual({ color: 'red' });
    expect(ratingChange(photo(3, true, 'red'), { kind: 'color', color: 'red' })).toEqual({ color: null });
  });
  it('sets stars, and the same stars again un-rate (darktable)', () => {
    expect(ratingChange(photo(null), { kind: 'stars', stars: 3 })).toEqual({ stars: 3 });
    expect(ratingChange(photo(2), { kind: 'stars', stars: 3 })).toEqual({ stars: 3 });
    expect(ratingChange(photo(3), { kind: 'stars', stars: 3 })).toEqual({ stars: 0 });
    expect(ratingChange(photo(3), { kind: 'stars', stars: 0 })).toEqual({ stars: 0 });
    expect(ratingChange(photo(0), { kind: 'stars', stars: 0 })).toBeNull();
  });

  it('rejects and clears the reject, keeping the stars', () => {
    expect(ratingChange(photo(4), { kind: 'reject' })).toEqual({ rejected: true });
    expect(ratingChange(photo(4, true), { kind: 'reject' })).toBeNull();
    expect(ratingChange(photo(4, true), { kind: 'unreject' })).toEqual({ rejected: false });
    expect(ratingChange(photo(4), { kind: 'unreject' })).toBeNull();
  });
});

describe('moveIndex and starString', () => {
  it('keeps moves inside the list', () => {
    expect(moveIndex(0, { kind: 'move', by: -1 }, 10)).toBe(0);
    expect(moveIndex(8, { kind: 'move', by: 4 }, 10)).toBe(9);
    expect(moveIndex(5, { kind: 'first' }, 10)).toBe(0);
    expect(moveIndex(5, { kind: 'last' }, 10)).toBe(9);
    expect(moveIndex(3, { kind: 'move', by: 1 }, 0)).toBe(0);
  });
  it('draws stars', () => {
    expect(starString(3)).toBe('★★★☆☆');
    expect(starString(0)).toBe('☆☆☆☆☆');
    expect(starString(null)).toBe('');
  });
});
