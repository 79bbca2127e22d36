import { Module } from '@nestjs/common';
import { DictionaryModule } from '../dictionary/dictionary.module';
import { SceneModule } from '../scene/scene.module';
import { StatusModule } from '../status/status.module';
import { SubtaskModule } from '../subtask/subtask.module';
import { TaskController } from './task.controller';
import { TaskRepository } from './task.repository';
import { TaskService } from './task.service';

@Module({
  imports: [DictionaryModule, SceneModule, SubtaskModule, StatusModule],
  controllers: [TaskController],
  providers: [TaskRepository, TaskService],
  exports: [TaskRepository, TaskService],
})
export class TaskModule {}
