import { Module } from '@nestjs/common';
import { SubtaskRepository } from './subtask.repository';

/** tb_subtask's owner; the subtask endpoints live with the task aggregate, whose row lock they take. */
@Module({ providers: [SubtaskRepository], exports: [SubtaskRepository] })
export class SubtaskModule {}
