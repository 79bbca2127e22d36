import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
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
  constructor(private readonly configs: SubtaskConfigService) {}

  @Get(':subtask_id')
  @ApiOperation({ summary: 'One subtask with its configuration (mtasks → scenes)' })
  @ApiOkResponse({ type: SubtaskDetailResponseDto })
  @ApiErrors('SUBTASK_NOT_FOUND')
  async get(@Param('subtask_id') id: string): Promise<SubtaskDetailResponseDto> {
    return ok(await this.configs.get(id));
  }

  @Put(':subtask_id/config')
  @ApiOperation({ summary: "Save the subtask's configuration draft: scenes with ROIs, calibration, config, basicConfig, algo_args" })
  @ApiBody({ type: SubtaskConfigDto, examples: { scene: { summary: 'One complete scene', value: SUBTASK_CONFIG_EXAMPLE } } })
  @ApiOkResponse({ type: SubtaskStateResponseDto })
  @ApiErrors(BODY_ERRORS, 'SUBTASK_NOT_FOUND', 'SUBTASK_ACTIVE')
  async saveConfig(@Param('subtask_id') id: string, @Body() dto: SubtaskConfigDto, @RequestActor() actor: Actor): Promise<SubtaskStateResponseDto> {
    return ok(await this.configs.saveConfig(id, dto, actor));
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
