import { IdempotencyKeyEntity } from '../common/idempotency/idempotency-key.entity';
import { DictItemEntity } from '../dictionary/dict-item.entity';
import { MtaskEntity } from '../scene/mtask.entity';
import { SceneEntity } from '../scene/scene.entity';
import { JournalEventEntity, JournalSequenceEntity } from '../journal/journal-event.entity';
import { TaskStatusMarkEntity } from '../status/status-mark.entity';
import { SubtaskEntity } from '../subtask/subtask.entity';
import { TaskCounterEntity } from '../task/task-counter.entity';
import { TaskDayCountEntity } from '../task/task-day-count.entity';
import { TaskEntity } from '../task/task.entity';

export const ENTITIES = [
  TaskEntity,
  MtaskEntity,
  SceneEntity,
  SubtaskEntity,
  DictItemEntity,
  TaskCounterEntity,
  TaskDayCountEntity,
  TaskStatusMarkEntity,
  JournalEventEntity,
  JournalSequenceEntity,
  IdempotencyKeyEntity,
];
