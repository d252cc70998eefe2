// Dataset and image queries for the Datasets and Library screens.
import { AppError } from '../../src-shared/api/errors';
import type { Handlers } from '../../src-shared/api/contract';
import type { ServiceContext } from './context';
import { createContentSplits } from '../datasets/create-splits';

export function datasetHandlers(ctx: ServiceContext): Pick<
  Handlers,
  'datasets:list' | 'datasets:get' | 'datasets:facets' | 'splits:list' | 'splits:create' | 'images:list' | 'images:get'
> {
  const repo = ctx.store.datasets;
  const requireDataset = (id: number) => repo.get(id) ?? AppError.notFound('dataset', id);
  return {
    'datasets:list': () => repo.list(),
    'datasets:get': ({ id }) => requireDataset(id),
    'datasets:facets': ({ datasetId }) => (requireDataset(datasetId), repo.facets(datasetId)),
    'splits:list': ({ datasetId }) => (requireDataset(datasetId), ctx.store.splits.list(datasetId)),
    'splits:create': (input) => {
      requireDataset(input.datasetId);
      createContentSplits(ctx.store, input);
      return ctx.store.splits.list(input.datasetId);
    },
    'images:list': (q) => {
      requireDataset(q.datasetId);
      return repo.listImages(q);
    },
    'images:get': ({ id }) => repo.getImage(id) ?? AppError.notFound('image', id),
  };
}

/** Kept for studies.service.ts until it calls AppError.notFound itself. */
export const notFound = AppError.notFound;
