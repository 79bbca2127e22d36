import { ValidationError, ValidationPipeOptions } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { AppException, FieldError } from '../errors/app.exception';

const joinPath = (parent: string, property: string): string =>
  /^\d+$/.test(property) ? `${parent}[${property}]` : parent ? `${parent}.${property}` : property;

/**
 * Which failed rule a field reports when several fail: an unknown field first, then a missing
 * value, then the wrong type, then what the value holds. So `{}` says "task_name is required",
 * `algo_type: 1` "must be a string" and `vchans: {}` "must be an array", whatever order the
 * decorators are written in. Rules not listed here come after these, in the order they failed.
 */
export const RULE_PRIORITY: readonly string[] = [
  'whitelistValidation',
  'unknownValue',
  'isDefined',
  'isString',
  'isInt',
  'isNumber',
  'isBoolean',
  'isArray',
  'isPlainObject',
  'isObject',
  'nestedValidation',
  'isCode',
  'noControlChars',
  'isNotEmpty',
  'isIn',
  'minLength',
  'maxLength',
  'min',
  'max',
  'arrayMinSize',
  'arrayMaxSize',
];

/** Rules that are about the value being absent or unknown, not about what it holds. */
const PRESENCE_RULES = new Set(['whitelistValidation', 'unknownValue', 'isDefined']);

const rank = (rule: string): number => {
  const i = RULE_PRIORITY.indexOf(rule);
  return i === -1 ? RULE_PRIORITY.length : i;
};

/** The one rule a field reports, out of every rule it failed. */
export function pickRule(rules: readonly string[]): string {
  let best = rules[0];
  for (const rule of rules) if (rank(rule) < rank(best)) best = rule;
  return best;
}

/** The message arguments each rule's bound gives, read from the decorator's constraints. */
const ARGS_FROM_CONSTRAINTS: Record<string, (constraints: unknown[]) => Record<string, string | number>> = {
  maxLength: ([max]) => ({ max: Number(max) }),
  minLength: ([min]) => ({ min: Number(min) }),
  max: ([max]) => ({ max: Number(max) }),
  min: ([min]) => ({ min: Number(min) }),
  arrayMaxSize: ([max]) => ({ max: Number(max) }),
  arrayMinSize: ([min]) => ({ min: Number(min) }),
  isIn: ([values]) => ({ values: (Array.isArray(values) ? values : []).map(String).join(', ') }),
};

type ConstraintIndex = Map<string, unknown[]>;
const constraintCache = new WeakMap<object, ConstraintIndex>();

/** `property/rule` → the constraints the decorator was given, for one DTO class. */
function constraintIndex(target: object): ConstraintIndex {
  let index = constraintCache.get(target);
  if (index) return index;
  index = new Map();
  const storage = getMetadataStorage();
  for (const metadata of storage.getTargetValidationMetadatas(target as new () => object, '', true, false)) {
    const names = metadata.constraintCls ? storage.getTargetValidatorConstraints(metadata.constraintCls).map((c) => c.name) : [];
    for (const name of [metadata.type, ...names]) {
      const key = `${metadata.propertyName}/${name}`;
      if (name && !index.has(key)) index.set(key, metadata.constraints ?? []);
    }
  }
  constraintCache.set(target, index);
  return index;
}

function argsOf(error: ValidationError, rule: string): Record<string, string | number> {
  const fromContext = (error.contexts?.[rule] ?? {}) as Record<string, string | number>;
  const derive = ARGS_FROM_CONSTRAINTS[rule];
  const owner = error.target && typeof error.target === 'object' ? (error.target.constructor as object | undefined) : undefined;
  if (!derive || !owner) return { ...fromContext };
  const constraints = constraintIndex(owner).get(`${error.property}/${rule}`);
  return { ...(constraints ? derive(constraints) : {}), ...fromContext };
}

/**
 * class-validator's nested tree → flat `[{field: 'mtasks[0].scenes[1].name', rule, args}]`, one
 * entry per field: the rule that explains the problem best (see RULE_PRIORITY). A property that
 * is missing or null answers `isDefined` ("is required"), an array item that is null keeps its
 * type rule. The children of a field that itself failed (a `vchans` object validated as if it
 * were one channel) are left out: they would only repeat its problem.
 */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const flat: FieldError[] = [];
  for (const error of errors) {
    const field = joinPath(parent, error.property);
    const constraints = error.constraints ?? {};
    const rules = Object.keys(constraints);
    if (rules.length) {
      let rule = pickRule(rules);
      const absent = error.value === undefined || (error.value === null && !/^\d+$/.test(error.property));
      if (absent && !PRESENCE_RULES.has(rule)) rule = 'isDefined';
      const fallback = constraints[rule] ?? `${field} is required`;
      flat.push({ field, rule, args: argsOf(error, rule), fallback });
      continue;
    }
    if (error.children?.length) flat.push(...flattenValidationErrors(error.children, field));
  }
  return flat;
}

export const validationOptions: ValidationPipeOptions = {
  transform: true,
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  // Every rule runs and flattenValidationErrors picks the one to report: with stopAtFirstError the
  // first rule class-validator happens to run (the decorator written last) would be reported.
  stopAtFirstError: false,
  // The value tells "missing" from "wrong"; the target names the DTO whose bounds the message quotes.
  // Neither leaves the process: the exception factory keeps only field, rule and arguments.
  validationError: { target: true, value: true },
  exceptionFactory: (errors: ValidationError[]) => AppException.validation(flattenValidationErrors(errors)),
};
