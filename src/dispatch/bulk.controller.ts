import { Body, Controller, HttpCode, Param, Post, UseFilters, UseInterceptors } from '@nestjs/common';
import { BULK_TASK_IDS_EXAMPLE } from '../common/http/api-examples';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, BODY_ERRORS } from '../common/http/api-errors';
import { ok } from '../common/http/envelope';
import { RequestLanguage } from '../common/http/request-language';
import { IdempotencyInterceptor, IdempotentReplayFilter } from '../common/idempotency/idempotency.interceptor';
import type { Language } from '../config/app-config';
import type { Actor } from '../journal/event';
import { RequestActor } from '../journal/actor.decorator';
import { BulkService, BulkTaskAction } from './bulk.service';
import { BulkSubtaskResponseDto, BulkTaskIdsDto, BulkTaskResponseDto } from './dto/bulk.dto';

const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description: '1 to 255 printable characters: the same key and body within 24 h answer the first answer again (Idempotent-Replayed: true)',
};

@ApiTags('bulk')
@Controller('tasks')
@UseInterceptors(IdempotencyInterceptor)
@UseFilters(IdempotentReplayFilter)
export class BulkController {
  constructor(private readonly bulk: BulkService) {}

  private async act(action: BulkTaskAction, dto: BulkTaskIdsDto, actor: Actor, lang: Language): Promise<BulkTaskResponseDto> {
    return ok({ results: await this.bulk.taskAction(action, dto.task_ids, actor, lang) });
  }

  @Post('actions/start')
  @HttpCode(200)
  @ApiOperation({ summary: 'Start up to 100 tasks, each on its own; one result per task, in input order' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({ type: BulkTaskIdsDto, examples: { ids: { summary: 'Two tasks', value: BULK_TASK_IDS_EXAMPLE } } })
  @ApiOkResponse({ type: BulkTaskResponseDto })
  @ApiErrors(BODY_ERRORS, 'IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_IN_PROGRESS')
  start(@Body() dto: BulkTaskIdsDto, @RequestActor() actor: Actor, @RequestLanguage() lang: Language): Promise<BulkTaskResponseDto> {
    return this.act('start', dto, actor, lang);
  }

  @Post('actions/stop')
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop up to 100 tasks, each on its own; one result per task, in input order' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({ type: BulkTaskIdsDto, examples: { ids: { summary: 'Two tasks', value: BULK_TASK_IDS_EXAMPLE } } })
  @ApiOkResponse({ type: BulkTaskResponseDto })
  @ApiErrors(BODY_ERRORS, 'IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_IN_PROGRESS')
  stop(@Body() dto: BulkTaskIdsDto, @RequestActor() actor: Actor, @RequestLanguage() lang: Language): Promise<BulkTaskResponseDto> {
    return this.act('stop', dto, actor, lang);
  }

  @Post('actions/delete')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete up to 100 tasks (recoverable), each on its own; an active one answers its own 409' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({ type: BulkTaskIdsDto, examples: { ids: { summary: 'Two tasks', value: BULK_TASK_IDS_EXAMPLE } } })
  @ApiOkResponse({ type: BulkTaskResponseDto })
  @ApiErrors(BODY_ERRORS, 'IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_IN_PROGRESS')
  remove(@Body() dto: BulkTaskIdsDto, @RequestActor() actor: Actor, @RequestLanguage() lang: Language): Promise<BulkTaskResponseDto> {
    return this.act('delete', dto, actor, lang);
  }

  @Post('actions/restore')
  @HttpCode(200)
  @ApiOperation({ summary: 'Restore up to 100 deleted tasks, each on its own' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiBody({ type: BulkTaskIdsDto, examples: { ids: { summary: 'Two tasks', value: BULK_TASK_IDS_EXAMPLE } } })
  @ApiOkResponse({ type: BulkTaskResponseDto })
  @ApiErrors(BODY_ERRORS, 'IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_IN_PROGRESS')
  restore(@Body() dto: BulkTaskIdsDto, @RequestActor() actor: Actor, @RequestLanguage() lang: Language): Promise<BulkTaskResponseDto> {
    return this.act('restore', dto, actor, lang);
  }

  @Post(':task_id/config-complete')
  @HttpCode(200)
  @ApiOperation({ summary: '配置完成 for every subtask of the task, each on its own; one result per subtask' })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiOkResponse({ type: BulkSubtaskResponseDto })
  @ApiErrors('TASK_NOT_FOUND', 'IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_IN_PROGRESS')
  async completeAll(@Param('task_id') id: string, @RequestActor() actor: Actor, @RequestLanguage() lang: Language): Promise<BulkSubtaskResponseDto> {
    return ok({ task_id: id, results: await this.bulk.completeAll(id, actor, lang) });
  }
}
