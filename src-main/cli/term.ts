// Text from the database or the disk (names, paths, messages) made safe for a terminal: control characters and bidi overrides shown as escapes.
/** C0/C1 controls, DEL, and the Unicode format characters that reorder or hide text (bidi overrides and isolates, LRM/RLM/ALM, zero-width). */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

/** `name\u202Eexe` → `name\u{202e}exe`: printable, and nothing in it can move the cursor, recolour the terminal or reverse the line. */
export function termSafe(text: string, opts: { newlines?: boolean } = {}): string {
  return text.replace(UNSAFE, (c) => (opts.newlines && c === '\n' ? c : `\\u{${c.codePointAt(0)!.toString(16)}}`));
}

/** termSafe, then padded to `width` columns (names in listings). */
export const termPad = (text: string, width: number): string => termSafe(text).padEnd(width);
