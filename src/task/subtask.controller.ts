import { Body, Controller, Get, Headers, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { notModified } from '../common/http/conditional';
import { DryRunService } from './dry-run.service';
import { ListSubtasksQueryDto, SubtaskSearchResponseDto } from './dto/fleet.dto';
import { TaskQueryService } from './task-query.service';
import { DRY_RUN_QUERY, IF_MATCH, IF_NONE_MATCH } from './task.controller';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiErrors, BODY_ERRORS } from '../common/http/api-errors';
import { SUBTASK_CONFIG_EXAMPLE } from '../common/http/api-examples';
import { ok } from '../common/http/envelope';
import type { Actor } from '../journal/event';
import { RequestActor } from '../journal/actor.decorator';
import { SubtaskConfigDto } from '../subtask/dto/subtask-config.dto';
import { SubtaskDetailResponseDto, SubtaskStateResponseDto } from '../subtask/dto/subtask-response.dto';
import { SubtaskConfigService } from './subtask-config.service';

@ApiTags('subtasks')
@Controller('subtasks')
export class SubtaskController {
  constructor(
    private readonly configs: SubtaskConfigService,
    private readonly queries: TaskQueryService,
    private readonly dryRuns: DryRunService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Subtasks across live tasks, newest first: by state, desired state, task or video channel' })
  @ApiOkResponse({ type: SubtaskSearchResponseDto })
  @ApiErrors('VALIDATION_FAILED')
  async search(@Query() query: ListSubtasksQueryDto): Promise<SubtaskSearchResponseDto> {
    return ok(await this.queries.searchSubtasks(query));
  }

  @Get(':subtask_id')
  @ApiOperation({ summary: 'One subtask with its configuration (mtasks → scenes)' })
  @ApiOkResponse({ type: SubtaskDetailResponseDto })
  @ApiErrors('SUBTASK_NOT_FOUND')
  @ApiHeader(IF_NONE_MATCH)
  async get(
    @Param('subtask_id') id: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SubtaskDetailResponseDto | undefined> {
    if (notModified(reply, ifNoneMatch, await this.queries.subtaskEtag(id))) return undefined;
    return ok(await this.configs.get(id));
  }

  @Put(':subtask_id/config')
  @ApiOperation({ summary: "Save the subtask's configuration draft: scenes with ROIs, calibration, config, basicConfig, algo_args" })
  @ApiBody({ type: SubtaskConfigDto, examples: { scene: { summary: 'One complete scene', value: SUBTASK_CONFIG_EXAMPLE } } })
  @ApiOkResponse({ type: SubtaskStateResponseDto })
  @ApiErrors(BODY_ERRORS, 'SUBTASK_NOT_FOUND', 'SUBTASK_ACTIVE', 'PRECONDITION_FAILED')
  @ApiQuery(DRY_RUN_QUERY)
  @ApiHeader(IF_MATCH)
  async saveConfig(
    @Param('subtask_id') id: string,
    @Body() dto: SubtaskConfigDto,
    @RequestActor() actor: Actor,
    @Query('dry_run') dryRun?: string,
    @Headers('if-match') ifMatch?: string,
  ): Promise<SubtaskStateResponseDto> {
    return ok(await this.dryRuns.perform(dryRun, { subtaskId: id }, () => this.configs.saveConfig(id, dto, actor, { ifMatch })));
  }

  @Post(':subtask_id/config-complete')
  @HttpCode(200)
  @ApiOperation({ summary: '配置完成: check that the configuration is complete and mark the subtask configured' })
  @ApiOkResponse({ type: SubtaskStateResponseDto })
  @ApiErrors('SUBTASK_NOT_FOUND', 'CONFIG_INCOMPLETE', 'SUBTASK_ACTIVE')
  async complete(@Param('subtask_id') id: string, @RequestActor() actor: Actor): Promise<SubtaskStateResponseDto> {
    return ok(await this.configs.complete(id, actor));
  }
}
