// Runtime validation of contract inputs: unknown channel or bad payload becomes a clear 'validation' AppError.
import type { z } from 'zod';
import { isInvokeChannel, type InvokeChannel } from './channels';
import { contract, type ParsedInputOf } from './contract';
import { AppError } from './errors';

export interface ValidationIssue {
  path: string;
  message: string;
}

export function describeIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.length ? issue.path.map(String).join('.') : '(root)',
    message: issue.message,
  }));
}

export function parseChannel(channel: unknown): InvokeChannel {
  if (!isInvokeChannel(channel)) {
    throw new AppError('not_found', `Unknown API channel: ${JSON.stringify(channel)}`);
  }
  return channel;
}

/** The deepest nesting any API input may have; zod's recursive checks would overflow the stack on 10,000 levels. */
export const MAX_INPUT_DEPTH = 32;

/** Throws a validation error when arrays/objects nest deeper than `max` (checked without recursion). */
export function assertDepth(value: unknown, max = MAX_INPUT_DEPTH): void {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) throw new AppError('validation', `Input nests deeper than ${max} levels`);
    for (const child of Object.values(v as Record<string, unknown>)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
}

export function parseInput<C extends InvokeChannel>(channel: C, raw: unknown): ParsedInputOf<C> {
  assertDepth(raw);
  const result = contract[channel].input.safeParse(raw ?? {});
  if (!result.success) {
    const issues = describeIssues(result.error);
    const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    throw new AppError('validation', `Invalid input for ${channel}: ${summary}`, { issues });
  }
  return result.data as ParsedInputOf<C>;
}
