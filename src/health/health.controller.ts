import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorResult, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../common/auth/roles';
import { AppException } from '../common/errors/app.exception';
import { EnvelopeDto } from '../common/http/envelope.dto';
import { Payload } from '../common/http/envelope.interceptor';

export class HealthResponseDto extends EnvelopeDto {
  @ApiProperty({ example: 'ok' }) status: string;
  @ApiProperty({ type: 'object', additionalProperties: true, example: { database: { status: 'up' } } }) checks: HealthIndicatorResult;
}

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiOkResponse({ type: HealthResponseDto })
  live(): Payload<HealthResponseDto> {
    return { status: 'ok', checks: {} };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: the database answers' })
  @ApiOkResponse({ type: HealthResponseDto })
  async ready(): Promise<Payload<HealthResponseDto>> {
    try {
      const result = await this.health.check([() => this.db.pingCheck('database', { timeout: 2000 })]);
      return { status: result.status, checks: result.details };
    } catch (error) {
      const checks = (error as { getResponse?: () => { details?: unknown } }).getResponse?.().details ?? {};
      throw new AppException('SERVICE_UNAVAILABLE', {}, [], { status: 'error', checks });
    }
  }
}
