// The words for what deleting a dataset would erase, shared by the refusal (back end) and the confirmation (renderer).
import type { DatasetDependents } from './schemas';

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/** "1 study with 6 raw votes from 2 raters, and 3 photos with stars, a reject or a colour label given by a person". */
export function describeDependents(d: DatasetDependents): string {
  const parts: string[] = [];
  if (d.studies || d.votes) parts.push(`${plural(d.studies, 'study', 'studies')} with ${plural(d.votes, 'raw vote')} from ${plural(d.raters, 'rater')}`);
  if (d.photoRatings) parts.push(`${plural(d.photoRatings, 'photo')} with stars, a reject or a colour label given by a person`);
  return parts.join(', and ');
}

export const hasDependents = (d: DatasetDependents): boolean => d.studies + d.votes + d.photoRatings > 0;

/** The dependents carried by a datasets:delete refusal (its error details), or null. */
export function dependentsOf(details: unknown): DatasetDependents | null {
  const d = (details as { dependents?: DatasetDependents } | null)?.dependents;
  return d && typeof d.studies === 'number' && typeof d.votes === 'number' && typeof d.photoRatings === 'number' ? d : null;
}
