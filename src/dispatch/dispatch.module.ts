import { Module } from '@nestjs/common';
import { SceneModule } from '../scene/scene.module';
import { StatusModule } from '../status/status.module';
import { TaskModule } from '../task/task.module';
import { IdempotencyModule } from '../common/idempotency/idempotency.interceptor';
import { BulkController } from './bulk.controller';
import { BulkService } from './bulk.service';
import { DispatchController, ReportsController } from './dispatch.controller';
import { DispatchService } from './dispatch.service';
import { OpsClient } from './ops-client';
import { ReconcilerService } from './reconciler.service';
import { SubtaskWorker } from './subtask-worker.service';
import { ReportsService } from './reports.service';

/** Start/stop, the reconciler that talks to the ops service, and the reports it sends back. */
@Module({
  imports: [TaskModule, SceneModule, StatusModule, IdempotencyModule],
  controllers: [BulkController, DispatchController, ReportsController],
  providers: [BulkService, DispatchService, OpsClient, ReconcilerService, SubtaskWorker, ReportsService],
  exports: [ReconcilerService],
})
export class DispatchModule {}
