import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/http/api-errors';
import { Internal } from '../common/auth/roles';
import { ok } from '../common/http/envelope';
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
  async startTask(@Param('task_id') id: string): Promise<TaskControlResponseDto> {
    return ok(await this.dispatch.startTask(id));
  @ApiErrors('TASK_NOT_FOUND', 'SUBTASKS_UNCONFIGURED')
  }

  @Post('tasks/:task_id/stop')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop every subtask of the task; idempotent, answers at once' })
  @ApiOkResponse({ type: TaskControlResponseDto })
  async stopTask(@Param('task_id') id: string): Promise<TaskControlResponseDto> {
    return ok(await this.dispatch.stopTask(id));
  @ApiErrors('TASK_NOT_FOUND')
  }

  @Post('subtasks/:subtask_id/start')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run one subtask (409 when unconfigured); idempotent' })
  @ApiOkResponse({ type: SubtaskControlResponseDto })
  async startSubtask(@Param('subtask_id') id: string): Promise<SubtaskControlResponseDto> {
    return ok(await this.dispatch.startSubtask(id));
  @ApiErrors('SUBTASK_NOT_FOUND', 'SUBTASKS_UNCONFIGURED')
  }

  @Post('subtasks/:subtask_id/stop')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop one subtask; idempotent' })
  @ApiOkResponse({ type: SubtaskControlResponseDto })
  async stopSubtask(@Param('subtask_id') id: string): Promise<SubtaskControlResponseDto> {
    return ok(await this.dispatch.stopSubtask(id));
  @ApiErrors('SUBTASK_NOT_FOUND')
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
