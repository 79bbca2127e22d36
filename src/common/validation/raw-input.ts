import { AppException, FieldError } from '../errors/app.exception';

/**
 * Far deeper than any body the API takes (a scene's ROI sits at depth 7), so that the field that
 * holds a nested structure reports it in its own terms ("link_scenes must list …"), and far below
 * what would exhaust the stack of the recursive transform and validation that follow.
 */
export const MAX_INPUT_DEPTH = 64;

/** More problems than this in one body are not worth listing. */
const MAX_PROBLEMS = 20;

/**
 * Keys that object transformation skips without a word: `__proto__`, `constructor` and every
 * other member of Object.prototype (`toString`, `hasOwnProperty`, …). No field of the API has
 * such a name, so each is an unknown field, reported instead of silently dropped.
 */
export const isPrototypeKey = (key: string): boolean => key in Object.prototype;

const childPath = (parent: string, key: string | number): string => (typeof key === 'number' ? `${parent}[${key}]` : parent ? `${parent}.${key}` : key);

/**
 * Checks a parsed body (or query) before it is transformed: keys named like Object.prototype
 * members (`whitelistValidation`, "is not a known field") and nesting deeper than MAX_INPUT_DEPTH
 * (`tooDeep`). Iterative, so no input can exhaust the stack. Pure; an empty list when it is fine.
 */
export function inspectRawInput(value: unknown, maxDepth = MAX_INPUT_DEPTH): FieldError[] {
  const problems: FieldError[] = [];
  const stack: [unknown, string, number][] = [[value, '', 0]];
  while (stack.length && problems.length < MAX_PROBLEMS) {
    const [node, path, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth >= maxDepth) {
      // Named by the property that holds the nesting, not by a chain of [0][0][0]….
      problems.push({ field: path.replace(/(\[\d+\])+$/, '') || path, rule: 'tooDeep', args: { max: maxDepth } });
      continue;
    }
    const children: [unknown, string][] = [];
    if (Array.isArray(node)) {
      node.forEach((item, i) => children.push([item, childPath(path, i)]));
    } else {
      for (const key of Object.keys(node)) {
        const at = childPath(path, key);
        if (isPrototypeKey(key)) problems.push({ field: at, rule: 'whitelistValidation' });
        else children.push([(node as Record<string, unknown>)[key], at]);
      }
    }
    // Reversed onto the stack, so problems come out in document order.
    for (let i = children.length - 1; i >= 0; i--) stack.push([children[i][0], children[i][1], depth + 1]);
  }
  return problems.slice(0, MAX_PROBLEMS);
}

/**
 * The JSON parser refuses a body with a `__proto__` key (or `constructor.prototype`) without
 * saying so. Valid JSON refused that way is answered as the unknown fields it holds, by their
 * paths; anything else keeps the parser's own error (malformed JSON). JSON.parse only creates
 * own properties, so parsing the text once more to find the keys is harmless.
 */
export function explainJsonParseError(error: Error, text: string): Error {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return error;
  }
  const problems = inspectRawInput(value).filter((p) => p.rule === 'whitelistValidation');
  return problems.length ? AppException.validation(problems) : error;
}
