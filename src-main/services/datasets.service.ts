// Dataset and image queries for the Datasets and Library screens.
import { AppError } from '../../src-shared/api/errors';
import type { Handlers } from '../../src-shared/api/contract';
import type { ServiceContext } from './context';

export function datasetHandlers(ctx: ServiceContext): Pick<
  Handlers,
  'datasets:list' | 'datasets:get' | 'images:list' | 'images:get'
> {
  const repo = ctx.store.datasets;
  return {
    'datasets:list': () => repo.list(),
    'datasets:get': ({ id }) => repo.get(id) ?? notFound('dataset', id),
    'images:list': (q) => {
      if (!repo.get(q.datasetId)) notFound('dataset', q.datasetId);
      return repo.listImages(q);
    },
    'images:get': ({ id }) => repo.getImage(id) ?? notFound('image', id),
  };
}

export function notFound(what: string, id: number | string): never {
  throw new AppError('not_found', `No ${what} with id ${id}`);
}
