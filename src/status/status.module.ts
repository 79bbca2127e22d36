import { Module } from '@nestjs/common';
import { TaskModule } from '../task/task.module';
import { StatusMarkRepository } from './status-mark.repository';
import { StatusSweeper } from './status-sweeper.service';

/** Keeps stored task statuses derived: durable marks written with subtask changes, swept level-triggered. */
@Module({
  imports: [TaskModule],
  providers: [StatusMarkRepository, StatusSweeper],
  exports: [StatusSweeper],
})
export class StatusModule {}
