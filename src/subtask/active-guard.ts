import { AppException } from '../common/errors/app.exception';
import { isActive } from './domain/states';
import type { SubtaskRow } from './subtask.mapper';

/**
 * Refuses an edit or delete while any of these subtasks has work under way, naming each one.
 * `TASK_ACTIVE` for the task's own endpoints, `SUBTASK_ACTIVE` for a subtask's.
 */
export function assertNoneActive(subtasks: readonly SubtaskRow[], code: 'TASK_ACTIVE' | 'SUBTASK_ACTIVE'): void {
  const active = subtasks.filter(isActive);
  if (active.length === 0) return;
  throw new AppException(code, { count: active.length, state: active[0].state }, [], {
    active_subtasks: active.map((s) => ({ subtask_id: s.id, state: s.state })),
  });
}
