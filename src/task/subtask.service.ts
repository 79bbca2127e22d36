import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, Clock } from '../common/time/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { SubtaskDto } from '../subtask/dto/subtask-response.dto';
import { SubtaskRow, toSubtaskDto } from '../subtask/subtask.mapper';
import { SubtaskRepository } from '../subtask/subtask.repository';

@Injectable()
export class SubtaskService {
  constructor(
    private readonly subtasks: SubtaskRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async listForTask(taskId: string): Promise<SubtaskDto[]> {
    return this.toDtos(await this.subtasks.findByTask(taskId));
  }

  toDtos(rows: readonly SubtaskRow[]): SubtaskDto[] {
    const now = this.clock.now();
    return rows.map((row) => toSubtaskDto(row, this.config.time.zone, now));
  }
}
