import { Body, Controller, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { DryRunService } from '../task/dry-run.service';
import { DRY_RUN_QUERY } from '../task/task.controller';
import { ApiErrors } from '../common/http/api-errors';
import { Internal } from '../common/auth/roles';
import { ok } from '../common/http/envelope';
import type { Actor } from '../journal/event';
import { RequestActor } from '../journal/actor.decorator';
import { DispatchService } from './dispatch.service';
import { SubtaskControlResponseDto, TaskControlResponseDto } from './dto/control.dto';
import { ReportsResponseDto, SubtaskReportsDto } from './dto/report.dto';
import { ReportsService } from './reports.service';

@ApiTags('dispatch')
@Controller()
export class DispatchController {
  constructor(
    private readonly dispatch: DispatchService,
    private readonly dryRuns: DryRunService,
  ) {}

  @Post('tasks/:task_id/start')
  @HttpCode(200)
  @ApiOperation({ summary: '开始: run every subtask (409 listing unconfigured ones); idempotent, answers at once' })
  @ApiOkResponse({ type: TaskControlResponseDto })
  @ApiErrors('TASK_NOT_FOUND', 'SUBTASKS_UNCONFIGURED')
  @ApiQuery(DRY_RUN_QUERY)
  async startTask(@Param('task_id') id: string, @RequestActor() actor: Actor, @Query('dry_run') dryRun?: string): Promise<TaskControlResponseDto> {
    return ok(await this.dryRuns.perform(dryRun, { taskId: id }, () => this.dispatch.startTask(id, actor)));
  }

  @Post('tasks/:task_id/stop')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop every subtask of the task; idempotent, answers at once' })
  @ApiOkResponse({ type: TaskControlResponseDto })
  @ApiErrors('TASK_NOT_FOUND')
  @ApiQuery(DRY_RUN_QUERY)
  async stopTask(@Param('task_id') id: string, @RequestActor() actor: Actor, @Query('dry_run') dryRun?: string): Promise<TaskControlResponseDto> {
    return ok(await this.dryRuns.perform(dryRun, { taskId: id }, () => this.dispatch.stopTask(id, actor)));
  }

  @Post('subtasks/:subtask_id/start')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run one subtask (409 when unconfigured); idempotent' })
  @ApiOkResponse({ type: SubtaskControlResponseDto })
  @ApiErrors('SUBTASK_NOT_FOUND', 'SUBTASKS_UNCONFIGURED')
  @ApiQuery(DRY_RUN_QUERY)
  async startSubtask(@Param('subtask_id') id: string, @RequestActor() actor: Actor, @Query('dry_run') dryRun?: string): Promise<SubtaskControlResponseDto> {
    return ok(await this.dryRuns.perform(dryRun, { subtaskId: id }, () => this.dispatch.startSubtask(id, actor)));
  }

  @Post('subtasks/:subtask_id/stop')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop one subtask; idempotent' })
  @ApiOkResponse({ type: SubtaskControlResponseDto })
  @ApiErrors('SUBTASK_NOT_FOUND')
  @ApiQuery(DRY_RUN_QUERY)
  async stopSubtask(@Param('subtask_id') id: string, @RequestActor() actor: Actor, @Query('dry_run') dryRun?: string): Promise<SubtaskControlResponseDto> {
    return ok(await this.dryRuns.perform(dryRun, { subtaskId: id }, () => this.dispatch.stopSubtask(id, actor)));
  }
}

@ApiTags('internal')
@Controller('internal')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Post('subtask-reports')
  @HttpCode(200)
  @Internal()
  // For the ops service only: kept out of the public OpenAPI document and Swagger UI.
  @ApiExcludeEndpoint()
  @ApiSecurity('atoken')
  @ApiOperation({ summary: 'For the ops service: a batch of up to 1,000 subtask status reports (Authorization: INTERNAL_TOKEN)' })
  @ApiBody({ type: SubtaskReportsDto })
  @ApiOkResponse({ type: ReportsResponseDto })
  async ingest(@Body() body: SubtaskReportsDto): Promise<ReportsResponseDto> {
    const results = await this.reports.ingest(body.reports);
    const applied = results.filter((r) => r.applied).length;
    return ok({ applied, ignored: results.length - applied, results });
  }
}
