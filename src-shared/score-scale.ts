// A stored score scale ('mos 1-5 higher', 'dmos 0-100 lower', 'raw') in words for people: "MOS 1–5, higher is better".

export function describeScale(scale: string): string {
  const m = /^(\w+) (-?[\d.]+)-(-?[\d.]+) (higher|lower)$/.exec(scale.trim());
  if (m) return `${m[1]!.toUpperCase()} ${m[2]}–${m[3]}, ${m[4]} is better`;
  if (scale.trim() === 'raw') return 'model output, higher is better';
  return scale;
}
