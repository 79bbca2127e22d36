import { Module } from '@nestjs/common';
import { DictionaryModule } from '../dictionary/dictionary.module';
import { IdempotencyModule } from '../common/idempotency/idempotency.interceptor';
import { JournalModule } from '../journal/journal.module';
import { SceneModule } from '../scene/scene.module';
import { SubtaskModule } from '../subtask/subtask.module';
import { DryRunService } from './dry-run.service';
import { SubtaskConfigService } from './subtask-config.service';
import { TaskQueryService } from './task-query.service';
import { SubtaskController } from './subtask.controller';
import { SubtaskService } from './subtask.service';
import { TaskStatusService } from './task-status.service';
import { TaskController } from './task.controller';
import { TaskRepository } from './task.repository';
import { TaskService } from './task.service';

/** The task aggregate: tasks, their subtasks' endpoints and configuration, and their derived status. */
@Module({
  imports: [DictionaryModule, SceneModule, SubtaskModule, JournalModule, IdempotencyModule],
  controllers: [TaskController, SubtaskController],
  providers: [TaskRepository, TaskService, TaskStatusService, SubtaskService, SubtaskConfigService, TaskQueryService, DryRunService],
  exports: [TaskRepository, TaskService, TaskStatusService, SubtaskConfigService, DryRunService, SubtaskModule, JournalModule],
})
export class TaskModule {}
