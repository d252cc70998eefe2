// Culling keys: Lightroom/darktable keys to actions (P pick, X reject, U unflag, [ ], undo/redo), un-rating with the same stars, toasts, moves kept in range; the undo history.
import { describe, expect, it } from 'vitest';
import { CullHistory, touched } from '../../../src-renderer/lib/cull-history';
import { describeChange, keyAction, moveIndex, ratingChange, starString } from '../../../src-renderer/lib/culling';

describe('keyAction', () => {
  it('maps stars, reject, clear, moves and the loupe', () => {
    expect(['0', '3', '5'].map((key) => keyAction({ key }, 4))).toEqual([0, 3, 5].map((stars) => ({ kind: 'stars', stars })));
    expect(keyAction({ key: 'F6' }, 4)).toBeNull();
    for (const key of ['r', 'R', 'x', 'X']) expect(keyAction({ key }, 4)).toEqual({ kind: 'reject' });
    for (const key of ['p', 'P']) expect(keyAction({ key }, 4)).toEqual({ kind: 'pick' });
    for (const key of ['u', 'U']) expect(keyAction({ key }, 4)).toEqual({ kind: 'unflag' });
    expect(keyAction({ key: '[' }, 4)).toEqual({ kind: 'starStep', by: -1 });
    expect(keyAction({ key: ']' }, 4)).toEqual({ kind: 'starStep', by: 1 });
    expect(keyAction({ key: 'z', ctrlKey: true }, 4)).toEqual({ kind: 'undo' });
    expect(keyAction({ key: 'z', metaKey: true }, 4)).toEqual({ kind: 'undo' });
    expect(keyAction({ key: 'Z', ctrlKey: true, shiftKey: true }, 4)).toEqual({ kind: 'redo' });
    expect(keyAction({ key: 'z', metaKey: true, shiftKey: true }, 4)).toEqual({ kind: 'redo' });
    expect(keyAction({ key: 'z' }, 4)).toEqual({ kind: 'zoom' });
    expect(keyAction({ key: '.' }, 4)).toEqual({ kind: 'group', by: 1 });
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
  const photo = (stars: number | null, rejected = false, color: 'red' | 'green' | null = null, picked = false) => ({ stars, rejected, color, picked });
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

  it('picks, rejects and unflags as Lightroom (one flag at a time), keeping the stars', () => {
    expect(ratingChange(photo(4), { kind: 'reject' })).toEqual({ rejected: true, picked: false });
    expect(ratingChange(photo(4, true), { kind: 'reject' })).toBeNull();
    expect(ratingChange(photo(4, true), { kind: 'pick' })).toEqual({ picked: true, rejected: false });
    expect(ratingChange(photo(4, false, null, true), { kind: 'pick' })).toBeNull();
    expect(ratingChange(photo(4, true), { kind: 'unflag' })).toEqual({ rejected: false, picked: false });
    expect(ratingChange(photo(4, false, null, true), { kind: 'unflag' })).toEqual({ rejected: false, picked: false });
    expect(ratingChange(photo(4), { kind: 'unflag' })).toBeNull();
  });

  it('steps stars with [ and ], within 0-5', () => {
    expect(ratingChange(photo(3), { kind: 'starStep', by: 1 })).toEqual({ stars: 4 });
    expect(ratingChange(photo(null), { kind: 'starStep', by: 1 })).toEqual({ stars: 1 });
    expect(ratingChange(photo(5), { kind: 'starStep', by: 1 })).toBeNull();
    expect(ratingChange(photo(0), { kind: 'starStep', by: -1 })).toBeNull();
    expect(ratingChange(photo(null), { kind: 'starStep', by: -1 })).toEqual({ stars: 0 });
  });

  it('says what changed, clearing a rating by the same star included', () => {
    expect(describeChange(photo(5), { stars: 0 })).toBe('Rating cleared (was ★★★★★)');
    expect(describeChange(photo(null), { stars: 3 })).toBe('★★★☆☆ 3 stars');
    expect(describeChange(photo(3, true), { picked: true, rejected: false })).toBe('Picked');
    expect(describeChange(photo(3, true), { picked: false, rejected: false })).toBe('Unflagged');
    expect(describeChange(photo(3), { color: 'red' })).toBe('Red label');
  });
});

describe('CullHistory', () => {
  it('undoes and redoes at least 100 steps in order, and a new change drops the redo stack', () => {
    const h = new CullHistory(500);
    for (let i = 0; i < 150; i++) h.push({ imageId: i, name: `p${i}`, before: { stars: null }, after: { stars: i % 6 } });
    for (let i = 149; i >= 0; i--) expect(h.undo()?.imageId).toBe(i);
    expect(h.undo()).toBeNull();
    expect(h.redo()?.imageId).toBe(0);
    expect(h.redo()?.imageId).toBe(1);
    h.push({ imageId: 999, name: 'x', before: {}, after: {} });
    expect(h.redo()).toBeNull();
    expect(h.undo()?.imageId).toBe(999);
  });
  it('keeps at most its limit and records only the touched fields', () => {
    const h = new CullHistory(3);
    for (let i = 0; i < 5; i++) h.push({ imageId: i, name: '', before: {}, after: {} });
    expect(h.size).toBe(3);
    expect(touched({ stars: 2, rejected: true, picked: false, color: 'red' }, { picked: true, rejected: false })).toEqual({ picked: false, rejected: true });
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
