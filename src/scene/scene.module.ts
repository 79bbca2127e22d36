import { Module } from '@nestjs/common';
import { SceneRepository } from './scene.repository';

/** Mtasks and scenes: the configuration of a task, read and written for the task and subtask modules. */
@Module({
  providers: [SceneRepository],
  exports: [SceneRepository],
})
export class SceneModule {}
