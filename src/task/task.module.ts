import { Module } from '@nestjs/common';
import { DictionaryModule } from '../dictionary/dictionary.module';
import { JournalModule } from '../journal/journal.module';
import { SceneModule } from '../scene/scene.module';
import { SubtaskModule } from '../subtask/subtask.module';
import { SubtaskConfigService } from './subtask-config.service';
import { SubtaskController } from './subtask.controller';
import { SubtaskService } from './subtask.service';
import { TaskStatusService } from './task-status.service';
import { TaskController } from './task.controller';
import { TaskRepository } from './task.repository';
import { TaskService } from './task.service';

/** The task aggregate: tasks, their subtasks' endpoints and configuration, and their derived status. */
@Module({
  imports: [DictionaryModule, SceneModule, SubtaskModule, JournalModule],
  controllers: [TaskController, SubtaskController],
  providers: [TaskRepository, TaskService, TaskStatusService, SubtaskService, SubtaskConfigService],
  exports: [TaskRepository, TaskService, TaskStatusService, SubtaskModule, JournalModule],
})
export class TaskModule {}
