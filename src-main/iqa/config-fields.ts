// A model's config schema as typed form fields (numbers with ranges, enums, switches, optional groups), so the Train screen needs no raw JSON.
import { z } from 'zod';
import type { ConfigField } from '../../src-shared/api/schemas';
import { FIELD_HELP } from './models/field-help';
import type { ModelSpec } from './models/model';

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
}

const SAFE = Number.MAX_SAFE_INTEGER;

/** The non-null branch of `X | null`, and whether null was allowed. */
function unwrapNull(s: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  const branches = s.anyOf ?? [];
  const real = branches.filter((b) => b.type !== 'null');
  if (branches.length && real.length === 1 && real.length < branches.length) return { schema: { ...real[0], default: s.default ?? real[0]!.default }, nullable: true };
  return { schema: s, nullable: false };
}

function fieldOf(key: string, group: string, raw: JsonSchema, help: Record<string, ConfigField['help']>, parent?: string): ConfigField[] {
  const { schema: s, nullable } = unwrapNull(raw);
  const base = { key, group, nullable, default: raw.default ?? null, help: help[key] ?? null, ...(parent ? { parent } : {}) };
  const literals = s.anyOf?.every((b) => b.const !== undefined) ? s.anyOf.map((b) => b.const) : s.enum;
  if (literals) return [{ ...base, kind: 'enum', options: literals.map((v) => v as string | number) }];
  if (s.type === 'object' && s.properties) {
    // An optional group (e.g. resize: {width, height} | null) is a switch with its members under it; a plain group is just its members.
    const children = Object.entries(s.properties).flatMap(([k, v]) => fieldOf(`${key}.${k}`, group, v, help, nullable ? key : parent));
    return nullable ? [{ ...base, kind: 'group' }, ...children] : children;
  }
  if (s.type === 'integer' || s.type === 'number') {
    const num: ConfigField = { ...base, kind: s.type === 'integer' ? 'integer' : 'number' };
    if (s.minimum !== undefined && s.minimum > -SAFE) num.min = s.minimum;
    if (s.exclusiveMinimum !== undefined) num.min = s.exclusiveMinimum, num.minExclusive = true;
    if (s.maximum !== undefined && s.maximum < SAFE) num.max = s.maximum;
    if (s.exclusiveMaximum !== undefined) num.max = s.exclusiveMaximum, num.maxExclusive = true;
    if (s.multipleOf !== undefined) num.multipleOf = s.multipleOf;
    return [num];
  }
  if (s.type === 'boolean') return [{ ...base, kind: 'boolean' }];
  return [{ ...base, kind: key.endsWith('Weights') || key.endsWith('Folder') ? 'file' : 'text' }];
}

/** Every setting of a model's config as a typed field, in schema order; members of nested objects have dotted keys. */
export function configFields(spec: Pick<ModelSpec, 'id' | 'configSchema'>): ConfigField[] {
  const json = z.toJSONSchema(spec.configSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const help = FIELD_HELP[spec.id] ?? {};
  return Object.entries(json.properties ?? {}).flatMap(([key, s]) => {
    const plainGroup = unwrapNull(s).schema.type === 'object' && !unwrapNull(s).nullable;
    return fieldOf(key, plainGroup ? key : '', s, help);
  });
}
