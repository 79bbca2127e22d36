import { Module, OnModuleInit } from '@nestjs/common';
import { MetricsService } from '../common/observability/metrics.service';
import { SubtaskRepository } from '../subtask/subtask.repository';
import { TaskRepository } from '../task/task.repository';
import { TaskModule } from '../task/task.module';
import { StatusMarkRepository } from './status-mark.repository';
import { StatusSweeper } from './status-sweeper.service';

/** Keeps stored task statuses derived: durable marks written with subtask changes, swept level-triggered. */
@Module({
  imports: [TaskModule],
  providers: [StatusMarkRepository, StatusSweeper],
  exports: [StatusSweeper],
})
export class StatusModule implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly tasks: TaskRepository,
    private readonly subtasks: SubtaskRepository,
  ) {}

  /** The status gauges read through the repositories that own the tables. */
  onModuleInit(): void {
    this.metrics.countFrom('tasksByStatus', () => this.tasks.countLiveByStatus());
    this.metrics.countFrom('subtasksByState', () => this.subtasks.countLiveByState());
  }
}
