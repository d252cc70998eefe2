// The single entry both shells use: validate the channel and input, run the handler, return an envelope.
import type { Envelope } from '../../src-shared/api/errors';
import { AppError } from '../../src-shared/api/errors';
import type { Handlers } from '../../src-shared/api/contract';
import { parseChannel, parseInput } from '../../src-shared/api/validate';
import { log } from '../app/logger';

export type Invoke = (channel: unknown, input: unknown) => Promise<Envelope<unknown>>;

export function createDispatcher(handlers: Handlers): Invoke {
  return async (rawChannel, rawInput) => {
    try {
      const channel = parseChannel(rawChannel);
      const input = parseInput(channel, rawInput);
      const handler = handlers[channel] as (i: unknown) => unknown;
      return { ok: true, result: await handler(input) };
    } catch (err) {
      const appErr = AppError.from(err);
      if (appErr.code === 'internal') log.error('api', `${String(rawChannel)} failed`, err);
      return { ok: false, error: appErr.toJSON() };
    }
  };
}
