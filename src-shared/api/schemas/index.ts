// Domain shapes shared by the back end and the renderer, as zod schemas with inferred types, one module per domain.
export * from './common';
export * from './app';
export * from './datasets';
export * from './images';
export * from './runs';
export * from './studies';
export * from './library';
export * from './photo';
