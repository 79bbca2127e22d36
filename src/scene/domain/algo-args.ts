import type { FieldError } from '../../common/errors/app.exception';

/** How one algorithm argument is checked. Bounds are inclusive. */
export type AlgoArgSpec =
  | { kind: 'integer'; min: number; max: number }
  | { kind: 'number'; min: number; max: number }
  | { kind: 'string'; maxLength: number }
  | { kind: 'enum'; values: readonly string[] };

export type AlgoArgsSchema = Readonly<Record<string, AlgoArgSpec>>;

/**
 * The accepted `algo_args` per algorithm type code. Every key is optional. A code without an
 * entry here (added to the dictionary by an admin later) accepts any flat object (see
 * checkSchemaless) until the code learns its schema.
 */
export const ALGO_ARGS_SCHEMAS: Readonly<Record<string, AlgoArgsSchema>> = {
  // 交通 traffic
  '0': {
    lane_count: { kind: 'integer', min: 1, max: 16 },
    speed_limit_kmh: { kind: 'number', min: 1, max: 300 },
    detect_interval_ms: { kind: 'integer', min: 40, max: 10000 },
  },
  // 客流 passenger flow
  '1': {
    direction: { kind: 'enum', values: ['in', 'out', 'both'] },
    count_line: { kind: 'string', maxLength: 1024 },
    min_person_px: { kind: 'integer', min: 8, max: 1024 },
  },
  // 安防 security
  '2': {
    intrusion_seconds: { kind: 'integer', min: 0, max: 3600 },
    sensitivity: { kind: 'number', min: 0, max: 1 },
  },
  // 违停 illegal parking
  '3': {
    parking_seconds: { kind: 'integer', min: 10, max: 86400 },
    sensitivity: { kind: 'number', min: 0, max: 1 },
  },
  // 人脸 face
  '4': {
    min_face_px: { kind: 'integer', min: 16, max: 1024 },
    match_threshold: { kind: 'number', min: 0, max: 1 },
    library_unid: { kind: 'string', maxLength: 64 },
  },
};

/** One value against its spec; the rule that fails, or null. `null` is a wrong type, not "unset": leave the key out instead. */
function checkValue(field: string, value: unknown, spec: AlgoArgSpec): FieldError | null {
  switch (spec.kind) {
    case 'integer':
    case 'number': {
      const ok = spec.kind === 'integer' ? Number.isInteger(value) : typeof value === 'number' && Number.isFinite(value);
      if (!ok) return { field, rule: 'algoArgType', args: { expected: spec.kind } };
      const n = value as number;
      return n < spec.min || n > spec.max ? { field, rule: 'algoArgRange', args: { min: spec.min, max: spec.max } } : null;
    }
    case 'string': {
      if (typeof value !== 'string') return { field, rule: 'algoArgType', args: { expected: 'string' } };
      // Characters (code points), as class-validator's MaxLength counts them.
      return [...value].length > spec.maxLength ? { field, rule: 'algoArgLength', args: { max: spec.maxLength } } : null;
    }
    case 'enum': {
      if (typeof value !== 'string') return { field, rule: 'algoArgType', args: { expected: 'string' } };
      return spec.values.includes(value) ? null : { field, rule: 'algoArgEnum', args: { values: spec.values.join(', ') } };
    }
  }
}

/** Limits on the arguments of a code without a schema: what a stored JSON column and the UI can hold. */
export const SCHEMALESS_MAX_KEYS = 64;
export const SCHEMALESS_MAX_STRING = 1024;

/**
 * A code without a schema: at most SCHEMALESS_MAX_KEYS keys, each value a string (at most
 * SCHEMALESS_MAX_STRING characters), a finite number or a boolean. Nothing nested, so the stored
 * object never nests deeper than the database's JSON accepts.
 */
function checkSchemaless(args: Readonly<Record<string, unknown>>, path: string): FieldError[] {
  const entries = Object.entries(args);
  if (entries.length > SCHEMALESS_MAX_KEYS) return [{ field: path, rule: 'algoArgsTooMany', args: { max: SCHEMALESS_MAX_KEYS } }];
  const errors: FieldError[] = [];
  for (const [key, value] of entries) {
    const field = `${path}.${key}`;
    if (typeof value === 'string') {
      if ([...value].length > SCHEMALESS_MAX_STRING) errors.push({ field, rule: 'algoArgLength', args: { max: SCHEMALESS_MAX_STRING } });
    } else if (!(typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)))) {
      errors.push({ field, rule: 'algoArgScalar' });
    }
  }
  return errors;
}

/**
 * Checks a scene's `algo_args` against the schema of `algoType`, one error per bad key, in key
 * order, on field `<path>.<key>`. Absent/null args pass; a code without a schema takes any flat
 * object (checkSchemaless). Pure.
 */
export function validateAlgoArgs(
  algoType: string,
  args: Readonly<Record<string, unknown>> | null | undefined,
  path: string,
  schemas: Readonly<Record<string, AlgoArgsSchema>> = ALGO_ARGS_SCHEMAS,
): FieldError[] {
  if (!args) return [];
  if (!Object.hasOwn(schemas, algoType)) return checkSchemaless(args, path);
  const schema = schemas[algoType];
  const errors: FieldError[] = [];
  for (const [key, value] of Object.entries(args)) {
    const field = `${path}.${key}`;
    // hasOwn, so that keys such as "constructor" or "__proto__" are unknown, not Object.prototype members.
    if (!Object.hasOwn(schema, key)) {
      errors.push({ field, rule: 'algoArgUnknown' });
      continue;
    }
    const problem = checkValue(field, value, schema[key]);
    if (problem) errors.push(problem);
  }
  return errors;
}
