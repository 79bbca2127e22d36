import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsDefined,
  IsOptional,
  ValidateBy,
  ValidateNested,
  ValidationOptions,
  buildMessage,
} from 'class-validator';
import { HOUR_MINUTE, MAX_SCHEDULE_WINDOWS, ScheduleWindowRule, coversWholeWeek, isHourMinute, isIanaZone, isIsoWeekday } from '../domain/schedule';

// The decorators call the predicates validateSchedule uses, under the same rule names, so a
// request body and a stored or previewed schedule are judged alike and translated by one key.

/** An IANA time zone name known to Luxon (Asia/Shanghai, Europe/Berlin, UTC). */
export const IsIanaZone = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isIanaZone',
      validator: { validate: isIanaZone, defaultMessage: buildMessage((each) => `${each}$property must be an IANA time zone`) },
    },
    options,
  );

/** An ISO weekday: an integer from 1 (Monday) to 7 (Sunday). */
export const IsIsoWeekday = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isIsoWeekday',
      validator: { validate: isIsoWeekday, defaultMessage: buildMessage((each) => `${each}$property must be an ISO weekday 1..7`) },
    },
    options,
  );

/** A wall time `HH:mm`, 00:00 to 23:59. */
export const IsHourMinute = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'isHourMinute',
      validator: { validate: isHourMinute, defaultMessage: buildMessage((each) => `${each}$property must be a time HH:mm`) },
    },
    options,
  );

const isWindowRule = (value: unknown): value is ScheduleWindowRule => {
  const w = value as Partial<ScheduleWindowRule> | null;
  return (
    typeof w === 'object' &&
    w !== null &&
    Array.isArray(w.days) &&
    w.days.length > 0 &&
    w.days.every(isIsoWeekday) &&
    isHourMinute(w.start) &&
    isHourMinute(w.end)
  );
};

/** Windows that leave no minute of the week closed are refused: no schedule is how to say "always". */
export const NotAlwaysOpen = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'scheduleAlwaysOpen',
      validator: {
        // Judged only once every window is well formed; a malformed one has its own error.
        validate: (value) => !(Array.isArray(value) && value.length > 0 && value.every(isWindowRule) && coversWholeWeek(value)),
        defaultMessage: buildMessage(() => '$property never close; leave the schedule out to run always'),
      },
    },
    options,
  );

export class ScheduleWindowDto {
  @ApiProperty({
    type: 'array',
    items: { type: 'integer', minimum: 1, maximum: 7 },
    minItems: 1,
    maxItems: 7,
    uniqueItems: true,
    description: 'ISO weekdays (1 Monday … 7 Sunday) on which the window opens',
    example: [1, 2, 3, 4, 5],
  })
  @IsDefined()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIsoWeekday({ each: true })
  days: number[];

  @ApiProperty({ type: String, pattern: HOUR_MINUTE.source, description: 'Opening, HH:mm local wall time', example: '07:00' })
  @IsDefined()
  @IsHourMinute()
  start: string;

  @ApiProperty({
    type: String,
    pattern: HOUR_MINUTE.source,
    description: 'Closing, HH:mm local wall time; at or before `start` it is on the next day (overnight; equal to `start`: 24 hours)',
    example: '19:00',
  })
  @IsDefined()
  @IsHourMinute()
  end: string;
}

export class ScheduleDto {
  @ApiPropertyOptional({
    type: String,
    maxLength: 64,
    nullable: true,
    description: "IANA time zone of the windows' wall times; the service's TIME_ZONE when absent",
    example: 'Asia/Shanghai',
  })
  @IsOptional()
  @IsIanaZone()
  timezone?: string | null;

  @ApiProperty({
    type: [ScheduleWindowDto],
    minItems: 1,
    maxItems: MAX_SCHEDULE_WINDOWS,
    description: 'Weekly windows; overlapping or touching ones merge. Must leave some time of the week closed.',
    example: [
      { days: [1, 2, 3, 4, 5], start: '07:00', end: '19:00' },
      { days: [6, 7], start: '22:00', end: '06:00' },
    ],
  })
  @IsDefined()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayMaxSize(MAX_SCHEDULE_WINDOWS)
  @ValidateNested({ each: true })
  @Type(() => ScheduleWindowDto)
  @NotAlwaysOpen()
  windows: ScheduleWindowDto[];
}
