import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorResult, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../common/auth/roles';
import { AppException } from '../common/errors/app.exception';
import { EnvelopeDto } from '../common/http/envelope.dto';
import { ok } from '../common/http/envelope';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ApiErrors } from '../common/http/api-errors';

const OPS_PROBE_TIMEOUT_MS = 2000;

export class HealthResponseDto extends EnvelopeDto {
  @ApiProperty({ type: String, enum: ['ok', 'error'], example: 'ok' }) status: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'object', additionalProperties: true }, example: { database: { status: 'up' } } })
  checks: HealthIndicatorResult;
}

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Liveness: the process answers', security: [] })
  @ApiOkResponse({ type: HealthResponseDto })
  live(): HealthResponseDto {
    return ok({ status: 'ok', checks: {} });
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: the database answers (503 otherwise); the ops service is reported but does not decide readiness',
    security: [],
  })
  @ApiOkResponse({ type: HealthResponseDto })
  @ApiErrors('SERVICE_UNAVAILABLE')
  async ready(): Promise<HealthResponseDto> {
    // Both probes at once, each bounded: the database by the same DB_QUERY_TIMEOUT_MS as every
    // request, so a frozen database fails readiness about as fast as it fails requests.
    const opsProbe = this.probeOps();
    const dbCheck = this.health.check([() => this.db.pingCheck('database', { timeout: this.config.db.queryTimeoutMs })]);
    dbCheck.catch(() => undefined);
    const ops = await opsProbe;
    try {
      const result = await dbCheck;
      return ok({ status: result.status, checks: { ...result.details, ...ops } });
    } catch (error) {
      const checks = (error as { getResponse?: () => { details?: unknown } }).getResponse?.().details ?? {};
      throw new AppException('SERVICE_UNAVAILABLE', {}, [], { status: 'error', checks: { ...checks, ...ops } });
    }
  }

  /**
   * Whether the ops service answers HTTP at all. It does not fail readiness: taking every replica
   * out of the load balancer would not bring the ops service back, and reads still work.
   */
  private async probeOps(): Promise<HealthIndicatorResult> {
    const url = this.config.dispatch.opsBaseUrl;
    if (!url) return { ops_service: { status: 'up', configured: false } };
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(OPS_PROBE_TIMEOUT_MS) });
      await res.arrayBuffer();
      return { ops_service: { status: 'up', http_status: res.status } };
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      return { ops_service: { status: 'down', error: cause } };
    }
  }
}
