// Runtime validation of contract inputs: unknown channel or bad payload becomes a clear 'validation' AppError.
import { z } from 'zod';
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

export function parseInput<C extends InvokeChannel>(channel: C, raw: unknown): ParsedInputOf<C> {
  const result = contract[channel].input.safeParse(raw ?? {});
  if (!result.success) {
    const issues = describeIssues(result.error);
    const summary = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    throw new AppError('validation', `Invalid input for ${channel}: ${summary}`, { issues });
  }
  return result.data as ParsedInputOf<C>;
}
