// Shared schemas: ids and the score conventions every domain shares.
import { z } from 'zod';

export const Id = z.number().int().positive();

export const ScoreDirection = z.enum(['higher_better', 'lower_better']);
export const LabelKind = z.enum(['mos', 'dmos', 'level', 'stars', 'none']);
