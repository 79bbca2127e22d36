import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
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
  constructor(private readonly dispatch: DispatchService) {}

  @Post('tasks/:task_id/start')
  @HttpCode(200)
  @ApiOperation({ summary: '开始: run every subtask (409 listing unconfigured ones); idempotent, answers at once' })
  @ApiOkResponse({ type: TaskControlResponseDto })
  @ApiErrors('TASK_NOT_FOUND', 'SUBTASKS_UNCONFIGURED')
  async startTask(@Param('task_id') id: string, @RequestActor() actor: Actor): Promise<TaskControlResponseDto> {
    return ok(await this.dispatch.startTask(id, actor));
  }

  @Post('tasks/:task_id/stop')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop every subtask of the task; idempotent, answers at once' })
  @ApiOkResponse({ type: TaskControlResponseDto })
  @ApiErrors('TASK_NOT_FOUND')
  async stopTask(@Param('task_id') id: string, @RequestActor() actor: Actor): Promise<TaskControlResponseDto> {
    return ok(await this.dispatch.stopTask(id, actor));
  }

  @Post('subtasks/:subtask_id/start')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run one subtask (409 when unconfigured); idempotent' })
  @ApiOkResponse({ type: SubtaskControlResponseDto })
  @ApiErrors('SUBTASK_NOT_FOUND', 'SUBTASKS_UNCONFIGURED')
  async startSubtask(@Param('subtask_id') id: string, @RequestActor() actor: Actor): Promise<SubtaskControlResponseDto> {
    return ok(await this.dispatch.startSubtask(id, actor));
  }

  @Post('subtasks/:subtask_id/stop')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop one subtask; idempotent' })
  @ApiOkResponse({ type: SubtaskControlResponseDto })
  @ApiErrors('SUBTASK_NOT_FOUND')
  async stopSubtask(@Param('subtask_id') id: string, @RequestActor() actor: Actor): Promise<SubtaskControlResponseDto> {
    return ok(await this.dispatch.stopSubtask(id, actor));
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
