import { Module } from '@nestjs/common';
import { SubtaskRepository } from './subtask.repository';
import { SubtaskService } from './subtask.service';

@Module({
  providers: [SubtaskRepository, SubtaskService],
  exports: [SubtaskRepository, SubtaskService],
})
export class SubtaskModule {}
