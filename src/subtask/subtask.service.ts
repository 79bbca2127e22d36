import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { SubtaskDto } from './dto/subtask-response.dto';
import { toSubtaskDto } from './subtask.mapper';
import { SubtaskRepository } from './subtask.repository';

@Injectable()
export class SubtaskService {
  constructor(
    private readonly subtasks: SubtaskRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async listForTask(taskId: string): Promise<SubtaskDto[]> {
    return (await this.subtasks.findByTask(taskId)).map((row) => toSubtaskDto(row, this.config.time.zone));
  }
}
