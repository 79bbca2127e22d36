/**
 * Whether a parsed JSON value nests objects/arrays deeper than `max` levels (`{}` and `[]` are
 * level 1). Walks with an explicit stack, so a body nested 100,000 levels deep is answered
 * instead of overflowing the call stack in validation, which recurses.
 */
export function exceedsJsonDepth(root: unknown, max: number): boolean {
  if (root === null || typeof root !== 'object') return false;
  const values: object[] = [root];
  const depths: number[] = [1];
  while (values.length) {
    const value = values.pop() as object;
    const depth = depths.pop() as number;
    if (depth > max) return true;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const child: unknown = value[i];
        if (child !== null && typeof child === 'object') {
          values.push(child);
          depths.push(depth + 1);
        }
      }
    } else {
      for (const key in value) {
        const child: unknown = (value as Record<string, unknown>)[key];
        if (child !== null && typeof child === 'object') {
          values.push(child);
          depths.push(depth + 1);
        }
      }
    }
  }
  return false;
}
