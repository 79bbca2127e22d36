import { Body, Controller, Post, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ApiPropertyOptional, DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { Type } from 'class-transformer';
import { IsOptional, ValidateNested } from 'class-validator';
import { AppException } from '../../common/errors/app.exception';
import { validationOptions } from '../../common/validation/validation-options';
import { HOUR_MINUTE, MAX_SCHEDULE_WINDOWS } from '../domain/schedule';
import { validateSchedule } from '../domain/validate-schedule';
import { ScheduleDto } from './schedule.dto';

/** A body carrying a schedule the way the task DTOs will. */
class Holder {
  @ApiPropertyOptional({ type: ScheduleDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => ScheduleDto)
  schedule?: ScheduleDto | null;
}

const pipe = new ValidationPipe(validationOptions);

/** `field rule` of every error the app's ValidationPipe reports for `{schedule: input}`. */
async function dtoErrors(input: unknown): Promise<string[]> {
  try {
    await pipe.transform({ schedule: input }, { type: 'body', metatype: Holder });
    return [];
  } catch (error) {
    if (!(error instanceof AppException)) throw error;
    return error.fieldErrors.map((e) => `${e.field} ${e.rule}`);
  }
}
const domainErrors = (input: unknown) => validateSchedule(input, 'Asia/Shanghai').errors.map((e) => `${e.field} ${e.rule}`);

const ok = { days: [1, 2, 3, 4, 5], start: '07:00', end: '19:00' };
const one = (window: Record<string, unknown>) => ({ windows: [ok, window] });

describe('ScheduleDto judges a schedule as validateSchedule does', () => {
  it.each([
    ['the contract example', { timezone: 'Asia/Shanghai', windows: [ok, { days: [6, 7], start: '22:00', end: '06:00' }] }, []],
    ['no zone', { windows: [ok] }, []],
    ['null zone', { timezone: null, windows: [ok] }, []],
    ['24 h window', { windows: [{ days: [3], start: '10:00', end: '10:00' }] }, []],
    ['unknown zone', { timezone: 'Mars/Olympus', windows: [ok] }, ['schedule.timezone isIanaZone']],
    ['zone a number', { timezone: 8, windows: [ok] }, ['schedule.timezone isIanaZone']],
    ['no windows', {}, ['schedule.windows isDefined']],
    ['windows not an array', { windows: 'x' }, ['schedule.windows isArray']],
    ['windows empty', { windows: [] }, ['schedule.windows arrayNotEmpty']],
    ['too many windows', { windows: Array.from({ length: MAX_SCHEDULE_WINDOWS + 1 }, () => ok) }, ['schedule.windows arrayMaxSize']],
    ['unknown field of the schedule', { windows: [ok], zone: 'UTC' }, ['schedule.zone whitelistValidation']],
    ['schedule not an object', 'daily', ['schedule nestedValidation']],
    ['a window not an object', { windows: [ok, 'mon-fri'] }, ['schedule.windows[1] nestedValidation']],
    ['a window null', { windows: [null] }, ['schedule.windows[0] nestedValidation']],
    ['unknown field of a window', one({ ...ok, note: 'x' }), ['schedule.windows[1].note whitelistValidation']],
    ['days missing', one({ start: '07:00', end: '08:00' }), ['schedule.windows[1].days isDefined']],
    ['days not an array', one({ ...ok, days: 1 }), ['schedule.windows[1].days isArray']],
    ['days empty', one({ ...ok, days: [] }), ['schedule.windows[1].days arrayNotEmpty']],
    ['day 0', one({ ...ok, days: [0] }), ['schedule.windows[1].days isIsoWeekday']],
    ['day 8', one({ ...ok, days: [8] }), ['schedule.windows[1].days isIsoWeekday']],
    ['day 1.5', one({ ...ok, days: [1.5] }), ['schedule.windows[1].days isIsoWeekday']],
    ['day as a string', one({ ...ok, days: ['1'] }), ['schedule.windows[1].days isIsoWeekday']],
    ['a day twice', one({ ...ok, days: [2, 2] }), ['schedule.windows[1].days arrayUnique']],
    ['start missing', one({ days: [1], end: '08:00' }), ['schedule.windows[1].start isDefined']],
    ['end null', one({ days: [1], start: '07:00', end: null }), ['schedule.windows[1].end isDefined']],
    ['start 7:00', one({ ...ok, start: '7:00' }), ['schedule.windows[1].start isHourMinute']],
    ['end 24:00', one({ ...ok, end: '24:00' }), ['schedule.windows[1].end isHourMinute']],
    ['end a number', one({ ...ok, end: 1900 }), ['schedule.windows[1].end isHourMinute']],
    [
      'two faults in one window',
      { windows: [{ days: [0, 0], start: '7', end: '08:00' }] },
      ['schedule.windows[0].days isIsoWeekday', 'schedule.windows[0].start isHourMinute'],
    ],
    ['always open', { windows: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '06:00', end: '06:00' }] }, ['schedule.windows scheduleAlwaysOpen']],
  ])('%s', async (_name, input, expected) => {
    expect(await dtoErrors(input)).toEqual(expected);
    expect(domainErrors(input)).toEqual(expected);
  });

  it('leaves an absent or null schedule alone (always)', async () => {
    expect(await dtoErrors(undefined)).toEqual([]);
    expect(await dtoErrors(null)).toEqual([]);
  });
});

describe('ScheduleDto in the OpenAPI document', () => {
  let schemas: Record<string, SchemaObject>;

  beforeAll(async () => {
    @Controller('probe')
    class ProbeController {
      @Post()
      probe(@Body() body: Holder) {
        return body;
      }
    }
    const app = await NestFactory.create({ module: class ProbeModule {}, controllers: [ProbeController] } as never, new FastifyAdapter(), { logger: false });
    const document = SwaggerModule.createDocument(app, new DocumentBuilder().build());
    schemas = document.components!.schemas as Record<string, SchemaObject>;
    await app.close();
  });

  it('describes days as unique integers 1..7 and times by the HH:mm pattern', () => {
    const window = schemas.ScheduleWindowDto;
    expect(window.required).toEqual(expect.arrayContaining(['days', 'start', 'end']));
    expect(window.properties!.days).toMatchObject({
      type: 'array',
      items: { type: 'integer', minimum: 1, maximum: 7 },
      minItems: 1,
      maxItems: 7,
      uniqueItems: true,
    });
    for (const key of ['start', 'end']) expect(window.properties![key]).toMatchObject({ type: 'string', pattern: HOUR_MINUTE.source });
    const schedule = schemas.ScheduleDto;
    expect(schedule.required).toEqual(['windows']);
    expect(schedule.properties!.windows).toMatchObject({ type: 'array', minItems: 1, maxItems: MAX_SCHEDULE_WINDOWS });
  });

  it('gives examples that validate', async () => {
    const window = schemas.ScheduleWindowDto.properties as Record<string, SchemaObject>;
    const schedule = schemas.ScheduleDto.properties as Record<string, SchemaObject>;
    const example = (s: SchemaObject): unknown => s.example;
    for (const key of ['start', 'end']) expect(example(window[key])).toMatch(new RegExp(window[key].pattern!));
    const fromWindowExamples = { windows: [{ days: example(window.days), start: example(window.start), end: example(window.end) }] };
    const fromScheduleExamples = { timezone: example(schedule.timezone), windows: example(schedule.windows) };
    for (const example of [fromWindowExamples, fromScheduleExamples]) {
      expect(domainErrors(example)).toEqual([]);
      expect(await dtoErrors(example)).toEqual([]);
    }
  });
});
