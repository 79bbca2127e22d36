import { Module } from '@nestjs/common';
import { SceneModule } from '../scene/scene.module';
import { StatusModule } from '../status/status.module';
import { SubtaskConfigService } from './subtask-config.service';
import { SubtaskController } from './subtask.controller';
import { SubtaskRepository } from './subtask.repository';
import { SubtaskService } from './subtask.service';

@Module({
  imports: [SceneModule, StatusModule],
  controllers: [SubtaskController],
  providers: [SubtaskRepository, SubtaskService, SubtaskConfigService],
  exports: [SubtaskRepository, SubtaskService],
})
export class SubtaskModule {}
